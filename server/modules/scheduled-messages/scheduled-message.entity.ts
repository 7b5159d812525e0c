import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';

/**
 * scheduled: waiting for its time; sending: handed to the send path (a crash here resumes it);
 * sent: the outbound message exists (its own status tracks delivery); failed: could not be sent
 * (reason kept); cancelled: withdrawn before its time.
 */
export type ScheduledStatus = 'scheduled' | 'sending' | 'sent' | 'failed' | 'cancelled';

export interface ScheduledContent {
  mediaId?: string;
  caption?: string;
  template?: { name: string; language: string; components?: Record<string, unknown>[] };
}

export interface ScheduledMessage {
  id: string;
  tenantId: string;
  conversationId: string;
  createdById: string | null;
  type: 'text' | 'image' | 'video' | 'audio' | 'document' | 'template';
  text: string | null;
  content: ScheduledContent;
  /** When to send, UTC. */
  sendAt: Date;
  /** The tenant's timezone when it was scheduled (how the time was read and is shown). */
  timezone: string;
  status: ScheduledStatus;
  /** Sent more than a minute after sendAt (the computer was off or the server stopped). */
  late: boolean;
  lateBySeconds: number | null;
  messageId: string | null;
  failureReason: string | null;
  sentAt: Date | null;
  cancelledAt: Date | null;
  cancelledById: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const ScheduledMessageEntity = new EntitySchema<ScheduledMessage>({
  name: 'ScheduledMessage',
  tableName: 'scheduled_messages',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    conversationId: col.ref(),
    createdById: col.ref(true),
    type: col.string(20),
    text: col.text(true),
    content: col.json(),
    sendAt: col.time(),
    timezone: col.string(64),
    status: col.string(20),
    late: col.bool(false),
    lateBySeconds: { type: 'integer', nullable: true },
    messageId: col.ref(true),
    failureReason: col.string(500, true),
    sentAt: col.time(true),
    cancelledAt: col.time(true),
    cancelledById: col.ref(true),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});
