import { z } from 'zod';
import { access, defineRoute } from '../../core/http/registry.js';
import { idParam, name, pageOf, pageQuery, timestamp } from '../../core/http/schemas.js';
import { divisionsService } from './divisions.service.js';

const tag = 'Divisions';
const params = idParam('divisionId');
const view = access.tenant('conversations.view');
const manage = access.tenant('divisions.manage');

export const divisionSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  autoAssign: z.boolean().describe('New conversations in this division go to the online agent with the fewest open conversations'),
  isDefault: z.boolean().describe('New conversations join this division'),
  agentCount: z.number().int(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
const divisionAgentSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  status: z.enum(['active', 'suspended']),
  online: z.boolean(),
  openConversations: z.number().int().describe('Open and pending conversations assigned to the agent'),
  lastAssignedAt: timestamp.nullable().describe('When round-robin last picked the agent in this division'),
  joinedAt: timestamp,
});
const divisionWithAgents = divisionSchema.extend({ agents: z.array(divisionAgentSchema) });
const agentIds = z.array(z.string().max(64)).min(1).max(500);

const fields = {
  description: z.string().trim().max(2000).nullable().optional(),
  autoAssign: z.boolean().optional(),
  isDefault: z.boolean().optional(),
};

export const divisionRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/divisions',
    tag,
    summary: 'List divisions',
    access: view,
    query: pageQuery.extend({ search: z.string().trim().min(1).max(200).optional().describe('Matches the name') }),
    response: pageOf(divisionSchema),
    handler: ({ ctx, query }) => divisionsService.list(ctx, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/divisions',
    tag,
    summary: 'Create a division',
    access: manage,
    status: 201,
    body: z.object({ name, ...fields, agentIds: agentIds.optional() }).strict(),
    response: divisionWithAgents,
    handler: ({ ctx, body }) => divisionsService.create(ctx, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/divisions/{divisionId}',
    tag,
    summary: 'Get a division with agents',
    access: view,
    params,
    response: divisionWithAgents,
    handler: ({ ctx, params }) => divisionsService.get(ctx, params.divisionId),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/divisions/{divisionId}',
    tag,
    summary: 'Delete a division',
    access: manage,
    params,
    status: 204,
    description: 'Its conversations leave the division. Refused (409) while SLA policies target it.',
    handler: ({ ctx, params }) => divisionsService.remove(ctx, params.divisionId),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/divisions/{divisionId}',
    tag,
    summary: 'Update a division',
    access: manage,
    params,
    body: z.object({ name: name.optional(), ...fields }).strict(),
    response: divisionWithAgents,
    handler: ({ ctx, params, body }) => divisionsService.update(ctx, params.divisionId, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/divisions/{divisionId}/agents',
    tag,
    summary: 'List agents in a division',
    access: view,
    params,
    response: pageOf(divisionAgentSchema),
    handler: ({ ctx, params }) => divisionsService.agents(ctx, params.divisionId),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/divisions/{divisionId}/agents',
    tag,
    summary: 'Assign agents to a division',
    access: manage,
    params,
    description: "Adds the agents (already-members are left as they are) and answers with the division's agents.",
    body: z.object({ agentIds }),
    response: pageOf(divisionAgentSchema),
    handler: ({ ctx, params, body }) => divisionsService.addAgents(ctx, params.divisionId, body.agentIds),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/divisions/{divisionId}/agents',
    tag,
    summary: 'Remove agents from a division',
    access: manage,
    params,
    description:
      'The agents to remove go in the JSON body (`{"agentIds": [...]}`) or the query string (`?agentIds=a,b`). Answers with the remaining agents.',
    query: z.object({
      agentIds: z
        .string()
        .max(20_000)
        .optional()
        .transform((s) =>
          s
            ? s
                .split(',')
                .map((x) => x.trim())
                .filter(Boolean)
            : undefined,
        ),
    }),
    body: z.object({ agentIds: agentIds.optional() }).optional(),
    response: pageOf(divisionAgentSchema),
    handler: ({ ctx, params, query, body }) => divisionsService.removeAgents(ctx, params.divisionId, body?.agentIds ?? query.agentIds),
  }),
];
