// An organization's time zone, read on every inbound message (the out-of-hours rule's working
// hours, automation time conditions) and by many reports. Cached per database until an organization
// is written (core/entity-cache.ts), so the message path does not ask SQLite each time.
import type { DataSource, EntityManager } from 'typeorm';
import { EntityCache } from '../../core/entity-cache.js';
import { TenantEntity } from './tenant.entity.js';

const caches = new WeakMap<DataSource, EntityCache<string | null>>();

/** The organization's IANA time zone; null when there is no such organization (callers choose the fallback). */
export async function tenantTimezone(db: DataSource | EntityManager, tenantId: string): Promise<string | null> {
  const ds = 'connection' in db ? db.connection : db;
  let cache = caches.get(ds);
  if (!cache) caches.set(ds, (cache = new EntityCache<string | null>(ds, ['Tenant'])));
  const hit = cache.get(tenantId);
  if (hit !== undefined) return hit;
  const tenant = await db.getRepository(TenantEntity).findOne({ where: { id: tenantId }, select: { id: true, timezone: true } });
  const timezone = tenant?.timezone ?? null;
  cache.set(tenantId, timezone);
  return timezone;
}
