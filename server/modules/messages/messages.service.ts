// Messages: inbound ingestion from channel webhooks, delivery statuses, outbound replies
// (stored as queued and handed to a durable job), history and search.
import { In, type EntityManager } from 'typeorm';
import type { Services, TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { newId } from '../../core/ids.js';
import { badRequest, unprocessable } from '../../core/http/errors.js';
import { emitEvent } from '../../core/events/outbox.js';
import { enqueueJob } from '../../core/jobs/queue.js';
import type { DeliveryStatus, InboundMessage, InboundStatus, MessageContent, MessageType } from '../../channels/types.js';
import type { IntegrationAccount } from '../integrations/integration.entity.js';
import { ConversationEntity, type Conversation } from '../conversations/conversation.entity.js';
import { conversationView } from '../conversations/conversation.views.js';
import { findOrCreateContact } from '../contacts/contacts.service.js';
import { MediaEntity } from '../media/media.entity.js';
import { MessageEntity, type Message } from './message.entity.js';

/** The customer-service window: free-form replies are allowed this long after the customer's last message. */
export const SERVICE_WINDOW_MS = 24 * 3600 * 1000;
/** Outbound sends keep retrying for hours (backoff caps at 10 minutes) so an offline day still drains. */
export const SEND_MAX_ATTEMPTS = 200;

const STATUS_RANK: Record<DeliveryStatus, number> = { queued: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

export function messageView(m: Message) {
  return {
    id: m.id, conversationId: m.conversationId, direction: m.direction, type: m.type, text: m.text, content: m.content,
    status: m.status, externalId: m.externalId, clientMessageId: m.clientMessageId, replyToId: m.replyToId, senderType: m.senderType, senderId: m.senderId,
    mediaId: m.mediaId, mediaUrl: m.mediaId ? `/api/v1/media/${m.mediaId}` : null,
    error: m.errorCode !== null || m.errorReason ? { code: m.errorCode, reason: m.errorReason } : null,
    sentAt: m.sentAt, deliveredAt: m.deliveredAt, readAt: m.readAt, createdAt: m.createdAt, updatedAt: m.updatedAt,
  };
}
export type MessageView = ReturnType<typeof messageView>;

const preview = (type: MessageType, text: string | null) => (text ? text.slice(0, 280) : `[${type}]`);

/** Stores one inbound message (once: a redelivered externalId is ignored) and updates its conversation. */
export async function ingestInbound(services: Services, account: IntegrationAccount, inbound: InboundMessage): Promise<{ created: boolean }> {
  return services.transaction(async (m) => {
    const tenantId = account.tenantId;
    const messages = m.getRepository(MessageEntity);
    if (await messages.exist({ where: { tenantId, externalId: inbound.externalId } })) return { created: false };
    const now = services.now();
    const { contact } = await findOrCreateContact(m, tenantId, {
      channel: account.channel, externalId: inbound.from, name: inbound.profileName,
      phone: account.channel === 'whatsapp' ? `+${inbound.from.replace(/^\+/, '')}` : null,
    }, now);
    const conversations = m.getRepository(ConversationEntity);
    let conversation = await conversations.findOne({
      where: { tenantId, accountId: account.id, contactId: contact.id, status: In(['open', 'pending']) },
      order: { createdAt: 'DESC' },
    });
    const isNew = !conversation;
    if (!conversation) {
      conversation = {
        id: newId(), tenantId, channel: account.channel, accountId: account.id, contactId: contact.id, status: 'open', assigneeId: null,
        aiAgentId: null, divisionId: null, tags: [], priority: 'normal', unreadCount: 0, lastMessageAt: null, lastMessagePreview: null,
        lastInboundAt: null, windowExpiresAt: null, resolvedAt: null, createdAt: now, updatedAt: now,
      };
      await conversations.insert(conversation as never);
    }
    const replyTo = inbound.replyToExternalId ?? inbound.content.reaction?.messageExternalId;
    const replyToRow = replyTo ? await messages.findOne({ where: { tenantId, externalId: replyTo }, select: { id: true } }) : null;
    const message: Message = {
      id: newId(), tenantId, conversationId: conversation.id, direction: 'inbound', type: inbound.type, text: inbound.text, content: inbound.content,
      status: 'delivered', externalId: inbound.externalId, clientMessageId: null, replyToId: replyToRow?.id ?? null, senderType: 'contact', senderId: contact.id,
      mediaId: null, errorCode: null, errorReason: null, sentAt: inbound.timestamp, deliveredAt: now, readAt: null, createdAt: now, updatedAt: now,
    };
    await messages.insert(message as never);
    // The window runs from the customer's latest message; reactions count as activity too.
    const lastInbound = conversation.lastInboundAt && conversation.lastInboundAt > inbound.timestamp ? conversation.lastInboundAt : inbound.timestamp;
    const patch: Partial<Conversation> = {
      lastMessageAt: now, lastMessagePreview: preview(inbound.type, inbound.text), lastInboundAt: lastInbound,
      windowExpiresAt: new Date(lastInbound.getTime() + SERVICE_WINDOW_MS), unreadCount: conversation.unreadCount + 1, updatedAt: now,
    };
    await conversations.update({ id: conversation.id }, patch);
    const updated = { ...conversation, ...patch };
    const view = await conversationView(services, updated);
    if (isNew) await emitEvent(m, { tenantId, type: 'conversation.created', payload: { conversation: view } }, now);
    else await emitEvent(m, { tenantId, type: 'conversation.updated', payload: { conversation: view } }, now);
    await emitEvent(m, { tenantId, type: 'message.created', payload: { message: messageView(message), conversation: view } }, now);
    if (inbound.content.media?.externalId) {
      await enqueueJob(m, 'media.download', { messageId: message.id, accountId: account.id, mediaExternalId: inbound.content.media.externalId }, now, { tenantId, maxAttempts: 20 });
    }
    return { created: true };
  });
}

/** Applies a delivery status from the channel; never moves a message backwards (read beats delivered beats sent). */
export async function applyStatus(services: Services, account: IntegrationAccount, status: InboundStatus): Promise<boolean> {
  return services.transaction(async (m) => {
    const messages = m.getRepository(MessageEntity);
    const message = await messages.findOne({ where: { tenantId: account.tenantId, externalId: status.externalId } });
    if (!message || message.direction !== 'outbound') return false;
    const now = services.now();
    const patch: Partial<Message> = { updatedAt: now };
    if (status.status === 'failed') {
      if (message.status === 'read' || message.status === 'failed') return false;
      Object.assign(patch, { status: 'failed', errorCode: status.error?.code ?? null, errorReason: status.error?.reason ?? 'The channel reported a failure' });
    } else {
      if (message.status === 'failed' || STATUS_RANK[status.status] <= STATUS_RANK[message.status]) {
        // Still record the time of a step that arrived late.
        const field = ({ sent: 'sentAt', delivered: 'deliveredAt', read: 'readAt' } as const)[status.status];
        if (message[field]) return false;
        patch[field] = status.timestamp;
      } else {
        patch.status = status.status;
        if (!message.sentAt) patch.sentAt = status.timestamp;
        if (status.status !== 'sent' && !message.deliveredAt) patch.deliveredAt = status.timestamp;
        if (status.status === 'read') patch.readAt = status.timestamp;
      }
    }
    await messages.update({ id: message.id }, patch as never);
    await emitEvent(m, { tenantId: account.tenantId, type: 'message.updated', payload: { message: messageView({ ...message, ...patch }) } }, now);
    return true;
  });
}

export interface OutboundInput {
  type: 'text' | 'image' | 'video' | 'audio' | 'document' | 'template' | 'interactive';
  text?: string;
  mediaId?: string;
  caption?: string;
  template?: { name: string; language: string; components?: unknown[] };
  buttons?: { id: string; title: string }[];
  replyToId?: string;
  clientMessageId?: string;
}

export const messagesService = {
  async list(ctx: TenantCtx, conversationId: string, q: { limit: number; cursor?: string }) {
    await scoped(ctx, ConversationEntity).get(conversationId, 'Conversation');
    const page = await scoped(ctx, MessageEntity).page({ where: { conversationId }, limit: q.limit, cursor: q.cursor });
    return { data: page.data.map(messageView), nextCursor: page.nextCursor };
  },

  /** Stores the reply as queued and enqueues its delivery; answers before anything leaves the machine. */
  async send(ctx: TenantCtx, conversationId: string, input: OutboundInput) {
    const conversation = await scoped(ctx, ConversationEntity).get(conversationId, 'Conversation');
    if (input.clientMessageId) {
      const existing = await scoped(ctx, MessageEntity).findOne({ clientMessageId: input.clientMessageId });
      if (existing) return messageView(existing);
    }
    const now = ctx.now();
    if (input.type !== 'template' && (!conversation.windowExpiresAt || conversation.windowExpiresAt <= now)) {
      throw unprocessable(
        'The 24-hour customer service window has closed: the customer has not written in the last 24 hours. Send an approved template message instead.',
        [{ path: 'type', message: 'Use "template" outside the 24-hour window' }],
      );
    }
    const content: MessageContent = {};
    let mediaId: string | null = null;
    if (['image', 'video', 'audio', 'document'].includes(input.type)) {
      if (!input.mediaId) throw badRequest('A media message needs an uploaded file', [{ path: 'mediaId', message: 'Required for this type' }]);
      const media = await scoped(ctx, MediaEntity).findOne({ id: input.mediaId });
      if (!media) throw unprocessable('The media file does not exist', [{ path: 'mediaId', message: 'No such media' }]);
      mediaId = media.id;
      content.media = { mediaId: media.id, mimeType: media.mimeType, filename: media.filename ?? undefined, caption: input.caption };
    }
    if (input.type === 'template') content.template = input.template;
    if (input.type === 'interactive') content.buttons = input.buttons;
    const replyTo = input.replyToId ? await scoped(ctx, MessageEntity).findOne({ id: input.replyToId, conversationId }) : null;
    if (input.replyToId && !replyTo) throw unprocessable('The quoted message is not in this conversation', [{ path: 'replyToId', message: 'Not found in this conversation' }]);
    const text = input.type === 'text' || input.type === 'interactive' ? input.text ?? null : input.caption ?? null;
    const message: Message = {
      id: newId(), tenantId: ctx.tenantId, conversationId, direction: 'outbound', type: input.type, text, content, status: 'queued',
      externalId: null, clientMessageId: input.clientMessageId ?? null, replyToId: replyTo?.id ?? null, senderType: 'agent', senderId: ctx.principal.userId, mediaId,
      errorCode: null, errorReason: null, sentAt: null, deliveredAt: null, readAt: null, createdAt: now, updatedAt: now,
    };
    await ctx.transaction(async (m) => {
      await m.getRepository(MessageEntity).insert(message as never);
      const patch: Partial<Conversation> = {
        lastMessageAt: now, lastMessagePreview: preview(input.type, text ?? (input.template ? input.template.name : null)), unreadCount: 0, updatedAt: now,
      };
      await m.getRepository(ConversationEntity).update({ id: conversationId, tenantId: ctx.tenantId }, patch);
      // One queue per conversation: replies leave in the order they were written.
      await enqueueJob(m, 'message.send', { messageId: message.id }, now, { tenantId: ctx.tenantId, queueKey: `conversation:${conversationId}`, maxAttempts: SEND_MAX_ATTEMPTS });
      const view = await conversationView(ctx, { ...conversation, ...patch });
      await emitEvent(m, { tenantId: ctx.tenantId, type: 'message.created', payload: { message: messageView(message), conversation: view } }, now);
      await emitEvent(m, { tenantId: ctx.tenantId, type: 'conversation.updated', payload: { conversation: view } }, now);
    });
    return messageView(message);
  },
};

/** Records the outcome of a delivery attempt and tells the team. */
export async function markOutbound(services: Services, m: EntityManager, message: Message, patch: Partial<Message>): Promise<void> {
  const now = services.now();
  await m.getRepository(MessageEntity).update({ id: message.id }, { ...patch, updatedAt: now } as never);
  await emitEvent(m, { tenantId: message.tenantId, type: 'message.updated', payload: { message: messageView({ ...message, ...patch, updatedAt: now }) } }, now);
}
