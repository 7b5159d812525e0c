// How conversations look in the API and in realtime pushes: with their contact and assignee.
// The lookups are raw SQL (see db/raw-sql.ts): the inbox list asks for them on every page.
import type { Services } from '../../core/context.js';
import { isoTime, rawRows } from '../../db/raw-sql.js';
import type { ConversationSla } from '../sla/sla.entity.js';
import type { Conversation } from './conversation.entity.js';

type Time = Date | string;
/** A conversation as the view needs it: an entity, or a raw row whose times are already ISO strings (the list). */
export type ConversationRow = Omit<
  Conversation,
  'lastMessageAt' | 'lastInboundAt' | 'windowExpiresAt' | 'resolvedAt' | 'createdAt' | 'updatedAt'
> & {
  lastMessageAt: Time | null;
  lastInboundAt: Time | null;
  windowExpiresAt: Time | null;
  resolvedAt: Time | null;
  createdAt: Time;
  updatedAt: Time;
};

interface ContactRow {
  id: string;
  name: string | null;
  phone: string | null;
  email: string | null;
}

/** Each id once, for an IN list. */
const ids = (values: string[]) => [...new Set(values)];

export async function conversationViews<R extends ConversationRow>(services: Services, rows: R[]) {
  if (rows.length === 0) return [];
  const tenantId = rows[0].tenantId;
  const userIds = ids(rows.map((r) => r.assigneeId).filter((x): x is string => Boolean(x)));
  const contacts = await rawRows<ContactRow>(
    services.db,
    `SELECT "id", "name", "phone", "email" FROM "contacts" WHERE "tenantId" = :tenantId AND "id" IN (:...ids)`,
    { tenantId, ids: ids(rows.map((r) => r.contactId)) },
  );
  const users = userIds.length
    ? await rawRows<{ id: string; name: string }>(
        services.db,
        `SELECT "id", "name" FROM "users" WHERE "tenantId" = :tenantId AND "id" IN (:...ids)`,
        { tenantId, ids: userIds },
      )
    : [];
  // The last evaluated SLA state (kept current by the SLA job; null when no policy applies).
  const slas = await rawRows<Pick<ConversationSla, 'conversationId' | 'status' | 'policyId'> & { nextDueAt: unknown }>(
    services.db,
    `SELECT "conversationId", "status", "policyId", "nextDueAt" FROM "conversation_sla"
      WHERE "tenantId" = :tenantId AND "conversationId" IN (:...ids)`,
    { tenantId, ids: rows.map((r) => r.id) },
  );
  const contactById = new Map(contacts.map((c) => [c.id, c]));
  const userById = new Map(users.map((u) => [u.id, u]));
  const slaById = new Map(slas.map((x) => [x.conversationId, x]));
  return rows.map((r) => {
    const c = contactById.get(r.contactId);
    const a = r.assigneeId ? userById.get(r.assigneeId) : undefined;
    const sla = slaById.get(r.id);
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
      sla: sla ? { status: sla.status, policyId: sla.policyId, nextDueAt: isoTime(sla.nextDueAt) } : null,
      resolvedAt: r.resolvedAt,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  });
}

export async function conversationView<R extends ConversationRow>(services: Services, row: R) {
  return (await conversationViews(services, [row]))[0];
}

export type ConversationView = Awaited<ReturnType<typeof conversationView<Conversation>>>;
