// Wall-clock times in a tenant's timezone (IANA names, e.g. Asia/Jakarta) and back, with the
// platform's Intl data: no timezone library needed. Times are stored in UTC (DESIGN rule 8).

export interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
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
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock reading of `date` in `timeZone`. */
export function zonedParts(date: Date, timeZone: string): ZonedParts {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(date)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return { year: out.year, month: out.month, day: out.day, hour: out.hour === 24 ? 0 : out.hour, minute: out.minute, second: out.second };
}

/** How far `timeZone` is ahead of UTC at `date`, in milliseconds. */
export function offsetMs(date: Date, timeZone: string): number {
  const p = zonedParts(date, timeZone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(date.getTime() / 1000) * 1000;
}

const LOCAL_PATTERN = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * "2026-12-01T09:00" (or with seconds) read as a wall-clock time in `timeZone`, as a UTC instant.
 * Undefined when the text is not such a time or names a day that does not exist. A time skipped by
 * a daylight-saving jump is moved forward by the jump, as clocks do.
 */
export function localToUtc(local: string, timeZone: string): Date | undefined {
  const m = LOCAL_PATTERN.exec(local.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0));
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(wall);
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  )
    return undefined;
  const first = offsetMs(new Date(wall), timeZone);
  let utc = wall - first;
  const second_ = offsetMs(new Date(utc), timeZone);
  if (second_ !== first) utc = wall - second_;
  return new Date(utc);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `date` as "YYYY-MM-DDTHH:mm:ss" on the wall clock of `timeZone`. */
export function formatLocal(date: Date, timeZone: string): string {
  const p = zonedParts(date, timeZone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

/** The calendar day of `date` in `timeZone`, "YYYY-MM-DD". */
export function localDay(date: Date, timeZone: string): string {
  return formatLocal(date, timeZone).slice(0, 10);
}
