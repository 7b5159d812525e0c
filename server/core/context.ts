// The request context every service receives: who is calling, for which tenant, with what rights.
import type { DataSource, EntityManager } from 'typeorm';
import type { Config } from '../config.js';
import type { Permission } from './permissions.js';
import type { Logger } from 'pino';
import type { Vault } from './vault.js';
import type { OutboundGuard } from './net/outbound.js';
import type { TransactionOptions } from '../db/data-source.js';

export type Principal =
  | {
      kind: 'user';
      userId: string;
      tenantId: string;
      name: string;
      email: string;
      roleId: string;
      permissions: ReadonlySet<Permission>;
      /** Set when the call is made with an API key (acting as its creator). */
      apiKeyId?: string;
      /** Set when a super-admin impersonates this user: the real actor. */
      impersonatorId?: string;
      /** The session of the token the call was made with (none for a direct API-key call). */
      sessionId?: string;
    }
  | { kind: 'super_admin'; adminId: string; name: string; email: string }
  /** The desktop window on this PC, proved by the installation's operator key (core/auth/operator.ts). */
  | { kind: 'operator'; via: 'desktop' };

/** The installation's state for the operator's health page (the platform layer fills it). */
export interface HostHealth {
  tunnel: { provider: string; state: string; publicUrl: string | null; error: string | null; since: string | null } | null;
  lastBackup: { at: string; ok: boolean; name: string | null; error: string | null } | null;
}

/** What domain modules may know of the installation they run on; the platform layer implements it. */
export interface HostInfo {
  /** Tunnel state and last backup, where the appliance features run (null parts otherwise). */
  health?(): Promise<HostHealth>;
  /** The public https URL Meta and customers reach this server at (tunnel or own URL), if any. */
  publicUrl(): string | null;
  /** The installation's Meta webhook verify token (META_VERIFY_TOKEN, or one generated and kept in the data dir). */
  verifyToken(): string;
}

export interface Services {
  config: Config;
  db: DataSource;
  log: Logger;
  now(): Date;
  /** Encrypts channel credentials at rest. */
  vault: Vault;
  /** The one guard for fetching URLs that came from outside (DESIGN rule 13). */
  outbound: OutboundGuard;
  /**
   * The installation this server runs as (public URL, Meta verify token), provided by the platform
   * layer. `adapters` (one per channel) is added to Services by `server/channels/index.ts`.
   */
  host: HostInfo;
  /** Runs work in one transaction; events and jobs it wrote are picked up right after the commit. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>, options?: TransactionOptions): Promise<T>;
}

export interface Ctx extends Services {
  requestId: string;
  ip: string | null;
  principal: Principal | null;
}

export type TenantPrincipal = Extract<Principal, { kind: 'user' }>;
export interface TenantCtx extends Ctx {
  principal: TenantPrincipal;
  tenantId: string;
}
export interface SuperAdminCtx extends Ctx {
  principal: Extract<Principal, { kind: 'super_admin' }>;
}
/** Appliance-wide operations: a super-admin, or the desktop window on this PC. */
export interface OperatorCtx extends Ctx {
  principal: Extract<Principal, { kind: 'super_admin' } | { kind: 'operator' }>;
}
