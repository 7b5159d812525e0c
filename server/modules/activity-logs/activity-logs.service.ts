import { Between, LessThanOrEqual, MoreThanOrEqual, type FindOptionsWhere } from 'typeorm';
import type { TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { lazy } from '../../core/lazy.js';
import { unprocessable } from '../../core/http/errors.js';
import { ActivityLogEntity, type ActivityLog } from '../../core/audit.entity.js';

export interface ActivityFilter {
  action?: string;
  actorId?: string;
  targetType?: string;
  targetId?: string;
  from?: string;
  to?: string;
}

export interface ActivityQuery extends ActivityFilter {
  limit: number;
  cursor?: string;
}

/** The most rows one export holds (newest first); narrow the dates for more. */
export const MAX_EXPORT_ROWS = 50_000;
const CSV_COLUMNS = ['time', 'actorType', 'actorId', 'actorName', 'impersonatorId', 'action', 'targetType', 'targetId', 'details', 'ip'];
const loadCsvStringify = lazy(() => import('csv-stringify/sync'));

function whereOf(q: ActivityFilter): FindOptionsWhere<ActivityLog> {
  const where: FindOptionsWhere<ActivityLog> = {};
  if (q.action) where.action = q.action;
  if (q.actorId) where.actorId = q.actorId;
  if (q.targetType) where.targetType = q.targetType;
  if (q.targetId) where.targetId = q.targetId;
  const from = q.from ? new Date(q.from) : undefined;
  const to = q.to ? new Date(q.to) : undefined;
  if (from && to && from > to) throw unprocessable('The start is after the end', [{ path: 'from', message: 'Must be before "to"' }]);
  if (from && to) where.createdAt = Between(from, to);
  else if (from) where.createdAt = MoreThanOrEqual(from);
  else if (to) where.createdAt = LessThanOrEqual(to);
  return where;
}

/** A cell a spreadsheet would run as a formula starts with an apostrophe. */
function safeCell(value: string | null): string {
  if (value === null) return '';
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export const activityLogsService = {
  async list(ctx: TenantCtx, q: ActivityQuery) {
    return scoped(ctx, ActivityLogEntity).page({ where: whereOf(q), limit: q.limit, cursor: q.cursor });
  },

  /** The actions and actors that appear in the organization's log, for the filters. */
  async facets(ctx: TenantCtx) {
    const rows = await ctx.db
      .getRepository(ActivityLogEntity)
      .createQueryBuilder('a')
      .select('a.action', 'action')
      .addSelect('a.actorType', 'actor_type')
      .addSelect('a.actorId', 'actor_id')
      .addSelect('MAX(a.actorName)', 'actor_name')
      .where('a.tenantId = :tenantId', { tenantId: ctx.tenantId })
      .groupBy('a.action')
      .addGroupBy('a.actorType')
      .addGroupBy('a.actorId')
      .getRawMany<{ action: string; actor_type: ActivityLog['actorType']; actor_id: string | null; actor_name: string | null }>();
    const actions = [...new Set(rows.map((r) => r.action))].sort();
    const actors = new Map<string, { id: string; type: ActivityLog['actorType']; name: string | null }>();
    for (const r of rows) {
      if (r.actor_id && !actors.has(r.actor_id)) actors.set(r.actor_id, { id: r.actor_id, type: r.actor_type, name: r.actor_name });
    }
    return { actions, actors: [...actors.values()].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '')) };
  },

  /** The filtered log as CSV, newest first, times in UTC (ISO 8601). */
  async exportCsv(ctx: TenantCtx, q: ActivityFilter): Promise<string> {
    const rows = await ctx.db.getRepository(ActivityLogEntity).find({
      where: { ...whereOf(q), tenantId: ctx.tenantId },
      order: { id: 'DESC' },
      take: MAX_EXPORT_ROWS,
    });
    const { stringify } = await loadCsvStringify();
    const records = rows.map((r) => [
      r.createdAt.toISOString(),
      r.actorType,
      r.actorId ?? '',
      safeCell(r.actorName),
      r.impersonatorId ?? '',
      safeCell(r.action),
      safeCell(r.targetType),
      r.targetId ?? '',
      r.details ? safeCell(JSON.stringify(r.details)) : '',
      r.ip ?? '',
    ]);
    // A byte-order mark, so spreadsheet programs read the file as UTF-8.
    return `\ufeff${stringify([CSV_COLUMNS, ...records], { record_delimiter: 'windows' })}`;
  },
};
