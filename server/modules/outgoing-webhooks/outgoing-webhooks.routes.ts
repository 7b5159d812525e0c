import { z } from 'zod';
import { Reply, access, defineRoute } from '../../core/http/registry.js';
import { idParam, pageOf, pageQuery, timestamp } from '../../core/http/schemas.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, WEBHOOK_EVENT_TYPES, outgoingWebhooksService } from './outgoing-webhooks.service.js';

const tag = 'Outgoing Webhooks';
const params = idParam('webhookId');
const perm = access.tenant('automation.manage');

const webhookSchema = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  secretMasked: z.string().nullable().describe('The signing secret is shown in full only when created or rotated'),
  consecutiveFailures: z.number().int(),
  disabledAt: timestamp.nullable(),
  disabledReason: z.string().nullable().describe('Why it was turned off automatically'),
  lastDeliveryAt: timestamp.nullable(),
  lastStatusCode: z.number().int().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
const withSecret = webhookSchema.extend({ secret: z.string().optional().describe('The signing secret, shown this once') });

const deliverySchema = z.object({
  id: z.string(),
  webhookId: z.string(),
  eventId: z.string().nullable(),
  eventType: z.string(),
  status: z.enum(['pending', 'retrying', 'succeeded', 'failed']),
  attempts: z.number().int(),
  statusCode: z.number().int().nullable(),
  latencyMs: z.number().int().nullable(),
  responseExcerpt: z.string().nullable().describe("The first 500 characters of the endpoint's answer"),
  error: z.string().nullable(),
  nextAttemptAt: timestamp.nullable(),
  lastAttemptAt: timestamp.nullable(),
  deliveredAt: timestamp.nullable(),
  body: z.string().describe('The exact JSON body sent (and signed)'),
  createdAt: timestamp,
});

const url = z
  .string()
  .trim()
  .max(2000)
  .url()
  .refine((v) => /^https?:\/\//i.test(v), 'Must be an http(s) URL');
const events = z
  .array(z.string().trim().max(100))
  .min(1, 'Choose at least one event type')
  .max(50)
  .describe(`Event types: ${Object.keys(WEBHOOK_EVENT_TYPES).join(', ')}`);

const signing =
  `Each delivery is a POST with a JSON body \`{id, type, createdAt, data}\`, the headers \`${TIMESTAMP_HEADER}\` (unix seconds) and \`${SIGNATURE_HEADER}: sha256=<hex>\`, the HMAC-SHA256 of \`<timestamp>.<raw body>\` under the secret, plus \`X-OmniStream-Event\` and \`X-OmniStream-Delivery\`. ` +
  'Any 2xx answer counts as delivered; otherwise it is retried with exponential backoff for 24 hours. After repeated failures in a row the webhook is disabled and the owner is told (activity log and a notice in the app).';

export const outgoingWebhookRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/outgoing-webhooks',
    tag,
    summary: 'List outgoing webhooks',
    access: perm,
    query: pageQuery,
    response: pageOf(webhookSchema),
    handler: ({ ctx, query }) => outgoingWebhooksService.list(ctx, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/outgoing-webhooks',
    tag,
    summary: 'Create an outgoing webhook',
    access: perm,
    status: 201,
    description: `${signing} The URL must reach a public address (or one the operator allowed): 422 naming \`url\` otherwise. The secret (generated unless given) is returned this once and stored encrypted.`,
    body: z
      .object({
        name: z.string().trim().min(1).max(200).optional(),
        url,
        events,
        secret: z.string().min(16, 'At least 16 characters').max(200).optional(),
        enabled: z.boolean().optional(),
      })
      .strict(),
    response: withSecret,
    handler: ({ ctx, body }) => outgoingWebhooksService.create(ctx, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/outgoing-webhooks/events',
    tag,
    summary: 'List available webhook event types',
    access: perm,
    response: z.object({ data: z.array(z.object({ type: z.string(), description: z.string() })) }),
    handler: async () => outgoingWebhooksService.events(),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/outgoing-webhooks/{webhookId}',
    tag,
    summary: 'Delete an outgoing webhook',
    access: perm,
    params,
    status: 204,
    handler: async ({ ctx, params: p }) => {
      await outgoingWebhooksService.remove(ctx, p.webhookId);
      return new Reply(204);
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/outgoing-webhooks/{webhookId}',
    tag,
    summary: 'Update an outgoing webhook',
    access: perm,
    params,
    description:
      '`enabled: true` turns a disabled webhook back on (and resets its failure count); `rotateSecret: true` makes a new secret, returned this once.',
    body: z
      .object({
        name: z.string().trim().min(1).max(200).optional(),
        url: url.optional(),
        events: events.optional(),
        enabled: z.boolean().optional(),
        rotateSecret: z.boolean().optional(),
      })
      .strict(),
    response: withSecret,
    handler: ({ ctx, params: p, body }) => outgoingWebhooksService.update(ctx, p.webhookId, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/outgoing-webhooks/{webhookId}/deliveries',
    tag,
    summary: 'List deliveries for a webhook',
    access: perm,
    params,
    description: 'Newest first, with the status code, latency and an excerpt of the answer of the last attempt.',
    query: pageQuery.extend({ status: z.enum(['pending', 'retrying', 'succeeded', 'failed']).optional() }),
    response: pageOf(deliverySchema),
    handler: ({ ctx, params: p, query }) => outgoingWebhooksService.deliveries(ctx, p.webhookId, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/outgoing-webhooks/{webhookId}/test',
    tag,
    summary: 'Send a test event to the webhook',
    access: perm,
    params,
    status: 202,
    description: 'Queues a `webhook.test` event, signed like any other; its outcome appears in the deliveries.',
    response: deliverySchema,
    handler: ({ ctx, params: p }) => outgoingWebhooksService.test(ctx, p.webhookId),
  }),
];
