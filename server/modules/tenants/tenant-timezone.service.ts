// An organization's time zone, read on every inbound message (the out-of-hours rule's working
// hours, automation time conditions) and by many reports. Cached per database until an organization
// is written (core/entity-cache.ts), so the message path does not ask SQLite each time.
import type { DataSource, EntityManager } from 'typeorm';
import { readThrough } from '../../core/entity-cache.js';
import { TenantEntity } from './tenant.entity.js';

const cached = readThrough<string | null>(['Tenant']);

/** The organization's IANA time zone; null when there is no such organization (callers choose the fallback). */
export function tenantTimezone(db: DataSource | EntityManager, tenantId: string): Promise<string | null> {
  return cached(db, tenantId, async () => {
    const tenant = await db.getRepository(TenantEntity).findOne({ where: { id: tenantId }, select: { id: true, timezone: true } });
    return tenant?.timezone ?? null;
  });
}
