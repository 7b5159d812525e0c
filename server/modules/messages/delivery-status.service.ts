// Delivery statuses of outbound messages: from the channel's webhooks (statuses, Messenger/Instagram
// watermarks) and from the send job's own outcome. A message never moves backwards.
import { In, LessThanOrEqual, Not, type EntityManager } from 'typeorm';
import type { Services } from '../../core/context.js';
import { emitEvent } from '../../core/events/outbox.js';
import type { DeliveryStatus, InboundStatus, InboundWatermark } from '../../channels/types.js';
import type { IntegrationAccount } from '../integrations/integration.entity.js';
import { ContactIdentityEntity } from '../contacts/contact.entity.js';
import { ConversationEntity } from '../conversations/conversation.entity.js';
import { MessageEntity, SEND_UNCERTAIN, type Message } from './message.entity.js';
import { messageView } from './messages.service.js';
import { recordWhatsappPricing } from '../analytics/whatsapp-pricing.service.js';

const STATUS_RANK: Record<DeliveryStatus, number> = { queued: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

/** Applies a delivery status from the channel; never moves a message backwards (read beats delivered beats sent). */
export async function applyStatus(services: Services, account: IntegrationAccount, status: InboundStatus): Promise<boolean> {
  return services.transaction(async (m) => {
    const messages = m.getRepository(MessageEntity);
    let message = await messages.findOne({ where: { tenantId: account.tenantId, externalId: status.externalId } });
    const patch: Partial<Message> = {};
    if (!message && status.callbackData?.startsWith('m:')) {
      // A send whose answer was lost (a crash before the status write, a timeout): the callback data
      // it carried names the message, and this webhook gives it Meta's id.
      const named = await messages.findOne({ where: { tenantId: account.tenantId, id: status.callbackData.slice(2) } });
      if (named?.direction === 'outbound' && named.externalId === null && named.sendAttemptedAt !== null) {
        patch.externalId = status.externalId;
        // Given up on as uncertain before Meta confirmed it: Meta has it after all.
        if (named.status === 'failed' && named.errorReason === SEND_UNCERTAIN) {
          Object.assign(patch, { status: 'queued', errorCode: null, errorReason: null });
        }
        message = { ...named, ...patch };
      }
    }
    if (message?.direction !== 'outbound') return false;
    const now = services.now();
    // What the message costs (WhatsApp), kept whatever the status does to the message itself.
    await recordWhatsappPricing(m, message, account.id, status, now);
    patch.updatedAt = now;
    // With nothing else to change, a message that only got its id still counts as applied.
    const attached = patch.externalId !== undefined;
    if (status.status === 'failed') {
      if (message.status === 'read' || message.status === 'failed') {
        if (!attached) return false;
      } else {
        Object.assign(patch, {
          status: 'failed',
          errorCode: status.error?.code ?? null,
          errorReason: status.error?.reason ?? 'channel_failed',
        });
      }
    } else {
      if (message.status === 'failed' || STATUS_RANK[status.status] <= STATUS_RANK[message.status]) {
        // Still record the time of a step that arrived late.
        const field = ({ sent: 'sentAt', delivered: 'deliveredAt', read: 'readAt' } as const)[status.status];
        if (!message[field]) patch[field] = status.timestamp;
        else if (!attached) return false;
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

/**
 * Records the outcome of a delivery attempt and tells the team. When the channel's id is recorded and
 * an echo of this very message was stored first (Messenger/Instagram echoes can beat the Send API's
 * answer), that echo row is removed: the message stays one row.
 */
export async function markOutbound(
  services: Services,
  m: EntityManager,
  message: Message,
  patch: Partial<Message>,
  /** The other message that already has patch.externalId, if the caller has looked it up (null: none). */
  known?: { other: Pick<Message, 'id' | 'direction' | 'senderId' | 'conversationId'> | null },
): Promise<void> {
  const now = services.now();
  if (patch.externalId) {
    const repo = m.getRepository(MessageEntity);
    const other =
      known !== undefined
        ? known.other
        : await repo.findOne({ where: { tenantId: message.tenantId, externalId: patch.externalId, id: Not(message.id) } });
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
