import { z } from 'zod';
import { access, defineRoute } from '../../core/http/registry.js';
import { idParam, pageOf, pageQuery, timestamp } from '../../core/http/schemas.js';
import { ALL_PERMISSIONS, type Permission } from '../../core/permissions.js';
import { rolesService } from './roles.service.js';

const permission = z.enum(ALL_PERMISSIONS as [Permission, ...Permission[]]);
const roleSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  permissions: z.array(z.string()),
  builtIn: z.boolean(),
  agentCount: z.number().int(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
const roleName = z
  .string()
  .trim()
  .min(1, 'Required')
  .max(100)
  .regex(/^[\p{L}\p{N} _.-]+$/u, 'Letters, digits, spaces, _ . - only');
const description = z.string().trim().max(500).nullable().optional();
const params = idParam('roleId');
const tag = 'Roles';

export const roleRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/roles',
    tag,
    summary: 'List all roles with permissions',
    access: access.tenant('roles.view'),
    query: pageQuery,
    response: pageOf(roleSchema),
    handler: ({ ctx, query }) => rolesService.list(ctx, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/roles',
    tag,
    summary: 'Create a custom role',
    access: access.tenant('roles.manage'),
    status: 201,
    body: z.object({ name: roleName, description, permissions: z.array(permission).max(100) }),
    response: roleSchema,
    handler: ({ ctx, body }) => rolesService.create(ctx, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/roles/{roleId}',
    tag,
    summary: 'Get a single role with permissions',
    access: access.tenant('roles.view'),
    params,
    response: roleSchema,
    handler: ({ ctx, params }) => rolesService.get(ctx, params.roleId),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/roles/{roleId}',
    tag,
    summary: 'Delete a custom role',
    access: access.tenant('roles.manage'),
    params,
    status: 204,
    handler: ({ ctx, params }) => rolesService.remove(ctx, params.roleId),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/roles/{roleId}',
    tag,
    summary: 'Update a role',
    access: access.tenant('roles.manage'),
    params,
    body: z.object({ name: roleName.optional(), description, permissions: z.array(permission).max(100).optional() }).strict(),
    response: roleSchema,
    handler: ({ ctx, params, body }) => rolesService.update(ctx, params.roleId, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/permissions',
    tag,
    summary: 'List all available permissions',
    access: access.tenant('roles.view'),
    response: z.object({ data: z.array(z.object({ key: z.string(), description: z.string() })) }),
    handler: async () => rolesService.permissions(),
  }),
];
