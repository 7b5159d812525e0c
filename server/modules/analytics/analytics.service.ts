// Analytics of an organization, computed from its own rows for any period and time zone and
// filterable by channel, division and agent (the conversation's current assignee):
//
// - new conversations: created in the period; resolved: status resolved with resolvedAt in the
//   period; open: open or pending now, created before the period's end.
// - messages in / out: created in the period, by direction.
// - first response: from a conversation's creation to its first agent or AI reply (as SLA counts
//   it), over the conversations created in the period that got one; resolution: from creation to
//   resolvedAt, over the conversations resolved in the period. Both wall-clock and in working hours
//   (the division's calendar, else the organization's, else always open); medians and 90th
//   percentiles interpolated between ranks; seconds.
// - SLA attainment: of the conversations created in the period whose SLA is decided, the share met.
import type { Response } from 'express';
import { CHANNELS, type Channel } from '../../channels/types.js';
import { sendCsv } from './analytics.csv.js';
import type { TenantCtx } from '../../core/context.js';
import { UserEntity } from '../agents/agent.entity.js';
import { type AnalyticsQuery, type Bucket, type Interval, type Period, bucketOf, buckets, resolvePeriod } from './analytics.range.js';
import { bucketCase, conversationFilter, ms, num, periodParams, rows } from './analytics.sql.js';
import { csatAnalytics, csatBucketView, csatSurveys, tally, type CsatGroupBy } from './csat-analytics.js';
import { Durations, type DurationStats } from './stats.js';
import { workingTime } from './working-time.js';

export type { AnalyticsQuery } from './analytics.range.js';
export { recordWhatsappPricing } from './whatsapp-pricing.service.js';

/** CSAT analytics as CSV (for the csat module's alias route). */
export function sendCsatCsv(res: Response, result: Awaited<ReturnType<typeof csatAnalytics>>): void {
  sendCsv(res, 'csat', result, result.groupBy ? result.groups : [result.summary]);
}

interface Created {
  createdAt: number;
  channel: Channel;
  divisionId: string | null;
  assigneeId: string | null;
  firstReplyAt: number | null;
  firstReplyBy: string | null;
  /** Time to first response, wall-clock and working (ms), when answered. */
  frWall: number | null;
  frWork: number | null;
}

interface Resolved {
  createdAt: number;
  resolvedAt: number;
  channel: Channel;
  divisionId: string | null;
  assigneeId: string | null;
  wall: number;
  work: number;
}

/**
 * The conversations created in the period (with their first reply, kept on the conversation row by
 * first-reply.ts) and those resolved in it, with their durations.
 */
async function conversationFacts(ctx: TenantCtx, p: Period, withResponder = false): Promise<{ created: Created[]; resolved: Resolved[] }> {
  const params = periodParams(p);
  const filter = conversationFilter(p.filters);
  const createdRows = await rows<Record<string, unknown>>(
    ctx.db,
    `SELECT c."createdAt" AS "createdAt", c."channel" AS "channel", c."divisionId" AS "divisionId",
            c."assigneeId" AS "assigneeId", c."firstReplyAt" AS "firstReplyAt",
            ${withResponder ? 'c."firstReplyBy"' : 'NULL'} AS "firstReplyBy"
       FROM "conversations" c
      WHERE c."tenantId" = :tenantId AND c."createdAt" >= :from AND c."createdAt" < :to${filter}`,
    params,
  );
  const resolvedRows = await rows<Record<string, unknown>>(
    ctx.db,
    `SELECT c."createdAt" AS "createdAt", c."resolvedAt" AS "resolvedAt", c."channel" AS "channel",
            c."divisionId" AS "divisionId", c."assigneeId" AS "assigneeId"
       FROM "conversations" c
      WHERE c."tenantId" = :tenantId AND c."resolvedAt" >= :from AND c."resolvedAt" < :to AND c."status" = 'resolved'${filter}`,
    params,
  );
  // (No ids: tens of thousands of strings per request that nothing reads.)
  const created = createdRows.map((r) => ({
    createdAt: ms(r.createdAt)!,
    channel: r.channel as Channel,
    divisionId: (r.divisionId as string | null) ?? null,
    assigneeId: (r.assigneeId as string | null) ?? null,
    firstReplyAt: ms(r.firstReplyAt),
    firstReplyBy: (r.firstReplyBy as string | null) ?? null,
    frWall: null as number | null,
    frWork: null as number | null,
  }));
  const resolvedBase = resolvedRows.map((r) => ({
    createdAt: ms(r.createdAt)!,
    resolvedAt: ms(r.resolvedAt)!,
    channel: r.channel as Channel,
    divisionId: (r.divisionId as string | null) ?? null,
    assigneeId: (r.assigneeId as string | null) ?? null,
  }));
  const spans = [
    ...created.filter((c) => c.firstReplyAt !== null).map((c) => ({ divisionId: c.divisionId, start: c.createdAt, end: c.firstReplyAt! })),
    ...resolvedBase.map((c) => ({ divisionId: c.divisionId, start: c.createdAt, end: c.resolvedAt })),
  ];
  const wt = await workingTime(ctx.db.manager, ctx.tenantId, p.tenantTimezone, spans);
  for (const c of created) {
    if (c.firstReplyAt === null) continue;
    c.frWall = Math.max(0, c.firstReplyAt - c.createdAt);
    c.frWork = wt.ms(c.divisionId, c.createdAt, c.firstReplyAt);
  }
  const resolved = resolvedBase.map((c) => ({
    ...c,
    wall: Math.max(0, c.resolvedAt - c.createdAt),
    work: wt.ms(c.divisionId, c.createdAt, c.resolvedAt),
  }));
  return { created, resolved };
}

function firstResponseStats(list: Created[]): DurationStats {
  const d = new Durations();
  for (const c of list) if (c.frWall !== null) d.add(c.frWall, c.frWork!);
  return d.stats();
}

function resolutionStats(list: Resolved[]): DurationStats {
  const d = new Durations();
  for (const c of list) d.add(c.wall, c.work);
  return d.stats();
}

interface MessageCount {
  key: string | null;
  inbound: number;
  outbound: number;
}

// Directions summed per row rather than grouped by: a GROUP BY sorts every counted index entry in a
// temporary b-tree, which cost three times the walk itself (35 against 11 ms for 95,000 messages).
const DIRECTION_SUMS = `SUM(CASE WHEN m."direction" = 'inbound' THEN 1 ELSE 0 END) AS "inbound",
  SUM(CASE WHEN m."direction" = 'outbound' THEN 1 ELSE 0 END) AS "outbound"`;

/**
 * Messages created in the period, counted by direction, by `group` (an SQL expression over the
 * conversation `c` and the message `m`) or in all. With a filter on the conversation (or a group by
 * one of its columns) they are reached through the conversations active in the period (last
 * message at or after its start, created before its end); either way only indexes are read, no
 * message row.
 */
async function messageCounts(
  ctx: TenantCtx,
  p: Period,
  group?: string,
  params: Record<string, unknown> = {},
  where = '',
): Promise<MessageCount[]> {
  const key = group ? `${group} AS "key", ` : '';
  const result = await messageRows(ctx, p, `${key}${DIRECTION_SUMS}`, { params, where, group });
  return result.map((r) => ({
    key: r.key === null || r.key === undefined ? null : String(r.key),
    inbound: num(r.inbound),
    outbound: num(r.outbound),
  }));
}

/** `select` (aggregates over the conversation `c` and the message `m`) over the period's messages, as messageCounts reaches them. */
async function messageRows(
  ctx: TenantCtx,
  p: Period,
  select: string,
  { params = {}, where = '', group }: { params?: Record<string, unknown>; where?: string; group?: string },
): Promise<Record<string, unknown>[]> {
  const filtered = Boolean(p.filters.channel || p.filters.divisionId || p.filters.agentId) || Boolean(group?.startsWith('c.'));
  const groupBy = group ? ` GROUP BY ${group}` : '';
  // Without a filter on the conversation, one range of the organization/time index holds them all.
  const sql = filtered
    ? `SELECT ${select}
         FROM "conversations" c JOIN "messages" m ON m."conversationId" = c."id"
        WHERE c."tenantId" = :tenantId AND c."lastMessageAt" >= :from AND c."createdAt" < :to${conversationFilter(p.filters)}
          AND m."createdAt" >= :from AND m."createdAt" < :to${where}${groupBy}`
    : `SELECT ${select}
         FROM "messages" m
        WHERE m."tenantId" = :tenantId AND m."createdAt" >= :from AND m."createdAt" < :to${where}${groupBy}`;
  return rows<Record<string, unknown>>(ctx.db, sql, { ...periodParams(p), ...params });
}

/**
 * Outbound messages each agent wrote in the period. Up to 64 agents, one conditional sum per agent
 * in a single walk: a GROUP BY sender sorted the period's ~40,000 agent messages (48 of 75 ms).
 */
async function sentByAgents(ctx: TenantCtx, p: Period, agentIds: string[]): Promise<Map<string, number>> {
  const where = ` AND m."direction" = 'outbound' AND m."senderType" = 'agent'`;
  if (agentIds.length > 64) {
    const grouped = await messageCounts(ctx, p, 'm."senderId"', {}, where);
    return new Map(grouped.filter((r) => r.key !== null).map((r) => [r.key!, r.outbound]));
  }
  if (agentIds.length === 0) return new Map();
  const params: Record<string, unknown> = {};
  const sums = agentIds.map((id, i) => {
    params[`s${i}`] = id;
    return `SUM(CASE WHEN m."senderId" = :s${i} THEN 1 ELSE 0 END) AS "s${i}"`;
  });
  const [row] = await messageRows(ctx, p, sums.join(', '), { params, where });
  return new Map(agentIds.map((id, i) => [id, num(row?.[`s${i}`])]));
}

/**
 * Messages of the period by channel. A join per channel reaches its messages through its active
 * conversations (~25 ms for 95,000 messages); without a channel, division or agent filter, the channel with
 * the most active conversations is instead the organization's total (one walk of the messages
 * index) less the others, and a channel without an active conversation has none.
 */
async function messagesByChannel(
  ctx: TenantCtx,
  p: Period,
  channels: Channel[],
): Promise<Map<Channel, { inbound: number; outbound: number }>> {
  const out = new Map<Channel, { inbound: number; outbound: number }>(channels.map((c) => [c, { inbound: 0, outbound: 0 }]));
  const active = await rows<Record<string, unknown>>(
    ctx.db,
    `SELECT c."channel" AS "channel", COUNT(*) AS "n" FROM "conversations" c
      WHERE c."tenantId" = :tenantId AND c."lastMessageAt" >= :from AND c."createdAt" < :to${conversationFilter(p.filters)}
      GROUP BY c."channel"`,
    periodParams(p),
  );
  const busy = active
    .map((r) => ({ channel: r.channel as Channel, n: num(r.n) }))
    .filter((r) => out.has(r.channel) && r.n > 0)
    .sort((a, b) => b.n - a.n);
  // Only when every channel is counted: the total is the organization's, all channels together.
  const byTotal = !p.filters.channel && !p.filters.divisionId && !p.filters.agentId && busy.length > 0 ? busy[0].channel : undefined;
  for (const { channel } of busy) {
    if (channel === byTotal) continue;
    out.set(channel, directionTotals(await messageCounts(ctx, { ...p, filters: { ...p.filters, channel } })));
  }
  if (byTotal) {
    const total = directionTotals(await messageCounts(ctx, { ...p, filters: {} }));
    for (const [channel, m] of out) {
      if (channel === byTotal) continue;
      total.inbound -= m.inbound;
      total.outbound -= m.outbound;
    }
    out.set(byTotal, total);
  }
  return out;
}

/** Conversations open or pending now, created before the period's end, by `group`. */
async function openCounts(ctx: TenantCtx, p: Period, group: string): Promise<Map<string | null, number>> {
  // A period ending now or later holds every conversation's creation: no need to ask (the planner
  // then walks the few open ones by status instead of every conversation by creation time).
  const bounded = p.to.getTime() <= ctx.now().getTime() ? ` AND c."createdAt" < :to` : '';
  const result = await rows<Record<string, unknown>>(
    ctx.db,
    `SELECT ${group} AS "key", COUNT(*) AS "n" FROM "conversations" c
      WHERE c."tenantId" = :tenantId AND c."status" IN ('open', 'pending')${bounded}${conversationFilter(p.filters)}
      GROUP BY ${group}`,
    periodParams(p),
  );
  return new Map(result.map((r) => [r.key === null || r.key === undefined ? null : String(r.key), num(r.n)]));
}

async function slaSummary(ctx: TenantCtx, p: Period) {
  const params = periodParams(p);
  const filter = conversationFilter(p.filters);
  const states = await rows<Record<string, unknown>>(
    ctx.db,
    `SELECT s."status" AS "status", COUNT(*) AS "n" FROM "conversation_sla" s JOIN "conversations" c ON c."id" = s."conversationId"
      WHERE c."tenantId" = :tenantId AND c."createdAt" >= :from AND c."createdAt" < :to${filter}
      GROUP BY s."status"`,
    params,
  );
  const breaches = await rows<Record<string, unknown>>(
    ctx.db,
    `SELECT b."metric" AS "metric", COUNT(*) AS "n" FROM "sla_breaches" b JOIN "conversations" c ON c."id" = b."conversationId"
      WHERE c."tenantId" = :tenantId AND c."createdAt" >= :from AND c."createdAt" < :to${filter}
      GROUP BY b."metric"`,
    params,
  );
  const count = (status: string) => num(states.find((s) => s.status === status)?.n);
  const met = count('met');
  const breached = count('breached');
  return {
    met,
    breached,
    pending: count('on_track') + count('at_risk'),
    /** Percent of decided conversations (met or breached) that met their SLA. */
    attainment: met + breached ? Math.round((met / (met + breached)) * 1000) / 10 : null,
    breaches: {
      firstResponse: num(breaches.find((b) => b.metric === 'first_response')?.n),
      resolution: num(breaches.find((b) => b.metric === 'resolution')?.n),
    },
  };
}

/**
 * Messages of an organization written in [from, to), by direction (a hook for usage and billing:
 * the same count the dashboard shows).
 */
export async function messagesBetween(ctx: Pick<TenantCtx, 'db' | 'tenantId'>, from: Date, to: Date) {
  const p: Period = { tenantId: ctx.tenantId, from, to, timezone: 'UTC', tenantTimezone: 'UTC', filters: {} };
  return directionTotals(await messageCounts(ctx as TenantCtx, p));
}

/** The pricing rows' conversations, joined only when a filter needs them. */
const pricingJoin = (p: Period) =>
  p.filters.channel || p.filters.divisionId || p.filters.agentId ? ` JOIN "conversations" c ON c."id" = p."conversationId"` : '';

const periodView = (p: Period) => ({
  from: p.from,
  to: p.to,
  timezone: p.timezone,
  filters: { channel: p.filters.channel ?? null, divisionId: p.filters.divisionId ?? null, agentId: p.filters.agentId ?? null },
});

const directionTotals = (list: MessageCount[]) => ({
  inbound: list.reduce((s, r) => s + r.inbound, 0),
  outbound: list.reduce((s, r) => s + r.outbound, 0),
});

export const analyticsService = {
  resolvePeriod,

  async overview(ctx: TenantCtx, q: AnalyticsQuery) {
    const p = await resolvePeriod(ctx, q);
    const { created, resolved } = await conversationFacts(ctx, p);
    const open = await openCounts(ctx, p, `'all'`);
    const messages = directionTotals(await messageCounts(ctx, p));
    const csat = tally(await csatSurveys(ctx, p)).summary;
    return {
      ...periodView(p),
      conversations: { new: created.length, resolved: resolved.length, open: open.get('all') ?? 0 },
      messages,
      firstResponse: firstResponseStats(created),
      resolution: resolutionStats(resolved),
      sla: await slaSummary(ctx, p),
      csat: csatBucketView(csat),
    };
  },

  async trends(ctx: TenantCtx, q: AnalyticsQuery & { interval?: Interval }) {
    const p = await resolvePeriod(ctx, q);
    const interval = q.interval ?? 'day';
    const list: Bucket[] = buckets(p, interval);
    const { created, resolved } = await conversationFacts(ctx, p);
    let counts: MessageCount[];
    if (p.filters.channel || p.filters.divisionId || p.filters.agentId) {
      // Through the period's active conversations: walked once, bucketed by a CASE tree.
      const params: Record<string, unknown> = {};
      const group = bucketCase(
        'm."createdAt"',
        list.slice(1).map((b) => b.start),
        params,
      );
      counts = await messageCounts(ctx, p, group, params);
    } else {
      // One range of the organization/time index per bucket: no sort of the period's messages.
      counts = [];
      for (const [i, b] of list.entries())
        counts.push(...(await messageCounts(ctx, { ...p, from: b.start, to: b.end })).map((r) => ({ ...r, key: String(i) })));
    }
    const rowsOut = list.map((b) => ({
      label: b.label,
      start: b.start,
      end: b.end,
      newConversations: 0,
      resolvedConversations: 0,
      messagesIn: 0,
      messagesOut: 0,
      fr: new Durations(),
      res: new Durations(),
    }));
    for (const c of created) {
      const i = bucketOf(list, c.createdAt);
      if (i < 0) continue;
      rowsOut[i].newConversations++;
      if (c.frWall !== null) rowsOut[i].fr.add(c.frWall, c.frWork!);
    }
    for (const c of resolved) {
      const i = bucketOf(list, c.resolvedAt);
      if (i < 0) continue;
      rowsOut[i].resolvedConversations++;
      rowsOut[i].res.add(c.wall, c.work);
    }
    for (const r of counts) {
      const row = rowsOut[Number(r.key)];
      if (!row) continue;
      row.messagesIn += r.inbound;
      row.messagesOut += r.outbound;
    }
    return {
      ...periodView(p),
      interval,
      buckets: rowsOut.map(({ fr, res, ...row }) => {
        const f = fr.stats();
        const r = res.stats();
        return {
          ...row,
          firstResponseMedian: f.wallClock.median,
          firstResponseMedianWorking: f.workingHours.median,
          resolutionMedian: r.wallClock.median,
          resolutionMedianWorking: r.workingHours.median,
        };
      }),
    };
  },

  async agents(ctx: TenantCtx, q: AnalyticsQuery) {
    const p = await resolvePeriod(ctx, q);
    const { created, resolved } = await conversationFacts(ctx, p, true);
    // An expression, not the bare column: grouping by the column, SQLite walks the whole organization's
    // (tenantId, assigneeId, status) index for its order instead of the few open conversations.
    const open = await openCounts(ctx, p, `COALESCE(c."assigneeId", '')`);
    // The agent filter narrows conversations to theirs; the list shows that agent alone.
    const users = await ctx.db.getRepository(UserEntity).find({
      where: p.filters.agentId ? { tenantId: ctx.tenantId, id: p.filters.agentId } : { tenantId: ctx.tenantId },
      select: { id: true, name: true, email: true, status: true },
      order: { name: 'ASC' },
    });
    const sent = await sentByAgents(
      ctx,
      p,
      users.map((u) => u.id),
    );
    const csat = tally(await csatSurveys(ctx, p), (s) => s.agentId).groups;
    // One pass over the period's conversations, not three filters per agent.
    const byAgent = new Map(users.map((u) => [u.id, { created: 0, firstResponses: [] as Created[], resolved: [] as Resolved[] }]));
    for (const c of created) {
      if (c.assigneeId) {
        const mine = byAgent.get(c.assigneeId);
        if (mine) mine.created++;
      }
      if (c.firstReplyBy) byAgent.get(c.firstReplyBy)?.firstResponses.push(c);
    }
    for (const c of resolved) if (c.assigneeId) byAgent.get(c.assigneeId)?.resolved.push(c);
    const agents = users.map((u) => {
      const mine = byAgent.get(u.id)!;
      const answers = csat.get(u.id);
      const view = answers ? csatBucketView(answers) : null;
      return {
        agentId: u.id,
        name: u.name,
        email: u.email,
        status: u.status,
        newConversations: mine.created,
        resolved: mine.resolved.length,
        open: open.get(u.id) ?? 0,
        messagesSent: sent.get(u.id) ?? 0,
        firstResponses: mine.firstResponses.length,
        firstResponse: firstResponseStats(mine.firstResponses),
        resolution: resolutionStats(mine.resolved),
        csat: { answered: view?.answered ?? 0, average: view?.average ?? null, csat: view?.csat ?? null },
      };
    });
    return { ...periodView(p), agents };
  },

  async channels(ctx: TenantCtx, q: AnalyticsQuery) {
    const p = await resolvePeriod(ctx, q);
    const { created, resolved } = await conversationFacts(ctx, p);
    const open = await openCounts(ctx, p, 'c."channel"');
    const list = p.filters.channel ? [p.filters.channel] : [...CHANNELS];
    const counts = await messagesByChannel(ctx, p, list);
    const channels = list.map((channel) => {
      const m = counts.get(channel)!;
      const c = created.filter((x) => x.channel === channel);
      const r = resolved.filter((x) => x.channel === channel);
      return {
        channel,
        newConversations: c.length,
        resolved: r.length,
        open: open.get(channel) ?? 0,
        messagesIn: m.inbound,
        messagesOut: m.outbound,
        firstResponse: firstResponseStats(c),
        resolution: resolutionStats(r),
      };
    });
    return { ...periodView(p), channels };
  },

  async csat(ctx: TenantCtx, q: AnalyticsQuery & { groupBy?: CsatGroupBy }) {
    const p = await resolvePeriod(ctx, q);
    return csatAnalytics(ctx, p, q.groupBy);
  },

  /**
   * Outbound WhatsApp messages written in the period: how far they got (by status, which never moves
   * back: a read message was delivered and sent), and Meta's pricing by model, category and type.
   */
  async whatsappMessages(ctx: TenantCtx, q: AnalyticsQuery) {
    const p = await resolvePeriod(ctx, q);
    const params = { ...periodParams(p), whatsapp: 'whatsapp' };
    const none = p.filters.channel !== undefined && p.filters.channel !== 'whatsapp';
    const filter = conversationFilter(p.filters);
    const [totals] = none
      ? [{}]
      : await rows<Record<string, unknown>>(
          ctx.db,
          `SELECT COUNT(*) AS "total",
                  SUM(CASE WHEN m."status" IN ('sent', 'delivered', 'read') THEN 1 ELSE 0 END) AS "sent",
                  SUM(CASE WHEN m."status" IN ('delivered', 'read') THEN 1 ELSE 0 END) AS "delivered",
                  SUM(CASE WHEN m."status" = 'read' THEN 1 ELSE 0 END) AS "read",
                  SUM(CASE WHEN m."status" = 'failed' THEN 1 ELSE 0 END) AS "failed"
             FROM "conversations" c JOIN "messages" m ON m."conversationId" = c."id"
            WHERE c."tenantId" = :tenantId AND c."channel" = :whatsapp AND c."lastMessageAt" >= :from AND c."createdAt" < :to${filter}
              AND m."createdAt" >= :from AND m."createdAt" < :to AND m."direction" = 'outbound'`,
          params,
        );
    const pricing = none
      ? []
      : await rows<Record<string, unknown>>(
          ctx.db,
          `SELECT p."pricingModel" AS "pricingModel", p."category" AS "category", p."pricingType" AS "pricingType",
                  COUNT(*) AS "messages", SUM(CASE WHEN p."billable" THEN 1 ELSE 0 END) AS "billable"
             FROM "whatsapp_message_pricing" p${pricingJoin(p)}
            WHERE p."tenantId" = :tenantId AND p."messageCreatedAt" >= :from AND p."messageCreatedAt" < :to${filter}
            GROUP BY p."pricingModel", p."category", p."pricingType"
            ORDER BY COUNT(*) DESC, p."category"`,
          params,
        );
    return {
      ...periodView(p),
      totals: {
        outbound: num(totals.total),
        sent: num(totals.sent),
        delivered: num(totals.delivered),
        read: num(totals.read),
        failed: num(totals.failed),
      },
      pricing: pricing.map((r) => ({
        pricingModel: (r.pricingModel as string | null) ?? null,
        category: (r.category as string | null) ?? null,
        pricingType: (r.pricingType as string | null) ?? null,
        messages: num(r.messages),
        billable: num(r.billable),
      })),
    };
  },

  /** WhatsApp conversations (conversation-based pricing) that messages of the period opened or joined, by category and pricing model. */
  async whatsappConversations(ctx: TenantCtx, q: AnalyticsQuery) {
    const p = await resolvePeriod(ctx, q);
    const none = p.filters.channel !== undefined && p.filters.channel !== 'whatsapp';
    const list = none
      ? []
      : await rows<Record<string, unknown>>(
          ctx.db,
          `SELECT COALESCE(p."waConversationOrigin", p."category") AS "category", p."pricingModel" AS "pricingModel",
                  COUNT(DISTINCT p."waConversationId") AS "conversations",
                  COUNT(DISTINCT CASE WHEN p."billable" THEN p."waConversationId" END) AS "billable",
                  COUNT(*) AS "messages"
             FROM "whatsapp_message_pricing" p${pricingJoin(p)}
            WHERE p."tenantId" = :tenantId AND p."messageCreatedAt" >= :from AND p."messageCreatedAt" < :to
              AND p."waConversationId" IS NOT NULL${conversationFilter(p.filters)}
            GROUP BY COALESCE(p."waConversationOrigin", p."category"), p."pricingModel"
            ORDER BY COUNT(DISTINCT p."waConversationId") DESC`,
          periodParams(p),
        );
    const categories = list.map((r) => ({
      category: (r.category as string | null) ?? null,
      pricingModel: (r.pricingModel as string | null) ?? null,
      conversations: num(r.conversations),
      billable: num(r.billable),
      messages: num(r.messages),
    }));
    return {
      ...periodView(p),
      totals: {
        conversations: categories.reduce((s, c) => s + c.conversations, 0),
        billable: categories.reduce((s, c) => s + c.billable, 0),
      },
      categories,
    };
  },

  /**
   * Template messages written in the period, by template name: sent, delivered, read, failed, and
   * replied (the customer wrote in that conversation after the template).
   */
  async templates(ctx: TenantCtx, q: AnalyticsQuery) {
    const p = await resolvePeriod(ctx, q);
    const list = await rows<Record<string, unknown>>(
      ctx.db,
      `SELECT m."content" AS "content", m."status" AS "status", m."sentAt" AS "sentAt", m."deliveredAt" AS "deliveredAt", m."readAt" AS "readAt",
              CASE WHEN EXISTS (SELECT 1 FROM "messages" r WHERE r."conversationId" = m."conversationId" AND r."createdAt" > m."createdAt"
                                  AND r."direction" = 'inbound') THEN 1 ELSE 0 END AS "replied"
         FROM "messages" m JOIN "conversations" c ON c."id" = m."conversationId"
        WHERE m."tenantId" = :tenantId AND m."type" = 'template' AND m."createdAt" >= :from AND m."createdAt" < :to
          AND m."direction" = 'outbound'${conversationFilter(p.filters)}`,
      periodParams(p),
    );
    const byName = new Map<
      string,
      {
        name: string;
        languages: Set<string>;
        sent: number;
        delivered: number;
        read: number;
        failed: number;
        replied: number;
        total: number;
      }
    >();
    for (const r of list) {
      let content: { template?: { name?: string; language?: string } } = {};
      try {
        content = typeof r.content === 'string' ? JSON.parse(r.content) : ((r.content as typeof content) ?? {});
      } catch {
        // a malformed row counts under "(unknown)"
      }
      const name = content.template?.name ?? '(unknown)';
      let t = byName.get(name);
      if (!t) byName.set(name, (t = { name, languages: new Set(), sent: 0, delivered: 0, read: 0, failed: 0, replied: 0, total: 0 }));
      if (content.template?.language) t.languages.add(content.template.language);
      const status = String(r.status);
      t.total++;
      if (r.sentAt !== null || ['sent', 'delivered', 'read'].includes(status)) t.sent++;
      if (r.deliveredAt !== null || ['delivered', 'read'].includes(status)) t.delivered++;
      if (r.readAt !== null || status === 'read') t.read++;
      if (status === 'failed') t.failed++;
      if (num(r.replied)) t.replied++;
    }
    const rate = (n: number, of: number) => (of ? Math.round((n / of) * 1000) / 10 : null);
    const templates = [...byName.values()]
      .sort((a, b) => b.total - a.total || a.name.localeCompare(b.name))
      .map((t) => ({
        name: t.name,
        languages: [...t.languages].sort(),
        messages: t.total,
        sent: t.sent,
        delivered: t.delivered,
        read: t.read,
        failed: t.failed,
        replied: t.replied,
        readRate: rate(t.read, t.delivered),
        replyRate: rate(t.replied, t.sent),
      }));
    return { ...periodView(p), templates };
  },
};
