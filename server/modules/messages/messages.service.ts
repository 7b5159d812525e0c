// Messages: the API's view of a message, outbound replies (stored as queued and handed to a durable
// job), history. Inbound ingestion is in ingest.service.ts, delivery statuses in
// delivery-status.service.ts, search in search.service.ts.
import { enforceConversationReply } from '../billing/limits.service.js';
import { visibleConversation } from '../divisions/visibility.service.js';
import type { TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { newId } from '../../core/ids.js';
import { badRequest, conflict, unprocessable } from '../../core/http/errors.js';
import { emitEvent } from '../../core/events/outbox.js';
import { enqueueJob } from '../../core/jobs/queue.js';
import type { EmailContent, MessageContent, MessageType } from '../../channels/types.js';
import { STANDARD_WINDOW_MS, replyDecision } from '../../channels/policy.js';
import { mailDomain, messageIds, replySubject } from '../../channels/email/email.parse.js';
import { IntegrationAccountEntity } from '../integrations/integration.entity.js';
import { CHANNEL_OFF_REASON, channelEnabled } from '../integrations/integrations.service.js';
import { ConversationEntity, type Conversation } from '../conversations/conversation.entity.js';
import { conversationView } from '../conversations/conversation-views.service.js';
import { MediaEntity } from '../media/media.entity.js';
import { MessageEntity, type Message } from './message.entity.js';

/** The standard customer-service window (each channel's own rules are in channels/policy.ts). */
export const SERVICE_WINDOW_MS = STANDARD_WINDOW_MS;
/** Outbound sends keep retrying for hours (backoff caps at 10 minutes) so an offline day still drains. */
export const SEND_MAX_ATTEMPTS = 200;

export function messageView(m: Message) {
  return {
    id: m.id,
    conversationId: m.conversationId,
    direction: m.direction,
    type: m.type,
    text: m.text,
    content: m.content,
    status: m.status,
    externalId: m.externalId,
    clientMessageId: m.clientMessageId,
    replyToId: m.replyToId,
    senderType: m.senderType,
    senderId: m.senderId,
    mediaId: m.mediaId,
    mediaUrl: m.mediaId ? `/api/v1/media/${m.mediaId}` : null,
    error: m.errorCode !== null || m.errorReason ? { code: m.errorCode, reason: m.errorReason } : null,
    sentAt: m.sentAt,
    deliveredAt: m.deliveredAt,
    readAt: m.readAt,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
  };
}
export type MessageView = ReturnType<typeof messageView>;

/** The conversation list's one-line preview of a message. */
export const preview = (type: MessageType, text: string | null) => (text ? text.slice(0, 280) : `[${type}]`);

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
    await visibleConversation(ctx, conversationId);
    const page = await scoped(ctx, MessageEntity).page({ where: { conversationId }, limit: q.limit, cursor: q.cursor });
    return { data: page.data.map(messageView), nextCursor: page.nextCursor };
  },

  /** Stores the reply as queued and enqueues its delivery; answers before anything leaves the machine. */
  async send(ctx: TenantCtx, conversationId: string, input: OutboundInput) {
    const conversation = await visibleConversation(ctx, conversationId);
    await enforceConversationReply(ctx, conversation);
    if (input.clientMessageId) {
      const existing = await scoped(ctx, MessageEntity).findOne({ clientMessageId: input.clientMessageId });
      // A retry of the same send answers the same message; the id of a message elsewhere (perhaps in a
      // conversation the caller may not see) answers nothing about it.
      if (existing?.conversationId === conversationId) return messageView(existing);
      if (existing)
        throw conflict('This clientMessageId was already used for another message; choose a new one', [
          { path: 'clientMessageId', message: 'Already used' },
        ]);
    }
    // A channel turned off sends nothing: the reply is refused now rather than held, so nobody
    // believes it left and no stale answer goes out by surprise when the channel is turned on again.
    if (!(await channelEnabled(ctx.db, ctx.tenantId, conversation.channel)))
      throw conflict(
        CHANNEL_OFF_REASON(conversation.channel),
        [{ path: 'channel', message: 'Channel turned off', code: 'channel_off' }],
        'channel_off',
      );
    const now = ctx.now();
    // Each channel's window and message types (WhatsApp 24 h or a template; Messenger 24 h, or 7 days
    // with HUMAN_AGENT; Instagram 24 h; email none).
    const decision = replyDecision(conversation.channel, input.type, conversation.lastInboundAt, now);
    if (!decision.allowed)
      throw unprocessable(decision.reason, [{ path: decision.field, message: decision.hint, code: decision.code }], decision.code);
    if (input.caption && (conversation.channel === 'messenger' || conversation.channel === 'instagram')) {
      throw unprocessable('Messenger and Instagram show files without a caption; send the text as a message of its own.', [
        { path: 'caption', message: 'Not supported on this channel' },
      ]);
    }
    const content: MessageContent = {};
    let mediaId: string | null = null;
    if (['image', 'video', 'audio', 'document'].includes(input.type)) {
      if (!input.mediaId)
        throw badRequest('A media message needs an uploaded file', [{ path: 'mediaId', message: 'Required for this type' }]);
      const media = await scoped(ctx, MediaEntity).findOne({ id: input.mediaId });
      if (!media) throw unprocessable('The media file does not exist', [{ path: 'mediaId', message: 'No such media' }], 'media_missing');
      mediaId = media.id;
      content.media = { mediaId: media.id, mimeType: media.mimeType, filename: media.filename ?? undefined, caption: input.caption };
    }
    if (input.type === 'template') content.template = input.template;
    if (input.type === 'interactive') content.buttons = input.buttons;
    const replyTo = input.replyToId ? await scoped(ctx, MessageEntity).findOne({ id: input.replyToId, conversationId }) : null;
    if (input.replyToId && !replyTo)
      throw unprocessable('The quoted message is not in this conversation', [
        { path: 'replyToId', message: 'Not found in this conversation' },
      ]);
    const text = input.type === 'text' || input.type === 'interactive' ? (input.text ?? null) : (input.caption ?? null);
    const id = newId();
    if (conversation.channel === 'email') content.email = await emailReplyHeaders(ctx, conversation, id);
    const message: Message = {
      id,
      tenantId: ctx.tenantId,
      conversationId,
      direction: 'outbound',
      type: input.type,
      text,
      content,
      status: 'queued',
      externalId: null,
      clientMessageId: input.clientMessageId ?? null,
      replyToId: replyTo?.id ?? null,
      senderType: 'agent',
      senderId: ctx.principal.userId,
      mediaId,
      errorCode: null,
      errorReason: null,
      sentAt: null,
      deliveredAt: null,
      readAt: null,
      sendAttemptedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await ctx.transaction(async (m) => {
      await m.getRepository(MessageEntity).insert(message as never);
      const patch: Partial<Conversation> = {
        lastMessageAt: now,
        lastMessagePreview: preview(input.type, text ?? (input.template ? input.template.name : null)),
        unreadCount: 0,
        updatedAt: now,
      };
      await m.getRepository(ConversationEntity).update({ id: conversationId, tenantId: ctx.tenantId }, patch);
      // One queue per conversation: replies leave in the order they were written.
      await enqueueJob(m, 'message.send', { messageId: message.id }, now, {
        tenantId: ctx.tenantId,
        queueKey: `conversation:${conversationId}`,
        maxAttempts: SEND_MAX_ATTEMPTS,
      });
      const view = await conversationView(ctx, { ...conversation, ...patch });
      await emitEvent(
        m,
        { tenantId: ctx.tenantId, type: 'message.created', payload: { message: messageView(message), conversation: view } },
        now,
      );
      await emitEvent(m, { tenantId: ctx.tenantId, type: 'conversation.updated', payload: { conversation: view } }, now);
    });
    return messageView(message);
  },
};

/**
 * The headers of an email reply, fixed when it is written: "Re: <subject>", In-Reply-To the
 * customer's latest email, References its chain plus that email, a Message-ID of the mailbox's own
 * domain (which becomes the message's externalId once sent), From the mailbox and To the customer.
 */
async function emailReplyHeaders(ctx: TenantCtx, conversation: Conversation, messageId: string): Promise<EmailContent> {
  const account = await scoped(ctx, IntegrationAccountEntity).findOne({ id: conversation.accountId });
  const mailbox = account?.externalId ?? '';
  const recent = await scoped(ctx, MessageEntity).repo.find({
    where: { tenantId: ctx.tenantId, conversationId: conversation.id, direction: 'inbound' },
    order: { id: 'DESC' },
    take: 20,
  });
  const last = recent.find((r) => r.content.email && r.externalId);
  const lastEmail = last?.content.email;
  const name = account?.name.replace(/["\\\r\n]/g, '').trim();
  const headers: EmailContent = {
    subject: replySubject(conversation.subject ?? lastEmail?.subject ?? null),
    messageId: `<omnistream.${messageId}@${mailDomain(mailbox)}>`,
    from: name ? `"${name}" <${mailbox}>` : mailbox,
  };
  if (last?.externalId) {
    headers.inReplyTo = last.externalId;
    const chain = [...messageIds(lastEmail?.references ?? []).filter((r) => r !== last.externalId), last.externalId];
    // Long threads keep their first message and the latest ones (RFC 5322 suggests this trimming).
    headers.references = chain.length > 30 ? [chain[0], ...chain.slice(-29)] : chain;
    const to = lastEmail?.replyTo ?? lastEmail?.from;
    if (to) headers.to = [to];
  }
  return headers;
}
