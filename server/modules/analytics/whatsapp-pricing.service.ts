// Keeps what WhatsApp's status webhooks say about a message's price (called by the messages module
// in the transaction that applies the status): the first status carrying pricing or a conversation
// makes the row; later ones fill what it lacked (Meta may send pricing on sent and on delivered).
import type { EntityManager } from 'typeorm';
import type { InboundStatus } from '../../channels/types.js';
import { newId } from '../../core/ids.js';
import { WhatsappPricingEntity, type WhatsappPricing } from './whatsapp-pricing.entity.js';

export async function recordWhatsappPricing(
  m: EntityManager,
  message: { id: string; tenantId: string; conversationId: string; createdAt: Date },
  accountId: string | null,
  status: Pick<InboundStatus, 'pricing' | 'conversation'>,
  now: Date,
): Promise<void> {
  if (!status.pricing && !status.conversation) return;
  const repo = m.getRepository(WhatsappPricingEntity);
  const found = await repo.findOne({ where: { messageId: message.id } });
  const next: Partial<WhatsappPricing> = {
    pricingModel: status.pricing?.pricingModel ?? null,
    category: status.pricing?.category ?? null,
    pricingType: status.pricing?.type ?? null,
    billable: status.pricing?.billable ?? null,
    waConversationId: status.conversation?.id ?? null,
    waConversationOrigin: status.conversation?.originType ?? null,
    waConversationExpiresAt: status.conversation?.expiresAt ?? null,
  };
  if (!found) {
    await repo.insert({
      id: newId(),
      tenantId: message.tenantId,
      messageId: message.id,
      conversationId: message.conversationId,
      accountId,
      messageCreatedAt: message.createdAt,
      pricingModel: null,
      category: null,
      pricingType: null,
      billable: null,
      waConversationId: null,
      waConversationOrigin: null,
      waConversationExpiresAt: null,
      ...next,
      createdAt: now,
      updatedAt: now,
    } as WhatsappPricing as never);
    return;
  }
  const patch: Partial<WhatsappPricing> = {};
  for (const [key, value] of Object.entries(next) as [keyof WhatsappPricing, never][])
    if (value !== null && found[key] === null) patch[key] = value;
  if (Object.keys(patch).length) await repo.update({ id: found.id }, { ...patch, updatedAt: now } as never);
}
