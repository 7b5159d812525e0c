import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';
import type { DeliveryStatus, MessageContent, MessageType } from '../../channels/types.js';

/**
 * The stored failure reason of a send whose outcome is unknown (interrupted, never confirmed): it
 * was not sent again, and the UI asks an agent to check with the customer and resend by hand.
 */
export const SEND_UNCERTAIN = 'send_uncertain';

export interface Message {
  id: string;
  tenantId: string;
  conversationId: string;
  direction: 'inbound' | 'outbound';
  type: MessageType;
  text: string | null;
  content: MessageContent;
  /** Outbound delivery status; inbound messages are 'delivered' when stored. */
  status: DeliveryStatus;
  /** The channel's id (wamid); unique per tenant, so a redelivered webhook never makes a second row. */
  externalId: string | null;
  /** Set by the client that wrote an outbound message, so a retried POST never makes a second one. */
  clientMessageId: string | null;
  replyToId: string | null;
  senderType: 'contact' | 'agent' | 'ai' | 'system';
  senderId: string | null;
  mediaId: string | null;
  errorCode: number | null;
  errorReason: string | null;
  sentAt: Date | null;
  deliveredAt: Date | null;
  readAt: Date | null;
  /**
   * When the send job handed the message to the channel, committed before the call: an attempt
   * with no outcome (a crash in between) is reconciled, never sent again blindly.
   */
  sendAttemptedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const MessageEntity = new EntitySchema<Message>({
  name: 'Message',
  tableName: 'messages',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    conversationId: col.ref(),
    direction: col.string(10),
    type: col.string(20),
    text: col.text(true),
    content: col.json(),
    status: col.string(20),
    externalId: col.string(200, true),
    clientMessageId: col.string(100, true),
    replyToId: col.ref(true),
    senderType: col.string(10),
    senderId: col.ref(true),
    mediaId: col.ref(true),
    errorCode: { type: 'integer', nullable: true },
    errorReason: col.string(500, true),
    sentAt: col.time(true),
    deliveredAt: col.time(true),
    readAt: col.time(true),
    sendAttemptedAt: col.time(true),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});
