import { z } from 'zod';
import { access, defineRoute } from '../../core/http/registry.js';
import { timestamp } from '../../core/http/schemas.js';
import { analyticsService } from './analytics.service.js';
import { CSAT_ANALYTICS_DESCRIPTION, csatAnalyticsSchema, csatQuery, filterQuery, formatQuery, periodQuery } from './analytics.schemas.js';
import { overviewRows, sendCsv } from './analytics.csv.js';

const tag = 'Analytics';
const view = access.tenant('analytics.view');
const query = z.object({ ...periodQuery, ...filterQuery, ...formatQuery });

const moment = z.object({ median: z.number().nullable(), p90: z.number().nullable() });
const durations = z
  .object({ count: z.number().int(), wallClock: moment, workingHours: moment })
  .describe('Seconds; medians and 90th percentiles interpolated between ranks; working hours on the division’s or organization’s calendar');
const period = {
  from: timestamp,
  to: timestamp,
  timezone: z.string(),
  filters: z.object({ channel: z.string().nullable(), divisionId: z.string().nullable(), agentId: z.string().nullable() }),
};
const csatShort = z.object({
  sent: z.number().int(),
  answered: z.number().int(),
  responseRate: z.number().nullable(),
  average: z.number().nullable(),
  csat: z.number().nullable(),
  distribution: z.record(z.string(), z.number()),
});

const PERIOD_NOTE =
  'Over [from, to) in the time zone (a bare date is its midnight; default: the last 30 days including today), for the conversations matching ' +
  'channel, divisionId and agentId (the current assignee). `format=csv` answers the table as CSV.';

export const analyticsRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/analytics/overview',
    tag,
    summary: 'Dashboard overview KPIs',
    access: view,
    description:
      `${PERIOD_NOTE} New conversations were created in the period; resolved ones were resolved in it; open counts those open or pending now. ` +
      'First response runs from a conversation’s creation to its first agent or AI reply (conversations created in the period); resolution from creation ' +
      'to resolution (conversations resolved in the period). SLA attainment is the share met of the decided SLAs of conversations created in the period.',
    query,
    response: z.object({
      ...period,
      conversations: z.object({ new: z.number().int(), resolved: z.number().int(), open: z.number().int() }),
      messages: z.object({ inbound: z.number().int(), outbound: z.number().int() }),
      firstResponse: durations,
      resolution: durations,
      sla: z.object({
        met: z.number().int(),
        breached: z.number().int(),
        pending: z.number().int(),
        attainment: z.number().nullable().describe('Percent'),
        breaches: z.object({ firstResponse: z.number().int(), resolution: z.number().int() }),
      }),
      csat: csatShort,
    }),
    handler: async ({ ctx, query: q, res }) => {
      const result = await analyticsService.overview(ctx, q);
      if (q.format === 'csv') return sendCsv(res, 'overview', result, overviewRows(result));
      return result;
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/analytics/trends',
    tag,
    summary: 'Conversation and message trends',
    access: view,
    description: `${PERIOD_NOTE} One bucket per local day (or per week from Monday); the first and last may be partial.`,
    query: query.extend({ interval: z.enum(['day', 'week']).default('day') }),
    response: z.object({
      ...period,
      interval: z.enum(['day', 'week']),
      buckets: z.array(
        z.object({
          label: z.string().describe('The local date the bucket starts on'),
          start: timestamp,
          end: timestamp,
          newConversations: z.number().int(),
          resolvedConversations: z.number().int(),
          messagesIn: z.number().int(),
          messagesOut: z.number().int(),
          firstResponseMedian: z.number().nullable(),
          firstResponseMedianWorking: z.number().nullable(),
          resolutionMedian: z.number().nullable(),
          resolutionMedianWorking: z.number().nullable(),
        }),
      ),
    }),
    handler: async ({ ctx, query: q, res }) => {
      const result = await analyticsService.trends(ctx, q);
      if (q.format === 'csv') return sendCsv(res, 'trends', result, result.buckets);
      return result;
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/analytics/agents',
    tag,
    summary: 'Per-agent workload metrics',
    access: view,
    description:
      `${PERIOD_NOTE} Per agent: conversations created in the period and assigned to them, resolved by them (assignee), open now, messages they sent, ` +
      'first responses they made (with their times), resolution times of their resolved conversations, and CSAT of their surveys.',
    query,
    response: z.object({
      ...period,
      agents: z.array(
        z.object({
          agentId: z.string(),
          name: z.string(),
          email: z.string(),
          status: z.string(),
          newConversations: z.number().int(),
          resolved: z.number().int(),
          open: z.number().int(),
          messagesSent: z.number().int(),
          firstResponses: z.number().int(),
          firstResponse: durations,
          resolution: durations,
          csat: z.object({ answered: z.number().int(), average: z.number().nullable(), csat: z.number().nullable() }),
        }),
      ),
    }),
    handler: async ({ ctx, query: q, res }) => {
      const result = await analyticsService.agents(ctx, q);
      if (q.format === 'csv') return sendCsv(res, 'agents', result, result.agents);
      return result;
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/analytics/channels',
    tag,
    summary: 'Per-channel metrics',
    access: view,
    description: `${PERIOD_NOTE} One row per channel.`,
    query,
    response: z.object({
      ...period,
      channels: z.array(
        z.object({
          channel: z.string(),
          newConversations: z.number().int(),
          resolved: z.number().int(),
          open: z.number().int(),
          messagesIn: z.number().int(),
          messagesOut: z.number().int(),
          firstResponse: durations,
          resolution: durations,
        }),
      ),
    }),
    handler: async ({ ctx, query: q, res }) => {
      const result = await analyticsService.channels(ctx, q);
      if (q.format === 'csv') return sendCsv(res, 'channels', result, result.channels);
      return result;
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/analytics/csat',
    tag,
    summary: 'CSAT analytics',
    access: view,
    description: CSAT_ANALYTICS_DESCRIPTION,
    query: csatQuery,
    response: csatAnalyticsSchema,
    handler: async ({ ctx, query: q, res }) => {
      const result = await analyticsService.csat(ctx, q);
      if (q.format === 'csv') return sendCsv(res, 'csat', result, result.groupBy ? result.groups : [result.summary]);
      return result;
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/analytics/whatsapp/messages',
    tag,
    summary: 'WhatsApp message analytics',
    access: view,
    description:
      `${PERIOD_NOTE} Outbound WhatsApp messages written in the period and how far they got; and, from the pricing Meta's status webhooks carry, ` +
      'how many were priced in each pricing model, category (marketing, utility, authentication, service…) and pricing type (regular, free_customer_service, ' +
      'free_entry_point), and how many were billable.',
    query,
    response: z.object({
      ...period,
      totals: z.object({
        outbound: z.number().int(),
        sent: z.number().int(),
        delivered: z.number().int(),
        read: z.number().int(),
        failed: z.number().int(),
      }),
      pricing: z.array(
        z.object({
          pricingModel: z.string().nullable(),
          category: z.string().nullable(),
          pricingType: z.string().nullable(),
          messages: z.number().int(),
          billable: z.number().int(),
        }),
      ),
    }),
    handler: async ({ ctx, query: q, res }) => {
      const result = await analyticsService.whatsappMessages(ctx, q);
      if (q.format === 'csv') return sendCsv(res, 'whatsapp-messages', result, result.pricing);
      return result;
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/analytics/whatsapp/conversations',
    tag,
    summary: 'WhatsApp conversation analytics',
    access: view,
    description:
      `${PERIOD_NOTE} WhatsApp conversations (conversation-based pricing: the conversation object of the status webhooks) that messages of the ` +
      'period opened or joined, by category (the conversation’s origin type) and pricing model, with how many were billable.',
    query,
    response: z.object({
      ...period,
      totals: z.object({ conversations: z.number().int(), billable: z.number().int() }),
      categories: z.array(
        z.object({
          category: z.string().nullable(),
          pricingModel: z.string().nullable(),
          conversations: z.number().int(),
          billable: z.number().int(),
          messages: z.number().int(),
        }),
      ),
    }),
    handler: async ({ ctx, query: q, res }) => {
      const result = await analyticsService.whatsappConversations(ctx, q);
      if (q.format === 'csv') return sendCsv(res, 'whatsapp-conversations', result, result.categories);
      return result;
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/analytics/whatsapp/templates',
    tag,
    summary: 'WhatsApp template analytics',
    access: view,
    description:
      `${PERIOD_NOTE} Template messages written in the period, by template name: sent, delivered, read, failed, and replied (the customer wrote in ` +
      'the conversation after the template); read rate is read ÷ delivered, reply rate replied ÷ sent, in percent.',
    query,
    response: z.object({
      ...period,
      templates: z.array(
        z.object({
          name: z.string(),
          languages: z.array(z.string()),
          messages: z.number().int(),
          sent: z.number().int(),
          delivered: z.number().int(),
          read: z.number().int(),
          failed: z.number().int(),
          replied: z.number().int(),
          readRate: z.number().nullable(),
          replyRate: z.number().nullable(),
        }),
      ),
    }),
    handler: async ({ ctx, query: q, res }) => {
      const result = await analyticsService.templates(ctx, q);
      if (q.format === 'csv') return sendCsv(res, 'whatsapp-templates', result, result.templates);
      return result;
    },
  }),
];
