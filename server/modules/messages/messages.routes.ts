import { z } from 'zod';
import { access, defineRoute } from '../../core/http/registry.js';
import { idParam, pageOf, pageQuery, timestamp } from '../../core/http/schemas.js';
import { messagesService } from './messages.service.js';
import { searchMessages } from './search.service.js';

const tag = 'Messages';
const params = idParam('conversationId');

const messageSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  type: z.string(),
  text: z.string().nullable(),
  content: z.record(z.string(), z.unknown()),
  status: z.enum(['queued', 'sent', 'delivered', 'read', 'failed']),
  externalId: z.string().nullable(),
  clientMessageId: z.string().nullable(),
  replyToId: z.string().nullable(),
  senderType: z.enum(['contact', 'agent', 'ai', 'system']),
  senderId: z.string().nullable(),
  mediaId: z.string().nullable(),
  mediaUrl: z.string().nullable(),
  error: z.object({ code: z.number().nullable(), reason: z.string().nullable() }).nullable(),
  sentAt: timestamp.nullable(),
  deliveredAt: timestamp.nullable(),
  readAt: timestamp.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const text = z.string().trim().min(1, 'Required').max(4096);
const replyToId = z.string().max(64).optional();
const clientMessageId = z
  .string()
  .min(8)
  .max(100)
  .optional()
  .describe('Idempotency key chosen by the client: resending the same one returns the first message');
const sendBody = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text, replyToId, clientMessageId }),
  z.object({
    type: z.enum(['image', 'video', 'audio', 'document']),
    mediaId: z.string().max(64),
    caption: z.string().max(1024).optional(),
    replyToId,
    clientMessageId,
  }),
  z.object({
    type: z.literal('template'),
    template: z.object({
      name: z.string().min(1).max(512),
      language: z.string().min(2).max(15),
      components: z.array(z.record(z.string(), z.unknown())).optional(),
    }),
    replyToId,
    clientMessageId,
  }),
  z.object({
    type: z.literal('interactive'),
    text,
    buttons: z
      .array(z.object({ id: z.string().min(1).max(256), title: z.string().min(1).max(20) }))
      .min(1)
      .max(3),
    replyToId,
    clientMessageId,
  }),
]);

export const messageRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/conversations/{conversationId}/messages',
    tag,
    summary: 'List messages in a conversation',
    access: access.tenant('conversations.view'),
    params,
    query: pageQuery,
    description: 'Newest first.',
    response: pageOf(messageSchema),
    handler: ({ ctx, params, query }) => messagesService.list(ctx, params.conversationId, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/conversations/{conversationId}/messages',
    tag,
    summary: 'Send an outbound message',
    access: access.tenant('messages.send'),
    params,
    status: 202,
    body: sendBody,
    description:
      "Stored as `queued` and answered at once; a durable job delivers it (retrying while the network or Meta is down), then status webhooks move it to sent, delivered, read or failed. Each channel's window applies (422 with the reason outside it): WhatsApp 24 hours after the customer's last message, then only `template`; Messenger 24 hours, then up to 7 days sent with the HUMAN_AGENT tag; Instagram 24 hours (text and buttons only); email has no window and takes `text` or a file, sent over SMTP as `Re: <subject>` with In-Reply-To and References. Templates are WhatsApp only.",
    response: messageSchema,
    handler: ({ ctx, params, body }) => messagesService.send(ctx, params.conversationId, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/messages/search',
    tag,
    summary: 'Search messages across conversations',
    access: access.tenant('conversations.view'),
    description:
      "Every word of `q` must appear (in the text or the contact's name; accents ignored); the last word also matches as a prefix, so results follow typing. Newest first. Only conversations the caller may see. `conversationId` searches one conversation.",
    query: z.object({
      q: z.string().trim().min(1, 'Required').max(200),
      limit: z.coerce.number().int().min(1).max(100).default(20),
      cursor: z.string().max(40).optional(),
      conversationId: z.string().max(64).optional(),
    }),
    response: pageOf(
      z.object({
        messageId: z.string(),
        conversationId: z.string(),
        snippet: z.string().describe('HTML-escaped, matches wrapped in <mark>'),
        contactName: z.string().nullable(),
        direction: z.string(),
        type: z.string(),
        createdAt: timestamp,
      }),
    ),
    handler: ({ ctx, query }) => searchMessages(ctx, query),
  }),
];
