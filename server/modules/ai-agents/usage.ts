// Usage: every model request (replies, summaries, the playground, suggestions, evaluations,
// embeddings) with its tokens, latency and outcome; per agent by day and per organization by month
// in the organization's time zone, against the optional monthly limits.
import { Between, In } from 'typeorm';
import type { TenantCtx } from '../../core/context.js';
import { badRequest } from '../../core/http/errors.js';
import { isValidDate, localDay, wallClockToUtc } from '../../core/time.js';
import { AiAgentEntity, UsageRecordEntity, type UsageRecord } from './ai-agents.entity.js';
import { getAgent } from './lookups.js';
import { monthRange, settingsRow, tenantTimezone } from './model.js';

const DAY = 24 * 3600 * 1000;
const MAX_DAYS = 366;

function totals(rows: UsageRecord[]) {
  const latencies = rows.filter((r) => r.latencyMs > 0).map((r) => r.latencyMs);
  return {
    requests: rows.length,
    failures: rows.filter((r) => !r.ok).length,
    tokensIn: rows.reduce((n, r) => n + r.tokensIn, 0),
    tokensOut: rows.reduce((n, r) => n + r.tokensOut, 0),
    avgLatencyMs: latencies.length ? Math.round(latencies.reduce((a, b) => a + b, 0) / latencies.length) : 0,
    maxLatencyMs: latencies.length ? Math.max(...latencies) : 0,
  };
}

const dayStart = (day: string, timezone: string) => {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(wallClockToUtc(timezone, y, m, d, 0, 0));
};

export const usage = {
  /** Day by day over [from, to] (local dates; default the last 30 days). */
  async agent(ctx: TenantCtx, aiAgentId: string, q: { from?: string; to?: string }) {
    const agent = await getAgent(ctx, aiAgentId);
    const timezone = await tenantTimezone(ctx.db, ctx.tenantId);
    const to = q.to ?? localDay(ctx.now(), timezone);
    const from = q.from ?? localDay(new Date(dayStart(to, timezone).getTime() - 29 * DAY + 12 * 3600 * 1000), timezone);
    for (const [name, v] of [
      ['from', from],
      ['to', to],
    ] as const)
      if (!isValidDate(v)) throw badRequest(`${name} is not a date`, [{ path: `query.${name}`, message: 'YYYY-MM-DD' }]);
    if (from > to) throw badRequest('from is after to', [{ path: 'query.from', message: 'Must not be after to' }]);
    const start = dayStart(from, timezone);
    const end = dayStart(localDay(new Date(dayStart(to, timezone).getTime() + 36 * 3600 * 1000), timezone), timezone);
    if ((end.getTime() - start.getTime()) / DAY > MAX_DAYS)
      throw badRequest(`At most ${MAX_DAYS} days at once`, [{ path: 'query.from', message: 'Range too long' }]);
    const rows = await ctx.db.getRepository(UsageRecordEntity).find({
      where: { tenantId: ctx.tenantId, aiAgentId: agent.id, createdAt: Between(start, new Date(end.getTime() - 1)) },
      order: { createdAt: 'ASC' },
    });
    const byDay = new Map<string, UsageRecord[]>();
    for (const r of rows) {
      const day = localDay(r.createdAt, timezone);
      byDay.set(day, [...(byDay.get(day) ?? []), r]);
    }
    const days: ({ date: string } & ReturnType<typeof totals>)[] = [];
    for (let t = start.getTime() + 12 * 3600 * 1000; t < end.getTime(); t += DAY) {
      const day = localDay(new Date(t), timezone);
      if (days.at(-1)?.date === day) continue;
      days.push({ date: day, ...totals(byDay.get(day) ?? []) });
    }
    return {
      aiAgentId: agent.id,
      from,
      to,
      timezone,
      days,
      totals: totals(rows),
      monthlyTokenLimit: agent.monthlyTokenLimit,
    };
  },

  /** The organization's month (default the current one): totals, the limit, per agent, per kind, recent failures. */
  async organization(ctx: TenantCtx, q: { month?: string }) {
    const timezone = await tenantTimezone(ctx.db, ctx.tenantId);
    let range = monthRange(ctx.now(), timezone);
    if (q.month) {
      const [y, m] = q.month.split('-').map(Number);
      range = monthRange(new Date(wallClockToUtc(timezone, y, m, 15, 12, 0)), timezone);
    }
    const rows = await ctx.db.getRepository(UsageRecordEntity).find({
      where: { tenantId: ctx.tenantId, createdAt: Between(range.start, new Date(range.end.getTime() - 1)) },
      order: { createdAt: 'ASC' },
    });
    const agentIds = [...new Set(rows.map((r) => r.aiAgentId).filter((x): x is string => Boolean(x)))];
    const agents = agentIds.length
      ? await ctx.db.getRepository(AiAgentEntity).find({ where: { tenantId: ctx.tenantId, id: In(agentIds) } })
      : [];
    const settings = await settingsRow(ctx.db, ctx.tenantId);
    const all = totals(rows);
    const used = all.tokensIn + all.tokensOut;
    const limit = settings?.monthlyTokenLimit ?? null;
    const group = <K extends string>(key: (r: UsageRecord) => K) => {
      const map = new Map<K, UsageRecord[]>();
      for (const r of rows) map.set(key(r), [...(map.get(key(r)) ?? []), r]);
      return map;
    };
    return {
      month: range.month,
      timezone,
      totals: all,
      limit: { monthlyTokenLimit: limit, used, remaining: limit === null ? null : Math.max(0, limit - used) },
      agents: [...group((r) => (r.aiAgentId ?? '') as string).entries()].map(([id, list]) => {
        const agent = agents.find((a) => a.id === id);
        return {
          aiAgentId: id || null,
          name: agent?.name ?? null,
          monthlyTokenLimit: agent?.monthlyTokenLimit ?? null,
          ...totals(list),
        };
      }),
      byKind: [...group((r) => r.kind).entries()].map(([kind, list]) => ({ kind, ...totals(list) })),
      recentFailures: rows
        .filter((r) => !r.ok)
        .slice(-20)
        .reverse()
        .map((r) => ({
          at: r.createdAt,
          aiAgentId: r.aiAgentId,
          conversationId: r.conversationId,
          kind: r.kind,
          model: r.model,
          error: r.error,
        })),
    };
  },
};
