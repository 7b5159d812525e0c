// Settings of this installation (not of a tenant) that must persist across restarts, kept in
// DATA_DIR/appliance.json (mode 600): the instance id that tells this installation's backups
// apart from another's, the Meta verify token when META_VERIFY_TOKEN is not configured, the
// tunnel choice (with its secret), and the backup schedule. No database table: the file is read
// before the database exists (restore, pre-migration backup) and travels inside every backup.
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { privateDir, writePrivateFile } from '../core/fs-private.js';

export const TUNNEL_PROVIDERS = ['none', 'public-url', 'cloudflare', 'ngrok'] as const;
export type TunnelProviderKind = (typeof TUNNEL_PROVIDERS)[number];

const tunnelSchema = z.object({
  provider: z.enum(TUNNEL_PROVIDERS).default('none'),
  /** For provider public-url: the business's own https URL that reaches this PC. */
  publicUrl: z.string().url().nullable().default(null),
  /** For provider ngrok: the account's auth token (never returned in full by the API). */
  ngrokAuthtoken: z.string().nullable().default(null),
  /** For provider ngrok: a reserved domain (optional; free accounts get one static domain). */
  ngrokDomain: z.string().nullable().default(null),
  /**
   * Off (default): the tunnel reaches only the webhooks, /health and the pages customers open.
   * On: the whole web UI and API are reachable from the internet through it.
   */
  exposeEverything: z.boolean().default(false),
});

const backupSchema = z.object({
  /** Local time of the nightly backup, HH:MM (24h). */
  time: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/)
    .default('02:00'),
  /** How many backups to keep; older ones are deleted after a successful backup. */
  keep: z.number().int().min(1).max(365).default(7),
  enabled: z.boolean().default(true),
});

const fileSchema = z.object({
  instanceId: z.string().min(1),
  createdAt: z.string(),
  verifyToken: z.string().min(8),
  tunnel: tunnelSchema.default(tunnelSchema.parse({})),
  backups: backupSchema.default(backupSchema.parse({})),
});

export type ApplianceSettings = z.infer<typeof fileSchema>;
export type TunnelSettings = z.infer<typeof tunnelSchema>;
export type BackupSettings = z.infer<typeof backupSchema>;

export const SETTINGS_FILE = 'appliance.json';

export function settingsPath(dataDir: string): string {
  return join(dataDir, SETTINGS_FILE);
}

/** True once this data dir has been given an identity (first start, or a restore). */
export function hasSettings(dataDir: string): boolean {
  return existsSync(settingsPath(dataDir));
}

/** Reads the settings, creating the file (new instance id and verify token) on first use. */
export function loadSettings(dataDir: string): ApplianceSettings {
  const file = settingsPath(dataDir);
  if (existsSync(file)) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`${file} is not valid JSON (${(err as Error).message}); fix or delete it`);
    }
    const parsed = fileSchema.safeParse(raw);
    if (!parsed.success)
      throw new Error(`${file} is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return parsed.data;
  }
  const fresh = fileSchema.parse({
    instanceId: randomUUID(),
    createdAt: new Date().toISOString(),
    verifyToken: randomBytes(18).toString('base64url'),
  });
  saveSettings(dataDir, fresh);
  return fresh;
}

/** Writes atomically (temp file + rename) with owner-only permissions: it holds secrets. */
export function saveSettings(dataDir: string, settings: ApplianceSettings): void {
  privateDir(dataDir);
  const file = settingsPath(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writePrivateFile(tmp, `${JSON.stringify(fileSchema.parse(settings), null, 2)}\n`);
  renameSync(tmp, file);
}

export function updateSettings(dataDir: string, change: (current: ApplianceSettings) => ApplianceSettings): ApplianceSettings {
  const next = change(loadSettings(dataDir));
  saveSettings(dataDir, next);
  return next;
}

/** The token Meta echoes in the webhook verification handshake: META_VERIFY_TOKEN, else the generated one. */
export function verifyToken(config: { dataDir: string; META_VERIFY_TOKEN?: string }): string {
  return config.META_VERIFY_TOKEN ?? loadSettings(config.dataDir).verifyToken;
}

/** Shows that a secret is set without revealing it: the last 4 characters only. */
export function maskSecret(secret: string | null): string | null {
  if (!secret) return null;
  return secret.length <= 8 ? '••••' : `••••${secret.slice(-4)}`;
}
