import { z } from 'zod';
import { access, defineRoute } from '../../core/http/registry.js';
import { timestamp } from '../../core/http/schemas.js';
import { CHANNELS } from '../../channels/types.js';
import { chatExpirationService } from './chat-expiration.service.js';

const tag = 'Chat Expiration';
const ruleSchema = z.object({
  channel: z.enum(CHANNELS),
  enabled: z.boolean(),
  hours: z.number().int().describe('Hours without activity after which a conversation is resolved'),
  closingMessage: z
    .string()
    .nullable()
    .describe('Sent to the customer when the conversation is resolved (if the channel still accepts a message)'),
  configured: z.boolean(),
  updatedAt: timestamp.nullable(),
});

export const chatExpirationRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/chat-expiration/rules',
    tag,
    summary: 'List chat expiration rules',
    access: access.tenant('settings.manage'),
    description: 'One rule per channel; channels never configured show the default (disabled, 24 hours).',
    response: z.object({ data: z.array(ruleSchema) }),
    handler: ({ ctx }) => chatExpirationService.list(ctx),
  }),
  defineRoute({
    method: 'put',
    path: '/api/v1/chat-expiration/rules/{channel}',
    tag,
    summary: 'Upsert a chat expiration rule for a channel',
    access: access.tenant('settings.manage'),
    description:
      'Checked every five minutes and by POST /api/v1/conversations/expire. `closingMessage` left out keeps the current one; null removes it.',
    params: z.object({ channel: z.enum(CHANNELS) }),
    body: z
      .object({
        enabled: z.boolean(),
        hours: z
          .number()
          .int()
          .min(1)
          .max(24 * 90),
        closingMessage: z.string().trim().min(1, 'Required (or null for none)').max(4096).nullable().optional(),
      })
      .strict(),
    response: ruleSchema,
    handler: ({ ctx, params, body }) => chatExpirationService.upsert(ctx, params.channel, body),
  }),
];
