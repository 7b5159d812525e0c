import { z } from 'zod';
import { access, defineRoute } from '../../core/http/registry.js';
import { idParam, name, pageOf, pageQuery, timestamp } from '../../core/http/schemas.js';
import { CHANNELS } from '../../channels/types.js';
import { PRIORITIES } from '../conversations/conversations.schemas.js';
import { SLA_METRICS, SLA_STATUSES } from './sla.compute.js';
import { slaService } from './sla.service.js';

const tag = 'SLA';
const params = idParam('policyId');
const minutes = z.number().int().min(1).max(525_600);

const policySchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  enabled: z.boolean(),
  priority: z.enum(PRIORITIES).nullable(),
  channel: z.enum(CHANNELS).nullable(),
  divisionId: z.string().nullable(),
  firstResponseMinutes: z.number().int().nullable(),
  resolutionMinutes: z.number().int().nullable(),
  atRiskPercent: z.number().int(),
  workingHoursOnly: z.boolean(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const policyFields = {
  description: z.string().trim().max(2000).nullable().optional(),
  enabled: z.boolean().optional(),
  priority: z.enum(PRIORITIES).nullable().optional().describe('Only conversations of this priority (null: any)'),
  channel: z.enum(CHANNELS).nullable().optional().describe('Only conversations on this channel (null: any)'),
  divisionId: z.string().max(64).nullable().optional().describe('Only conversations in this division (null: any)'),
  firstResponseMinutes: minutes.nullable().optional().describe('Working minutes until the first agent reply'),
  resolutionMinutes: minutes.nullable().optional().describe('Working minutes until the conversation is resolved'),
  atRiskPercent: z.number().int().min(1).max(100).optional().describe('Share of a target after which the SLA is "at risk" (default 80)'),
  workingHoursOnly: z.boolean().optional().describe('Count only working hours (default true); false counts around the clock'),
};

const metricSchema = z
  .object({
    targetMinutes: z.number().int(),
    dueAt: timestamp.nullable(),
    completedAt: timestamp.nullable(),
    status: z.enum(SLA_STATUSES),
    elapsedMinutes: z.number().int(),
    remainingMinutes: z.number().int().nullable(),
  })
  .nullable();

const breachSchema = z.object({
  id: z.string(),
  policyId: z.string(),
  conversationId: z.string(),
  metric: z.enum(SLA_METRICS),
  targetMinutes: z.number().int(),
  dueAt: timestamp,
  breachedAt: timestamp,
});

export const slaRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/sla/policies',
    tag,
    summary: 'List SLA policies',
    access: access.tenant('conversations.view'),
    query: pageQuery,
    response: pageOf(policySchema),
    handler: ({ ctx, query }) => slaService.list(ctx, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/sla/policies',
    tag,
    summary: 'Create an SLA policy',
    access: access.tenant('settings.manage'),
    status: 201,
    description:
      'A conversation follows the enabled policy whose conditions (priority, channel, division) all match it, the most specific first. ' +
      "Targets count working minutes from the conversation's start, in the division's hours (or the tenant's).",
    body: z.object({ name, ...policyFields }).strict(),
    response: policySchema,
    handler: ({ ctx, body }) => slaService.create(ctx, body),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/sla/policies/{policyId}',
    tag,
    summary: 'Delete an SLA policy',
    access: access.tenant('settings.manage'),
    params,
    status: 204,
    handler: ({ ctx, params }) => slaService.remove(ctx, params.policyId),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/sla/policies/{policyId}',
    tag,
    summary: 'Update an SLA policy',
    access: access.tenant('settings.manage'),
    params,
    body: z.object({ name: name.optional(), ...policyFields }).strict(),
    response: policySchema,
    handler: ({ ctx, params, body }) => slaService.update(ctx, params.policyId, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/sla/policies/{policyId}/breaches',
    tag,
    summary: 'List SLA breaches for a policy',
    access: access.tenant('conversations.view'),
    params,
    query: pageQuery.extend({ metric: z.enum(SLA_METRICS).optional() }),
    response: pageOf(
      breachSchema.extend({
        conversation: z
          .object({
            id: z.string(),
            channel: z.enum(CHANNELS),
            status: z.string(),
            priority: z.enum(PRIORITIES),
            assigneeId: z.string().nullable(),
            divisionId: z.string().nullable(),
          })
          .nullable(),
      }),
    ),
    handler: ({ ctx, params, query }) => slaService.breaches(ctx, params.policyId, query),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/conversations/{conversationId}/sla',
    tag,
    summary: 'Get SLA status for a conversation',
    access: access.tenant('conversations.view'),
    params: idParam('conversationId'),
    description:
      'Computed at request time. `status` is on_track, at_risk, breached or met (null: no policy applies); live changes are pushed as `sla.updated` and `sla.breached`.',
    response: z.object({
      conversationId: z.string(),
      evaluatedAt: timestamp,
      policy: z.object({ id: z.string(), name: z.string() }).nullable(),
      status: z.enum(SLA_STATUSES).nullable(),
      calendar: z
        .enum(['division', 'tenant', 'none', 'always'])
        .nullable()
        .describe(
          "Whose working hours count: the division's, the tenant's, none set (always open), or always (policy counts around the clock)",
        ),
      firstResponse: metricSchema,
      resolution: metricSchema,
      nextDueAt: timestamp.nullable(),
      breaches: z.array(breachSchema.omit({ conversationId: true })),
    }),
    handler: ({ ctx, params }) => slaService.forConversation(ctx, params.conversationId),
  }),
];
