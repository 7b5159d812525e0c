// Agents are the users of a tenant: the people who log in and work the inbox.
import { Like } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { conflict, forbidden, unprocessable } from '../../core/http/errors.js';
import { hashPassword } from '../../core/auth/passwords.js';
import { recordActivity } from '../../core/audit.js';
import { emitEvent } from '../../core/events/outbox.js';
import { UserEntity, type User } from './agent.entity.js';
import { RoleEntity, type Role } from '../roles/role.entity.js';
import { enforceLimit } from '../billing/limits.service.js';

export function agentView(user: User, role: Pick<Role, 'id' | 'name'> | null) {
  return {
    id: user.id,
    tenantId: user.tenantId,
    name: user.name,
    email: user.email,
    status: user.status,
    online: user.online,
    lastSeenAt: user.lastSeenAt,
    role: role ? { id: role.id, name: role.name } : null,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}

export async function emailTaken(manager: EntityManager, email: string, exceptUserId?: string): Promise<boolean> {
  const row = await manager.getRepository(UserEntity).findOne({ where: { email }, select: { id: true } });
  return Boolean(row && row.id !== exceptUserId);
}

async function views(ctx: TenantCtx, users: User[]) {
  const roles = await scoped(ctx, RoleEntity).find();
  const byId = new Map(roles.map((r) => [r.id, r]));
  return users.map((u) => agentView(u, byId.get(u.roleId) ?? null));
}

/** A role someone is given may not carry permissions the person giving it lacks. */
async function assignableRole(ctx: TenantCtx, roleId: string): Promise<Role> {
  const role = await scoped(ctx, RoleEntity).findOne({ id: roleId });
  if (!role) throw unprocessable('The role does not exist', [{ path: 'roleId', message: 'No such role in this organization' }]);
  const missing = role.permissions.filter((p) => !ctx.principal.permissions.has(p as never));
  if (missing.length) throw forbidden(`You cannot give a role with permissions you do not have: ${missing.join(', ')}`);
  return role;
}

async function isLastOwner(ctx: TenantCtx, user: User): Promise<boolean> {
  const owner = await scoped(ctx, RoleEntity).findOne({ name: 'owner', builtIn: true });
  return Boolean(owner && user.roleId === owner.id && (await scoped(ctx, UserEntity).count({ roleId: owner.id, status: 'active' })) <= 1);
}

export const agentsService = {
  async list(ctx: TenantCtx, q: { limit: number; cursor?: string; search?: string; roleId?: string; status?: User['status'] }) {
    const base = { ...(q.roleId ? { roleId: q.roleId } : {}), ...(q.status ? { status: q.status } : {}) };
    const where = q.search
      ? [
          { ...base, name: Like(`%${q.search}%`) },
          { ...base, email: Like(`%${q.search.toLowerCase()}%`) },
        ]
      : base;
    const page = await scoped(ctx, UserEntity).page({ where, limit: q.limit, cursor: q.cursor });
    return { data: await views(ctx, page.data), nextCursor: page.nextCursor };
  },

  async get(ctx: TenantCtx, id: string) {
    const user = await scoped(ctx, UserEntity).get(id, 'Agent');
    return (await views(ctx, [user]))[0];
  },

  async create(ctx: TenantCtx, body: { name: string; email: string; password: string; roleId: string }) {
    await enforceLimit(ctx, 'agents');
    const role = await assignableRole(ctx, body.roleId);
    if (await emailTaken(ctx.db.manager, body.email))
      throw conflict('This email is already registered', [{ path: 'email', message: 'Already registered' }]);
    const passwordHash = await hashPassword(body.password);
    const now = ctx.now();
    const user = await ctx.transaction(async (m) => {
      const created = await scoped(ctx, UserEntity, m).insert({
        roleId: role.id,
        name: body.name,
        email: body.email,
        passwordHash,
        status: 'active',
        online: false,
        lastSeenAt: null,
        createdAt: now,
        updatedAt: now,
      });
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'agent.created',
        targetType: 'agent',
        targetId: created.id,
        details: { email: body.email, role: role.name },
      });
      await emitEvent(m, { tenantId: ctx.tenantId, type: 'agent.created', payload: { agentId: created.id } }, now);
      return created;
    });
    return agentView(user, role);
  },

  async update(
    ctx: TenantCtx,
    id: string,
    body: { name?: string; email?: string; password?: string; roleId?: string; status?: User['status'] },
  ) {
    const user = await scoped(ctx, UserEntity).get(id, 'Agent');
    const self = user.id === ctx.principal.userId;
    if (self && body.roleId && body.roleId !== user.roleId)
      throw conflict('You cannot change your own role', [{ path: 'roleId', message: 'Ask another admin' }]);
    if (self && body.status === 'suspended')
      throw conflict('You cannot suspend yourself', [{ path: 'status', message: 'Ask another admin' }]);
    const role = body.roleId && body.roleId !== user.roleId ? await assignableRole(ctx, body.roleId) : null;
    if ((role || body.status === 'suspended') && (await isLastOwner(ctx, user))) {
      throw conflict('The organization needs at least one active owner');
    }
    if (body.email && body.email !== user.email && (await emailTaken(ctx.db.manager, body.email, user.id))) {
      throw conflict('This email is already registered', [{ path: 'email', message: 'Already registered' }]);
    }
    if (body.status === 'active' && user.status !== 'active') await enforceLimit(ctx, 'agents');
    const patch: Partial<User> = { updatedAt: ctx.now() };
    if (body.name !== undefined) patch.name = body.name;
    if (body.email !== undefined) patch.email = body.email;
    if (body.status !== undefined) patch.status = body.status;
    if (role) patch.roleId = role.id;
    if (body.password !== undefined) patch.passwordHash = await hashPassword(body.password);
    const changed = Object.keys(body).filter((k) => k !== 'password' || body.password !== undefined);
    await ctx.transaction(async (m) => {
      await scoped(ctx, UserEntity, m).update(id, patch);
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: role ? 'agent.role_changed' : 'agent.updated',
        targetType: 'agent',
        targetId: id,
        details: { fields: changed, ...(role ? { role: role.name } : {}) },
      });
      await emitEvent(m, { tenantId: ctx.tenantId, type: 'agent.updated', payload: { agentId: id, fields: changed } }, patch.updatedAt!);
    });
    return this.get(ctx, id);
  },

  async remove(ctx: TenantCtx, id: string) {
    const user = await scoped(ctx, UserEntity).get(id, 'Agent');
    if (user.id === ctx.principal.userId) throw conflict('You cannot delete your own account');
    if (await isLastOwner(ctx, user)) throw conflict('The organization needs at least one active owner');
    await ctx.transaction(async (m) => {
      await scoped(ctx, UserEntity, m).remove(id);
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'agent.deleted',
        targetType: 'agent',
        targetId: id,
        details: { email: user.email },
      });
      await emitEvent(m, { tenantId: ctx.tenantId, type: 'agent.deleted', payload: { agentId: id } }, ctx.now());
    });
  },

  /** Agents set their own availability; changing someone else's needs agents.manage. */
  async setStatus(ctx: TenantCtx, id: string, online: boolean) {
    const user = await scoped(ctx, UserEntity).get(id, 'Agent');
    if (user.id !== ctx.principal.userId && !ctx.principal.permissions.has('agents.manage')) {
      throw forbidden('Changing another agent\'s status needs the "agents.manage" permission');
    }
    const now = ctx.now();
    await ctx.transaction(async (m) => {
      await scoped(ctx, UserEntity, m).update(id, { online, lastSeenAt: now, updatedAt: now });
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: online ? 'agent.online' : 'agent.offline',
        targetType: 'agent',
        targetId: id,
      });
      await emitEvent(m, { tenantId: ctx.tenantId, type: 'agent.status_changed', payload: { agentId: id, online } }, now);
    });
    return this.get(ctx, id);
  },
};
