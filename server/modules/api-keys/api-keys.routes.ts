import { z } from 'zod';
import { access, defineRoute } from '../../core/http/registry.js';
import { idParam, pageOf, pageQuery, timestamp } from '../../core/http/schemas.js';
import { ALL_PERMISSIONS, type Permission } from '../../core/permissions.js';
import { apiKeysService } from './api-keys.service.js';

const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string().describe('The start of the key, for recognising it'),
  lastUsedAt: timestamp.nullable(),
  expiresAt: timestamp.nullable(),
  scopes: z.array(z.string()).nullable().describe("The permissions the key may use; null: all of its creator's"),
  revokedAt: timestamp.nullable(),
  createdAt: timestamp,
});
const tag = 'API Keys';

export const apiKeyRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/api-keys',
    tag,
    summary: "List caller's API keys",
    access: access.tenant('api_keys.manage'),
    query: pageQuery,
    response: pageOf(apiKeySchema),
    handler: ({ ctx, query }) => apiKeysService.list(ctx, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/api-keys',
    tag,
    summary: 'Create a new API key',
    access: access.tenant('api_keys.manage'),
    status: 201,
    description: 'The full key is in this response only; store it now. Send it as `X-API-Key` or `Authorization: Bearer`.',
    body: z.object({
      name: z.string().trim().min(1, 'Required').max(200),
      expiresAt: z.iso.datetime({ offset: true }).optional(),
      scopes: z
        .array(z.enum(ALL_PERMISSIONS as [Permission, ...Permission[]]))
        .min(1, 'Pick at least one permission')
        .max(100)
        .optional()
        .describe("The permissions the key may use, each one the creator has; omitted: all of the creator's (as they change)"),
    }),
    response: apiKeySchema.extend({ key: z.string() }),
    handler: ({ ctx, body }) => apiKeysService.create(ctx, body),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/api-keys/{apiKeyId}',
    tag,
    summary: 'Revoke an API key',
    access: access.tenant('api_keys.manage'),
    params: idParam('apiKeyId'),
    status: 204,
    handler: ({ ctx, params }) => apiKeysService.revoke(ctx, params.apiKeyId),
  }),
];
