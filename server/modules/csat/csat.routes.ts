import { z } from 'zod';
import { access, defineRoute } from '../../core/http/registry.js';
import { idParam, timestamp } from '../../core/http/schemas.js';
import { csatService, submitRating } from './csat.service.js';
import { analyticsService, sendCsatCsv } from '../analytics/analytics.service.js';
import { CSAT_ANALYTICS_DESCRIPTION, csatAnalyticsSchema, csatQuery } from '../analytics/analytics.schemas.js';

const tag = 'CSAT';
const language = z.enum(['id', 'en']);

const surveySchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  status: z
    .enum(['pending', 'answered', 'expired', 'failed'])
    .describe('failed: the survey message could not be sent (failureReason says why)'),
  score: z.number().int().min(1).max(5).nullable(),
  comment: z.string().nullable(),
  channel: z.string(),
  agentId: z.string().nullable().describe('The assignee when the survey was made'),
  divisionId: z.string().nullable(),
  delivery: z.enum(['interactive', 'link', 'none']),
  trigger: z.enum(['resolved', 'manual']),
  language,
  url: z.string().nullable().describe('The public rating page (null while no public address is known)'),
  path: z.string(),
  messageId: z.string().nullable().describe('The survey message in the conversation'),
  answeredVia: z.enum(['whatsapp', 'web']).nullable(),
  failureReason: z.string().nullable(),
  expiresAt: timestamp,
  sentAt: timestamp.nullable(),
  answeredAt: timestamp.nullable(),
  createdById: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const settingsSchema = z.object({
  enabled: z.boolean().describe('Send a survey automatically when a conversation is resolved'),
  expiryHours: z.number().int().min(1).max(720).describe('A survey accepts a rating for this many hours'),
  language: language.describe('Language of the survey message'),
  message: z.string().max(900).nullable().describe('Replaces the default question; `{{url}}` places the link in link surveys'),
});

export const csatRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/conversations/{conversationId}/csat',
    tag,
    summary: 'Get CSAT survey for a conversation',
    access: access.tenant('conversations.view'),
    params: idParam('conversationId'),
    description: 'The latest survey of the conversation; 404 when it has none.',
    response: surveySchema,
    handler: ({ ctx, params }) => csatService.get(ctx, params.conversationId),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/conversations/{conversationId}/csat',
    tag,
    summary: 'Create a CSAT survey for a conversation',
    access: access.tenant('messages.send'),
    params: idParam('conversationId'),
    status: 201,
    description:
      'Makes a survey and sends it (a durable job): `auto` is a WhatsApp list with rows 1–5 on WhatsApp and a link to the rating page elsewhere; ' +
      '`none` sends nothing and answers the link to share another way. 409 while another survey of the conversation waits for an answer; ' +
      '422 naming `delivery` when the channel does not take a message now (e.g. the 24-hour window has closed).',
    body: z.object({
      delivery: z.enum(['auto', 'interactive', 'link', 'none']).default('auto'),
      expiresInHours: z.number().int().min(1).max(720).optional().describe('Default: the CSAT settings (72)'),
      language: language.optional().describe('Default: the CSAT settings'),
    }),
    response: surveySchema,
    handler: ({ ctx, params, body, req }) => csatService.create(ctx, params.conversationId, body, `${req.protocol}://${req.get('host')}`),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/csat/{surveyToken}',
    tag,
    summary: 'Submit a CSAT rating',
    access: access.public,
    description:
      'Called by the public rating page (`/csat/{surveyToken}`); the token is the credential. A survey takes one rating: ' +
      'a second answers 409, an expired survey 410, an unknown token 404.',
    params: z.object({ surveyToken: z.string().min(1).max(100).describe('The token in the rating link') }),
    body: z.object({
      score: z.number().int().min(1, 'From 1 to 5').max(5, 'From 1 to 5'),
      comment: z.string().trim().max(1000).nullable().optional(),
    }),
    response: z.object({ status: z.literal('answered'), score: z.number().int(), comment: z.string().nullable(), answeredAt: timestamp }),
    handler: ({ ctx, params, body }) => submitRating(ctx, params.surveyToken, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/csat/analytics',
    tag,
    summary: 'CSAT analytics',
    access: access.tenant('analytics.view'),
    description: `The same as GET /api/v1/analytics/csat (kept for existing clients). ${CSAT_ANALYTICS_DESCRIPTION}`,
    query: csatQuery,
    response: csatAnalyticsSchema,
    handler: async ({ ctx, query, res }) => {
      const result = await analyticsService.csat(ctx, query);
      if (query.format === 'csv') return sendCsatCsv(res, result);
      return result;
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/csat/settings',
    tag,
    summary: 'Get CSAT settings',
    access: access.tenant('settings.manage'),
    description: 'Surveys on resolve are off until enabled here.',
    response: settingsSchema,
    handler: ({ ctx }) => csatService.settings(ctx),
  }),
  defineRoute({
    method: 'put',
    path: '/api/v1/csat/settings',
    tag,
    summary: 'Update CSAT settings',
    access: access.tenant('settings.manage'),
    description: 'Fields left out keep their value.',
    body: settingsSchema.partial(),
    response: settingsSchema,
    handler: ({ ctx, body }) => csatService.updateSettings(ctx, body),
  }),
];
