// Resolves the caller of a request: a tenant user (JWT in header or cookie), an API key acting as
// its creator, or a super-admin. The user, organization and role behind a tenant request come from a
// cache that any write to them empties (core/entity-cache.ts), so a suspension or a permission
// change takes effect at once without three queries on every request.
import type { Request } from 'express';
import type { DataSource } from 'typeorm';
import { IsNull } from 'typeorm';
import { UserEntity } from '../../modules/agents/agent.entity.js';
import { RoleEntity } from '../../modules/roles/role.entity.js';
import { TenantEntity } from '../../modules/tenants/tenant.entity.js';
import { ApiKeyEntity } from '../../modules/api-keys/api-key.entity.js';
import { SuperAdminEntity } from '../../modules/super-admin/super-admin.entity.js';
import { isPermission, type Permission } from '../permissions.js';
import type { Principal, TenantPrincipal } from '../context.js';
import { unauthorized, forbidden } from '../http/errors.js';
import { EntityCache } from '../entity-cache.js';
import { API_KEY_PATTERN, apiKeyMatches } from './api-key-format.js';
import { SUPER_ADMIN_AUDIENCE, SUPER_ADMIN_COOKIE, TENANT_AUDIENCE, TENANT_COOKIE, type TokenService } from './tokens.js';

export type Audience = 'tenant' | 'super-admin';

function bearer(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const [scheme, value] = header.split(' ');
  return scheme?.toLowerCase() === 'bearer' && value ? value.trim() : undefined;
}

export class Authenticator {
  private readonly users: EntityCache<TenantPrincipal>;

  constructor(
    private readonly db: DataSource,
    private readonly tokens: TokenService,
    private readonly now: () => Date,
  ) {
    this.users = new EntityCache(db, [UserEntity.options.name, TenantEntity.options.name, RoleEntity.options.name]);
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
    const repo = this.db.getRepository(ApiKeyEntity);
    const row = await repo.findOne({ where: { prefix: match[1], revokedAt: IsNull() } });
    if (!row || !apiKeyMatches(key, row.keyHash)) throw invalid;
    const now = this.now();
    if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) throw unauthorized('The API key has expired');
    // Last-used is informational; update at most once a minute to keep reads cheap.
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) await repo.update({ id: row.id }, { lastUsedAt: now });
    const principal = await this.loadUser(row.userId);
    return { ...principal, apiKeyId: row.id };
  }

  private async loadUser(userId: string): Promise<TenantPrincipal> {
    const cached = this.users.get(userId);
    if (cached) return cached;
    const principal = await this.readUser(userId);
    this.users.set(userId, principal);
    return principal;
  }

  /** Throws for a missing or suspended user or organization: those answers are not cached. */
  private async readUser(userId: string): Promise<TenantPrincipal> {
    const user = await this.db.getRepository(UserEntity).findOne({ where: { id: userId } });
    if (!user) throw unauthorized('This account no longer exists');
    if (user.status !== 'active') throw forbidden('This account is suspended');
    const tenant = await this.db.getRepository(TenantEntity).findOne({ where: { id: user.tenantId } });
    if (!tenant) throw unauthorized('This organization no longer exists');
    if (tenant.status !== 'active') throw forbidden('This organization is suspended');
    const role = await this.db.getRepository(RoleEntity).findOne({ where: { id: user.roleId, tenantId: user.tenantId } });
    const permissions = new Set<Permission>((role?.permissions ?? []).filter(isPermission));
    return { kind: 'user', userId: user.id, tenantId: user.tenantId, name: user.name, email: user.email, roleId: user.roleId, permissions };
  }

  private async superAdminFromToken(token: string): Promise<Principal> {
    const claims = await this.tokens.verify(token, SUPER_ADMIN_AUDIENCE);
    if (!claims) throw unauthorized('Your super-admin session is invalid or has expired');
    const admin = await this.db.getRepository(SuperAdminEntity).findOne({ where: { id: claims.sub } });
    if (!admin) throw unauthorized('This super-admin account no longer exists');
    return { kind: 'super_admin', adminId: admin.id, name: admin.name, email: admin.email };
  }
}
