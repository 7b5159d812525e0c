import { z } from 'zod';
import { access, defineRoute } from '../../core/http/registry.js';
import { idParam, pageOf, pageQuery, email, password, name } from '../../core/http/schemas.js';
import { agentsService } from './agents.service.js';
import { agentSchema } from './agents.schemas.js';

const params = idParam('agentId');
const tag = 'Agents';

export const agentRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/agents',
    tag,
    summary: 'List all agents',
    access: access.tenant('agents.view'),
    query: pageQuery.extend({
      search: z.string().trim().min(1).max(200).optional().describe('Matches name or email'),
      roleId: z.string().max(64).optional(),
      status: z.enum(['active', 'suspended']).optional(),
    }),
    response: pageOf(agentSchema),
    handler: ({ ctx, query }) => agentsService.list(ctx, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/agents',
    tag,
    summary: 'Create a new agent',
    access: access.tenant('agents.manage'),
    status: 201,
    body: z.object({ name, email, password, roleId: z.string().min(1).max(64) }),
    response: agentSchema,
    handler: ({ ctx, body }) => agentsService.create(ctx, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/agents/{agentId}',
    tag,
    summary: 'Get an agent by ID',
    access: access.tenant('agents.view'),
    params,
    response: agentSchema,
    handler: ({ ctx, params }) => agentsService.get(ctx, params.agentId),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/agents/{agentId}',
    tag,
    summary: 'Delete an agent',
    access: access.tenant('agents.manage'),
    params,
    status: 204,
    handler: ({ ctx, params }) => agentsService.remove(ctx, params.agentId),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/agents/{agentId}',
    tag,
    summary: 'Update an agent',
    access: access.tenant('agents.manage'),
    params,
    body: z
      .object({
        name: name.optional(),
        email: email.optional(),
        password: password.optional(),
        roleId: z.string().min(1).max(64).optional(),
        status: z.enum(['active', 'suspended']).optional(),
      })
      .strict(),
    response: agentSchema,
    handler: ({ ctx, params, body }) => agentsService.update(ctx, params.agentId, body),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/agents/{agentId}/status',
    tag,
    summary: 'Toggle agent online/offline status',
    description: "Any agent may set their own status; setting another agent's needs agents.manage.",
    access: access.signedIn,
    params,
    body: z.object({ online: z.boolean() }),
    response: agentSchema,
    handler: ({ ctx, params, body }) => agentsService.setStatus(ctx, params.agentId, body.online),
  }),
];
