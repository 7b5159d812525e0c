// Wires the appliance: database, middleware, the route registry, OpenAPI docs, the web UI,
// background jobs and the event bus. index.ts starts it; tests start it on an ephemeral port.
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express from 'express';
import helmet from 'helmet';
import cookieParser from 'cookie-parser';
import { pinoHttp } from 'pino-http';
import { pino, type Logger } from 'pino';
import { rateLimit } from 'express-rate-limit';
import type { DataSource } from 'typeorm';
import type { Config } from './config.js';
import type { Services } from './core/context.js';
import { inTransaction, openDatabase, transaction } from './db/data-source.js';
import { startCheckpointer } from './db/checkpointer.js';
import { loadSecrets } from './core/secrets.js';
import { secureDataDir } from './core/fs-private.js';
import { TokenService } from './core/auth/tokens.js';
import { Authenticator } from './core/auth/authenticate.js';
import { mountRoutes, type AnyRoute } from './core/http/registry.js';
import { buildOpenApi } from './core/http/openapi.js';
import { RequestActivity } from './core/http/activity.js';
import { errorHandler, notFoundHandler, problem, sendProblem } from './core/http/errors.js';
import { newId } from './core/ids.js';
import { lazy } from './core/lazy.js';
import { Vault } from './core/vault.js';
import { OutboundGuard } from './core/net/outbound.js';
import { EventBus, onEventEmitted } from './core/events/outbox.js';
import { JobRunner } from './core/jobs/queue.js';
import type { ModuleManifest, Provided, RouteKernel } from './core/module.js';
import { Realtime } from './core/realtime/realtime.js';
import { createAdapters } from './channels/index.js';
import { entities, migrations, modules } from './composition.js';
import { bootstrapSuperAdmin } from './modules/super-admin/super-admin.service.js';
import { VERSION } from './version.js';

export { VERSION };
export const RENDERER_DIST = fileURLToPath(new URL('../renderer/dist', import.meta.url));

export interface Appliance {
  config: Config;
  services: Services;
  db: DataSource;
  jobs: JobRunner;
  events: EventBus;
  routes: AnyRoute[];
  app: express.Express;
  /** Printed at first start when no super-admin is configured; kept here for the desktop shell and tests. */
  superAdminSetupCode?: string;
  start(): Promise<{ port: number }>;
  stop(): Promise<void>;
}

/** The caller's X-Request-Id when it looks like one, else a new id; echoed in the response. */
function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : newId();
  res.setHeader('X-Request-Id', id);
  return id;
}

function authLimiter(config: Config) {
  return rateLimit({
    windowMs: 60_000,
    limit: config.AUTH_RATE_LIMIT,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (req, res) =>
      sendProblem(
        res,
        problem(429, 'Too many attempts; wait a minute and try again', { instance: req.originalUrl, requestId: String(req.id) }),
      ),
  });
}

const routesOf = (list: ModuleManifest[], kernel: RouteKernel): AnyRoute[] => list.flatMap((m) => m.routes?.(kernel) ?? []);

/** The OpenAPI document, built from the route declarations alone (no database, no server). */
export function openApiDocument(): Record<string, unknown> {
  const routes = routesOf(modules, {
    tokens: new TokenService('openapi', 60),
    authLimiter: (_q, _s, next) => next(),
    ttlSeconds: 60,
    jobsRunning: () => true,
    startedAt: Date.now(),
  });
  return buildOpenApi(routes, { version: VERSION });
}

/** Each role of Provided is filled by exactly one module; the required ones must be. */
function collectProvided(list: ModuleManifest[], services: Services): Partial<Provided> {
  const provided: Partial<Provided> = {};
  const by: Record<string, string> = {};
  for (const m of list) {
    for (const [key, value] of Object.entries(m.provides?.(services) ?? {})) {
      if (by[key]) throw new Error(`Both ${by[key]} and ${m.name} provide "${key}"`);
      by[key] = m.name;
      (provided as Record<string, unknown>)[key] = value;
    }
  }
  for (const required of ['identity', 'host'] as const) {
    if (!provided[required]) throw new Error(`No module provides "${required}"`);
  }
  return provided;
}

export async function createAppliance(config: Config, options: { logger?: Logger; now?: () => Date } = {}): Promise<Appliance> {
  const log = options.logger ?? pino({ level: config.LOG_LEVEL });
  const now = options.now ?? (() => new Date());
  const secrets = loadSecrets(config.dataDir);
  // The data dir and what is in it are the owner's alone, also on installations from before that rule.
  secureDataDir(config.dataDir);
  const db = await openDatabase(config, { entities, migrations });
  const checkpointer = startCheckpointer(db, { databasePath: config.databasePath, log });
  const events = new EventBus(db, log, now);
  let provided: Partial<Provided> = {};
  const outbound = new OutboundGuard({ allowedHosts: config.OUTBOUND_ALLOWED_HOSTS, allowPrivate: config.OUTBOUND_ALLOW_PRIVATE });
  const activity = new RequestActivity();
  const jobs = new JobRunner(db, log, now, {
    retryBaseMs: config.JOB_RETRY_BASE_MS,
    holdWhile: () => provided.holdJobsWhile?.() ?? false,
    quiet: () => activity.quiet(),
    transaction: (work, options) => services.transaction(work, options),
  });
  const services: Services = {
    config,
    db,
    log,
    now,
    vault: new Vault(secrets.encryptionKey),
    outbound,
    adapters: createAdapters(config, outbound),
    // The platform module provides it (below); services exist before the modules are asked.
    host: {
      publicUrl: () => provided.host!.publicUrl(),
      verifyToken: () => provided.host!.verifyToken(),
      health: async () => (await provided.host!.health?.()) ?? { tunnel: null, lastBackup: null },
    },
    async transaction(work, options) {
      // Nested in an open transaction (a batch of jobs), the events and jobs it writes wait for that commit.
      const nested = inTransaction();
      const result = await transaction(db, work, options);
      if (!nested) {
        events.nudge();
        jobs.nudge();
      }
      return result;
    },
  };
  provided = collectProvided(modules, services);
  const tokens = new TokenService(secrets.jwtSecret, config.JWT_TTL_SECONDS);
  const startedAt = Date.now();
  const kernel: RouteKernel = {
    tokens,
    authLimiter: authLimiter(config),
    ttlSeconds: config.JWT_TTL_SECONDS,
    jobsRunning: () => jobs.isRunning,
    startedAt,
  };
  const routes = routesOf(modules, kernel);
  // The OpenAPI document (about 100 ms of zod → JSON Schema) is built when first asked for, not at start.
  let openapi: Record<string, unknown> | undefined;
  const openApi = () => (openapi ??= buildOpenApi(routes, { version: VERSION }));
  for (const m of modules) {
    for (const [type, handler] of Object.entries(m.jobs?.(services) ?? {})) jobs.register(type, handler, m.jobOptions?.[type]);
    for (const s of m.schedules ?? []) jobs.schedule(s.cron, s.job, s.timezone);
    const onEmit = m.onEmit?.(services);
    if (onEmit) onEventEmitted(db, onEmit);
    for (const [type, handlers] of Object.entries(m.events?.(services) ?? {})) {
      for (const handler of [handlers].flat()) events.on(type, handler);
    }
  }
  const lifecycles = modules.map((m) => m.lifecycle?.(services, { jobs })).filter((l) => l !== undefined);

  const app = express();
  app.disable('x-powered-by');
  // A tunnel or reverse proxy on this machine forwards the real client address.
  app.set('trust proxy', 'loopback');
  // Every request, the webhooks' too, first: while they come, large batches of jobs wait (RequestActivity).
  app.use(activity.track);
  const authenticator = new Authenticator(db, provided.identity!, tokens, now);
  // Keep the exact bytes: webhook signatures are computed over the raw body.
  const jsonBody = express.json({
    limit: '2mb',
    verify: (req, _res, buf) => {
      (req as express.Request).rawBody = buf;
    },
  });
  // Meta's webhooks first, with only what they need (see RouteDef.ingress).
  app.use(
    mountRoutes(
      routes.filter((r) => r.ingress),
      services,
      authenticator,
      [
        (req, res, next) => {
          req.id = requestId(req, res);
          req.log = log;
          next();
        },
        jsonBody,
      ],
      { validateResponses: config.VALIDATE_RESPONSES },
    ),
  );
  app.use(
    pinoHttp({
      logger: log,
      genReqId: requestId,
      // Request lines stay short: no headers (they carry tokens and cookies).
      serializers: {
        req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
          ip: req.remoteAddress,
        }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    }),
  );
  const embeddedSignup = Boolean(config.META_APP_ID && config.META_EMBEDDED_SIGNUP_CONFIG_ID);
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          // The appliance is served over plain HTTP on the LAN: never force https sub-requests.
          upgradeInsecureRequests: null,
          'img-src': ["'self'", 'data:', 'blob:'],
          'media-src': ["'self'", 'blob:'],
          'connect-src': ["'self'", 'ws:', 'wss:', ...(embeddedSignup ? ['https://*.facebook.com'] : [])],
          'style-src': ["'self'", "'unsafe-inline'"],
          // WhatsApp Embedded Signup runs Facebook's JavaScript SDK (its login popup and frames), when configured.
          ...(embeddedSignup
            ? { 'script-src': ["'self'", 'https://connect.facebook.net'], 'frame-src': ["'self'", 'https://*.facebook.com'] }
            : {}),
        },
      },
      strictTransportSecurity: false,
      crossOriginOpenerPolicy: false,
      originAgentCluster: false,
    }),
  );
  // Routes that read their own body (after authenticating the sender) are left unread here.
  const ownBody = new Set(routes.filter((r) => r.ownBody).map((r) => `${r.method.toUpperCase()} ${r.path}`));
  app.use((req, res, next) => (ownBody.has(`${req.method} ${req.path}`) ? next() : jsonBody(req, res, next)));
  app.use(cookieParser());

  app.get('/openapi.json', (_req, res) => {
    res.json(openApi());
  });
  // The API reference page: swagger-ui-express is imported by the first request for it.
  const docs = lazy(async () => {
    const { default: swaggerUi } = await import('swagger-ui-express');
    return express.Router().use(swaggerUi.serve, swaggerUi.setup(openApi(), { customSiteTitle: 'OmniStream API reference' }));
  });
  app.use('/docs', (req, res, next) => {
    docs().then((router) => router(req, res, next), next);
  });
  const realtime = new Realtime(authenticator, log, events, {
    pushedEvents: modules.flatMap((m) => m.pushedEvents ?? []),
    visibility: provided.visibility,
    allowedOrigins: () => {
      const publicUrl = services.host.publicUrl();
      return [...config.ALLOWED_ORIGINS, ...(publicUrl ? [new URL(publicUrl).origin.toLowerCase()] : [])];
    },
    sockets: Object.assign({}, ...modules.map((m) => m.sockets?.(services) ?? {})),
  });
  app.use(
    mountRoutes(
      routes.filter((r) => !r.ingress),
      services,
      authenticator,
      [],
      { validateResponses: config.VALIDATE_RESPONSES },
    ),
  );
  app.use(['/api', '/health'], notFoundHandler);
  // Pages outside the API (the public CSAT rating page customers open from the survey link).
  for (const m of modules) {
    const pages = m.pages?.(services);
    if (pages) app.use(pages);
  }

  // The web UI: static files, and index.html for client-side routes.
  if (existsSync(RENDERER_DIST)) {
    app.use(express.static(RENDERER_DIST, { index: false, maxAge: '1h' }));
    app.get(/^\/(?!api\/|docs|openapi\.json|socket\.io).*/, (req, res, next) => {
      if (!req.accepts('html')) return next();
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile('index.html', { root: RENDERER_DIST });
    });
  }
  app.use(notFoundHandler);
  app.use(errorHandler);

  let server: Server | undefined;
  let stopFeatures: (() => Promise<void>)[] = [];
  const appliance: Appliance = {
    config,
    services,
    db,
    jobs,
    events,
    routes,
    app,
    async start() {
      appliance.superAdminSetupCode = (await bootstrapSuperAdmin(services)).setupCode;
      for (const l of lifecycles) await l.onStart?.();
      await jobs.start();
      events.start();
      server = createServer(app);
      // Browsers and proxies keep connections open for about a minute; closing ours sooner races their reuse.
      server.keepAliveTimeout = 65_000;
      server.headersTimeout = 66_000;
      realtime.attach(server);
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(config.PORT, config.HOST, () => resolve());
      });
      const { port } = server.address() as AddressInfo;
      for (const l of lifecycles) {
        const stop = await l.onListen?.(port, { handler: app, server: server! });
        if (stop) stopFeatures.push(stop);
      }
      log.info(
        { port, host: config.HOST, dataDir: config.dataDir },
        `OmniStream ${VERSION} listening on http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${port}`,
      );
      return { port };
    },
    async stop() {
      realtime.close();
      if (server) {
        const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
        server.closeIdleConnections();
        // Give in-flight requests a moment to finish, then cut what is left.
        const timer = setTimeout(() => server?.closeAllConnections(), 5000);
        await closed;
        clearTimeout(timer);
        server = undefined;
      }
      for (const stop of stopFeatures.reverse()) await stop();
      stopFeatures = [];
      await jobs.stop();
      await events.stop();
      await services.outbound.close();
      // Its connection first: the appliance's, the last to close, then folds the WAL into the database.
      await checkpointer.stop();
      if (db.isInitialized) await db.destroy();
      log.info('OmniStream stopped');
    },
  };
  return appliance;
}
