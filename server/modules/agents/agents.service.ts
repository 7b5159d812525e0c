// Agents are the users of a tenant: the people who log in and work the inbox.
//
// Who may manage whom (issue 12, finding 4; DESIGN rule 12): a person may edit, suspend, delete or
// change the role of only those whose permissions are all their own too, may give only roles whose
// permissions they all have, and an owner is changed (or made) only by an owner. Nobody sets another
// person's password: they get a one-time link (password-reset.service.ts). Suspending someone,
// changing their role or deleting them ends their sessions and open sockets at once.
import { randomBytes } from 'node:crypto';
import { Like } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { badRequest, conflict, forbidden, unprocessable } from '../../core/http/errors.js';
import { hashPassword } from '../../core/auth/passwords.js';
import { recordActivity } from '../../core/audit.js';
import { emitEvent } from '../../core/events/outbox.js';
import { UserEntity, type User } from './agent.entity.js';
import { RoleEntity, type Role } from '../roles/role.entity.js';
import { revokeSessions } from '../sessions/sessions.service.js';
import { issuePasswordLink, type PasswordLink } from './password-reset.service.js';
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

/** Whether the organization already has someone with this email (emails are unique per organization, not across the appliance). */
export async function emailTaken(manager: EntityManager, tenantId: string, email: string, exceptUserId?: string): Promise<boolean> {
  const row = await manager.getRepository(UserEntity).findOne({ where: { tenantId, email }, select: { id: true } });
  return Boolean(row && row.id !== exceptUserId);
}

const isOwnerRole = (role: Pick<Role, 'name' | 'builtIn'> | null | undefined) => Boolean(role?.builtIn && role.name === 'owner');

/** Whether the caller holds the organization's built-in owner role. */
export async function callerIsOwner(ctx: TenantCtx): Promise<boolean> {
  return isOwnerRole(await scoped(ctx, RoleEntity).findOne({ id: ctx.principal.roleId }));
}

/**
 * Refuses (403) unless the caller may manage `target`: every permission of the target's role is
 * the caller's too, and an owner is managed only by an owner.
 */
export async function ensureMayManage(ctx: TenantCtx, target: User): Promise<Role | null> {
  const role = await scoped(ctx, RoleEntity).findOne({ id: target.roleId });
  if (target.id === ctx.principal.userId) return role;
  if (isOwnerRole(role) && !(await callerIsOwner(ctx))) throw forbidden('Only an owner can change an owner');
  const missing = (role?.permissions ?? []).filter((p) => !ctx.principal.permissions.has(p as never));
  if (missing.length)
    throw forbidden(`You can only manage people whose permissions you have too; ${target.name} also has: ${missing.join(', ')}`);
  return role;
}

async function views(ctx: TenantCtx, users: User[]) {
  const roles = await scoped(ctx, RoleEntity).find();
  const byId = new Map(roles.map((r) => [r.id, r]));
  return users.map((u) => agentView(u, byId.get(u.roleId) ?? null));
}

/** A role someone is given may not carry permissions the person giving it lacks; the owner role only an owner gives. */
async function assignableRole(ctx: TenantCtx, roleId: string): Promise<Role> {
  const role = await scoped(ctx, RoleEntity).findOne({ id: roleId });
  if (!role) throw unprocessable('The role does not exist', [{ path: 'roleId', message: 'No such role in this organization' }]);
  const missing = role.permissions.filter((p) => !ctx.principal.permissions.has(p as never));
  if (missing.length) throw forbidden(`You cannot give a role with permissions you do not have: ${missing.join(', ')}`);
  if (isOwnerRole(role) && !(await callerIsOwner(ctx))) throw forbidden('Only an owner can make someone an owner');
  return role;
}

const NO_PASSWORD_SETTERS =
  "Nobody sets another person's password: send them a link (POST /api/v1/agents/{agentId}/password-reset); change your own with POST /api/v1/auth/password";

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

  /**
   * Creates a person. With `password`, they can log in with it at once; without, they get a one-time
   * link to choose their own (shown in the answer, and mailed when SMTP is configured).
   */
  async create(ctx: TenantCtx, body: { name: string; email: string; password?: string; roleId: string }, baseUrl: string) {
    await enforceLimit(ctx, 'agents');
    const role = await assignableRole(ctx, body.roleId);
    if (await emailTaken(ctx.db.manager, ctx.tenantId, body.email))
      throw conflict('Someone in your organization already has this email', [{ path: 'email', message: 'Already in your organization' }]);
    // Without a password the account has none that works until the link is used.
    const passwordHash = await hashPassword(body.password ?? randomBytes(32).toString('base64url'));
    const now = ctx.now();
    let passwordLink: PasswordLink | undefined;
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
      if (body.password === undefined)
        passwordLink = await issuePasswordLink(ctx, m, {
          user: created,
          purpose: 'invite',
          requestedBy: `user:${ctx.principal.userId}`,
          baseUrl,
        });
      return created;
    });
    return { ...agentView(user, role), ...(passwordLink ? { passwordLink } : {}) };
  },

  async update(
    ctx: TenantCtx,
    id: string,
    body: { name?: string; email?: string; password?: string; roleId?: string; status?: User['status'] },
  ) {
    const user = await scoped(ctx, UserEntity).get(id, 'Agent');
    const self = user.id === ctx.principal.userId;
    if (body.password !== undefined) throw badRequest(NO_PASSWORD_SETTERS, [{ path: 'password', message: 'Not accepted here' }]);
    await ensureMayManage(ctx, user);
    if (self && body.roleId && body.roleId !== user.roleId)
      throw conflict('You cannot change your own role', [{ path: 'roleId', message: 'Ask another admin' }]);
    if (self && body.status === 'suspended')
      throw conflict('You cannot suspend yourself', [{ path: 'status', message: 'Ask another admin' }]);
    const role = body.roleId && body.roleId !== user.roleId ? await assignableRole(ctx, body.roleId) : null;
    if ((role || body.status === 'suspended') && (await isLastOwner(ctx, user))) {
      throw conflict('The organization needs at least one active owner');
    }
    if (body.email && body.email !== user.email && (await emailTaken(ctx.db.manager, ctx.tenantId, body.email, user.id))) {
      throw conflict('Someone in your organization already has this email', [{ path: 'email', message: 'Already in your organization' }]);
    }
    if (body.status === 'active' && user.status !== 'active') await enforceLimit(ctx, 'agents');
    const patch: Partial<User> = { updatedAt: ctx.now() };
    if (body.name !== undefined) patch.name = body.name;
    if (body.email !== undefined) patch.email = body.email;
    if (body.status !== undefined) patch.status = body.status;
    if (role) patch.roleId = role.id;
    const changed = Object.keys(body);
    // A new role or a suspension ends the person's sessions (and open sockets) at once.
    const endSessions = role ? 'role_changed' : body.status === 'suspended' && user.status !== 'suspended' ? 'suspended' : null;
    await ctx.transaction(async (m) => {
      await scoped(ctx, UserEntity, m).update(id, patch);
      if (endSessions) await revokeSessions(m, { userId: id }, { tenantId: ctx.tenantId, userId: id }, endSessions, patch.updatedAt!);
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
    await ensureMayManage(ctx, user);
    if (await isLastOwner(ctx, user)) throw conflict('The organization needs at least one active owner');
    await ctx.transaction(async (m) => {
      await revokeSessions(m, { userId: id }, { tenantId: ctx.tenantId, userId: id }, 'deleted', ctx.now());
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
    await ensureMayManage(ctx, user);
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

  /** A one-time link for the person to choose a new password (shown to the caller; mailed when SMTP is configured). */
  async passwordReset(ctx: TenantCtx, id: string, baseUrl: string): Promise<PasswordLink> {
    const user = await scoped(ctx, UserEntity).get(id, 'Agent');
    if (user.id === ctx.principal.userId)
      throw conflict('Change your own password with your current one (POST /api/v1/auth/password)', [
        { path: 'agentId', message: 'That is you' },
      ]);
    await ensureMayManage(ctx, user);
    return ctx.transaction(async (m) => {
      const link = await issuePasswordLink(ctx, m, { user, purpose: 'reset', requestedBy: `user:${ctx.principal.userId}`, baseUrl });
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'agent.password_reset_requested',
        targetType: 'agent',
        targetId: id,
        details: { mailed: link.mailQueued },
      });
      return link;
    });
  },
};
