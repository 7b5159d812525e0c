import { z } from 'zod';
import { access, defineRoute } from '../../core/http/registry.js';
import { idParam, pageOf, pageQuery, timestamp } from '../../core/http/schemas.js';
import { conversationSchema } from '../conversations/conversations.schemas.js';
import { transfersService } from './transfers.service.js';

const tag = 'Transfers';
const params = idParam('conversationId');
const ref = z.object({ id: z.string(), name: z.string().nullable() }).nullable();
const transferSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  reason: z.string(),
  autoAssigned: z.boolean().describe("The receiving agent was picked by the division's round-robin"),
  from: z.object({ agent: ref, division: ref }),
  to: z.object({ agent: ref, division: ref }),
  by: ref,
  createdAt: timestamp,
});

export const transferRoutes = [
  defineRoute({
    method: 'post',
    path: '/api/v1/conversations/{conversationId}/transfer',
    tag,
    summary: 'Transfer a conversation',
    access: access.tenant('messages.send'),
    params,
    description:
      'To an agent, a division, or an agent of a division, with a reason. A division that auto-assigns picks its online agent with the fewest open conversations. ' +
      'Agents without conversations.manage may transfer only conversations assigned to them or unassigned. The receiving agent gets a live `notification`.',
    body: z.object({
      toAgentId: z.string().max(64).nullable().optional(),
      toDivisionId: z.string().max(64).nullable().optional(),
      reason: z.string().trim().min(1, 'Required').max(1000),
    }),
    response: z.object({ transfer: transferSchema, conversation: conversationSchema }),
    handler: ({ ctx, params, body }) => transfersService.transfer(ctx, params.conversationId, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/conversations/{conversationId}/transfers',
    tag,
    summary: 'List transfer history for a conversation',
    access: access.tenant('conversations.view'),
    params,
    query: pageQuery,
    response: pageOf(transferSchema),
    handler: ({ ctx, params, query }) => transfersService.list(ctx, params.conversationId, query),
  }),
];
