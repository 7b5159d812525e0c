// A module's manifest (DESIGN rule 11): everything a domain module brings to the server, declared
// in one place (`server/modules/<name>/<name>.module.ts`). The composition root
// (`server/composition.ts`) lists the manifests and `app.ts` assembles them; core knows the shape,
// never a module.
import type { RequestHandler } from 'express';
import type { RequestListener, Server } from 'node:http';
import type { EntitySchema, MigrationInterface } from 'typeorm';
import type { HostInfo, Services } from './context.js';
import type { AnyRoute } from './http/registry.js';
import type { TokenService } from './auth/tokens.js';
import type { EventHandler, TransactionalConsumer } from './events/outbox.js';
import type { JobHandler, JobRunner, JobTypeOptions } from './jobs/queue.js';
import type { IdentityStore } from './auth/authenticate.js';
import type { ConversationVisibility, SocketHandler } from './realtime/realtime.js';

/** What route declarations may depend on: available without a database (the OpenAPI document is built from them). */
export interface RouteKernel {
  tokens: TokenService;
  /** Rate limit for credential endpoints (login, registration, password reset). */
  authLimiter: RequestHandler;
  ttlSeconds: number;
  jobsRunning(): boolean;
  startedAt: number;
}

/** A cron schedule that enqueues a durable job of `job`'s type. */
export interface Schedule {
  cron: string;
  job: string;
  timezone?: string;
}

/**
 * Roles a module can fill for core: each is provided by exactly one module (the composition root
 * checks). Core defines the interface, a module implements it.
 */
export interface Provided {
  /** Who a request's credentials belong to (users, organizations, roles, API keys, super-admins). */
  identity: IdentityStore;
  /** Which conversations a person may see (divisions); realtime pushes follow it. */
  visibility: ConversationVisibility;
  /** True while requests that must be answered first are arriving (a burst of webhooks): jobs hold back. */
  holdJobsWhile: () => boolean;
  /** The installation: public URL, verify token (the platform layer). */
  host: HostInfo;
}

/** Hooks around the listening server (appliance features: tunnel, mDNS, backups). */
export interface Lifecycle {
  /**
   * After the HTTP server listens; the returned function runs at stop, before the database closes.
   * `http` gives the request handler and the server (a second listener, e.g. the tunnel's, serves
   * through them).
   */
  onListen?(port: number, http: { handler: RequestListener; server: Server }): Promise<(() => Promise<void>) | undefined>;
  /** Before jobs start (first-run bootstrap). */
  onStart?(): Promise<void>;
}

export interface ModuleManifest {
  /** The folder name; also the prefix of its job and event names where it has them. */
  name: string;
  /** TypeORM entity schemas this module owns. */
  entities?: EntitySchema<any>[];
  /** Migrations this module adds (class names end in a 13-digit timestamp; all modules' run in timestamp order). */
  migrations?: (new () => MigrationInterface)[];
  /** Route declarations, in catalogue order. */
  routes?(kernel: RouteKernel): AnyRoute[];
  /** Durable job handlers by job type. */
  jobs?(services: Services): Record<string, JobHandler>;
  /** How the runner treats some of those job types (their own concurrency, recovery after an outage). */
  jobOptions?: Record<string, JobTypeOptions>;
  /** Cron schedules that enqueue jobs. */
  schedules?: Schedule[];
  /** Committed domain events this module consumes, by event type ('*' for all). */
  events?(services: Services): Record<string, EventHandler | EventHandler[]>;
  /**
   * Runs inside the transaction of every emitted event, before it commits (an event log written
   * together with the change; keep it cheap: it runs on every write).
   */
  onEmit?(services: Services): TransactionalConsumer;
  /** Domain events relayed to browsers over Socket.IO (conversation events only to those who may see it). */
  pushedEvents?: string[];
  /** Messages browsers send over Socket.IO, by event name. */
  sockets?(services: Services): Record<string, SocketHandler>;
  /** Plain Express handlers outside the API (public pages such as the CSAT rating page). */
  pages?(services: Services): RequestHandler;
  /** The core roles this module fills (see Provided). */
  provides?(services: Services): Partial<Provided>;
  lifecycle?(services: Services, runtime: { jobs: JobRunner }): Lifecycle;
}

/** Declares a module; the identity function gives the manifest its type. */
export function defineModule(manifest: ModuleManifest): ModuleManifest {
  return manifest;
}
