// CSAT analytics (moved here from the csat module; GET /api/v1/csat/analytics answers the same):
// sent, answered, response rate, average and CSAT (share of 4 and 5) for a period, grouped by
// agent, division, channel, day, week or month on the period's time zone.
import { Between, In, type FindOptionsWhere } from 'typeorm';
import type { TenantCtx } from '../../core/context.js';
import { localDay, zonedParts } from '../../core/time.js';
import { UserEntity } from '../agents/agent.entity.js';
import { DivisionEntity } from '../divisions/division.entity.js';
import { CsatSurveyEntity, type CsatSurvey } from '../csat/csat.entity.js';
import type { Period } from './analytics.range.js';

export type CsatGroupBy = 'agent' | 'division' | 'channel' | 'day' | 'week' | 'month';

type Bucket = { sent: number; answered: number; sum: number; distribution: Record<'1' | '2' | '3' | '4' | '5', number> };
const emptyBucket = (): Bucket => ({ sent: 0, answered: 0, sum: 0, distribution: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 } });
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
export const csatBucketView = (b: Bucket) => ({
  sent: b.sent,
  answered: b.answered,
  responseRate: b.sent ? round(b.answered / b.sent, 4) : null,
  average: b.answered ? round(b.sum / b.answered) : null,
  /** Share of answers that are 4 or 5, in percent. */
  csat: b.answered ? round(((b.distribution[4] + b.distribution[5]) / b.answered) * 100, 1) : null,
  distribution: b.distribution,
});

/** Start of the period `date` falls in, on the calendar of `timezone`: YYYY-MM-DD (day, week from Monday) or YYYY-MM. */
function periodKey(date: Date, timezone: string, groupBy: 'day' | 'week' | 'month'): string {
  if (groupBy === 'month') return localDay(date, timezone).slice(0, 7);
  const day = localDay(date, timezone);
  if (groupBy === 'day') return day;
  const p = zonedParts(date, timezone);
  const weekday = (new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay() + 6) % 7; // Monday = 0
  return new Date(Date.UTC(p.year, p.month - 1, p.day - weekday)).toISOString().slice(0, 10);
}

/** Surveys made in the period (failed ones left out), with the period's filters (as the survey recorded its agent, division, channel). */
export async function csatSurveys(ctx: TenantCtx, p: Period): Promise<CsatSurvey[]> {
  const where: FindOptionsWhere<CsatSurvey> = { tenantId: ctx.tenantId, createdAt: Between(p.from, new Date(p.to.getTime() - 1)) };
  if (p.filters.agentId) where.agentId = p.filters.agentId;
  if (p.filters.divisionId) where.divisionId = p.filters.divisionId;
  if (p.filters.channel) where.channel = p.filters.channel;
  const surveys = await ctx.db.getRepository(CsatSurveyEntity).find({
    where,
    select: { id: true, status: true, score: true, agentId: true, divisionId: true, channel: true, createdAt: true },
  });
  return surveys.filter((s) => s.status !== 'failed');
}

export function tally(surveys: CsatSurvey[], keyOf: (s: CsatSurvey) => string | null = () => null) {
  const summary = emptyBucket();
  const groups = new Map<string, Bucket>();
  for (const s of surveys) {
    const key = keyOf(s) ?? 'none';
    if (!groups.has(key)) groups.set(key, emptyBucket());
    for (const b of [summary, groups.get(key)!]) {
      b.sent++;
      if (s.status === 'answered' && s.score) {
        b.answered++;
        b.sum += s.score;
        b.distribution[String(s.score) as '1']++;
      }
    }
  }
  return { summary, groups };
}

export async function csatAnalytics(ctx: TenantCtx, p: Period, groupBy?: CsatGroupBy) {
  const { timezone } = p;
  const surveys = await csatSurveys(ctx, p);
  const keyOf = (s: CsatSurvey): string | null => {
    switch (groupBy) {
      case 'agent':
        return s.agentId;
      case 'division':
        return s.divisionId;
      case 'channel':
        return s.channel;
      case 'day':
      case 'week':
      case 'month':
        return periodKey(s.createdAt, timezone, groupBy);
      default:
        return null;
    }
  };
  const { summary, groups } = tally(surveys, keyOf);
  const labels = new Map<string, string>();
  const keys = [...groups.keys()].filter((k) => k !== 'none');
  if (groupBy === 'agent' && keys.length) {
    for (const u of await ctx.db
      .getRepository(UserEntity)
      .find({ where: { tenantId: ctx.tenantId, id: In(keys) }, select: { id: true, name: true } }))
      labels.set(u.id, u.name);
  } else if (groupBy === 'division' && keys.length) {
    for (const d of await ctx.db
      .getRepository(DivisionEntity)
      .find({ where: { tenantId: ctx.tenantId, id: In(keys) }, select: { id: true, name: true } }))
      labels.set(d.id, d.name);
  }
  const period = groupBy === 'day' || groupBy === 'week' || groupBy === 'month';
  const rows = [...groups.entries()].map(([key, b]) => ({
    key: key === 'none' ? null : key,
    label: key === 'none' ? null : (labels.get(key) ?? key),
    ...csatBucketView(b),
  }));
  rows.sort((a, b) =>
    period ? String(a.key).localeCompare(String(b.key)) : b.answered - a.answered || String(a.label).localeCompare(String(b.label)),
  );
  return { from: p.from, to: p.to, timezone, groupBy: groupBy ?? null, summary: csatBucketView(summary), groups: groupBy ? rows : [] };
}
