// Raw SQL for the analytics queries, kept portable (quoted identifiers, named parameters the
// driver turns into its own placeholders, dates as the driver stores them).
import type { DataSource, EntityManager } from 'typeorm';
import type { Filters, Period } from './analytics.range.js';

export async function rows<T = Record<string, unknown>>(
  db: DataSource | EntityManager,
  sql: string,
  params: Record<string, unknown>,
): Promise<T[]> {
  const driver = 'driver' in db ? db.driver : db.connection.driver;
  const [query, values] = driver.escapeQueryWithParameters(sql, params, {});
  return db.query(query, values);
}

/** A stored time as epoch ms (SQLite gives "YYYY-MM-DD HH:MM:SS.SSS" in UTC; PostgreSQL a Date). */
export function ms(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.getTime();
  const s = String(value);
  // "YYYY-MM-DD HH:MM:SS.SSS" read by hand: tens of thousands per request, several times faster than Date.parse.
  if (s.length === 23 && s.charCodeAt(10) === 32) {
    const d = (i: number, n: number) => {
      let v = 0;
      for (let k = i; k < i + n; k++) v = v * 10 + (s.charCodeAt(k) - 48);
      return v;
    };
    return Date.UTC(d(0, 4), d(5, 2) - 1, d(8, 2), d(11, 2), d(14, 2), d(17, 2), d(20, 3));
  }
  return Date.parse(s.includes('T') ? s : `${s.replace(' ', 'T')}Z`);
}

export const num = (value: unknown): number => Number(value ?? 0);

/** The conversation conditions of the filters, for alias `c` (parameters from periodParams). */
export function conversationFilter(f: Filters, alias = 'c'): string {
  let sql = '';
  if (f.channel) sql += ` AND ${alias}."channel" = :channel`;
  if (f.divisionId) sql += ` AND ${alias}."divisionId" = :divisionId`;
  if (f.agentId) sql += ` AND ${alias}."assigneeId" = :agentId`;
  return sql;
}

export function periodParams(p: Period): Record<string, unknown> {
  return { tenantId: p.tenantId, from: p.from, to: p.to, ...p.filters };
}

/**
 * An expression numbering the bucket `column` falls in, given the starts of the buckets after the
 * first: CASEs nested as a balanced binary search, so each row costs log2(buckets) comparisons.
 */
export function bucketCase(column: string, starts: Date[], params: Record<string, unknown>): string {
  starts.forEach((s, i) => {
    params[`b${i}`] = s;
  });
  // Buckets lo..hi (inclusive); bucket i holds [start i-1, start i).
  const node = (lo: number, hi: number): string => {
    if (lo === hi) return String(lo);
    const mid = (lo + hi + 1) >> 1;
    return `CASE WHEN ${column} < :b${mid - 1} THEN ${node(lo, mid - 1)} ELSE ${node(mid, hi)} END`;
  };
  return node(0, starts.length);
}
