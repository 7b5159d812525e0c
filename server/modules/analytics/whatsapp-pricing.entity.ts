import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';

/**
 * What WhatsApp's status webhooks say about the price of one outbound message: its pricing
 * (model, category, type, billable) and, under conversation-based pricing, the WhatsApp
 * conversation it opened or joined. One row per message, written when its statuses are applied.
 */
export interface WhatsappPricing {
  id: string;
  tenantId: string;
  messageId: string;
  conversationId: string;
  accountId: string | null;
  /** When the message was written (analytics ranges count by it). */
  messageCreatedAt: Date;
  /** CBP (conversation-based) or PMP (per-message). */
  pricingModel: string | null;
  /** marketing, utility, authentication, service, referral_conversion… */
  category: string | null;
  /** PMP: regular, free_customer_service, free_entry_point. */
  pricingType: string | null;
  billable: boolean | null;
  /** CBP: WhatsApp's conversation id, and its origin type (the conversation's category). */
  waConversationId: string | null;
  waConversationOrigin: string | null;
  waConversationExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const WhatsappPricingEntity = new EntitySchema<WhatsappPricing>({
  name: 'WhatsappPricing',
  tableName: 'whatsapp_message_pricing',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    messageId: col.ref(),
    conversationId: col.ref(),
    accountId: col.ref(true),
    messageCreatedAt: col.time(),
    pricingModel: col.string(20, true),
    category: col.string(40, true),
    pricingType: col.string(40, true),
    billable: { type: 'boolean', nullable: true },
    waConversationId: col.string(100, true),
    waConversationOrigin: col.string(40, true),
    waConversationExpiresAt: col.time(true),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});
