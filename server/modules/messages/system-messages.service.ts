// Messages the system writes to a customer (out-of-hours replies, closing messages): stored as
// queued outbound text with senderType 'system' and delivered by the same durable `message.send`
// job as agents' replies, in the conversation's order. Call inside a transaction.
import type { EntityManager } from 'typeorm';
import type { Services } from '../../core/context.js';
import { newId } from '../../core/ids.js';
import { emitEvent } from '../../core/events/outbox.js';
import { enqueueJob } from '../../core/jobs/queue.js';
import { replyDecision } from '../../channels/policy.js';
import { ConversationEntity, type Conversation } from '../conversations/conversation.entity.js';
import { conversationView } from '../conversations/conversation-views.service.js';
import { MessageEntity, type Message } from './message.entity.js';
import { SEND_MAX_ATTEMPTS, messageView } from './messages.service.js';

/** Whether the channel accepts a free-form text from the business now (e.g. inside WhatsApp's 24-hour window). */
export function canSendText(conversation: Conversation, now: Date): boolean {
  return replyDecision(conversation.channel, 'text', conversation.lastInboundAt, now).allowed;
}

export async function queueSystemMessage(
  services: Services,
  m: EntityManager,
  conversation: Conversation,
  text: string,
): Promise<{ message: Message; conversation: Conversation }> {
  const now = services.now();
  const message: Message = {
    id: newId(),
    tenantId: conversation.tenantId,
    conversationId: conversation.id,
    direction: 'outbound',
    type: 'text',
    text,
    content: {},
    status: 'queued',
    externalId: null,
    clientMessageId: null,
    replyToId: null,
    senderType: 'system',
    senderId: null,
    mediaId: null,
    errorCode: null,
    errorReason: null,
    sentAt: null,
    deliveredAt: null,
    readAt: null,
    sendAttemptedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  await m.getRepository(MessageEntity).insert(message as never);
  const patch: Partial<Conversation> = { lastMessageAt: now, lastMessagePreview: text.slice(0, 280), updatedAt: now };
  await m.getRepository(ConversationEntity).update({ id: conversation.id, tenantId: conversation.tenantId }, patch);
  await enqueueJob(m, 'message.send', { messageId: message.id }, now, {
    tenantId: conversation.tenantId,
    queueKey: `conversation:${conversation.id}`,
    maxAttempts: SEND_MAX_ATTEMPTS,
  });
  const updated = { ...conversation, ...patch };
  const view = await conversationView(services, updated);
  await emitEvent(
    m,
    { tenantId: conversation.tenantId, type: 'message.created', payload: { message: messageView(message), conversation: view } },
    now,
  );
  await emitEvent(m, { tenantId: conversation.tenantId, type: 'conversation.updated', payload: { conversation: view } }, now);
  return { message, conversation: updated };
}
