// Messages: inbound ingestion from channel webhooks, delivery statuses, outbound replies
// (stored as queued and handed to a durable job), history and search.
import { visibleConversation } from '../divisions/visibility.js';
import { In, LessThanOrEqual, Not, type EntityManager } from 'typeorm';
import type { Services, TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { newId } from '../../core/ids.js';
import { badRequest, unprocessable } from '../../core/http/errors.js';
import { emitEvent } from '../../core/events/outbox.js';
import { enqueueJob } from '../../core/jobs/queue.js';
import type {
  DeliveryStatus,
  EmailContent,
  InboundMessage,
  InboundStatus,
  InboundWatermark,
  MessageContent,
  MessageType,
} from '../../channels/types.js';
import { STANDARD_WINDOW_MS, replyDecision, windowEnd } from '../../channels/policy.js';
import { mailDomain, messageIds, normalizeSubject, replySubject } from '../../channels/email/email.parse.js';
import { IntegrationAccountEntity, type IntegrationAccount } from '../integrations/integration.entity.js';
import { ContactIdentityEntity } from '../contacts/contact.entity.js';
import { ConversationEntity, type Conversation } from '../conversations/conversation.entity.js';
import { conversationView } from '../conversations/conversation.views.js';
import { findOrCreateContact } from '../contacts/contacts.service.js';
import { MediaEntity } from '../media/media.entity.js';
import { MessageEntity, type Message } from './message.entity.js';

/** The standard customer-service window (each channel's own rules are in channels/policy.ts). */
export const SERVICE_WINDOW_MS = STANDARD_WINDOW_MS;
/** Outbound sends keep retrying for hours (backoff caps at 10 minutes) so an offline day still drains. */
export const SEND_MAX_ATTEMPTS = 200;

const STATUS_RANK: Record<DeliveryStatus, number> = { queued: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

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

const preview = (type: MessageType, text: string | null) => (text ? text.slice(0, 280) : `[${type}]`);

/**
 * Stores one inbound message (once: a redelivered externalId is ignored) and updates its conversation.
 * An echo (the business's own message sent outside OmniStream) is stored as outbound; an email is
 * placed in its thread's conversation (see findConversation).
 */
export async function ingestInbound(
  services: Services,
  account: IntegrationAccount,
  inbound: InboundMessage,
): Promise<{ created: boolean }> {
  return services.transaction(async (m) => {
    const tenantId = account.tenantId;
    const messages = m.getRepository(MessageEntity);
    if (await messages.exist({ where: { tenantId, externalId: inbound.externalId } })) return { created: false };
    const now = services.now();
    const echo = inbound.echo === true;
    const { contact } = await findOrCreateContact(
      m,
      tenantId,
      {
        channel: account.channel,
        externalId: inbound.from,
        name: echo ? undefined : inbound.profileName,
        phone: account.channel === 'whatsapp' ? `+${inbound.from.replace(/^\+/, '')}` : null,
        email: account.channel === 'email' ? inbound.from : null,
      },
      now,
    );
    const conversations = m.getRepository(ConversationEntity);
    let conversation = await findConversation(m, account, contact.id, inbound);
    const isNew = !conversation;
    const reopenedFrom =
      conversation && !echo && (conversation.status === 'resolved' || conversation.status === 'expired') ? conversation.status : null;
    if (!conversation) {
      conversation = {
        id: newId(),
        tenantId,
        channel: account.channel,
        accountId: account.id,
        contactId: contact.id,
        status: 'open',
        assigneeId: null,
        aiAgentId: null,
        divisionId: null,
        tags: [],
        priority: 'normal',
        unreadCount: 0,
        lastMessageAt: null,
        lastMessagePreview: null,
        lastInboundAt: null,
        windowExpiresAt: null,
        subject: inbound.thread ? threadSubject(inbound.thread.subject) : null,
        resolvedAt: null,
        createdAt: now,
        updatedAt: now,
      };
      await conversations.insert(conversation as never);
    }
    const replyTo = inbound.replyToExternalId ?? inbound.content.reaction?.messageExternalId;
    const replyToRow = replyTo ? await messages.findOne({ where: { tenantId, externalId: replyTo }, select: { id: true } }) : null;
    const message: Message = {
      id: newId(),
      tenantId,
      conversationId: conversation.id,
      direction: echo ? 'outbound' : 'inbound',
      type: inbound.type,
      text: inbound.text,
      content: inbound.content,
      status: echo ? 'sent' : 'delivered',
      externalId: inbound.externalId,
      clientMessageId: null,
      replyToId: replyToRow?.id ?? null,
      // An echo was written by a person (or another app) in Meta's tools: an agent we cannot name.
      senderType: echo ? 'agent' : 'contact',
      senderId: echo ? null : contact.id,
      // Email attachments are stored before the message (they arrive inside it).
      mediaId: inbound.content.media?.mediaId ?? null,
      errorCode: null,
      errorReason: null,
      sentAt: inbound.timestamp,
      deliveredAt: echo ? null : now,
      readAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await messages.insert(message as never);
    const patch: Partial<Conversation> = { lastMessageAt: now, lastMessagePreview: preview(inbound.type, inbound.text), updatedAt: now };
    if (!echo) {
      // The window runs from the customer's latest message; reactions count as activity too.
      const lastInbound =
        conversation.lastInboundAt && conversation.lastInboundAt > inbound.timestamp ? conversation.lastInboundAt : inbound.timestamp;
      Object.assign(patch, {
        lastInboundAt: lastInbound,
        windowExpiresAt: windowEnd(account.channel, lastInbound),
        unreadCount: conversation.unreadCount + 1,
      });
    }
    if (reopenedFrom) Object.assign(patch, { status: 'open', resolvedAt: null });
    if (inbound.thread && !conversation.subject && inbound.thread.subject) patch.subject = threadSubject(inbound.thread.subject);
    await conversations.update({ id: conversation.id }, patch);
    const updated = { ...conversation, ...patch };
    const view = await conversationView(services, updated);
    if (isNew) await emitEvent(m, { tenantId, type: 'conversation.created', payload: { conversation: view } }, now);
    else {
      if (reopenedFrom)
        await emitEvent(
          m,
          { tenantId, type: 'conversation.status_changed', payload: { conversation: view, by: null, from: reopenedFrom, to: 'open' } },
          now,
        );
      await emitEvent(m, { tenantId, type: 'conversation.updated', payload: { conversation: view } }, now);
    }
    await emitEvent(m, { tenantId, type: 'message.created', payload: { message: messageView(message), conversation: view } }, now);
    if (inbound.content.media?.externalId && !message.mediaId) {
      await enqueueJob(
        m,
        'media.download',
        { messageId: message.id, accountId: account.id, mediaExternalId: inbound.content.media.externalId },
        now,
        { tenantId, maxAttempts: 20 },
      );
    }
    return { created: true };
  });
}

/** An email subject as the conversation keeps it: without its Re: prefixes. */
function threadSubject(subject: string | null): string | null {
  const s = subject
    ?.trim()
    .replace(/^((re|aw|balas)\s*(\[\d+\]|\(\d+\))?\s*:\s*)+/i, '')
    .trim();
  return s ? s.slice(0, 500) : null;
}

/**
 * The conversation an inbound message belongs to, or null for a new one. Usually the contact's open
 * conversation on the account; an echo joins the contact's latest conversation, whatever its status.
 * An email goes to the conversation of the first Message-ID it answers
 * (In-Reply-To, then References), reopening it if it was closed; else to the sender's open
 * conversation with the same normalised subject; else to a new conversation (one per thread).
 */
async function findConversation(
  m: EntityManager,
  account: IntegrationAccount,
  contactId: string,
  inbound: InboundMessage,
): Promise<Conversation | null> {
  const tenantId = account.tenantId;
  const conversations = m.getRepository(ConversationEntity);
  if (inbound.echo) {
    // The business's own message joins the latest conversation as it is, without reopening it.
    return conversations.findOne({ where: { tenantId, accountId: account.id, contactId }, order: { createdAt: 'DESC' } });
  }
  if (!inbound.thread) {
    return conversations.findOne({
      where: { tenantId, accountId: account.id, contactId, status: In(['open', 'pending']) },
      order: { createdAt: 'DESC' },
    });
  }
  const refs = inbound.thread.references.slice(0, 100);
  if (refs.length) {
    const known = await m
      .getRepository(MessageEntity)
      .find({ where: { tenantId, externalId: In(refs) }, select: { externalId: true, conversationId: true } });
    const candidates = known.length
      ? await conversations.find({ where: { tenantId, accountId: account.id, id: In([...new Set(known.map((k) => k.conversationId))]) } })
      : [];
    for (const ref of refs) {
      const hit = known.find((k) => k.externalId === ref);
      const conversation = hit && candidates.find((c) => c.id === hit.conversationId);
      if (conversation) return conversation;
    }
  }
  const subject = normalizeSubject(inbound.thread.subject);
  if (!subject) return null;
  const open = await conversations.find({
    where: { tenantId, accountId: account.id, contactId, status: In(['open', 'pending']) },
    order: { lastMessageAt: 'DESC' },
    take: 50,
  });
  return open.find((c) => normalizeSubject(c.subject) === subject) ?? null;
}

/** Applies a delivery status from the channel; never moves a message backwards (read beats delivered beats sent). */
export async function applyStatus(services: Services, account: IntegrationAccount, status: InboundStatus): Promise<boolean> {
  return services.transaction(async (m) => {
    const messages = m.getRepository(MessageEntity);
    const message = await messages.findOne({ where: { tenantId: account.tenantId, externalId: status.externalId } });
    if (message?.direction !== 'outbound') return false;
    const now = services.now();
    const patch: Partial<Message> = { updatedAt: now };
    if (status.status === 'failed') {
      if (message.status === 'read' || message.status === 'failed') return false;
      Object.assign(patch, {
        status: 'failed',
        errorCode: status.error?.code ?? null,
        errorReason: status.error?.reason ?? 'The channel reported a failure',
      });
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
    await emitEvent(
      m,
      { tenantId: account.tenantId, type: 'message.updated', payload: { message: messageView({ ...message, ...patch }) } },
      now,
    );
    return true;
  });
}

/**
 * Applies a Messenger/Instagram delivery or read watermark: every outbound message to that customer
 * on the account sent at or before the watermark moves forward to delivered or read (never back).
 */
export async function applyWatermark(services: Services, account: IntegrationAccount, watermark: InboundWatermark): Promise<number> {
  return services.transaction(async (m) => {
    const tenantId = account.tenantId;
    const identity = await m
      .getRepository(ContactIdentityEntity)
      .findOne({ where: { tenantId, channel: account.channel, externalId: watermark.recipientId } });
    if (!identity) return 0;
    const conversations = await m
      .getRepository(ConversationEntity)
      .find({ where: { tenantId, accountId: account.id, contactId: identity.contactId }, select: { id: true } });
    if (conversations.length === 0) return 0;
    const messages = m.getRepository(MessageEntity);
    const behind = watermark.status === 'read' ? ['sent', 'delivered'] : ['sent'];
    const rows = await messages.find({
      where: {
        tenantId,
        conversationId: In(conversations.map((c) => c.id)),
        direction: 'outbound',
        status: In(behind),
        sentAt: LessThanOrEqual(watermark.watermark),
      },
      order: { id: 'ASC' },
      take: 1000,
    });
    const now = services.now();
    for (const row of rows) {
      const patch: Partial<Message> = { status: watermark.status, updatedAt: now };
      if (!row.deliveredAt) patch.deliveredAt = watermark.watermark;
      if (watermark.status === 'read') patch.readAt = watermark.watermark;
      await messages.update({ id: row.id }, patch as never);
      await emitEvent(m, { tenantId, type: 'message.updated', payload: { message: messageView({ ...row, ...patch }) } }, now);
    }
    return rows.length;
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
    await visibleConversation(ctx, conversationId);
    const page = await scoped(ctx, MessageEntity).page({ where: { conversationId }, limit: q.limit, cursor: q.cursor });
    return { data: page.data.map(messageView), nextCursor: page.nextCursor };
  },

  /** Stores the reply as queued and enqueues its delivery; answers before anything leaves the machine. */
  async send(ctx: TenantCtx, conversationId: string, input: OutboundInput) {
    const conversation = await visibleConversation(ctx, conversationId);
    if (input.clientMessageId) {
      const existing = await scoped(ctx, MessageEntity).findOne({ clientMessageId: input.clientMessageId });
      if (existing) return messageView(existing);
    }
    const now = ctx.now();
    // Each channel's window and message types (WhatsApp 24 h or a template; Messenger 24 h, or 7 days
    // with HUMAN_AGENT; Instagram 24 h; email none).
    const decision = replyDecision(conversation.channel, input.type, conversation.lastInboundAt, now);
    if (!decision.allowed) throw unprocessable(decision.reason, [{ path: decision.field, message: decision.hint }]);
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
      if (!media) throw unprocessable('The media file does not exist', [{ path: 'mediaId', message: 'No such media' }]);
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

/**
 * Records the outcome of a delivery attempt and tells the team. When the channel's id is recorded and
 * an echo of this very message was stored first (Messenger/Instagram echoes can beat the Send API's
 * answer), that echo row is removed: the message stays one row.
 */
export async function markOutbound(services: Services, m: EntityManager, message: Message, patch: Partial<Message>): Promise<void> {
  const now = services.now();
  if (patch.externalId) {
    const repo = m.getRepository(MessageEntity);
    const other = await repo.findOne({ where: { tenantId: message.tenantId, externalId: patch.externalId, id: Not(message.id) } });
    if (other && other.direction === 'outbound' && other.senderId === null) {
      await repo.delete({ id: other.id });
      await emitEvent(
        m,
        {
          tenantId: message.tenantId,
          type: 'message.deleted',
          payload: { messageId: other.id, conversationId: other.conversationId, duplicateOf: message.id },
        },
        now,
      );
    } else if (other) {
      services.log.warn(
        { messageId: message.id, externalId: patch.externalId },
        'another message already has this channel id; not recording it twice',
      );
      patch = { ...patch, externalId: undefined };
      delete patch.externalId;
    }
  }
  await m.getRepository(MessageEntity).update({ id: message.id }, { ...patch, updatedAt: now } as never);
  await emitEvent(
    m,
    { tenantId: message.tenantId, type: 'message.updated', payload: { message: messageView({ ...message, ...patch, updatedAt: now }) } },
    now,
  );
}
