// Raw SQL for the analytics queries, kept portable (quoted identifiers, named parameters the
// driver turns into its own placeholders, dates as the driver stores them).
import type { Filters, Period } from './analytics.range.js';

export { rawRows as rows, epochMs as ms } from '../../db/raw-sql.js';

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
