// Purging a deleted organization once its grace period is over: a durable job (it survives
// restarts and resumes where it stopped) that deletes its rows table by table in small
// transactions, so the appliance keeps answering others meanwhile, then its media files, then the
// organization itself (whatever is left goes with it through the foreign keys).
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Services } from '../../core/context.js';
import type { Job } from '../../core/jobs/job.entity.js';
import { storageRoot } from '../../core/storage/local.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import { PURGE_JOB } from './tenants-admin.service.js';

const BATCH = 2000;
/** The biggest tables first, children before parents, so each batch deletes only its own rows. */
const FIRST = ['messages', 'notes', 'conversations', 'contact_identities', 'contacts', 'media'];

async function deleteInBatches(services: Services, table: string, tenantId: string): Promise<number> {
  const [sql, params] = services.db.driver.escapeQueryWithParameters(
    `DELETE FROM "${table}" WHERE "id" IN (SELECT "id" FROM "${table}" WHERE "tenantId" = :tenantId LIMIT ${BATCH})`,
    { tenantId },
    {},
  );
  let total = 0;
  for (;;) {
    const result = await services.transaction((m) => m.query(sql, params));
    // better-sqlite3 answers { changes }, pg an array with a row count.
    const changed = Number((result as { changes?: number })?.changes ?? (Array.isArray(result) ? result[1] : 0) ?? 0);
    total += changed;
    if (changed < BATCH) return total;
    await new Promise((r) => setImmediate(r));
  }
}

export async function purgeTenant(services: Services, tenantId: string): Promise<{ purged: boolean; rows: number }> {
  const tenant = await services.db.getRepository(TenantEntity).findOne({ where: { id: tenantId } });
  // Restored in the meantime (or already gone): nothing to do. A new deletion enqueues its own job.
  if (!tenant?.deletedAt || !tenant.purgeAt || tenant.purgeAt.getTime() > services.now().getTime()) return { purged: false, rows: 0 };
  const tables = services.db.entityMetadatas
    .filter((meta) => meta.tableName !== 'tenants' && meta.columns.some((c) => c.propertyName === 'tenantId'))
    .map((meta) => meta.tableName);
  const ordered = [...FIRST.filter((t) => tables.includes(t)), ...tables.filter((t) => !FIRST.includes(t))];
  let rows = 0;
  for (const table of ordered) {
    try {
      rows += await deleteInBatches(services, table, tenantId);
    } catch (err) {
      // Still referenced by a row of another table: it goes with the organization below (cascade).
      services.log.debug({ table, err: (err as Error).message }, 'purge: left to the final cascade');
    }
  }
  await rm(join(storageRoot(services.config.dataDir), tenantId), { recursive: true, force: true });
  await services.transaction((m) => m.getRepository(TenantEntity).delete({ id: tenantId }));
  services.log.info({ tenantId, rows }, 'purged a deleted organization');
  return { purged: true, rows };
}

export const superAdminJobs = (services: Services) => ({
  [PURGE_JOB]: async (job: Job) => {
    await purgeTenant(services, String(job.payload.tenantId));
  },
});
