import { z } from 'zod';
import { access, defineRoute } from '../../core/http/registry.js';
import { idParam, timestamp } from '../../core/http/schemas.js';
import { scheduledMessagesService } from './scheduled-messages.service.js';

const tag = 'Scheduled Messages';
const statuses = ['scheduled', 'sending', 'sent', 'failed', 'cancelled'] as const;

const scheduledSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  type: z.enum(['text', 'image', 'video', 'audio', 'document', 'template']),
  text: z.string().nullable(),
  mediaId: z.string().nullable(),
  caption: z.string().nullable(),
  template: z.record(z.string(), z.unknown()).nullable(),
  sendAt: timestamp,
  sendAtLocal: z.string().describe('sendAt on the wall clock of `timezone`'),
  timezone: z.string(),
  status: z
    .enum(statuses)
    .describe('scheduled → sending → sent (the outbound message exists: follow messageId for delivery) or failed; cancelled'),
  late: z.boolean().describe('Sent more than a minute after its time (the computer was off or the server stopped)'),
  lateBySeconds: z.number().int().nullable(),
  messageId: z.string().nullable(),
  failureReason: z.string().nullable(),
  sentAt: timestamp.nullable(),
  cancelledAt: timestamp.nullable(),
  createdById: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const when = {
  sendAt: z.iso.datetime({ offset: true }).optional().describe('The instant to send, ISO 8601 with Z or an offset'),
  sendAtLocal: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, 'Use YYYY-MM-DDTHH:mm')
    .optional()
    .describe("Instead of sendAt: a wall-clock time in the organization's timezone (or `timezone`), e.g. 2026-12-01T09:00"),
  timezone: z.string().min(1).max(64).optional().describe("IANA timezone for sendAtLocal; default the organization's"),
};
const text = z.string().trim().min(1, 'Required').max(4096);
const body = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('text'), text, ...when }),
    z.object({
      type: z.enum(['image', 'video', 'audio', 'document']),
      mediaId: z.string().max(64),
      caption: z.string().max(1024).optional(),
      ...when,
    }),
    z.object({
      type: z.literal('template'),
      template: z.object({
        name: z.string().min(1).max(512),
        language: z.string().min(2).max(15),
        components: z.array(z.record(z.string(), z.unknown())).optional(),
      }),
      ...when,
    }),
  ])
  .superRefine((value, ctx) => {
    const given = [value.sendAt, value.sendAtLocal].filter((v) => v !== undefined).length;
    if (given !== 1) {
      const message = given === 0 ? 'Give sendAt or sendAtLocal' : 'Give only one of sendAt and sendAtLocal';
      ctx.addIssue({ code: 'custom', path: ['sendAt'], message });
      ctx.addIssue({ code: 'custom', path: ['sendAtLocal'], message });
    }
  });

export const scheduledMessageRoutes = [
  defineRoute({
    method: 'post',
    path: '/api/v1/conversations/{conversationId}/scheduled-messages',
    tag,
    summary: 'Schedule a message for future delivery',
    access: access.tenant('messages.send'),
    params: idParam('conversationId'),
    body,
    status: 201,
    description:
      "At its time the message is created through the normal send path (as the agent who scheduled it), so the channel's rules apply then: " +
      'outside the 24-hour window only a template can go, and anything else is marked `failed` with the reason. ' +
      'If the server was stopped at that time, the message goes when it starts again, once, and is marked `late`.',
    response: scheduledSchema,
    handler: ({ ctx, params, body: input }) => scheduledMessagesService.create(ctx, params.conversationId, input),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/conversations/{conversationId}/scheduled-messages',
    tag,
    summary: 'List scheduled messages for a conversation',
    access: access.tenant('conversations.view'),
    params: idParam('conversationId'),
    description: 'Ordered by send time, earliest first.',
    query: z.object({
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: z.string().max(64).optional(),
      status: z
        .string()
        .optional()
        .transform((v, c) => {
          const list = v
            ? v
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean)
            : [];
          const bad = list.find((s) => !(statuses as readonly string[]).includes(s));
          if (bad) {
            c.addIssue({ code: 'custom', message: `Unknown status "${bad}"; use ${statuses.join(', ')}` });
            return z.NEVER;
          }
          return list.length ? (list as (typeof statuses)[number][]) : undefined;
        })
        .describe(`Comma-separated: ${statuses.join(', ')}`),
    }),
    response: z.object({ data: z.array(scheduledSchema), nextCursor: z.string().nullable() }),
    handler: ({ ctx, params, query }) => scheduledMessagesService.list(ctx, params.conversationId, query),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/scheduled-messages/{scheduledMessageId}',
    tag,
    summary: 'Cancel a scheduled message',
    access: access.tenant('messages.send'),
    params: idParam('scheduledMessageId'),
    description: 'Answers the cancelled message. Once it has been sent (or has failed, or was cancelled) it answers 409.',
    response: scheduledSchema,
    handler: ({ ctx, params }) => scheduledMessagesService.cancel(ctx, params.scheduledMessageId),
  }),
];
