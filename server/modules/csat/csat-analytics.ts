// CSAT analytics: sent, answered, response rate, average and CSAT (share of 4 and 5) for a period on
// the organization's calendar, grouped by agent, division, channel, day, week or month.
import { Between, In, type FindOptionsWhere } from 'typeorm';
import type { TenantCtx } from '../../core/context.js';
import { badRequest } from '../../core/http/errors.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import { UserEntity } from '../agents/agent.entity.js';
import { DivisionEntity } from '../divisions/division.entity.js';
import { localDay, localToUtc, zonedParts } from '../../core/time.js';
import { CsatSurveyEntity, type CsatSurvey } from './csat.entity.js';

export interface AnalyticsQuery {
  from?: string;
  to?: string;
  groupBy?: 'agent' | 'division' | 'channel' | 'day' | 'week' | 'month';
  agentId?: string;
  divisionId?: string;
  channel?: string;
}

type Bucket = { sent: number; answered: number; sum: number; distribution: Record<'1' | '2' | '3' | '4' | '5', number> };
const emptyBucket = (): Bucket => ({ sent: 0, answered: 0, sum: 0, distribution: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 } });
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const bucketView = (b: Bucket) => ({
  sent: b.sent,
  answered: b.answered,
  responseRate: b.sent ? round(b.answered / b.sent, 4) : null,
  average: b.answered ? round(b.sum / b.answered) : null,
  /** Share of answers that are 4 or 5, in percent. */
  csat: b.answered ? round(((b.distribution[4] + b.distribution[5]) / b.answered) * 100, 1) : null,
  distribution: b.distribution,
});

/** Start of the period `date` falls in, on the tenant's calendar: YYYY-MM-DD (day, week from Monday) or YYYY-MM. */
function periodKey(date: Date, timezone: string, groupBy: 'day' | 'week' | 'month'): string {
  if (groupBy === 'month') return localDay(date, timezone).slice(0, 7);
  const day = localDay(date, timezone);
  if (groupBy === 'day') return day;
  const p = zonedParts(date, timezone);
  const weekday = (new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay() + 6) % 7; // Monday = 0
  return new Date(Date.UTC(p.year, p.month - 1, p.day - weekday)).toISOString().slice(0, 10);
}

/** A bound of the range: an instant, or a day (its start on the tenant's calendar). */
function parseBound(value: string | undefined, timezone: string, field: 'from' | 'to'): Date | undefined {
  if (value === undefined) return undefined;
  const at = /^\d{4}-\d{2}-\d{2}$/.test(value) ? localToUtc(`${value}T00:00`, timezone) : new Date(value);
  if (!at || Number.isNaN(at.getTime()))
    throw badRequest(`${field} is not a valid date`, [{ path: `query.${field}`, message: 'Use YYYY-MM-DD or an ISO 8601 time' }]);
  return at;
}

export async function csatAnalytics(ctx: TenantCtx, q: AnalyticsQuery) {
  const tenant = await ctx.db.getRepository(TenantEntity).findOneByOrFail({ id: ctx.tenantId });
  const timezone = tenant.timezone;
  const now = ctx.now();
  const to = parseBound(q.to, timezone, 'to') ?? now;
  const from = parseBound(q.from, timezone, 'from') ?? new Date(to.getTime() - 30 * 24 * 3600_000);
  if (from.getTime() >= to.getTime()) throw badRequest('from must be before to', [{ path: 'query.from', message: 'Must be before to' }]);
  const where: FindOptionsWhere<CsatSurvey> = { tenantId: ctx.tenantId, createdAt: Between(from, new Date(to.getTime() - 1)) };
  if (q.agentId) where.agentId = q.agentId;
  if (q.divisionId) where.divisionId = q.divisionId;
  if (q.channel) where.channel = q.channel;
  const surveys = await ctx.db.getRepository(CsatSurveyEntity).find({
    where,
    select: { id: true, status: true, score: true, agentId: true, divisionId: true, channel: true, createdAt: true },
  });
  const summary = emptyBucket();
  const groups = new Map<string, Bucket>();
  const keyOf = (s: CsatSurvey): string | null => {
    switch (q.groupBy) {
      case 'agent':
        return s.agentId;
      case 'division':
        return s.divisionId;
      case 'channel':
        return s.channel;
      case 'day':
      case 'week':
      case 'month':
        return periodKey(s.createdAt, timezone, q.groupBy);
      default:
        return null;
    }
  };
  for (const s of surveys) {
    if (s.status === 'failed') continue;
    const targets = [summary];
    if (q.groupBy) {
      const key = keyOf(s) ?? 'none';
      if (!groups.has(key)) groups.set(key, emptyBucket());
      targets.push(groups.get(key)!);
    }
    for (const b of targets) {
      b.sent++;
      if (s.status === 'answered' && s.score) {
        b.answered++;
        b.sum += s.score;
        b.distribution[String(s.score) as '1']++;
      }
    }
  }
  const labels = new Map<string, string>();
  const keys = [...groups.keys()].filter((k) => k !== 'none');
  if (q.groupBy === 'agent' && keys.length) {
    for (const u of await ctx.db
      .getRepository(UserEntity)
      .find({ where: { tenantId: ctx.tenantId, id: In(keys) }, select: { id: true, name: true } }))
      labels.set(u.id, u.name);
  } else if (q.groupBy === 'division' && keys.length) {
    for (const d of await ctx.db
      .getRepository(DivisionEntity)
      .find({ where: { tenantId: ctx.tenantId, id: In(keys) }, select: { id: true, name: true } }))
      labels.set(d.id, d.name);
  }
  const period = q.groupBy === 'day' || q.groupBy === 'week' || q.groupBy === 'month';
  const rows = [...groups.entries()].map(([key, b]) => ({
    key: key === 'none' ? null : key,
    label: key === 'none' ? null : (labels.get(key) ?? key),
    ...bucketView(b),
  }));
  rows.sort((a, b) =>
    period ? String(a.key).localeCompare(String(b.key)) : b.answered - a.answered || String(a.label).localeCompare(String(b.label)),
  );
  return { from, to, timezone, groupBy: q.groupBy ?? null, summary: bucketView(summary), groups: q.groupBy ? rows : [] };
}
