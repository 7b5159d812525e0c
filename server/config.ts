// Configuration: environment variables (and config.json in the data dir), parsed once by zod.
import { existsSync, readFileSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { z } from 'zod';

const optionalString = z.string().trim().min(1).optional();
const port = z.coerce.number().int().min(0).max(65535);

const schema = z.object({
  PORT: port.default(3000),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  OMNISTREAM_DATA_DIR: z.string().trim().min(1).default('./data'),
  DATABASE_URL: optionalString,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  META_GRAPH_URL: z.string().url().default('https://graph.facebook.com'),
  META_GRAPH_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, 'must look like v21.0')
    .default('v21.0'),
  META_APP_ID: optionalString,
  META_APP_SECRET: optionalString,
  META_VERIFY_TOKEN: optionalString,
  /** The Embedded Signup configuration id from Meta's app dashboard (Facebook Login for Business). */
  META_EMBEDDED_SIGNUP_CONFIG_ID: optionalString,
  /** Instagram Login (Business Login for Instagram) app credentials. */
  INSTAGRAM_APP_ID: optionalString,
  INSTAGRAM_APP_SECRET: optionalString,
  INSTAGRAM_API_URL: z.string().url().default('https://api.instagram.com'),
  INSTAGRAM_GRAPH_URL: z.string().url().default('https://graph.instagram.com'),
  /** Midtrans base URLs (default: sandbox or production as chosen in the billing settings); set for a local fake in tests. */
  MIDTRANS_SNAP_URL: z.string().url().optional(),
  MIDTRANS_API_URL: z.string().url().optional(),
  /** The OAuth redirect URI registered in Meta's app dashboard (Facebook Login and Instagram Login). */
  META_OAUTH_REDIRECT_URI: z.string().url().optional(),
  PUBLIC_URL: z.string().url().optional(),
  LLM_BASE_URL: z.string().url().optional(),
  LLM_API_KEY: optionalString,
  LLM_MODEL: optionalString,
  /** The embedding model of the LLM endpoint (e.g. nomic-embed-text on Ollama); unset: knowledge search is full-text only. */
  LLM_EMBEDDING_MODEL: optionalString,
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  /** Mailboxes read by IMAP: how often a folder is checked when the server cannot push (IDLE), and how often the list of mailboxes is re-read. */
  IMAP_POLL_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  IMAP_REFRESH_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
  /** The sender of the appliance's own mail (password links), e.g. `OmniStream <crm@toko.example>`; default: the SMTP login if it is an address. */
  SMTP_FROM: optionalString,
  S3_ENDPOINT: z.string().url().optional(),
  S3_BUCKET: optionalString,
  S3_ACCESS_KEY_ID: optionalString,
  S3_SECRET_ACCESS_KEY: optionalString,
  S3_REGION: optionalString,
  SUPER_ADMIN_EMAIL: z.string().email().optional(),
  SUPER_ADMIN_PASSWORD: z.string().min(8).optional(),
  /** Days between the operator deleting an organization and its data being purged (it can be restored until then). */
  TENANT_PURGE_GRACE_DAYS: z.coerce.number().int().min(0).max(365).default(30),
  /** Login/register attempts allowed per IP per minute. */
  AUTH_RATE_LIMIT: z.coerce.number().int().min(1).default(20),
  /** Announce the appliance on the LAN as omnistream.local (mDNS); `off` where multicast is unwanted. */
  OMNISTREAM_MDNS: z
    .string()
    .regex(/^(on|off|1|0|true|false|yes|no)$/i, 'must be on or off')
    .default('on')
    .transform((v) => (/^(on|1|true|yes)$/i.test(v) ? 'on' : 'off')),
  /**
   * Messages per second one WhatsApp number may send (replies and campaigns together): Meta's
   * throughput tier. 80 is the Cloud API's standard; numbers upgraded by Meta may send up to 1,000.
   */
  WHATSAPP_SEND_RATE: z.coerce.number().int().min(1).max(1000).default(80),
  /** First retry delay of a failed background job; it doubles per attempt up to 10 minutes. */
  JOB_RETRY_BASE_MS: z.coerce.number().int().min(10).max(600_000).default(2000),
  /**
   * Server-side fetches of URLs that came from outside (media links, outgoing webhooks, model
   * endpoints, mail hosts) refuse loopback, private and link-local addresses. These hosts, IPs or
   * CIDR ranges are allowed anyway (comma-separated), e.g. a model server on the LAN:
   * `192.168.1.20` or `192.168.1.0/24`.
   */
  OUTBOUND_ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
    ),
  /** Allow every private address (only on a trusted network): `true` or `false`. */
  OUTBOUND_ALLOW_PRIVATE: z
    .string()
    .regex(/^(true|false|1|0|yes|no)$/i, 'must be true or false')
    .default('false')
    .transform((v) => /^(true|1|yes)$/i.test(v)),
  /** Campaign sends per second per WhatsApp number when a campaign does not set its own (Meta's throughput tier). */
  CAMPAIGN_DEFAULT_RATE: z.coerce.number().int().min(1).max(1000).default(20),
  /**
   * A campaign send cut off by a crash or a timeout, that Meta never confirmed by webhook, is sent again
   * only once a later send of the same campaign was confirmed this long ago (proof that Meta's
   * webhooks are flowing, so the cut-off one never reached Meta).
   */
  CAMPAIGN_UNCONFIRMED_GRACE_MS: z.coerce.number().int().min(0).default(120_000),
  /**
   * A WhatsApp reply whose send was cut off (a crash between the Graph call and the status write, or
   * an answer that never came) waits this long for Meta's status webhook, which names it by the
   * callback data it carried; with none, it is marked failed (`send_uncertain`), never sent again blindly.
   */
  MESSAGE_UNCONFIRMED_WINDOW_MS: z.coerce.number().int().min(0).default(600_000),
  /** First retry delay of an outgoing webhook delivery; it doubles per attempt (up to 2 hours), for 24 hours. */
  OUTGOING_WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).default(30_000),
  /** Consecutive failed attempts after which an outgoing webhook is disabled and its owner told. */
  OUTGOING_WEBHOOK_DISABLE_AFTER: z.coerce.number().int().min(1).default(15),
  /**
   * The loopback port the public tunnel forwards to (0: any free port). It serves only the webhooks,
   * /health and the pages customers open, unless the operator exposes everything in the tunnel
   * settings. A reverse proxy on this PC (the public-url tunnel) should forward to it as well.
   */
  TUNNEL_PORT: port.default(0),
  /**
   * The desktop app's per-installation operator key (it generates it into the data dir and passes
   * it to the server it starts); with it, the desktop window on this PC is the appliance's operator.
   * Environment only; the server removes it from its environment once read.
   */
  OMNISTREAM_OPERATOR_KEY: z.string().trim().min(32, 'must be at least 32 characters').max(512).optional(),
  /**
   * Browser origins other than this server's own that may open a realtime (Socket.IO) connection
   * with the session cookie, comma-separated (e.g. `https://crm.example.com`).
   */
  ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim().replace(/\/+$/, '').toLowerCase())
        .filter(Boolean),
    ),
  /** Check every API response against its declared schema (tests; a mismatch answers 500 naming the field). */
  VALIDATE_RESPONSES: z
    .string()
    .regex(/^(true|false|1|0)$/i, 'must be true or false')
    .default('false')
    .transform((v) => /^(true|1)$/i.test(v)),
  /**
   * Diagnostics for performance work: each SQL statement's count and SQLite time, written to this
   * file when the server stops (db/sql-profile.ts; `npm run bench -- --sql-profile`). Unset: off.
   */
  SQL_PROFILE_FILE: optionalString,
  /** Lifetime of a tenant session token, in seconds. */
  JWT_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(7 * 24 * 3600),
});

export type Env = z.infer<typeof schema>;

export interface Config extends Env {
  dataDir: string;
  databasePath: string;
}

export class ConfigError extends Error {}

/** Values never echoed in an error: a bad value is named by its variable and length only. */
const SECRET_KEYS = new Set([
  'META_APP_SECRET',
  'META_VERIFY_TOKEN',
  'INSTAGRAM_APP_SECRET',
  'LLM_API_KEY',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'SUPER_ADMIN_PASSWORD',
  'OMNISTREAM_OPERATOR_KEY',
  'SMTP_URL',
]);
/** Read from the environment only, never from config.json. */
const ENV_ONLY = new Set(['OMNISTREAM_OPERATOR_KEY']);

/** How a configured value may appear in an error: secrets hidden, credentials in URLs masked. */
export function shownValue(name: string, value: string | undefined): string {
  if (value === undefined) return '""';
  if (SECRET_KEYS.has(name)) return `(hidden, ${value.length} characters)`;
  return JSON.stringify(value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1***@'));
}

/** Parses env (and DATA_DIR/config.json, where env wins). Throws ConfigError with one line naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned: Record<string, string> = {};
  const dataDirRaw = env.OMNISTREAM_DATA_DIR?.trim() || './data';
  const fileValues = readConfigFile(join(resolve(dataDirRaw), 'config.json'));
  for (const key of Object.keys(schema.shape)) {
    const value = env[key] ?? (ENV_ONLY.has(key) ? undefined : fileValues[key]);
    if (value !== undefined && value !== '') cleaned[key] = String(value);
  }
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0]);
    throw new ConfigError(`Invalid configuration: ${name}=${shownValue(name, cleaned[name] ?? '')}: ${issue.message}`);
  }
  const dataDir = resolve(parsed.data.OMNISTREAM_DATA_DIR);
  const url = parsed.data.DATABASE_URL;
  if (url && !url.startsWith('sqlite:') && !url.startsWith('file:')) {
    throw new ConfigError(
      `Invalid configuration: DATABASE_URL=${shownValue('DATABASE_URL', url)}: only sqlite:/file: URLs are supported by this build`,
    );
  }
  const databasePath = url ? resolve(url.replace(/^(sqlite|file):(\/\/)?/, '')) : join(dataDir, 'omnistream.db');
  return { ...parsed.data, dataDir, databasePath };
}

function readConfigFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) return {};
  try {
    const value = JSON.parse(readFileSync(path, 'utf8'));
    return value && typeof value === 'object' ? value : {};
  } catch (err) {
    // JSON.parse's message quotes the text around the error, which may be a secret: only the position is kept.
    const at = /position (\d+)/.exec((err as Error).message)?.[1];
    throw new ConfigError(`Invalid configuration: ${path} is not valid JSON${at ? ` (at character ${at})` : ''}`);
  }
}
