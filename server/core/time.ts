// Time zones, in one place (DESIGN rule 8: times are stored in UTC; a tenant's IANA time zone,
// default Asia/Jakarta, applies to working hours, schedules and analytics buckets). Wall-clock
// readings and their instants come from the platform's Intl data: DST zones work with no library.

export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A wall-clock reading in some time zone. */
export interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: Weekday;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  return canonicalTimezone(timeZone) !== null;
}

/** The canonical name of an IANA time zone, or null when Intl does not know it. */
export function canonicalTimezone(timeZone: string): string | null {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** True when `date` is a real calendar date in YYYY-MM-DD form. */
export function isValidDate(date: string): boolean {
  if (!DATE_RE.test(date)) return false;
  const [y, m, d] = date.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** The wall-clock reading of an instant in `timeZone`. */
export function zonedParts(instant: Date | number, timeZone: string): ZonedParts {
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(instant))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const weekday = WEEKDAYS[new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay()];
  return { year: p.year, month: p.month, day: p.day, hour: p.hour % 24, minute: p.minute, second: p.second, weekday };
}

/** How far `timeZone` is ahead of UTC at an instant, in milliseconds (positive east of Greenwich). */
export function offsetMs(instant: Date | number, timeZone: string): number {
  const ms = new Date(instant).getTime();
  const p = zonedParts(ms, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant at which the wall clock in `timeZone` reads year-month-day hour:minute:second
 * (fields may overflow: minute 1440 is the next midnight). A time skipped by a daylight-saving
 * jump is moved forward by the jump, as clocks do.
 */
export function wallClockToUtc(
  timeZone: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second = 0,
): number {
  const naive = Date.UTC(year, month - 1, day, hour, minute, second);
  const first = offsetMs(naive, timeZone);
  let t = naive - first;
  // Across a DST change the offset at the result differs from the first guess: use the result's.
  const second_ = offsetMs(t, timeZone);
  if (second_ !== first) t = naive - second_;
  return t;
}

const LOCAL_PATTERN = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * "2026-12-01T09:00" (or with seconds) read as a wall-clock time in `timeZone`, as a UTC instant.
 * Undefined when the text is not such a time or names a day that does not exist.
 */
export function localToUtc(local: string, timeZone: string): Date | undefined {
  const m = LOCAL_PATTERN.exec(local.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0));
  if (!isValidDate(`${m[1]}-${m[2]}-${m[3]}`) || hour > 23 || minute > 59 || second > 59) return undefined;
  return new Date(wallClockToUtc(timeZone, year, month, day, hour, minute, second));
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** An instant as "YYYY-MM-DDTHH:mm:ss" on the wall clock of `timeZone`. */
export function formatLocal(date: Date, timeZone: string): string {
  const p = zonedParts(date, timeZone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

/** The calendar day of an instant in `timeZone`, "YYYY-MM-DD". */
export function localDay(date: Date, timeZone: string): string {
  return formatLocal(date, timeZone).slice(0, 10);
}
