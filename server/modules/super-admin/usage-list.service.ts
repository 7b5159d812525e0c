// Every organization with its usage, for the operator's console.
import { LessThan } from 'typeorm';
import type { SuperAdminCtx } from '../../core/context.js';
import { badRequest } from '../../core/http/errors.js';
import { isId } from '../../core/ids.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import { tenantAdminView } from './tenants-admin.service.js';
import { tenantUsage } from './tenant-usage.service.js';

export async function tenantUsageList(ctx: SuperAdminCtx, q: { limit: number; cursor?: string }) {
  if (q.cursor !== undefined && !isId(q.cursor))
    throw badRequest('The cursor is not valid', [{ path: 'query.cursor', message: 'Invalid cursor' }]);
  const rows = await ctx.db
    .getRepository(TenantEntity)
    .find({ where: q.cursor ? { id: LessThan(q.cursor) } : {}, order: { id: 'DESC' }, take: q.limit + 1 });
  const more = rows.length > q.limit;
  const data = more ? rows.slice(0, q.limit) : rows;
  const now = ctx.now();
  const out = [];
  for (const t of data) out.push({ tenant: tenantAdminView(t), usage: await tenantUsage(ctx.db, t.id, now) });
  return { data: out, nextCursor: more ? data[data.length - 1].id : null };
}
