import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';
import type { Channel } from '../../channels/types.js';
import type { CONVERSATION_STATUSES, PRIORITIES } from './conversations.schemas.js';

export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];
export type Priority = (typeof PRIORITIES)[number];

export interface Conversation {
  id: string;
  tenantId: string;
  channel: Channel;
  accountId: string;
  contactId: string;
  status: ConversationStatus;
  assigneeId: string | null;
  /** Set while an AI agent handles the conversation. */
  aiAgentId: string | null;
  divisionId: string | null;
  tags: string[];
  priority: Priority;
  unreadCount: number;
  lastMessageAt: Date | null;
  lastMessagePreview: string | null;
  lastInboundAt: Date | null;
  /** End of the customer-service window: free-form replies are allowed until then. */
  windowExpiresAt: Date | null;
  /** Email: the thread's subject (without Re:); null on other channels. */
  subject?: string | null;
  resolvedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const ConversationEntity = new EntitySchema<Conversation>({
  name: 'Conversation',
  tableName: 'conversations',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    channel: col.string(20),
    accountId: col.ref(),
    contactId: col.ref(),
    status: col.string(20),
    assigneeId: col.ref(true),
    aiAgentId: col.ref(true),
    divisionId: col.ref(true),
    tags: col.json(),
    priority: col.string(10),
    unreadCount: col.int(0),
    lastMessageAt: col.time(true),
    lastMessagePreview: col.string(300, true),
    lastInboundAt: col.time(true),
    windowExpiresAt: col.time(true),
    subject: col.string(500, true),
    resolvedAt: col.time(true),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});
