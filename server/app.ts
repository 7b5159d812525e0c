// Wires the appliance: database, middleware, the route registry, OpenAPI docs, the web UI,
// background jobs and the event bus. index.ts starts it; tests start it on an ephemeral port.
import { existsSync, readFileSync } from 'node:fs';
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
import { openDatabase, transaction } from './db/data-source.js';
import { loadSecrets } from './core/secrets.js';
import { TokenService } from './core/auth/tokens.js';
import { Authenticator } from './core/auth/authenticate.js';
import { mountRoutes, type AnyRoute } from './core/http/registry.js';
import { buildOpenApi } from './core/http/openapi.js';
import { errorHandler, notFoundHandler, problem, sendProblem } from './core/http/errors.js';
import { newId } from './core/ids.js';
import { lazy } from './core/lazy.js';
import { Vault } from './core/vault.js';
import { createAdapters } from './channels/index.js';
import { EventBus } from './core/events/outbox.js';
import { JobRunner } from './core/jobs/queue.js';
import { allRoutes, type RouteDeps } from './routes.js';
import { bootstrapSuperAdmin } from './modules/super-admin/super-admin.service.js';
import { registerMaintenance } from './maintenance.js';
import { Realtime } from './core/realtime/realtime.js';
import { realtimeVisibility } from './modules/divisions/visibility.js';
import { registerMessageJobs } from './modules/messages/messages.jobs.js';
import { registerWebhookJobs } from './modules/webhooks/webhooks.service.js';
import { webhookBurst } from './modules/webhooks/webhook-store.js';
import { registerDivisionJobs } from './modules/divisions/routing.js';
import { registerWorkingHoursJobs } from './modules/working-hours/working-hours.jobs.js';
import { registerSlaJobs } from './modules/sla/sla.jobs.js';
import { registerChatExpirationJobs } from './modules/chat-expiration/chat-expiration.jobs.js';
import { registerScheduledMessageJobs } from './modules/scheduled-messages/scheduled-messages.service.js';
import { registerCsat } from './modules/csat/csat.jobs.js';
import { csatPages } from './modules/csat/csat.page.js';
import { startApplianceFeatures, type ApplianceFeatures } from './modules/appliance/appliance.lifecycle.js';

export const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
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

/** The OpenAPI document, built from the route declarations alone (no database, no server). */
export function openApiDocument(): Record<string, unknown> {
  const routes = allRoutes({
    tokens: new TokenService('openapi', 60),
    authLimiter: (_q, _s, next) => next(),
    ttlSeconds: 60,
    jobsRunning: () => true,
    startedAt: Date.now(),
  });
  return buildOpenApi(routes, { version: VERSION });
}

export async function createAppliance(config: Config, options: { logger?: Logger; now?: () => Date } = {}): Promise<Appliance> {
  const log = options.logger ?? pino({ level: config.LOG_LEVEL });
  const now = options.now ?? (() => new Date());
  const secrets = loadSecrets(config.dataDir);
  const db = await openDatabase(config);
  const events = new EventBus(db, log, now);
  const jobs = new JobRunner(db, log, now, { retryBaseMs: config.JOB_RETRY_BASE_MS, holdWhile: () => webhookBurst(db) });
  const services: Services = {
    config,
    db,
    log,
    now,
    vault: new Vault(secrets.encryptionKey),
    adapters: createAdapters(config),
    async transaction(work) {
      const result = await transaction(db, work);
      events.nudge();
      jobs.nudge();
      return result;
    },
  };
  const tokens = new TokenService(secrets.jwtSecret, config.JWT_TTL_SECONDS);
  const startedAt = Date.now();
  const deps: RouteDeps = {
    tokens,
    authLimiter: authLimiter(config),
    ttlSeconds: config.JWT_TTL_SECONDS,
    jobsRunning: () => jobs.isRunning,
    startedAt,
  };
  const routes = allRoutes(deps);
  // The OpenAPI document (about 100 ms of zod → JSON Schema) is built when first asked for, not at start.
  let openapi: Record<string, unknown> | undefined;
  const openApi = () => (openapi ??= buildOpenApi(routes, { version: VERSION }));
  registerMaintenance(services, jobs);
  registerMessageJobs(services, jobs);
  registerWebhookJobs(services, jobs);
  registerScheduledMessageJobs(services, jobs);
  registerCsat(services, jobs, events);
  registerDivisionJobs(services, jobs, events);
  registerWorkingHoursJobs(services, jobs, events);
  registerSlaJobs(services, jobs, events);
  registerChatExpirationJobs(services, jobs);

  const app = express();
  app.disable('x-powered-by');
  // A tunnel or reverse proxy on this machine forwards the real client address.
  app.set('trust proxy', 'loopback');
  const authenticator = new Authenticator(db, tokens, now);
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
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          // The appliance is served over plain HTTP on the LAN: never force https sub-requests.
          upgradeInsecureRequests: null,
          'img-src': ["'self'", 'data:', 'blob:'],
          'media-src': ["'self'", 'blob:'],
          'connect-src': ["'self'", 'ws:', 'wss:'],
          'style-src': ["'self'", "'unsafe-inline'"],
        },
      },
      strictTransportSecurity: false,
      crossOriginOpenerPolicy: false,
      originAgentCluster: false,
    }),
  );
  app.use(jsonBody);
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
  const realtime = new Realtime(authenticator, log, events, realtimeVisibility(services));
  app.use(
    mountRoutes(
      routes.filter((r) => !r.ingress),
      services,
      authenticator,
    ),
  );
  app.use(['/api', '/health'], notFoundHandler);
  // The public CSAT rating page (customers open it from the survey link).
  app.use(csatPages(services));

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
  let features: ApplianceFeatures | undefined;
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
      features = await startApplianceFeatures(services, jobs, port);
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
      await features?.stop();
      features = undefined;
      await jobs.stop();
      await events.stop();
      if (db.isInitialized) await db.destroy();
      log.info('OmniStream stopped');
    },
  };
  return appliance;
}
