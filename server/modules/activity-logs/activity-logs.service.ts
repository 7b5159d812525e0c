import { Between, LessThanOrEqual, MoreThanOrEqual, type FindOptionsWhere } from 'typeorm';
import type { TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { ActivityLogEntity, type ActivityLog } from '../../core/audit.entity.js';

export interface ActivityQuery {
  limit: number;
  cursor?: string;
  action?: string;
  actorId?: string;
  targetType?: string;
  targetId?: string;
  from?: string;
  to?: string;
}

export const activityLogsService = {
  async list(ctx: TenantCtx, q: ActivityQuery) {
    const where: FindOptionsWhere<ActivityLog> = {};
    if (q.action) where.action = q.action;
    if (q.actorId) where.actorId = q.actorId;
    if (q.targetType) where.targetType = q.targetType;
    if (q.targetId) where.targetId = q.targetId;
    const from = q.from ? new Date(q.from) : undefined;
    const to = q.to ? new Date(q.to) : undefined;
    if (from && to) where.createdAt = Between(from, to);
    else if (from) where.createdAt = MoreThanOrEqual(from);
    else if (to) where.createdAt = LessThanOrEqual(to);
    return scoped(ctx, ActivityLogEntity).page({ where, limit: q.limit, cursor: q.cursor });
  },
};
