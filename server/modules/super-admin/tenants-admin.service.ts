// The operator's view of organizations: list, provision, change, suspend and activate, delete
// (softly: suspended at once, purged after a grace period unless restored), their users
// (suspend, activate, reset link) and impersonation (a short tenant token that records the real
// actor, written to the organization's activity log).
import { In, IsNull, LessThan, Like, Not, type EntityManager, type FindOptionsWhere } from 'typeorm';
import type { SuperAdminCtx } from '../../core/context.js';
import { badRequest, conflict, notFound } from '../../core/http/errors.js';
import { hashPassword } from '../../core/auth/passwords.js';
import { TENANT_AUDIENCE, type TokenService } from '../../core/auth/tokens.js';
import { recordActivity } from '../../core/audit.js';
import { emitEvent } from '../../core/events/outbox.js';
import { enqueueJob } from '../../core/jobs/queue.js';
import { isId } from '../../core/ids.js';
import { canonicalTimezone } from '../../core/time.js';
import { randomBytes } from 'node:crypto';
import { TenantEntity, type Tenant } from '../tenants/tenant.entity.js';
import { createTenantWithOwner, DEFAULT_TIMEZONE } from '../tenants/tenants.service.js';
import { UserEntity, type User } from '../agents/agent.entity.js';
import { RoleEntity } from '../roles/role.entity.js';
import { emailTaken } from '../agents/agents.service.js';
import { tenantUsage } from './tenant-usage.service.js';
import { issueResetLink } from './password-reset.service.js';

export const PURGE_JOB = 'super-admin.purge-tenant';
/** How long an impersonation token lasts. */
export const IMPERSONATION_TTL_SECONDS = 3600;
const DAY_MS = 24 * 3600_000;

export function tenantAdminView(t: Tenant) {
  return {
    id: t.id,
    name: t.name,
    slug: t.slug,
    status: t.status,
    timezone: t.timezone,
    deletedAt: t.deletedAt ?? null,
    purgeAt: t.purgeAt ?? null,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}

export function tenantUserView(u: User, roleName: string | null) {
  return {
    id: u.id,
    tenantId: u.tenantId,
    name: u.name,
    email: u.email,
    status: u.status,
    role: roleName,
    lastSeenAt: u.lastSeenAt,
    createdAt: u.createdAt,
  };
}

async function getTenant(m: EntityManager, tenantId: string): Promise<Tenant> {
  const tenant = isId(tenantId) ? await m.getRepository(TenantEntity).findOne({ where: { id: tenantId } }) : null;
  if (!tenant) throw notFound('Organization');
  return tenant;
}

async function getUser(m: EntityManager, tenantId: string, userId: string): Promise<User> {
  await getTenant(m, tenantId);
  const user = isId(userId) ? await m.getRepository(UserEntity).findOne({ where: { id: userId, tenantId } }) : null;
  if (!user) throw notFound('User');
  return user;
}

const tenantActivity = (ctx: SuperAdminCtx, m: EntityManager, tenantId: string, action: string, details?: Record<string, unknown>) =>
  recordActivity(ctx, m, { tenantId, action, targetType: 'tenant', targetId: tenantId, details: { by: ctx.principal.email, ...details } });

export function tenantsAdmin(tokens: TokenService) {
  const impersonateUser = async (ctx: SuperAdminCtx, tenant: Tenant, user: User) => {
    if (tenant.status !== 'active') throw conflict('This organization is suspended; activate it first');
    if (user.status !== 'active') throw conflict('This user is suspended; activate them first');
    const now = ctx.now();
    const expiresAt = new Date(now.getTime() + IMPERSONATION_TTL_SECONDS * 1000);
    await ctx.transaction((m) =>
      recordActivity(ctx, m, {
        tenantId: tenant.id,
        action: 'super_admin.impersonation_started',
        targetType: 'agent',
        targetId: user.id,
        details: { by: ctx.principal.email, user: user.email, expiresAt: expiresAt.toISOString() },
      }),
    );
    ctx.log.info({ superAdminId: ctx.principal.adminId, tenantId: tenant.id, userId: user.id }, 'super-admin impersonation');
    const token = await tokens.sign(
      TENANT_AUDIENCE,
      { sub: user.id, tid: tenant.id, imp: ctx.principal.adminId },
      IMPERSONATION_TTL_SECONDS,
    );
    const role = await ctx.db.getRepository(RoleEntity).findOne({ where: { id: user.roleId }, select: { id: true, name: true } });
    return { token, expiresAt, user: tenantUserView(user, role?.name ?? null), tenant: tenantAdminView(tenant) };
  };

  return {
    async list(ctx: SuperAdminCtx, q: { limit: number; cursor?: string; search?: string; status?: 'active' | 'suspended' | 'deleted' }) {
      if (q.cursor !== undefined && !isId(q.cursor))
        throw badRequest('The cursor is not valid', [{ path: 'query.cursor', message: 'Invalid cursor' }]);
      const base: FindOptionsWhere<Tenant> = {};
      if (q.status === 'deleted') base.deletedAt = Not(IsNull());
      else if (q.status) Object.assign(base, { status: q.status, deletedAt: IsNull() });
      if (q.cursor) base.id = LessThan(q.cursor);
      const where = q.search
        ? [
            { ...base, name: Like(`%${q.search}%`) },
            { ...base, slug: Like(`%${q.search.toLowerCase()}%`) },
          ]
        : base;
      const rows = await ctx.db.getRepository(TenantEntity).find({ where, order: { id: 'DESC' }, take: q.limit + 1 });
      const more = rows.length > q.limit;
      const data = more ? rows.slice(0, q.limit) : rows;
      const counts = data.length
        ? await ctx.db
            .getRepository(UserEntity)
            .createQueryBuilder('u')
            .select('u.tenantId', 'tenantId')
            .addSelect('COUNT(*)', 'n')
            .where({ tenantId: In(data.map((t) => t.id)) })
            .groupBy('u.tenantId')
            .getRawMany<{ tenantId: string; n: number | string }>()
        : [];
      return {
        data: data.map((t) => ({ ...tenantAdminView(t), users: Number(counts.find((c) => c.tenantId === t.id)?.n ?? 0) })),
        nextCursor: more ? data[data.length - 1].id : null,
      };
    },

    async create(
      ctx: SuperAdminCtx,
      body: { name: string; timezone?: string; owner: { name: string; email: string; password?: string } },
      origin: string,
    ) {
      if (await emailTaken(ctx.db.manager, body.owner.email))
        throw conflict('This email is already registered', [{ path: 'owner.email', message: 'Already registered' }]);
      const timezone = body.timezone === undefined ? DEFAULT_TIMEZONE : canonicalTimezone(body.timezone);
      if (!timezone) throw badRequest('Unknown time zone', [{ path: 'timezone', message: 'Unknown IANA time zone, e.g. Asia/Jakarta' }]);
      // Without a password the owner chooses one through a reset link; until then nothing opens the account.
      const passwordHash = await hashPassword(body.owner.password ?? randomBytes(32).toString('base64url'));
      const now = ctx.now();
      const created = await ctx.transaction(async (m) => {
        const result = await createTenantWithOwner(
          m,
          { organizationName: body.name, ownerName: body.owner.name, email: body.owner.email, passwordHash, timezone },
          now,
        );
        await tenantActivity(ctx, m, result.tenant.id, 'tenant.provisioned');
        return result;
      });
      const setupLink = body.owner.password
        ? null
        : await issueResetLink(ctx, { type: 'user', id: created.owner.id, tenantId: created.tenant.id }, origin);
      return {
        tenant: tenantAdminView(created.tenant),
        owner: tenantUserView(created.owner, 'owner'),
        ownerSetupLink: setupLink,
      };
    },

    async get(ctx: SuperAdminCtx, tenantId: string) {
      const tenant = await getTenant(ctx.db.manager, tenantId);
      const ownerRole = await ctx.db.getRepository(RoleEntity).findOne({ where: { tenantId, name: 'owner', builtIn: true } });
      const owner = ownerRole
        ? await ctx.db.getRepository(UserEntity).findOne({ where: { tenantId, roleId: ownerRole.id }, order: { createdAt: 'ASC' } })
        : null;
      return {
        ...tenantAdminView(tenant),
        owner: owner ? tenantUserView(owner, 'owner') : null,
        usage: await tenantUsage(ctx.db, tenantId, ctx.now()),
      };
    },

    /** Name, time zone, and status: `suspended` suspends, `active` activates (and restores one deleted within its grace period). */
    async update(ctx: SuperAdminCtx, tenantId: string, body: { name?: string; timezone?: string; status?: 'active' | 'suspended' }) {
      const now = ctx.now();
      await ctx.transaction(async (m) => {
        const tenant = await getTenant(m, tenantId);
        const patch: Partial<Tenant> = { updatedAt: now };
        if (body.name !== undefined) patch.name = body.name;
        if (body.timezone !== undefined) {
          const tz = canonicalTimezone(body.timezone);
          if (!tz) throw badRequest('Unknown time zone', [{ path: 'timezone', message: 'Unknown IANA time zone, e.g. Asia/Jakarta' }]);
          patch.timezone = tz;
        }
        if (body.status !== undefined) {
          patch.status = body.status;
          if (body.status === 'active' && tenant.deletedAt) Object.assign(patch, { deletedAt: null, purgeAt: null });
        }
        await m.getRepository(TenantEntity).update({ id: tenantId }, patch as never);
        const action =
          body.status === 'active' && tenant.deletedAt
            ? 'tenant.restored'
            : body.status && body.status !== tenant.status
              ? body.status === 'suspended'
                ? 'tenant.suspended'
                : 'tenant.activated'
              : 'tenant.updated';
        await tenantActivity(ctx, m, tenantId, action, { fields: Object.keys(body) });
        if (action === 'tenant.suspended' || action === 'tenant.activated' || action === 'tenant.restored')
          await emitEvent(m, { tenantId, type: action, payload: { tenantId } }, now);
      });
      return this.get(ctx, tenantId);
    },

    /** Suspends at once and schedules the purge of its data and media after the grace period. */
    async remove(ctx: SuperAdminCtx, tenantId: string) {
      const now = ctx.now();
      await ctx.transaction(async (m) => {
        const tenant = await getTenant(m, tenantId);
        if (tenant.deletedAt) return;
        const purgeAt = new Date(now.getTime() + ctx.config.TENANT_PURGE_GRACE_DAYS * DAY_MS);
        await m
          .getRepository(TenantEntity)
          .update({ id: tenantId }, { status: 'suspended', deletedAt: now, purgeAt, updatedAt: now } as never);
        await tenantActivity(ctx, m, tenantId, 'tenant.deleted', { purgeAt: purgeAt.toISOString() });
        await emitEvent(m, { tenantId, type: 'tenant.suspended', payload: { tenantId, purgeAt: purgeAt.toISOString() } }, now);
        await enqueueJob(m, PURGE_JOB, { tenantId }, now, { runAt: purgeAt, maxAttempts: 20 });
      });
      return tenantAdminView(await getTenant(ctx.db.manager, tenantId));
    },

    async impersonateOwner(ctx: SuperAdminCtx, tenantId: string) {
      const tenant = await getTenant(ctx.db.manager, tenantId);
      const ownerRole = await ctx.db.getRepository(RoleEntity).findOne({ where: { tenantId, name: 'owner', builtIn: true } });
      const owner = ownerRole
        ? await ctx.db
            .getRepository(UserEntity)
            .findOne({ where: { tenantId, roleId: ownerRole.id, status: 'active' }, order: { createdAt: 'ASC' } })
        : null;
      if (!owner) throw conflict('This organization has no active owner to act as');
      return impersonateUser(ctx, tenant, owner);
    },

    async impersonate(ctx: SuperAdminCtx, tenantId: string, userId: string) {
      const user = await getUser(ctx.db.manager, tenantId, userId);
      return impersonateUser(ctx, await getTenant(ctx.db.manager, tenantId), user);
    },

    async users(ctx: SuperAdminCtx, tenantId: string, q: { limit: number; cursor?: string; status?: User['status'] }) {
      await getTenant(ctx.db.manager, tenantId);
      if (q.cursor !== undefined && !isId(q.cursor))
        throw badRequest('The cursor is not valid', [{ path: 'query.cursor', message: 'Invalid cursor' }]);
      const where: FindOptionsWhere<User> = {
        tenantId,
        ...(q.status ? { status: q.status } : {}),
        ...(q.cursor ? { id: LessThan(q.cursor) } : {}),
      };
      const rows = await ctx.db.getRepository(UserEntity).find({ where, order: { id: 'DESC' }, take: q.limit + 1 });
      const more = rows.length > q.limit;
      const data = more ? rows.slice(0, q.limit) : rows;
      const roles = await ctx.db.getRepository(RoleEntity).find({ where: { tenantId }, select: { id: true, name: true } });
      return {
        data: data.map((u) => tenantUserView(u, roles.find((r) => r.id === u.roleId)?.name ?? null)),
        nextCursor: more ? data[data.length - 1].id : null,
      };
    },

    async setUserStatus(ctx: SuperAdminCtx, tenantId: string, userId: string, status: User['status']) {
      const now = ctx.now();
      const user = await ctx.transaction(async (m) => {
        const found = await getUser(m, tenantId, userId);
        if (found.status !== status) {
          await m
            .getRepository(UserEntity)
            .update({ id: userId, tenantId }, { status, ...(status === 'suspended' ? { online: false } : {}), updatedAt: now });
          await recordActivity(ctx, m, {
            tenantId,
            action: status === 'suspended' ? 'agent.suspended' : 'agent.activated',
            targetType: 'agent',
            targetId: userId,
            details: { by: ctx.principal.email },
          });
          await emitEvent(m, { tenantId, type: status === 'suspended' ? 'agent.suspended' : 'agent.activated', payload: { userId } }, now);
        }
        return { ...found, status, updatedAt: now };
      });
      const role = await ctx.db.getRepository(RoleEntity).findOne({ where: { id: user.roleId }, select: { id: true, name: true } });
      return tenantUserView(user, role?.name ?? null);
    },

    async resetUserPassword(ctx: SuperAdminCtx, tenantId: string, userId: string, origin: string) {
      const user = await getUser(ctx.db.manager, tenantId, userId);
      return issueResetLink(ctx, { type: 'user', id: user.id, tenantId }, origin);
    },
  };
}
