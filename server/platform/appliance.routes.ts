// The desktop appliance's settings: LAN access, the tunnel for Meta's webhooks, and backups.
// These are settings of the installation (one PC, every organization on it), so they belong to its
// operator (DESIGN rule 12): a super-admin, or the desktop window on this PC with the installation's
// operator key. No organization's permission reaches them (403).
import { z } from 'zod';
import { access, defineRoute, Reply, type AnyRoute } from '../core/http/registry.js';
import { notFound } from '../core/http/errors.js';
import { TUNNEL_PROVIDERS } from './appliance.settings.js';
import { backupProblem, runtimeFor } from './appliance.service.js';
import { BACKUP_NAME } from './backup/index.js';

const tag = 'Appliance';
const manage = access.operator;
const OPERATOR_NOTE =
  "Operator only: a super-admin token, or the desktop app on this computer (X-OmniStream-Operator-Key from loopback); an organization's credentials get 403.";

const lanAddress = z.object({
  interface: z.string(),
  address: z.string(),
  family: z.enum(['IPv4', 'IPv6']),
  virtual: z.boolean(),
  url: z.string(),
});
const lanSchema = z.object({
  reachable: z.boolean().describe('False when other devices cannot connect (HOST is loopback, or no network)'),
  reason: z.string().nullable(),
  port: z.number().int(),
  addresses: z.array(lanAddress),
  mdnsUrl: z.string().nullable().describe('http://omnistream.local:PORT/ while the mDNS announcement runs'),
  preferredUrl: z.string().nullable(),
  qr: z
    .object({ payload: z.string().describe('The URL the QR code encodes'), svg: z.string().describe('The QR code as an SVG document') })
    .nullable(),
});

const tunnelStatus = z.object({
  provider: z.enum(TUNNEL_PROVIDERS),
  state: z.enum(['off', 'starting', 'up', 'reconnecting', 'down', 'unavailable']),
  publicUrl: z.string().nullable(),
  error: z.string().nullable(),
  restarts: z.number().int(),
  nextRestartAt: z.string().nullable(),
  since: z.string(),
});
const tunnelSchema = z.object({
  provider: z.enum(TUNNEL_PROVIDERS),
  source: z.enum(['settings', 'env']).describe('env: PUBLIC_URL from the configuration, used while no tunnel is chosen'),
  publicUrl: z.string().nullable(),
  ngrokAuthtoken: z.string().nullable().describe('Masked: only the last 4 characters are shown'),
  ngrokDomain: z.string().nullable(),
  exposeEverything: z
    .boolean()
    .describe(
      'False (default): the tunnel reaches only the webhooks, /health and the pages customers open; true: the whole web UI and API',
    ),
  tunnelPort: z.number().int().describe('The loopback port tunnels forward to (a reverse proxy on this PC should too)'),
  cloudflaredPath: z.string().nullable().describe('Where cloudflared was found on the PATH (null: not installed)'),
  status: tunnelStatus,
  callbackUrl: z.string().nullable().describe("Paste into Meta's dashboard as the webhook Callback URL"),
  verifyToken: z.string().describe("Paste into Meta's dashboard as the Verify token"),
  verifyTokenSource: z.enum(['env', 'generated']),
});
const httpUrl = z
  .string()
  .trim()
  .url()
  .max(500)
  .refine((u) => /^https?:\/\//i.test(u), 'Must be an http(s) URL');
const tunnelBody = z.object({
  provider: z.enum(TUNNEL_PROVIDERS),
  publicUrl: httpUrl.nullable().optional().describe('For public-url: the https address that reaches this computer'),
  ngrokAuthtoken: z.string().trim().max(200).nullable().optional().describe('For ngrok; omit to keep the saved token, null to remove it'),
  ngrokDomain: z
    .string()
    .trim()
    .max(253)
    .regex(/^[a-z0-9.-]+$/i, 'Must be a domain name')
    .nullable()
    .optional(),
  exposeEverything: z
    .boolean()
    .optional()
    .describe('Expose the whole web UI and API through the tunnel (off by default: only webhooks, /health and customer pages)'),
});
const reachability = z.object({
  ok: z.boolean(),
  publicUrl: z.string().nullable(),
  checkedAt: z.string(),
  checks: z.array(
    z.object({
      id: z.enum(['tunnel', 'https', 'appliance', 'meta-verification']),
      ok: z.boolean(),
      detail: z.string(),
      ms: z.number().optional(),
    }),
  ),
});

const backupSchema = z.object({
  name: z.string(),
  size: z.number().int(),
  createdAt: z.string(),
  reason: z.string(),
  appVersion: z.string(),
  instanceId: z.string(),
  foreign: z.boolean().describe('Made by another installation: restoring it needs force'),
  mediaFiles: z.number().int(),
  databaseBytes: z.number().int(),
  verified: z.boolean().nullable(),
  verifiedAt: z.string().nullable(),
});
const pendingSchema = z.object({
  name: z.string(),
  archive: z.string(),
  force: z.boolean(),
  stagedAt: z.string(),
  createdAt: z.string(),
  instanceId: z.string(),
});
const backupSettings = z.object({
  time: z.string().describe('Local time of the nightly backup, HH:MM'),
  keep: z.number().int().describe('How many backups are kept'),
  enabled: z.boolean(),
  nextRunAt: z.string().nullable(),
  running: z.boolean(),
  lastResult: z
    .object({ ok: z.boolean(), at: z.string(), reason: z.string(), name: z.string().nullable(), error: z.string().nullable() })
    .nullable(),
  pendingRestore: pendingSchema.nullable(),
  backupsDir: z.string(),
});
const nameParam = z.object({
  name: z.string().max(200).regex(BACKUP_NAME, 'Not a backup name').describe('A backup file name from the list'),
});

function settingsView(ctx: { config: { dataDir: string } }) {
  const rt = runtimeFor(ctx.config);
  return {
    ...rt.backupSettings(),
    nextRunAt: rt.nextBackupAt(),
    running: rt.backupRunning,
    lastResult: rt.lastBackup,
    pendingRestore: rt.pendingRestore(),
    backupsDir: `${ctx.config.dataDir}/backups`,
  };
}

const routes: AnyRoute[] = [
  defineRoute({
    method: 'get',
    path: '/api/v1/appliance/operator',
    tag,
    summary: 'Who is operating this appliance (the desktop window or a super-admin)',
    access: manage,
    description: `Answers 200 for the appliance's operator and 401/403 for anyone else; the web UI shows "This computer" only on 200.`,
    response: z.object({ operator: z.enum(['desktop', 'super-admin']) }),
    handler: async ({ ctx }) => ({ operator: ctx.principal.kind === 'operator' ? ('desktop' as const) : ('super-admin' as const) }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/appliance/lan',
    tag,
    summary: "LAN addresses, URLs and QR code for agents' devices",
    access: manage,
    description:
      'The addresses other devices on the office network can open the inbox on, and a QR code (SVG) of the preferred one for phones.',
    response: lanSchema,
    handler: ({ ctx }) => runtimeFor(ctx.config).lan(),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/appliance/tunnel',
    tag,
    summary: 'Tunnel settings, status, webhook callback URL and verify token',
    access: manage,
    response: tunnelSchema,
    handler: async ({ ctx }) => runtimeFor(ctx.config).tunnelView(),
  }),
  defineRoute({
    method: 'put',
    path: '/api/v1/appliance/tunnel',
    tag,
    summary: 'Choose and configure the tunnel',
    access: manage,
    description:
      'public-url: your own https address (reverse proxy or domain); cloudflare: a Cloudflare quick tunnel (needs `cloudflared` on the PATH); ngrok: needs an auth token; none: no tunnel. The tunnel (re)starts at once.',
    body: tunnelBody,
    response: tunnelSchema,
    handler: async ({ ctx, body }) => runtimeFor(ctx.config).saveTunnel(body),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/appliance/tunnel/test',
    tag,
    summary: 'Test that the public URL reaches this appliance',
    access: manage,
    description:
      "Calls the public URL from here: once with a one-time nonce that only this server answers, once as Meta's verification request.",
    response: reachability,
    handler: async ({ ctx }) => runtimeFor(ctx.config).testReachability(),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/appliance/tunnel/echo/{nonce}',
    tag,
    summary: 'Reachability probe (answers a nonce issued by the tunnel test)',
    access: access.public,
    params: z.object({ nonce: z.string().regex(/^[0-9a-f]{32}$/, 'Not a nonce') }),
    response: z.object({ nonce: z.string() }),
    handler: async ({ ctx, params }) => {
      if (!runtimeFor(ctx.config).echo(params.nonce)) throw notFound('Nonce');
      return { nonce: params.nonce };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/appliance/backups',
    tag,
    summary: 'List backups',
    access: manage,
    response: z.object({ data: z.array(backupSchema), nextCursor: z.null() }),
    handler: async ({ ctx }) => ({ data: await runtimeFor(ctx.config).listBackups(), nextCursor: null }),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/appliance/backups',
    tag,
    summary: 'Back up now',
    access: manage,
    status: 201,
    description: 'Writes an online backup of the database plus the media folder and verifies it; answers when it is done.',
    response: backupSchema,
    handler: async ({ ctx }) => runtimeFor(ctx.config).backupNow('manual').catch(backupProblem),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/appliance/backups/{name}',
    tag,
    summary: 'Delete a backup',
    access: manage,
    status: 204,
    params: nameParam,
    handler: async ({ ctx, params }) => {
      try {
        runtimeFor(ctx.config).deleteBackup(params.name);
      } catch (err) {
        backupProblem(err);
      }
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/appliance/backups/{name}/restore',
    tag,
    summary: 'Restore a backup (applied at the next start)',
    access: manage,
    status: 202,
    description:
      'Verifies the backup completely (checksums, database integrity, schema version, installation) and stages it. ' +
      'The restore replaces the database and media before the database is opened on the next start; a backup of the current data is taken first. ' +
      'The desktop app restarts its server at once; a headless server applies it when started again. A backup from another installation needs `force: true`.',
    params: nameParam,
    body: z.object({ force: z.boolean().default(false).describe('Restore a backup made by another installation') }),
    response: z.object({
      pendingRestore: pendingSchema,
      restartRequested: z.boolean().describe('True when the desktop app is restarting the server now'),
    }),
    handler: async ({ ctx, params, body }) => {
      const rt = runtimeFor(ctx.config);
      const { pending, restartRequested } = await rt.stageRestore(params.name, body.force).catch(backupProblem);
      return new Reply(202, { pendingRestore: pending, restartRequested });
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/appliance/pending-restore',
    tag,
    summary: 'Cancel a staged restore',
    access: manage,
    status: 204,
    handler: async ({ ctx }) => {
      if (!runtimeFor(ctx.config).cancelRestore()) throw notFound('Staged restore');
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/appliance/backup-settings',
    tag,
    summary: 'Backup schedule, retention and last result',
    access: manage,
    response: backupSettings,
    handler: async ({ ctx }) => settingsView(ctx),
  }),
  defineRoute({
    method: 'put',
    path: '/api/v1/appliance/backup-settings',
    tag,
    summary: 'Change the backup schedule and retention',
    access: manage,
    body: z.object({
      time: z
        .string()
        .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Must be HH:MM (24-hour)')
        .optional(),
      keep: z.number().int().min(1, 'Keep at least 1').max(365).optional(),
      enabled: z.boolean().optional(),
    }),
    response: backupSettings,
    handler: async ({ ctx, body }) => {
      await runtimeFor(ctx.config).updateBackupSettings(body);
      return settingsView(ctx);
    },
  }),
];

/** Every operator route says in /openapi.json who may call it. */
export const applianceRoutes: AnyRoute[] = routes.map((r) =>
  r.access.kind === 'operator' ? { ...r, description: r.description ? `${r.description} ${OPERATOR_NOTE}` : OPERATOR_NOTE } : r,
);
