// Resolves the caller of a request: a tenant user (JWT in header or cookie), an API key acting as
// its creator, or a super-admin. The user, organization and role behind a tenant request come from a
// cache that any write to them empties (core/entity-cache.ts), so a suspension or a permission
// change takes effect at once without three queries on every request.
import type { Request } from 'express';
import type { DataSource } from 'typeorm';
import type { Principal, TenantPrincipal } from '../context.js';
import { forbidden, unauthorized } from '../http/errors.js';
import { EntityCache } from '../entity-cache.js';
import { API_KEY_PATTERN, apiKeyMatches } from './api-key-format.js';
import { checkOperatorKey } from './operator.js';
import { SUPER_ADMIN_AUDIENCE, SUPER_ADMIN_COOKIE, TENANT_AUDIENCE, TENANT_COOKIE, type TokenService } from './tokens.js';

export type Audience = 'tenant' | 'super-admin';

/**
 * Where identities live; a module implements it (the auth module, over users, organizations,
 * roles, API keys and super-admins) and the composition root hands it to the Authenticator.
 */
export interface IdentityStore {
  /** Entity names whose writes must empty the cached principals (users, organizations, roles). */
  readonly principalEntities: readonly string[];
  /** The signed-in user as a principal; throws 401/403 for a missing or suspended user or organization. */
  loadUser(userId: string): Promise<TenantPrincipal>;
  /** The unrevoked API key with this public prefix, if any. */
  findApiKey(
    prefix: string,
  ): Promise<{ id: string; userId: string; keyHash: string; expiresAt: Date | null; lastUsedAt: Date | null } | null>;
  touchApiKey(id: string, at: Date): Promise<void>;
  findSuperAdmin(id: string): Promise<{ id: string; name: string; email: string } | null>;
}

function bearer(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const [scheme, value] = header.split(' ');
  return scheme?.toLowerCase() === 'bearer' && value ? value.trim() : undefined;
}

export class Authenticator {
  private readonly users: EntityCache<TenantPrincipal>;

  constructor(
    db: DataSource,
    private readonly store: IdentityStore,
    private readonly tokens: TokenService,
    private readonly now: () => Date,
  ) {
    this.users = new EntityCache(db, store.principalEntities);
  }

  /** Returns the principal, null when no credentials were sent; throws 401 for bad credentials. */
  authenticate(req: Request, audience: Audience): Promise<Principal | null> {
    return this.fromCredentials(
      {
        apiKey: req.header('x-api-key'),
        bearer: bearer(req),
        cookie: req.cookies?.[audience === 'super-admin' ? SUPER_ADMIN_COOKIE : TENANT_COOKIE],
      },
      audience,
    );
  }

  /** The same, from credentials gathered elsewhere (a Socket.IO handshake). */
  async fromCredentials(creds: { apiKey?: string; bearer?: string; cookie?: string }, audience: Audience): Promise<Principal | null> {
    if (audience === 'super-admin') {
      const jwt = creds.bearer ?? creds.cookie;
      return jwt ? this.superAdminFromToken(jwt) : null;
    }
    if (creds.apiKey) return this.fromApiKey(creds.apiKey.trim());
    if (creds.bearer) return API_KEY_PATTERN.test(creds.bearer) ? this.fromApiKey(creds.bearer) : this.userFromToken(creds.bearer);
    return creds.cookie ? this.userFromToken(creds.cookie) : null;
  }

  /**
   * The operator of the appliance: the desktop window (a valid operator key, straight from this
   * computer) or a super-admin. A tenant's credentials never reach appliance-wide operations (403);
   * a wrong operator key, or the right one from elsewhere, is 401. Null when nothing was sent.
   */
  async authenticateOperator(req: Request, operatorKey: string | undefined): Promise<Principal | null> {
    const key = checkOperatorKey(req, operatorKey);
    if (key === 'accepted') return { kind: 'operator', via: 'desktop' };
    if (key === 'wrong-key') throw unauthorized('The operator key is not this installation’s');
    if (key === 'not-local') throw unauthorized('The operator key is only accepted from the desktop app on this computer');
    const token = bearer(req);
    const adminCookie = req.cookies?.[SUPER_ADMIN_COOKIE];
    if (token && !API_KEY_PATTERN.test(token) && (await this.tokens.verify(token, SUPER_ADMIN_AUDIENCE)))
      return this.superAdminFromToken(token);
    const tenantToken = token && !API_KEY_PATTERN.test(token) ? await this.tokens.verify(token, TENANT_AUDIENCE) : null;
    if (
      req.header('x-api-key') ||
      (token && API_KEY_PATTERN.test(token)) ||
      tenantToken ||
      (!token && req.cookies?.[TENANT_COOKIE] && !adminCookie)
    )
      throw forbidden(
        "Appliance-wide operations (backups, restore, tunnel, the Meta verify token, LAN settings) belong to this computer's operator: a super-admin, or the OmniStream desktop app on this PC. An organization's permissions do not reach them.",
      );
    if (token) throw unauthorized('Your super-admin session is invalid or has expired');
    return adminCookie ? this.superAdminFromToken(adminCookie) : null;
  }

  private async userFromToken(token: string): Promise<TenantPrincipal> {
    const claims = await this.tokens.verify(token, TENANT_AUDIENCE);
    if (!claims) throw unauthorized('Your session is invalid or has expired; please log in again');
    const principal = await this.loadUser(claims.sub);
    return claims.imp ? { ...principal, impersonatorId: claims.imp } : principal;
  }

  private async fromApiKey(key: string): Promise<TenantPrincipal> {
    const match = API_KEY_PATTERN.exec(key);
    const invalid = unauthorized('The API key is invalid or has been revoked');
    if (!match) throw invalid;
    const row = await this.store.findApiKey(match[1]);
    if (!row || !apiKeyMatches(key, row.keyHash)) throw invalid;
    const now = this.now();
    if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) throw unauthorized('The API key has expired');
    // Last-used is informational; update at most once a minute to keep reads cheap.
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) await this.store.touchApiKey(row.id, now);
    const principal = await this.loadUser(row.userId);
    return { ...principal, apiKeyId: row.id };
  }

  /** Missing or suspended users and organizations throw (from the store): those answers are not cached. */
  private async loadUser(userId: string): Promise<TenantPrincipal> {
    const cached = this.users.get(userId);
    if (cached) return cached;
    const principal = await this.store.loadUser(userId);
    this.users.set(userId, principal);
    return principal;
  }

  private async superAdminFromToken(token: string): Promise<Principal> {
    const claims = await this.tokens.verify(token, SUPER_ADMIN_AUDIENCE);
    if (!claims) throw unauthorized('Your super-admin session is invalid or has expired');
    const admin = await this.store.findSuperAdmin(claims.sub);
    if (!admin) throw unauthorized('This super-admin account no longer exists');
    return { kind: 'super_admin', adminId: admin.id, name: admin.name, email: admin.email };
  }
}
