import { z } from 'zod';
import { access, defineRoute } from '../../core/http/registry.js';
import { idParam, pageOf } from '../../core/http/schemas.js';
import { CHANNELS } from '../../channels/types.js';
import { CONVERSATION_STATUSES, conversationSchema, PRIORITIES } from './conversations.schemas.js';
import { conversationsService } from './conversations.service.js';

const tag = 'Conversations';
const view = access.tenant('conversations.view');
const manage = access.tenant('conversations.manage');
const params = idParam('conversationId');
const status = z.enum(CONVERSATION_STATUSES);
const tagName = z.string().trim().min(1).max(50);

export const conversationRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/conversations',
    tag,
    summary: 'List conversations',
    access: view,
    description: 'Newest activity first. `assignee` is "me", "unassigned" or an agent id; `status` may list several, comma-separated.',
    query: z.object({
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: z.string().max(200).optional(),
      status: z
        .string()
        .optional()
        .transform((s, c) => {
          if (!s) return undefined;
          const list = s
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean);
          const bad = list.find((x) => !(CONVERSATION_STATUSES as readonly string[]).includes(x));
          if (bad) {
            c.addIssue({ code: 'custom', message: `Unknown status "${bad}"; use ${CONVERSATION_STATUSES.join(', ')}` });
            return z.NEVER;
          }
          return list as (typeof CONVERSATION_STATUSES)[number][];
        }),
      assignee: z.string().max(64).optional(),
      channel: z.enum(CHANNELS).optional(),
      divisionId: z.string().max(64).optional(),
      tag: tagName.optional(),
      contactId: z.string().max(64).optional(),
      priority: z.enum(PRIORITIES).optional(),
      unread: z
        .enum(['true', 'false'])
        .transform((v) => v === 'true')
        .optional(),
    }),
    response: pageOf(conversationSchema),
    handler: ({ ctx, query }) => conversationsService.list(ctx, query),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/conversations/{conversationId}',
    tag,
    summary: 'Get a single conversation',
    access: view,
    params,
    response: conversationSchema,
    handler: ({ ctx, params }) => conversationsService.get(ctx, params.conversationId),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/conversations/{conversationId}/assign',
    tag,
    summary: 'Assign or unassign an agent',
    access: manage,
    params,
    body: z.object({ assigneeId: z.string().max(64).nullable() }),
    response: conversationSchema,
    handler: ({ ctx, params, body }) => conversationsService.assign(ctx, params.conversationId, body.assigneeId),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/conversations/{conversationId}/status',
    tag,
    summary: 'Update conversation status',
    access: manage,
    params,
    body: z.object({ status }),
    response: conversationSchema,
    handler: ({ ctx, params, body }) => conversationsService.setStatus(ctx, params.conversationId, body.status),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/conversations/{conversationId}/read',
    tag,
    summary: 'Mark conversation as read',
    access: view,
    params,
    response: conversationSchema,
    handler: ({ ctx, params }) => conversationsService.markRead(ctx, params.conversationId),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/conversations/expire',
    tag,
    summary: 'Expire stale conversations',
    access: manage,
    description:
      'Applies the chat expiration rules (resolving conversations idle longer than their channel allows), then marks open and pending conversations whose customer-service window has ended as expired.',
    response: z.object({
      expired: z.number().int(),
      conversationIds: z.array(z.string()),
      resolved: z.number().int().describe('Resolved by a chat expiration rule'),
      resolvedConversationIds: z.array(z.string()),
    }),
    handler: ({ ctx }) => conversationsService.expireStale(ctx),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/conversations/{conversationId}/tags',
    tag,
    summary: 'Update conversation tags',
    access: manage,
    params,
    description: '`tags` replaces the list; `add` and `remove` change it.',
    body: z
      .object({
        tags: z.array(tagName).max(50).optional(),
        add: z.array(tagName).max(50).optional(),
        remove: z.array(tagName).max(50).optional(),
      })
      .refine((b) => b.tags || b.add || b.remove, { message: 'Give tags, add or remove', path: ['tags'] }),
    response: conversationSchema,
    handler: ({ ctx, params, body }) => conversationsService.setTags(ctx, params.conversationId, body),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/conversations/{conversationId}/takeover',
    tag,
    summary: 'Takeover a conversation',
    access: access.tenant('messages.send'),
    params,
    description: 'Assigns the conversation to the caller, taking it from another agent or an AI agent; recorded in the activity log.',
    body: z.object({ reason: z.string().trim().max(500).optional() }),
    response: conversationSchema,
    handler: ({ ctx, params, body }) => conversationsService.takeover(ctx, params.conversationId, body.reason),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/conversations/bulk',
    tag,
    summary: 'Bulk conversation actions',
    access: manage,
    body: z.object({
      conversationIds: z.array(z.string().max(64)).min(1).max(500),
      action: z.enum(['assign', 'status', 'tag', 'untag', 'mark_read']),
      assigneeId: z.string().max(64).nullable().optional(),
      status: status.optional(),
      tags: z.array(tagName).max(50).optional(),
    }),
    response: z.object({ updated: z.number().int(), notFound: z.array(z.string()) }),
    handler: ({ ctx, body }) => conversationsService.bulk(ctx, body),
  }),
];
