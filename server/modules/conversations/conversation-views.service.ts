// How conversations look in the API and in realtime pushes: with their contact and assignee.
import { In } from 'typeorm';
import type { Services } from '../../core/context.js';
import { ContactEntity } from '../contacts/contact.entity.js';
import { UserEntity } from '../agents/agent.entity.js';
import { ConversationSlaEntity, type ConversationSla } from '../sla/sla.entity.js';
import type { Conversation } from './conversation.entity.js';

export async function conversationViews(services: Services, rows: Conversation[]) {
  if (rows.length === 0) return [];
  const tenantId = rows[0].tenantId;
  const contactIds = [...new Set(rows.map((r) => r.contactId))];
  const userIds = [...new Set(rows.map((r) => r.assigneeId).filter((x): x is string => Boolean(x)))];
  const contacts = await services.db
    .getRepository(ContactEntity)
    .find({ where: { tenantId, id: In(contactIds) }, select: { id: true, name: true, phone: true, email: true } });
  const users = userIds.length
    ? await services.db.getRepository(UserEntity).find({ where: { tenantId, id: In(userIds) }, select: { id: true, name: true } })
    : [];
  const contactById = new Map(contacts.map((c) => [c.id, c]));
  const userById = new Map(users.map((u) => [u.id, u]));
  // The last evaluated SLA state (kept current by the SLA job; null when no policy applies).
  const slas = await services.db
    .getRepository(ConversationSlaEntity)
    .find({ where: { tenantId, conversationId: In(rows.map((r) => r.id)) } });
  const slaById = new Map(slas.map((x) => [x.conversationId, x]));
  return rows.map((r) => {
    const c = contactById.get(r.contactId);
    const a = r.assigneeId ? userById.get(r.assigneeId) : undefined;
    return {
      id: r.id,
      channel: r.channel,
      accountId: r.accountId,
      status: r.status,
      priority: r.priority,
      tags: r.tags,
      unreadCount: r.unreadCount,
      lastMessageAt: r.lastMessageAt,
      lastMessagePreview: r.lastMessagePreview,
      lastInboundAt: r.lastInboundAt,
      windowExpiresAt: r.windowExpiresAt,
      subject: r.subject ?? null,
      divisionId: r.divisionId,
      aiAgentId: r.aiAgentId,
      contact: c ? { id: c.id, name: c.name, phone: c.phone, email: c.email } : { id: r.contactId, name: null, phone: null, email: null },
      assignee: a ? { id: a.id, name: a.name } : null,
      sla: slaView(slaById.get(r.id)),
      resolvedAt: r.resolvedAt,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  });
}

function slaView(row: ConversationSla | undefined) {
  return row ? { status: row.status, policyId: row.policyId, nextDueAt: row.nextDueAt } : null;
}

export async function conversationView(services: Services, row: Conversation) {
  return (await conversationViews(services, [row]))[0];
}

export type ConversationView = Awaited<ReturnType<typeof conversationView>>;
