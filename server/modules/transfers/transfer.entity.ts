import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';

/** One hand-over of a conversation to another agent and/or division, with its reason. */
export interface ConversationTransfer {
  id: string;
  tenantId: string;
  conversationId: string;
  fromAssigneeId: string | null;
  fromDivisionId: string | null;
  toAssigneeId: string | null;
  toDivisionId: string | null;
  reason: string;
  /** Whether the receiving agent was chosen by round-robin rather than named. */
  autoAssigned: boolean;
  byUserId: string | null;
  createdAt: Date;
}

export const ConversationTransferEntity = new EntitySchema<ConversationTransfer>({
  name: 'ConversationTransfer',
  tableName: 'conversation_transfers',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    conversationId: col.ref(),
    fromAssigneeId: col.ref(true),
    fromDivisionId: col.ref(true),
    toAssigneeId: col.ref(true),
    toDivisionId: col.ref(true),
    reason: col.text(),
    autoAssigned: col.bool(false),
    byUserId: col.ref(true),
    createdAt: col.time(),
  },
});
