// The shared inbox: listing, assignment, status, tags, takeover and bulk actions.
import { In, LessThan, type EntityManager } from 'typeorm';
import type { TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { badRequest, unprocessable } from '../../core/http/errors.js';
import { emitEvent } from '../../core/events/outbox.js';
import { recordActivity } from '../../core/audit.js';
import { UserEntity } from '../agents/agent.entity.js';
import { ConversationEntity, type Conversation, type ConversationStatus, type Priority } from './conversation.entity.js';
import { conversationView, conversationViews } from './conversation-views.service.js';
import { isId } from '../../core/ids.js';
import { conversationScope, scopeSqlNamed, visibleConversation } from '../divisions/visibility.service.js';
import { isoTime, rawRows } from '../../db/raw-sql.js';
import { expireByRules } from '../chat-expiration/chat-expiration.service.js';

export interface ConversationQuery {
  limit: number;
  cursor?: string;
  status?: ConversationStatus[];
  assignee?: string;
  channel?: string;
  divisionId?: string;
  tag?: string;
  contactId?: string;
  priority?: Priority;
  unread?: boolean;
}

/** Every column of the entity (a column added to it is listed too). */
const LIST_COLUMNS = Object.keys(ConversationEntity.options.columns)
  .map((c) => `c."${c}"`)
  .join(', ');

type ListRow = ReturnType<typeof listRow>;

/** A raw conversations row as the view takes it: tags parsed, times as the API shows them. */
function listRow(r: Record<string, unknown>) {
  return {
    ...(r as unknown as Omit<Conversation, 'tags'>),
    tags: (typeof r.tags === 'string' ? JSON.parse(r.tags) : (r.tags ?? [])) as string[],
    unreadCount: Number(r.unreadCount),
    lastMessageAt: isoTime(r.lastMessageAt),
    lastInboundAt: isoTime(r.lastInboundAt),
    windowExpiresAt: isoTime(r.windowExpiresAt),
    resolvedAt: isoTime(r.resolvedAt),
    createdAt: isoTime(r.createdAt)!,
    updatedAt: isoTime(r.updatedAt)!,
  };
}

// The inbox is ordered by latest activity; the cursor carries (lastMessageAt, id) of the last row.
const encodeCursor = (c: ListRow) => Buffer.from(`${c.lastMessageAt ?? c.createdAt}|${c.id}`).toString('base64url');
function decodeCursor(cursor: string): { at: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = new Date(at ?? '');
  if (!id || !isId(id) || Number.isNaN(date.getTime()))
    throw badRequest('The cursor is not valid', [{ path: 'query.cursor', message: 'Invalid cursor' }]);
  return { at: date, id };
}

async function activeAgent(ctx: TenantCtx, userId: string) {
  const user = await scoped(ctx, UserEntity).findOne({ id: userId, status: 'active' });
  if (!user) throw unprocessable('No such active agent in this organization', [{ path: 'assigneeId', message: 'Unknown agent' }]);
  return user;
}

async function save(
  ctx: TenantCtx,
  m: EntityManager,
  before: Conversation,
  patch: Partial<Conversation>,
  eventType = 'conversation.updated',
  extra: Record<string, unknown> = {},
) {
  const now = ctx.now();
  const after = { ...before, ...patch, updatedAt: now };
  await scoped(ctx, ConversationEntity, m).update(before.id, { ...patch, updatedAt: now } as never);
  const view = await conversationView(ctx, after);
  await emitEvent(m, { tenantId: ctx.tenantId, type: eventType, payload: { conversation: view, by: ctx.principal.userId, ...extra } }, now);
  if (eventType !== 'conversation.updated')
    await emitEvent(m, { tenantId: ctx.tenantId, type: 'conversation.updated', payload: { conversation: view } }, now);
  return view;
}

export const conversationsService = {
  // Raw SQL, and the rows go to the view as they come (times as ISO strings): the inbox asks for this
  // page constantly, and the query builder and entity hydration were most of its CPU.
  async list(ctx: TenantCtx, q: ConversationQuery) {
    let sql = `SELECT ${LIST_COLUMNS} FROM "conversations" c WHERE c."tenantId" = :tenantId`;
    const params: Record<string, unknown> = { tenantId: ctx.tenantId, limit: q.limit + 1 };
    const visible = scopeSqlNamed('c', await conversationScope(ctx));
    if (visible) {
      sql += ` AND ${visible.sql}`;
      Object.assign(params, visible.params);
    }
    const where = (condition: string, values: Record<string, unknown> = {}) => {
      sql += ` AND ${condition}`;
      Object.assign(params, values);
    };
    if (q.status?.length) where('c."status" IN (:...status)', { status: q.status });
    if (q.assignee === 'me') where('c."assigneeId" = :me', { me: ctx.principal.userId });
    else if (q.assignee === 'unassigned') where('c."assigneeId" IS NULL');
    else if (q.assignee) where('c."assigneeId" = :assignee', { assignee: q.assignee });
    if (q.channel) where('c."channel" = :channel', { channel: q.channel });
    if (q.divisionId) where('c."divisionId" = :divisionId', { divisionId: q.divisionId });
    if (q.contactId) where('c."contactId" = :contactId', { contactId: q.contactId });
    if (q.priority) where('c."priority" = :priority', { priority: q.priority });
    if (q.unread) where('c."unreadCount" > 0');
    // Tags are a JSON array of strings; match the quoted element.
    if (q.tag) where('c."tags" LIKE :tag', { tag: `%${JSON.stringify(q.tag)}%` });
    if (q.cursor) {
      const { at, id } = decodeCursor(q.cursor);
      where('(c."lastMessageAt" < :at OR (c."lastMessageAt" = :at AND c."id" < :id))', {
        at: ctx.db.driver.preparePersistentValue(at, ctx.db.getMetadata(ConversationEntity).findColumnWithPropertyName('lastMessageAt')!),
        id,
      });
    }
    sql += ' ORDER BY c."lastMessageAt" DESC, c."id" DESC LIMIT :limit';
    const rows = (await rawRows<Record<string, unknown>>(ctx.db, sql, params)).map(listRow);
    const more = rows.length > q.limit;
    const data = more ? rows.slice(0, q.limit) : rows;
    return { data: await conversationViews(ctx, data), nextCursor: more ? encodeCursor(data[data.length - 1]) : null };
  },

  async get(ctx: TenantCtx, id: string) {
    return conversationView(ctx, await visibleConversation(ctx, id));
  },

  async assign(ctx: TenantCtx, id: string, assigneeId: string | null) {
    const conversation = await visibleConversation(ctx, id);
    const agent = assigneeId ? await activeAgent(ctx, assigneeId) : null;
    return ctx.transaction(async (m) => {
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: agent ? 'conversation.assigned' : 'conversation.unassigned',
        targetType: 'conversation',
        targetId: id,
        details: { from: conversation.assigneeId, to: agent?.id ?? null },
      });
      return save(ctx, m, conversation, { assigneeId: agent?.id ?? null }, 'conversation.assigned', {
        from: conversation.assigneeId,
        to: agent?.id ?? null,
      });
    });
  },

  async setStatus(ctx: TenantCtx, id: string, status: ConversationStatus) {
    const conversation = await visibleConversation(ctx, id);
    return ctx.transaction(async (m) =>
      save(
        ctx,
        m,
        conversation,
        {
          status,
          resolvedAt: status === 'resolved' ? ctx.now() : status === 'open' || status === 'pending' ? null : conversation.resolvedAt,
        },
        'conversation.status_changed',
        { from: conversation.status, to: status },
      ),
    );
  },

  async markRead(ctx: TenantCtx, id: string) {
    const conversation = await visibleConversation(ctx, id);
    if (conversation.unreadCount === 0) return conversationView(ctx, conversation);
    return ctx.transaction((m) => save(ctx, m, conversation, { unreadCount: 0 }));
  },

  async setTags(ctx: TenantCtx, id: string, body: { tags?: string[]; add?: string[]; remove?: string[] }) {
    const conversation = await visibleConversation(ctx, id);
    const base = body.tags ?? conversation.tags;
    const tags = [...new Set([...base, ...(body.add ?? [])])].filter((t) => !(body.remove ?? []).includes(t)).sort();
    return ctx.transaction((m) => save(ctx, m, conversation, { tags }));
  },

  /** An agent takes the conversation from another agent or from an AI agent; recorded in the activity log. */
  async takeover(ctx: TenantCtx, id: string, reason?: string) {
    const conversation = await visibleConversation(ctx, id);
    const from = { assigneeId: conversation.assigneeId, aiAgentId: conversation.aiAgentId };
    return ctx.transaction(async (m) => {
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'conversation.takeover',
        targetType: 'conversation',
        targetId: id,
        details: { ...from, reason: reason ?? null },
      });
      return save(
        ctx,
        m,
        conversation,
        {
          assigneeId: ctx.principal.userId,
          aiAgentId: null,
          status: conversation.status === 'resolved' || conversation.status === 'expired' ? 'open' : conversation.status,
        },
        'conversation.takeover',
        { from, reason: reason ?? null },
      );
    });
  },

  /** Applies the chat expiration rules, then closes conversations whose customer-service window has ended. */
  async expireStale(ctx: TenantCtx) {
    const resolved = await expireByRules(ctx, ctx.tenantId, ctx);
    const now = ctx.now();
    const stale = await scoped(ctx, ConversationEntity).repo.find({
      where: { tenantId: ctx.tenantId, status: In(['open', 'pending']), windowExpiresAt: LessThan(now) },
    });
    await ctx.transaction(async (m) => {
      for (const c of stale) await save(ctx, m, c, { status: 'expired' }, 'conversation.status_changed', { from: c.status, to: 'expired' });
    });
    return { expired: stale.length, conversationIds: stale.map((c) => c.id), resolved: resolved.length, resolvedConversationIds: resolved };
  },

  async bulk(
    ctx: TenantCtx,
    body: {
      conversationIds: string[];
      action: 'assign' | 'status' | 'tag' | 'untag' | 'mark_read';
      assigneeId?: string | null;
      status?: ConversationStatus;
      tags?: string[];
    },
  ) {
    if (body.action === 'assign' && body.assigneeId === undefined)
      throw badRequest('assign needs assigneeId', [{ path: 'assigneeId', message: 'Required for assign (null to unassign)' }]);
    if (body.action === 'status' && !body.status)
      throw badRequest('status needs status', [{ path: 'status', message: 'Required for status' }]);
    if ((body.action === 'tag' || body.action === 'untag') && !body.tags?.length)
      throw badRequest(`${body.action} needs tags`, [{ path: 'tags', message: 'Required' }]);
    const agent = body.action === 'assign' && body.assigneeId ? await activeAgent(ctx, body.assigneeId) : null;
    const ids = [...new Set(body.conversationIds)].filter(isId);
    const rows = ids.length ? await scoped(ctx, ConversationEntity).find({ id: In(ids) }) : [];
    const found = new Set(rows.map((r) => r.id));
    await ctx.transaction(async (m) => {
      for (const c of rows) {
        if (body.action === 'assign')
          await save(ctx, m, c, { assigneeId: agent?.id ?? null }, 'conversation.assigned', { from: c.assigneeId, to: agent?.id ?? null });
        else if (body.action === 'status')
          await save(
            ctx,
            m,
            c,
            { status: body.status!, resolvedAt: body.status === 'resolved' ? ctx.now() : c.resolvedAt },
            'conversation.status_changed',
            { from: c.status, to: body.status },
          );
        else if (body.action === 'tag') await save(ctx, m, c, { tags: [...new Set([...c.tags, ...body.tags!])].sort() });
        else if (body.action === 'untag') await save(ctx, m, c, { tags: c.tags.filter((t) => !body.tags!.includes(t)) });
        else if (c.unreadCount > 0) await save(ctx, m, c, { unreadCount: 0 });
      }
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: `conversation.bulk_${body.action}`,
        targetType: 'conversation',
        details: { count: rows.length, assigneeId: body.assigneeId, status: body.status, tags: body.tags },
      });
    });
    return { updated: rows.length, notFound: body.conversationIds.filter((id) => !found.has(id)) };
  },
};
