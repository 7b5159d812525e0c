// Roles hold permissions. Built-in roles (owner, admin, supervisor, agent) cannot be deleted or
// renamed, and the owner role always keeps every permission. Nobody creates, edits or deletes a
// role with permissions they do not have themselves (issue 12: a custom role must not escalate).
import type { TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { conflict, forbidden } from '../../core/http/errors.js';
import { recordActivity } from '../../core/audit.js';
import { emitEvent } from '../../core/events/outbox.js';
import { PERMISSIONS, type Permission } from '../../core/permissions.js';
import { RoleEntity, type Role } from './role.entity.js';
import { UserEntity } from '../agents/agent.entity.js';

function roleView(role: Role, agentCount: number) {
  return {
    id: role.id,
    name: role.name,
    description: role.description,
    permissions: role.permissions,
    builtIn: role.builtIn,
    agentCount,
    createdAt: role.createdAt,
    updatedAt: role.updatedAt,
  };
}

function ensureGrantable(ctx: TenantCtx, permissions: Permission[]) {
  const missing = permissions.filter((p) => !ctx.principal.permissions.has(p));
  if (missing.length) throw forbidden(`You cannot grant permissions you do not have: ${missing.join(', ')}`);
}

/** A role that carries permissions the caller lacks is not theirs to change or delete (it would demote people above them). */
function ensureWithinReach(ctx: TenantCtx, role: Role) {
  const missing = role.permissions.filter((p) => !ctx.principal.permissions.has(p as Permission));
  if (missing.length) throw forbidden(`You cannot change a role with permissions you do not have: ${missing.join(', ')}`);
}

async function ensureNameFree(ctx: TenantCtx, name: string, exceptId?: string) {
  const existing = await scoped(ctx, RoleEntity).findOne({ name });
  if (existing && existing.id !== exceptId)
    throw conflict('A role with this name already exists', [{ path: 'name', message: 'Already in use' }]);
}

export const rolesService = {
  async list(ctx: TenantCtx, q: { limit: number; cursor?: string }) {
    const page = await scoped(ctx, RoleEntity).page(q);
    const users = scoped(ctx, UserEntity);
    return {
      data: await Promise.all(page.data.map(async (r) => roleView(r, await users.count({ roleId: r.id })))),
      nextCursor: page.nextCursor,
    };
  },

  async get(ctx: TenantCtx, id: string) {
    const role = await scoped(ctx, RoleEntity).get(id, 'Role');
    return roleView(role, await scoped(ctx, UserEntity).count({ roleId: id }));
  },

  async create(ctx: TenantCtx, body: { name: string; description?: string | null; permissions: Permission[] }) {
    ensureGrantable(ctx, body.permissions);
    await ensureNameFree(ctx, body.name);
    const now = ctx.now();
    const role = await ctx.transaction(async (m) => {
      const created = await scoped(ctx, RoleEntity, m).insert({
        name: body.name,
        description: body.description ?? null,
        permissions: [...new Set(body.permissions)],
        builtIn: false,
        createdAt: now,
        updatedAt: now,
      });
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'role.created',
        targetType: 'role',
        targetId: created.id,
        details: { name: created.name, permissions: created.permissions },
      });
      await emitEvent(m, { tenantId: ctx.tenantId, type: 'role.created', payload: { roleId: created.id } }, now);
      return created;
    });
    return roleView(role, 0);
  },

  async update(ctx: TenantCtx, id: string, body: { name?: string; description?: string | null; permissions?: Permission[] }) {
    const role = await scoped(ctx, RoleEntity).get(id, 'Role');
    if (role.builtIn && body.name !== undefined && body.name !== role.name)
      throw conflict('Built-in roles cannot be renamed', [{ path: 'name', message: 'Built-in role' }]);
    if (role.builtIn && role.name === 'owner' && body.permissions)
      throw conflict('The owner role always has every permission', [{ path: 'permissions', message: 'Owner role is fixed' }]);
    ensureWithinReach(ctx, role);
    if (body.permissions) ensureGrantable(ctx, body.permissions);
    if (body.name !== undefined) await ensureNameFree(ctx, body.name, id);
    const now = ctx.now();
    const patch: Partial<Role> = { updatedAt: now };
    if (body.name !== undefined) patch.name = body.name;
    if (body.description !== undefined) patch.description = body.description;
    if (body.permissions) patch.permissions = [...new Set(body.permissions)];
    await ctx.transaction(async (m) => {
      await scoped(ctx, RoleEntity, m).update(id, patch);
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'role.updated',
        targetType: 'role',
        targetId: id,
        details: {
          name: patch.name ?? role.name,
          ...(patch.permissions ? { permissions: patch.permissions, previous: role.permissions } : {}),
        },
      });
      await emitEvent(m, { tenantId: ctx.tenantId, type: 'role.updated', payload: { roleId: id } }, now);
    });
    return this.get(ctx, id);
  },

  async remove(ctx: TenantCtx, id: string) {
    const role = await scoped(ctx, RoleEntity).get(id, 'Role');
    if (role.builtIn) throw conflict('Built-in roles cannot be deleted');
    ensureWithinReach(ctx, role);
    const inUse = await scoped(ctx, UserEntity).count({ roleId: id });
    if (inUse > 0) throw conflict(`This role is given to ${inUse} agent(s); move them to another role first`);
    await ctx.transaction(async (m) => {
      await scoped(ctx, RoleEntity, m).remove(id);
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'role.deleted',
        targetType: 'role',
        targetId: id,
        details: { name: role.name },
      });
      await emitEvent(m, { tenantId: ctx.tenantId, type: 'role.deleted', payload: { roleId: id } }, ctx.now());
    });
  },

  permissions() {
    return { data: Object.entries(PERMISSIONS).map(([key, description]) => ({ key, description })) };
  },
};
