// Inbound messages from channel webhooks: stored once (a redelivered externalId is ignored), placed
// in their conversation (email by thread), with the conversation's window and unread count updated;
// a batch of webhooks' messages together (ingestInboundMany).
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
import { conversationViews, type ConversationView } from '../conversations/conversation-views.service.js';
import { findOrCreateContacts, identityKey } from '../contacts/contacts.service.js';
import { channelEnabled } from '../integrations/integrations.service.js';
import { MessageEntity, type Message } from './message.entity.js';
import { messageView, preview } from './messages.service.js';
import { insertRows, updateRow } from '../../db/insert-row.js';

/** One inbound message and the account it came to. */
export interface InboundItem {
  account: IntegrationAccount;
  inbound: InboundMessage;
}

/** Stores one inbound message (see ingestInboundMany). */
export async function ingestInbound(
  services: Services,
  account: IntegrationAccount,
  inbound: InboundMessage,
): Promise<{ created: boolean }> {
  return (await ingestInboundMany(services, [{ account, inbound }]))[0];
}

/**
 * Stores inbound messages in order, in one transaction (a batch of webhooks' messages, or one), each
 * once: a redelivered externalId is ignored. Each goes to its conversation (opened if needed) and
 * updates the conversation's window and unread count. An echo (the business's own message sent
 * outside OmniStream) is stored as outbound; an email is placed in its thread's conversation (see
 * findConversation).
 *
 * Set-based where it costs most: the redeliveries, the senders' contacts and their open
 * conversations are read once for the lot, and the conversation views of the events once at the
 * end, instead of seven reads per message (test/bench/README.md, "Webhooks in sets"). The writes
 * stay one per row, in order, so an echo's or an email's own lookup sees every message before it.
 */
export async function ingestInboundMany(services: Services, items: InboundItem[]): Promise<{ created: boolean }[]> {
  if (items.length === 0) return [];
  return services.transaction(async (m) => {
    const now = services.now();
    const results = items.map(() => ({ created: false }));
    const byTenant = new Map<string, number[]>();
    items.forEach((item, i) => {
      const indexes = byTenant.get(item.account.tenantId);
      if (indexes) indexes.push(i);
      else byTenant.set(item.account.tenantId, [i]);
    });
    for (const [tenantId, indexes] of byTenant) {
      const stored = await ingestForTenant(
        services,
        m,
        tenantId,
        indexes.map((i) => items[i]),
        now,
      );
      stored.forEach((created, k) => {
        results[indexes[k]].created = created;
      });
    }
    return results;
  });
}

/** An event to emit once the batch's conversation views are read (their lookups are made for all at once). */
interface Pending {
  type: string;
  conversation: Conversation;
  payload: (view: ConversationView) => Record<string, unknown>;
}

async function ingestForTenant(
  services: Services,
  m: EntityManager,
  tenantId: string,
  items: InboundItem[],
  now: Date,
): Promise<boolean[]> {
  const messages = m.getRepository(MessageEntity);
  const conversations = m.getRepository(ConversationEntity);
  const redelivered = new Set(
    (
      await messages.find({
        where: { tenantId, externalId: In([...new Set(items.map((i) => i.inbound.externalId))]) },
        select: { externalId: true },
      })
    ).map((r) => r.externalId),
  );
  // The ones to store: not stored before, nor earlier in this batch.
  const fresh = items.filter(({ inbound }) => {
    if (redelivered.has(inbound.externalId)) return false;
    redelivered.add(inbound.externalId);
    return true;
  });
  const contacts = await findOrCreateContacts(
    m,
    tenantId,
    fresh.map(({ account, inbound }) => ({
      channel: account.channel,
      externalId: inbound.from,
      name: inbound.echo ? undefined : inbound.profileName,
      phone: account.channel === 'whatsapp' ? `+${inbound.from.replace(/^\+/, '')}` : null,
      email: account.channel === 'email' ? inbound.from : null,
    })),
    now,
  );
  const contactOf = ({ account, inbound }: InboundItem) =>
    contacts.get(identityKey({ channel: account.channel, externalId: inbound.from }))!;
  // The open conversations of the senders whose messages go to the open one (see findConversation):
  // read once, then kept current here as messages land in them and new ones open.
  const plain = fresh.filter(({ inbound }) => !inbound.echo && !inbound.thread);
  const open = new Map<string, Conversation>();
  const openKey = (accountId: string, contactId: string) => `${accountId}\n${contactId}`;
  const senders = new Map<string, Set<string>>();
  for (const item of plain) senders.set(item.account.id, (senders.get(item.account.id) ?? new Set()).add(contactOf(item).id));
  for (const [accountId, contactIds] of senders) {
    // One account at a time: with accountId given, SQLite seeks each sender in the
    // (tenantId, accountId, contactId, createdAt) index; without it, it walked the organization's
    // open conversations (test/unit/query-plans.test.ts).
    const rows = await conversations.find({
      where: { tenantId, accountId, contactId: In([...contactIds]), status: In(['open', 'pending']) },
    });
    // The latest per sender, as findConversation's ORDER BY createdAt DESC picks.
    for (const c of rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())) open.set(openKey(c.accountId, c.contactId), c);
  }
  const pending: Pending[] = [];
  const stored = new Set<InboundItem>();
  for (const item of fresh) {
    const { account, inbound } = item;
    const echo = inbound.echo === true;
    const contact = contactOf(item);
    // A channel turned off still keeps what arrives, flagged so the inbox can say nobody will answer on it.
    const content = (await channelEnabled(m, tenantId, account.channel))
      ? inbound.content
      : { ...inbound.content, receivedWhileDisabled: true };
    const key = openKey(account.id, contact.id);
    let conversation = echo || inbound.thread ? await findConversation(m, account, contact.id, inbound) : (open.get(key) ?? null);
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
    }
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
    const updated: Conversation = { ...conversation, ...patch };
    // A new conversation is written once, as it is after its first message.
    if (isNew) await insertRows(m, ConversationEntity, [updated]);
    else await updateRow(m, ConversationEntity, conversation.id, patch);
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
    await insertRows(m, MessageEntity, [message]);
    stored.add(item);
    // The sender's open conversation from here on, for their next message in this batch.
    if (updated.status === 'open' || updated.status === 'pending') {
      const current = open.get(key);
      if (!current || current.id === updated.id || current.createdAt <= updated.createdAt) open.set(key, updated);
    } else if (open.get(key)?.id === updated.id) open.delete(key);
    if (isNew) pending.push({ type: 'conversation.created', conversation: updated, payload: (view) => ({ conversation: view }) });
    else {
      if (reopenedFrom)
        pending.push({
          type: 'conversation.status_changed',
          conversation: updated,
          payload: (view) => ({ conversation: view, by: null, from: reopenedFrom, to: 'open' }),
        });
      pending.push({ type: 'conversation.updated', conversation: updated, payload: (view) => ({ conversation: view }) });
    }
    const view = messageView(message);
    pending.push({ type: 'message.created', conversation: updated, payload: (v) => ({ message: view, conversation: v }) });
    if (inbound.content.media?.externalId && !message.mediaId) {
      await enqueueJob(
        m,
        'media.download',
        { messageId: message.id, accountId: account.id, mediaExternalId: inbound.content.media.externalId },
        now,
        { tenantId, maxAttempts: 20 },
      );
    }
  }
  // Each event carries its conversation as it was after its own message.
  const views = await conversationViews(
    services,
    pending.map((p) => p.conversation),
  );
  for (const [i, p] of pending.entries()) await emitEvent(m, { tenantId, type: p.type, payload: p.payload(views[i]) }, now);
  return items.map((item) => stored.has(item));
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
