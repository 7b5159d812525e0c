// Working-time arithmetic in a tenant's timezone: weekly hours, holidays, whether an instant is
// inside working hours, working time between two instants, and adding working time to an instant.
// Pure (no database, no clock): everything takes the instants it works on. Timezones go through
// core/time.ts.
import { WEEKDAYS, wallClockToUtc, zonedParts, type Weekday } from '../../core/time.js';

export { WEEKDAYS, type Weekday } from '../../core/time.js';

/** One opening interval on a weekday, local wall-clock time "HH:MM"; `end` may be "24:00". */
export interface HoursEntry {
  day: Weekday;
  start: string;
  end: string;
}
/** A local date ("YYYY-MM-DD") on which the business is closed all day. */
export interface Holiday {
  date: string;
  name?: string | null;
}
export interface CalendarSpec {
  timezone: string;
  hours: HoursEntry[];
  holidays: Holiday[];
}

const MINUTE = 60_000;
const DAY_MS = 24 * 3600 * 1000;
/** How far searches look ahead or back before concluding the calendar never opens. */
export const SEARCH_DAYS = 400;

export const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;
export const END_TIME_RE = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

export const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** "YYYY-MM-DD" of a civil date. */
const ymd = (y: number, m: number, d: number) =>
  `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/** The civil date `n` days after y-m-d. */
function addDays(y: number, m: number, d: number, n: number): [number, number, number] {
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()];
}

type Interval = [start: number, end: number];

/** A working calendar; `null` spec (nothing configured) means always open. */
export class WorkCalendar {
  private readonly byDay: [number, number][][] = WEEKDAYS.map(() => []);
  private readonly holidays = new Map<string, string | null>();
  readonly alwaysOpen: boolean;
  readonly timezone: string;

  constructor(spec: CalendarSpec | null) {
    this.alwaysOpen = spec === null;
    this.timezone = spec?.timezone ?? 'UTC';
    if (!spec) return;
    for (const h of spec.hours) {
      const start = minutesOf(h.start);
      const end = minutesOf(h.end);
      if (end > start) this.byDay[WEEKDAYS.indexOf(h.day)].push([start, end]);
    }
    // Sorted and merged per day, so overlapping or touching entries act as one.
    for (let i = 0; i < 7; i++) {
      const merged: [number, number][] = [];
      for (const iv of this.byDay[i].sort((a, b) => a[0] - b[0])) {
        const last = merged[merged.length - 1];
        if (last && iv[0] <= last[1]) last[1] = Math.max(last[1], iv[1]);
        else merged.push([...iv]);
      }
      this.byDay[i] = merged;
    }
    for (const h of spec.holidays) this.holidays.set(h.date, h.name ?? null);
  }

  static always(): WorkCalendar {
    return new WorkCalendar(null);
  }

  /** The holiday's name (or "") when the local date of `at` is a holiday; null otherwise. */
  holidayAt(at: Date): string | null {
    if (this.alwaysOpen) return null;
    const p = zonedParts(at, this.timezone);
    const name = this.holidays.get(ymd(p.year, p.month, p.day));
    return name === undefined ? null : (name ?? '');
  }

  /** Open intervals (UTC ms) of one local date, in order. */
  private dayIntervals(y: number, m: number, d: number): Interval[] {
    if (this.holidays.has(ymd(y, m, d))) return [];
    const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
    return this.byDay[weekday]
      .map(([s, e]) => [wallClockToUtc(this.timezone, y, m, d, 0, s), wallClockToUtc(this.timezone, y, m, d, 0, e)] as Interval)
      .filter(([s, e]) => e > s);
  }

  /** Open intervals from the local day containing `fromMs` onwards, touching intervals merged (at most SEARCH_DAYS days). */
  private *forward(fromMs: number): Generator<Interval> {
    const p = zonedParts(fromMs, this.timezone);
    // Start a day early: a DST shift can move a local day's first interval before `fromMs`'s local date.
    let [y, m, d] = addDays(p.year, p.month, p.day, -1);
    let pending: Interval | null = null;
    for (let i = 0; i <= SEARCH_DAYS; i++) {
      for (const iv of this.dayIntervals(y, m, d)) {
        if (iv[1] <= fromMs) continue;
        if (pending && iv[0] <= pending[1]) pending[1] = Math.max(pending[1], iv[1]);
        else {
          if (pending) yield pending;
          pending = [...iv];
        }
      }
      [y, m, d] = addDays(y, m, d, 1);
    }
    if (pending) yield pending;
  }

  /** Open intervals that start before `atMs`, latest first (not merged), going back from the local day of `atMs`. */
  private *backward(atMs: number): Generator<Interval> {
    const p = zonedParts(atMs, this.timezone);
    let [y, m, d] = addDays(p.year, p.month, p.day, 1);
    for (let i = 0; i <= SEARCH_DAYS; i++) {
      const ivs = this.dayIntervals(y, m, d);
      for (let j = ivs.length - 1; j >= 0; j--) if (ivs[j][0] < atMs) yield ivs[j];
      [y, m, d] = addDays(y, m, d, -1);
    }
  }

  /** Open intervals (UTC ms) within [from, to), merged and in order (for summing working time over many spans at once). */
  openIntervals(from: Date, to: Date): [number, number][] {
    const a = from.getTime();
    const b = to.getTime();
    if (b <= a) return [];
    if (this.alwaysOpen) return [[a, b]];
    const out: [number, number][] = [];
    for (const [s, e] of this.forward(a)) {
      if (s >= b) break;
      out.push([Math.max(s, a), Math.min(e, b)]);
    }
    return out;
  }

  isOpen(at: Date): boolean {
    if (this.alwaysOpen) return true;
    const t = at.getTime();
    for (const [s, e] of this.forward(t)) return s <= t && t < e;
    return false;
  }

  /** Working time (ms) in [from, to). */
  workingMsBetween(from: Date, to: Date): number {
    const a = from.getTime();
    const b = to.getTime();
    if (b <= a) return 0;
    if (this.alwaysOpen) return b - a;
    let total = 0;
    for (const [s, e] of this.forward(a)) {
      if (s >= b) break;
      total += Math.min(e, b) - Math.max(s, a);
    }
    return total;
  }

  /** The instant at which `ms` of working time has passed since `from`; null if the calendar never opens enough. */
  addWorkingMs(from: Date, ms: number): Date | null {
    const a = from.getTime();
    if (this.alwaysOpen) return new Date(a + ms);
    let left = ms;
    for (const [s, e] of this.forward(a)) {
      const start = Math.max(s, a);
      if (e - start >= left) return new Date(start + left);
      left -= e - start;
    }
    return null;
  }

  addWorkingMinutes(from: Date, minutes: number): Date | null {
    return this.addWorkingMs(from, minutes * MINUTE);
  }

  /** When the current open period started (if open) or the next one starts (if closed); null when never. */
  nextOpening(at: Date): Date | null {
    if (this.alwaysOpen) return null;
    const t = at.getTime();
    for (const [s] of this.forward(t)) if (s > t) return new Date(s);
    return null;
  }

  /** When the open period containing `at` ends; null when closed (or always open). */
  closingAt(at: Date): Date | null {
    if (this.alwaysOpen) return null;
    const t = at.getTime();
    for (const [s, e] of this.forward(t)) return s <= t && t < e ? new Date(e) : null;
    return null;
  }

  /**
   * The start of the closed period containing `at`: the end of the last open interval before it.
   * Null when open now; epoch 0 when it has not been open within SEARCH_DAYS (one long closed period).
   */
  closedPeriodStart(at: Date): Date | null {
    if (this.isOpen(at)) return null;
    const t = at.getTime();
    for (const [, e] of this.backward(t)) if (e <= t) return new Date(e);
    return new Date(0);
  }
}

/** Whole minutes, rounding down. */
export const wholeMinutes = (ms: number) => Math.floor(ms / MINUTE);
export { DAY_MS, MINUTE };
