// Raw SQL for the analytics queries, kept portable (quoted identifiers, named parameters the
// driver turns into its own placeholders, dates as the driver stores them).
import type { DataSource } from 'typeorm';
import type { Filters, Period } from './analytics.range.js';

export async function rows<T = Record<string, unknown>>(db: DataSource, sql: string, params: Record<string, unknown>): Promise<T[]> {
  const [query, values] = db.driver.escapeQueryWithParameters(sql, params, {});
  return db.query(query, values);
}

/** A stored time as epoch ms (SQLite gives "YYYY-MM-DD HH:MM:SS.SSS" in UTC; PostgreSQL a Date). */
export function ms(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.getTime();
  const s = String(value);
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

/** A CASE expression numbering the bucket `column` falls in, given the bucket starts after the first. */
export function bucketCase(column: string, starts: Date[], params: Record<string, unknown>): string {
  if (starts.length === 0) return '0';
  const whens = starts.map((s, i) => {
    params[`b${i}`] = s;
    return `WHEN ${column} < :b${i} THEN ${i}`;
  });
  return `CASE ${whens.join(' ')} ELSE ${starts.length} END`;
}
