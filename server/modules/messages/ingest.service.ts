// Inbound messages from channel webhooks: stored once (a redelivered externalId is ignored), placed
// in their conversation (email by thread), with the conversation's window and unread count updated.
import { In, type EntityManager } from 'typeorm';
import type { Services } from '../../core/context.js';
import { newId } from '../../core/ids.js';
import { emitEvent } from '../../core/events/outbox.js';
import { enqueueJob } from '../../core/jobs/queue.js';
import type { InboundMessage } from '../../channels/types.js';
import { windowEnd } from '../../channels/policy.js';
import { normalizeSubject } from '../../channels/email/email.parse.js';
import type { IntegrationAccount } from '../integrations/integration.entity.js';
import { ConversationEntity, type Conversation } from '../conversations/conversation.entity.js';
import { conversationView } from '../conversations/conversation-views.service.js';
import { findOrCreateContact } from '../contacts/contacts.service.js';
import { channelEnabled } from '../integrations/integrations.service.js';
import { MessageEntity, type Message } from './message.entity.js';
import { messageView, preview } from './messages.service.js';
import { insertRow } from '../../db/insert-row.js';

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
    // A channel turned off still keeps what arrives, flagged so the inbox can say nobody will answer on it.
    const content = (await channelEnabled(m, tenantId, account.channel))
      ? inbound.content
      : { ...inbound.content, receivedWhileDisabled: true };
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
      await insertRow(m, ConversationEntity, conversation);
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
      content,
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
      sendAttemptedAt: null,
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
  // Sorted here, not in SQL: ORDER BY lastMessageAt would lead SQLite to walk the organization's
  // (tenantId, lastMessageAt) index instead of the contact's few conversations.
  const open = await conversations.find({
    where: { tenantId, accountId: account.id, contactId, status: In(['open', 'pending']) },
  });
  open.sort((a, b) => (b.lastMessageAt?.getTime() ?? 0) - (a.lastMessageAt?.getTime() ?? 0));
  return open.find((c) => normalizeSubject(c.subject) === subject) ?? null;
}
