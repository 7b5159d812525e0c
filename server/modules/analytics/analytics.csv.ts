// CSV export of an analytics table (`?format=csv`): nested fields become dotted columns
// (firstResponse.wallClock.median), arrays are joined with spaces, times are ISO 8601.
import type { Response } from 'express';
import { stringify } from 'csv-stringify/sync';

function flatten(value: unknown, prefix: string, out: Record<string, unknown>): void {
  if (value instanceof Date) out[prefix] = value.toISOString();
  else if (Array.isArray(value)) out[prefix] = value.join(' ');
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  else out[prefix] = value;
}

export function csvOf(rows: unknown[]): string {
  const flat = rows.map((r) => {
    const out: Record<string, unknown> = {};
    flatten(r, '', out);
    return out;
  });
  const columns = [...new Set(flat.flatMap((r) => Object.keys(r)))];
  return stringify(flat, { header: true, columns, cast: { boolean: (b) => (b ? 'true' : 'false') } });
}

/** Sends rows as a CSV attachment named after the table and period. */
export function sendCsv(res: Response, name: string, period: { from: Date; to: Date }, rows: unknown[]): void {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${name}-${day(period.from)}-${day(period.to)}.csv"`);
  // A byte-order mark, so spreadsheet programs read the names as UTF-8.
  res.status(200).send(`\ufeff${rows.length ? csvOf(rows) : ''}`);
}

/** The overview as metric/value rows. */
export function overviewRows(o: Record<string, unknown>): { metric: string; value: unknown }[] {
  const out: Record<string, unknown> = {};
  for (const key of ['conversations', 'messages', 'firstResponse', 'resolution', 'sla', 'csat']) flatten(o[key], key, out);
  return Object.entries(out).map(([metric, value]) => ({ metric, value }));
}
