// Creating an organization: the tenant row, its built-in roles and its first owner, in one transaction.
import type { EntityManager } from 'typeorm';
import { randomBytes } from 'node:crypto';
import { TenantEntity, type Tenant } from './tenant.entity.js';
import { RoleEntity, type Role } from '../roles/role.entity.js';
import { UserEntity, type User } from '../agents/agent.entity.js';
import { BUILT_IN_ROLES } from '../../core/permissions.js';
import { newId } from '../../core/ids.js';
import { emitEvent } from '../../core/events/outbox.js';
import { z } from 'zod';
import { timestamp } from '../../core/http/schemas.js';

export const DEFAULT_TIMEZONE = 'Asia/Jakarta';

export const tenantSchema = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  status: z.enum(['active', 'suspended']),
  timezone: z.string(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export function tenantView(t: Tenant) {
  return { id: t.id, name: t.name, slug: t.slug, status: t.status, timezone: t.timezone, createdAt: t.createdAt, updatedAt: t.updatedAt };
}

async function uniqueSlug(manager: EntityManager, name: string): Promise<string> {
  const base =
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60) || 'org';
  const repo = manager.getRepository(TenantEntity);
  if (!(await repo.exists({ where: { slug: base } }))) return base;
  return `${base}-${randomBytes(3).toString('hex')}`;
}

export async function createTenantWithOwner(
  manager: EntityManager,
  input: { organizationName: string; ownerName: string; email: string; passwordHash: string; timezone?: string },
  now: Date,
): Promise<{ tenant: Tenant; owner: User; roles: Role[] }> {
  const tenant: Tenant = {
    id: newId(),
    name: input.organizationName,
    slug: await uniqueSlug(manager, input.organizationName),
    status: 'active',
    timezone: input.timezone ?? DEFAULT_TIMEZONE,
    createdAt: now,
    updatedAt: now,
  };
  await manager.getRepository(TenantEntity).insert(tenant);
  const roles: Role[] = BUILT_IN_ROLES.map((r) => ({
    id: newId(),
    tenantId: tenant.id,
    name: r.name,
    description: r.description,
    permissions: [...r.permissions],
    builtIn: true,
    createdAt: now,
    updatedAt: now,
  }));
  await manager.getRepository(RoleEntity).insert(roles);
  const owner: User = {
    id: newId(),
    tenantId: tenant.id,
    roleId: roles[0].id,
    name: input.ownerName,
    email: input.email,
    passwordHash: input.passwordHash,
    status: 'active',
    online: false,
    lastSeenAt: null,
    createdAt: now,
    updatedAt: now,
  };
  await manager.getRepository(UserEntity).insert(owner);
  await emitEvent(manager, { tenantId: tenant.id, type: 'tenant.created', payload: { tenantId: tenant.id, ownerId: owner.id } }, now);
  return { tenant, owner, roles };
}
