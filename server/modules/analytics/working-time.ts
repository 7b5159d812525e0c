// Working time between many pairs of instants at once: each calendar's open intervals over the
// span needed are expanded once (WorkCalendar.openIntervals) with their running totals, and each
// pair is then two binary searches (the calendar's own workingMsBetween walks day by day).
import type { EntityManager } from 'typeorm';
import { WorkCalendar } from '../working-hours/calendar.service.js';
import { WorkingHoursEntity } from '../working-hours/working-hours.entity.js';

export class IntervalIndex {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** Working time before interval i. */
  private readonly before: number[] = [];

  constructor(intervals: [number, number][]) {
    let total = 0;
    for (const [s, e] of intervals) {
      this.starts.push(s);
      this.ends.push(e);
      this.before.push(total);
      total += e - s;
    }
  }

  /** Working time from the first interval up to instant t. */
  private upTo(t: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    let k = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] <= t) {
        k = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (k < 0) return 0;
    return this.before[k] + Math.min(t, this.ends[k]) - this.starts[k];
  }

  between(a: number, b: number): number {
    return b <= a ? 0 : this.upTo(b) - this.upTo(a);
  }
}

export interface Span {
  divisionId: string | null;
  start: number;
  end: number;
}

/** The calendars of an organization (its hours, division overrides), as SLA uses them: a division's override, else the organization's, else always open. */
export async function workingTime(m: EntityManager, tenantId: string, timezone: string, spans: Span[]) {
  const rows = await m.getRepository(WorkingHoursEntity).find({ where: { tenantId } });
  const tenantRow = rows.find((r) => r.divisionId === null) ?? null;
  const byDivision = new Map(rows.filter((r) => r.divisionId !== null).map((r) => [r.divisionId!, r]));
  const keyOf = (divisionId: string | null) => (divisionId && byDivision.has(divisionId) ? divisionId : '');
  const calendarOf = (key: string) => {
    const row = key ? byDivision.get(key)! : tenantRow;
    return row ? new WorkCalendar({ timezone, hours: row.hours, holidays: row.holidays }) : WorkCalendar.always();
  };
  const extent = new Map<string, [number, number]>();
  for (const s of spans) {
    const key = keyOf(s.divisionId);
    const e = extent.get(key);
    if (!e) extent.set(key, [s.start, s.end]);
    else {
      e[0] = Math.min(e[0], s.start);
      e[1] = Math.max(e[1], s.end);
    }
  }
  const indexes = new Map<string, IntervalIndex>();
  for (const [key, [a, b]] of extent) indexes.set(key, new IntervalIndex(calendarOf(key).openIntervals(new Date(a), new Date(b))));
  return {
    /** Working ms in [start, end) on the calendar of the division (one of the spans given). */
    ms(divisionId: string | null, start: number, end: number): number {
      const index = indexes.get(keyOf(divisionId));
      return index ? index.between(start, end) : 0;
    },
  };
}
