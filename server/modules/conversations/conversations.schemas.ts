// The conversations API contract shared with other modules' routes (contacts, transfers, SLA):
// statuses, priorities and the conversation as responses show it.
import { z } from 'zod';
import { timestamp } from '../../core/http/schemas.js';
import { CHANNELS } from '../../channels/types.js';

export const CONVERSATION_STATUSES = ['open', 'pending', 'resolved', 'expired'] as const;
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

const status = z.enum(CONVERSATION_STATUSES);

export const conversationSchema = z.object({
  id: z.string(),
  channel: z.enum(CHANNELS),
  accountId: z.string(),
  status,
  priority: z.enum(PRIORITIES),
  tags: z.array(z.string()),
  unreadCount: z.number().int(),
  lastMessageAt: timestamp.nullable(),
  lastMessagePreview: z.string().nullable(),
  lastInboundAt: timestamp.nullable(),
  windowExpiresAt: timestamp
    .nullable()
    .describe(
      "End of the customer-service window; free-form replies need it to be in the future (24 hours after the customer's last message on WhatsApp and Instagram, 7 days on Messenger with the HUMAN_AGENT tag, null for email: no window)",
    ),
  subject: z.string().nullable().describe("Email: the thread's subject"),
  divisionId: z.string().nullable(),
  aiAgentId: z.string().nullable(),
  contact: z.object({ id: z.string(), name: z.string().nullable(), phone: z.string().nullable(), email: z.string().nullable() }),
  assignee: z.object({ id: z.string(), name: z.string() }).nullable(),
  sla: z
    .object({
      status: z.enum(['on_track', 'at_risk', 'breached', 'met']),
      policyId: z.string().nullable(),
      nextDueAt: timestamp.nullable(),
    })
    .nullable()
    .describe('Last evaluated SLA state (see GET /conversations/{id}/sla); null when no policy applies'),
  resolvedAt: timestamp.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
