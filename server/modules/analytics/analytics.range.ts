// The period, time zone and filters of an analytics request, and the day or week buckets of a
// period on a time zone's calendar (a bucket starts at local midnight; weeks start on Monday).
import type { TenantCtx } from '../../core/context.js';
import { badRequest, notFound } from '../../core/http/errors.js';
import { isId } from '../../core/ids.js';
import { canonicalTimezone, localToUtc, wallClockToUtc, zonedParts } from '../../core/time.js';
import type { Channel } from '../../channels/types.js';
import { UserEntity } from '../agents/agent.entity.js';
import { DivisionEntity } from '../divisions/division.entity.js';
import { tenantTimezone as timezoneOfTenant } from '../tenants/tenant-timezone.service.js';

export interface AnalyticsQuery {
  from?: string;
  to?: string;
  timezone?: string;
  channel?: Channel;
  divisionId?: string;
  agentId?: string;
}

export interface Filters {
  channel?: Channel;
  divisionId?: string;
  agentId?: string;
}

export interface Period {
  tenantId: string;
  from: Date;
  to: Date;
  /** The time zone days and weeks follow (the query's, else the organization's). */
  timezone: string;
  /** The organization's own time zone (its working-hours calendar follows it). */
  tenantTimezone: string;
  filters: Filters;
}

const DAY_MS = 24 * 3600_000;
/** The longest period one request may cover. */
export const MAX_RANGE_DAYS = 400;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

function parseBound(value: string, timezone: string, field: 'from' | 'to'): Date {
  const at = DATE_ONLY.test(value)
    ? localToUtc(`${value}T00:00`, timezone)
    : /\d{4}-\d{2}-\d{2}T/.test(value)
      ? new Date(value)
      : undefined;
  if (!at || Number.isNaN(at.getTime()))
    throw badRequest(`${field} is not a valid date`, [{ path: `query.${field}`, message: 'Use YYYY-MM-DD or an ISO 8601 time' }]);
  return at;
}

/** The next local midnight after `at` in `timezone`. */
function nextMidnight(at: Date, timezone: string): Date {
  const p = zonedParts(at, timezone);
  return new Date(wallClockToUtc(timezone, p.year, p.month, p.day + 1, 0, 0));
}

/**
 * [from, to) from the query: a bare date is its midnight in the time zone; `to` is exclusive.
 * Without them: the 30 local days up to and including today.
 */
export async function resolvePeriod(ctx: TenantCtx, q: AnalyticsQuery): Promise<Period> {
  const tenantTimezone = (await timezoneOfTenant(ctx.db, ctx.tenantId)) ?? 'Asia/Jakarta';
  let timezone = tenantTimezone;
  if (q.timezone !== undefined) {
    const canonical = canonicalTimezone(q.timezone);
    if (!canonical)
      throw badRequest('timezone is not a known IANA time zone', [
        { path: 'query.timezone', message: 'Unknown time zone, e.g. Asia/Jakarta' },
      ]);
    timezone = canonical;
  }
  const to = q.to !== undefined ? parseBound(q.to, timezone, 'to') : nextMidnight(ctx.now(), timezone);
  let from: Date;
  if (q.from !== undefined) from = parseBound(q.from, timezone, 'from');
  else {
    const p = zonedParts(new Date(to.getTime() - 1), timezone);
    from = new Date(wallClockToUtc(timezone, p.year, p.month, p.day - 29, 0, 0));
  }
  if (from.getTime() >= to.getTime()) throw badRequest('from must be before to', [{ path: 'query.from', message: 'Must be before to' }]);
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS)
    throw badRequest(`A period covers at most ${MAX_RANGE_DAYS} days`, [
      { path: 'query.from', message: `At most ${MAX_RANGE_DAYS} days before to` },
    ]);
  const filters: Filters = {};
  if (q.channel) filters.channel = q.channel;
  if (q.divisionId !== undefined) {
    const found =
      isId(q.divisionId) && (await ctx.db.getRepository(DivisionEntity).exists({ where: { id: q.divisionId, tenantId: ctx.tenantId } }));
    if (!found) throw notFound('Division');
    filters.divisionId = q.divisionId;
  }
  if (q.agentId !== undefined) {
    const found = isId(q.agentId) && (await ctx.db.getRepository(UserEntity).exists({ where: { id: q.agentId, tenantId: ctx.tenantId } }));
    if (!found) throw notFound('Agent');
    filters.agentId = q.agentId;
  }
  return { tenantId: ctx.tenantId, from, to, timezone, tenantTimezone, filters };
}

export type Interval = 'day' | 'week';

export interface Bucket {
  /** The local date the bucket starts on (a Monday for weeks). */
  label: string;
  start: Date;
  end: Date;
}

const ymd = (y: number, m: number, d: number) => {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.toISOString().slice(0, 10);
};

/** The period cut at local midnights (days) or Monday midnights (weeks); the first and last may be partial. */
export function buckets(period: Pick<Period, 'from' | 'to' | 'timezone'>, interval: Interval): Bucket[] {
  const { from, to, timezone } = period;
  const p = zonedParts(from, timezone);
  let day = p.day;
  if (interval === 'week') day -= (new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay() + 6) % 7;
  const step = interval === 'week' ? 7 : 1;
  const out: Bucket[] = [];
  let start = from.getTime();
  for (;;) {
    const label = ymd(p.year, p.month, day);
    const next = wallClockToUtc(timezone, p.year, p.month, day + step, 0, 0);
    const end = Math.min(next, to.getTime());
    out.push({ label, start: new Date(start), end: new Date(end) });
    if (end >= to.getTime()) break;
    start = end;
    day += step;
  }
  return out;
}

/** The index of the bucket holding instant `t` (ms), by binary search; -1 outside. */
export function bucketOf(list: Bucket[], t: number): number {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (t < list[mid].start.getTime()) hi = mid - 1;
    else if (t >= list[mid].end.getTime()) lo = mid + 1;
    else return mid;
  }
  return -1;
}
