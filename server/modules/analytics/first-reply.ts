// A conversation's first agent or AI reply (the first response of the analytics and of SLA: an
// outbound message written by an agent or an AI agent; not a system message, a survey or an
// automated template), kept on the conversation row in the transaction that writes the message, so
// the dashboard reads it from the conversations index instead of looking up every conversation's
// messages (columns added by AnalyticsFirstReply1733640000000, which backfilled them).
import type { EntityManager } from 'typeorm';
import type { DomainEvent } from '../../core/events/event.entity.js';
import { rows } from './analytics.sql.js';

interface MessagePayload {
  conversationId?: string;
  direction?: string;
  senderType?: string;
  senderId?: string | null;
  createdAt?: Date | string;
}

const isReply = (m: MessagePayload | undefined): m is MessagePayload & { conversationId: string } =>
  Boolean(m?.conversationId) && m?.direction === 'outbound' && (m.senderType === 'agent' || m.senderType === 'ai');

/** The first reply of one conversation, computed again from its messages (after one was removed). */
async function recompute(m: EntityManager, conversationId: string): Promise<void> {
  const first = (column: string) => `(SELECT x."${column}" FROM "messages" x WHERE x."conversationId" = :id
    AND x."direction" = 'outbound' AND x."senderType" IN ('agent', 'ai') ORDER BY x."createdAt" LIMIT 1)`;
  await rows(
    m,
    `UPDATE "conversations" SET "firstReplyAt" = ${first('createdAt')}, "firstReplyBy" = ${first('senderId')} WHERE "id" = :id`,
    {
      id: conversationId,
    },
  );
}

/** The analytics module's `onEmit`: runs inside the transaction that writes each event. */
export function firstReplyOnEmit() {
  return async (m: EntityManager, event: DomainEvent): Promise<void> => {
    if (event.type === 'message.created') {
      const message = event.payload.message as MessagePayload | undefined;
      if (!isReply(message) || message.createdAt === undefined) return;
      const at = message.createdAt instanceof Date ? message.createdAt : new Date(message.createdAt);
      // The earliest wins, whatever order the messages are written in (an echo may carry an older time).
      await rows(
        m,
        `UPDATE "conversations" SET "firstReplyAt" = :at, "firstReplyBy" = :by
          WHERE "id" = :id AND ("firstReplyAt" IS NULL OR "firstReplyAt" > :at)`,
        { id: message.conversationId, at, by: message.senderId ?? null },
      );
    } else if (event.type === 'message.deleted') {
      // A duplicate echo removed (delivery-status.service.ts): it may have been the first reply.
      const conversationId = event.payload.conversationId;
      if (typeof conversationId === 'string') await recompute(m, conversationId);
    }
  };
}
