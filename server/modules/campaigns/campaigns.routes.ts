import { z } from 'zod';
import { Reply, access, defineRoute } from '../../core/http/registry.js';
import { idParam, pageOf, pageQuery, timestamp } from '../../core/http/schemas.js';
import { CAMPAIGN_STATUSES, RECIPIENT_STATUSES, SEGMENTS } from './campaigns.schemas.js';
import { campaignsService } from './campaigns.service.js';

const tag = 'Campaigns';
const params = idParam('campaignId');
const perm = access.tenant('campaigns.manage');

const counts = z.object(
  Object.fromEntries([...RECIPIENT_STATUSES, 'total'].map((s) => [s, z.number().int()])) as Record<string, z.ZodNumber>,
);

const campaignSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(CAMPAIGN_STATUSES),
  accountId: z.string().nullable(),
  templateId: z.string().nullable(),
  template: z.object({ id: z.string(), name: z.string(), language: z.string(), status: z.string() }).nullable(),
  variables: z.record(z.string(), z.string()),
  ratePerSecond: z.number().int(),
  defaultCountry: z.string(),
  scheduledAt: timestamp.nullable(),
  scheduledLocal: z.string().nullable().describe("The scheduled time on the organization's clock"),
  timezone: z.string().nullable(),
  stats: counts.describe('Recipients by current status'),
  reached: z
    .object({ sent: z.number().int(), delivered: z.number().int(), read: z.number().int(), replied: z.number().int() })
    .describe('Recipients that got at least this far'),
  skipped: z.object({ duplicates: z.number().int(), optedOut: z.number().int(), invalid: z.number().int() }),
  failureReason: z.string().nullable(),
  startedAt: timestamp.nullable(),
  completedAt: timestamp.nullable(),
  cancelledAt: timestamp.nullable(),
  createdById: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const recipientSchema = z.object({
  id: z.string(),
  contactId: z.string().nullable(),
  phone: z.string().describe('E.164'),
  name: z.string().nullable(),
  status: z.enum(RECIPIENT_STATUSES),
  attempts: z.number().int(),
  externalId: z.string().nullable().describe("Meta's message id"),
  error: z
    .object({ code: z.number().int().nullable(), reason: z.string().nullable() })
    .nullable()
    .describe("Meta's error code and the reason"),
  sentAt: timestamp.nullable(),
  deliveredAt: timestamp.nullable(),
  readAt: timestamp.nullable(),
  repliedAt: timestamp.nullable(),
  conversationId: z.string().nullable().describe('The conversation their reply opened'),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const variables = z
  .record(z.string().max(60), z.string().max(1000))
  .describe(
    "One value per template placeholder, keyed as the template's `variables` (body.1, header.1, button.0, body.<name>). A value may use the recipient's fields: `{{name}}`, `{{first_name}}`, `{{phone}}`, a contact attribute or a CSV column (`{{city}}`), with a fallback: `{{name | Kak}}`.",
  );
const fields = {
  templateId: z.string().max(64).nullable().optional().describe('An approved WhatsApp template'),
  accountId: z.string().max(64).nullable().optional().describe("The WhatsApp number it is sent from (default: the template's)"),
  variables: variables.optional(),
  ratePerSecond: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .describe("Messages per second from this number (Meta's throughput tier); default 20"),
  defaultCountry: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'A two-letter country code such as ID')
    .optional()
    .describe("Region of numbers written without a country code (default: the organization's, Indonesia first)"),
};

export const campaignRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/campaigns',
    tag,
    summary: 'List campaigns',
    access: perm,
    query: pageQuery.extend({ status: z.enum(CAMPAIGN_STATUSES).optional() }),
    response: pageOf(campaignSchema),
    handler: ({ ctx, query }) => campaignsService.list(ctx, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/campaigns',
    tag,
    summary: 'Create a new campaign (draft)',
    access: perm,
    status: 201,
    description:
      'A draft: add recipients, then send or schedule it. `variables` given must match the template exactly (400 naming `variables.<key>`).',
    body: z.object({ name: z.string().trim().min(1, 'Required').max(200), ...fields }).strict(),
    response: campaignSchema,
    handler: ({ ctx, body }) => campaignsService.create(ctx, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/campaigns/{campaignId}',
    tag,
    summary: 'Get a campaign',
    access: perm,
    params,
    description: 'With its statistics: recipients by status, how many got how far, and how many were skipped.',
    response: campaignSchema,
    handler: ({ ctx, params: p }) => campaignsService.get(ctx, p.campaignId),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/campaigns/{campaignId}',
    tag,
    summary: 'Delete a draft campaign',
    access: perm,
    params,
    status: 204,
    description: '409 for a campaign that is not a draft (cancel it instead).',
    handler: async ({ ctx, params: p }) => {
      await campaignsService.remove(ctx, p.campaignId);
      return new Reply(204);
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/campaigns/{campaignId}',
    tag,
    summary: 'Update a draft campaign',
    access: perm,
    params,
    body: z.object({ name: z.string().trim().min(1).max(200).optional(), ...fields }).strict(),
    response: campaignSchema,
    handler: ({ ctx, params: p, body }) => campaignsService.update(ctx, p.campaignId, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/campaigns/{campaignId}/recipients',
    tag,
    summary: 'List campaign recipients',
    access: perm,
    params,
    query: pageQuery.extend({ status: z.enum(RECIPIENT_STATUSES).optional() }),
    response: pageOf(recipientSchema),
    handler: ({ ctx, params: p, query }) => campaignsService.recipients(ctx, p.campaignId, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/campaigns/{campaignId}/recipients',
    tag,
    summary: 'Add recipients to a campaign',
    access: perm,
    params,
    description:
      'From any of: `contactIds`; a `filter` over contacts (`tags`: any of their conversations carries one; `attributes`: all match; `segment`: all, active_30d, inactive_90d, new_30d; `search`); or `csv`, the text of a CSV file whose first line names the columns (a phone column: phone, whatsapp, nomor or no_hp; optional name/nama; other columns become fields the variables can use). ' +
      "Numbers become E.164 (national numbers take `defaultCountry`, by default the organization's: 0812… → +62812…). Duplicates, contacts who opted out and invalid numbers are skipped and counted; CSV rows that cannot be used are listed in `errors` by line (the header is line 1).",
    body: z
      .object({
        contactIds: z.array(z.string().max(64)).max(50_000).optional(),
        filter: z
          .object({
            tags: z.array(z.string().trim().min(1).max(50)).max(20).optional(),
            attributes: z.record(z.string().max(100), z.string().max(1000)).optional(),
            segment: z.enum(SEGMENTS).optional(),
            search: z.string().trim().min(1).max(200).optional(),
          })
          .strict()
          .optional(),
        csv: z.string().max(2_000_000).optional(),
        defaultCountry: fields.defaultCountry,
      })
      .strict(),
    response: z.object({
      added: z.number().int(),
      skipped: z.object({ duplicates: z.number().int(), optedOut: z.number().int(), invalid: z.number().int() }),
      errors: z.array(z.object({ line: z.number().int(), value: z.string().nullable(), message: z.string() })),
      total: z.number().int().describe('Recipients of the campaign now'),
    }),
    handler: ({ ctx, params: p, body }) => campaignsService.addRecipients(ctx, p.campaignId, body),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/campaigns/{campaignId}/recipients',
    tag,
    summary: 'Clear all recipients from a campaign',
    access: perm,
    params,
    status: 204,
    handler: async ({ ctx, params: p }) => {
      await campaignsService.clearRecipients(ctx, p.campaignId);
      return new Reply(204);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/campaigns/{campaignId}/send',
    tag,
    summary: 'Send or schedule a campaign',
    access: perm,
    params,
    description:
      'Without a time it starts now; with `scheduledAt` (an instant with its offset) or `scheduledLocal` ("2026-12-24T09:00" on the organization\'s clock) it waits until then. Messages leave through durable jobs at the campaign\'s rate per number, and wait while the internet is down. ' +
      '422 when the template is not approved, the variables do not match it, or there are no recipients; 409 for a cancelled or already sent campaign.',
    body: z
      .object({
        scheduledAt: z.iso.datetime({ offset: true }).optional(),
        scheduledLocal: z.string().trim().max(30).optional(),
      })
      .strict()
      .optional(),
    response: campaignSchema,
    handler: ({ ctx, params: p, body }) => campaignsService.send(ctx, p.campaignId, body ?? {}),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/campaigns/{campaignId}/cancel',
    tag,
    summary: 'Cancel a campaign',
    access: perm,
    params,
    description: 'Stops what has not left: queued recipients become cancelled; messages already sent stay sent.',
    response: campaignSchema,
    handler: ({ ctx, params: p }) => campaignsService.cancel(ctx, p.campaignId),
  }),
];
