// An organization's own data, for its owner to take away: every row of every table that belongs to
// the organization (one JSON line per row, `data/<table>.jsonl`), its media files, and a manifest.
// Appliance backups are the operator's (they hold every organization); this is the owner's way out.
// Nothing that opens something is included: password and API key hashes, and channel credentials
// (encrypted with this appliance's key, useless elsewhere) are left out.
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, linkSync, copyFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import type { TenantCtx } from '../../core/context.js';
import { forbidden } from '../../core/http/errors.js';
import { privateDir, writePrivateFile } from '../../core/fs-private.js';
import { storagePath } from '../../core/storage/local.js';
import { RoleEntity } from '../roles/role.entity.js';
import { MediaEntity } from '../media/media.entity.js';
import { TenantEntity } from './tenant.entity.js';

/** Operational tables (the job queue, the event outbox, raw webhook deliveries): not the organization's records. */
const SKIPPED_TABLES = new Set(['jobs', 'events', 'webhook_events']);
/** Columns that would let someone in, or only decrypt here. */
const SKIPPED_COLUMNS = new Set(['passwordHash', 'keyHash', 'secrets']);
const PAGE = 1000;

export const EXPORT_FORMAT_VERSION = 1;

async function assertOwner(ctx: TenantCtx): Promise<void> {
  const role = await ctx.db.getRepository(RoleEntity).findOne({ where: { id: ctx.principal.roleId, tenantId: ctx.tenantId } });
  if (!role?.builtIn || role.name !== 'owner')
    throw forbidden("Only the organization's owner can export all of its data (appliance backups are the operator's)");
}

function linkOrCopy(from: string, to: string): void {
  privateDir(dirname(to));
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

export const organizationExportService = {
  /** Streams the organization's export to `res` as a .tar.gz. */
  async export(ctx: TenantCtx, res: Response): Promise<void> {
    await assertOwner(ctx);
    const tenant = await ctx.db.getRepository(TenantEntity).findOneByOrFail({ id: ctx.tenantId });
    const work = join(ctx.config.dataDir, 'tmp', `export-${randomBytes(6).toString('hex')}`);
    privateDir(join(work, 'data'));
    try {
      const tables: Record<string, number> = {};
      for (const meta of ctx.db.entityMetadatas) {
        const table = meta.tableName;
        const owned = meta.columns.some((c) => c.propertyName === 'tenantId');
        if (SKIPPED_TABLES.has(table) || (!owned && table !== 'tenants')) continue;
        const column = table === 'tenants' ? 'id' : 'tenantId';
        const file = join(work, 'data', `${table}.jsonl`);
        const out = createWriteStream(file, { mode: 0o600 });
        let count = 0;
        for (let offset = 0; ; offset += PAGE) {
          const qb = ctx.db.getRepository(meta.target).createQueryBuilder('t').where(`t.${column} = :id`, { id: ctx.tenantId });
          for (const pk of meta.primaryColumns) qb.addOrderBy(`t.${pk.propertyName}`, 'ASC');
          const rows = (await qb.skip(offset).take(PAGE).getMany()) as Record<string, unknown>[];
          for (const row of rows) {
            for (const skipped of SKIPPED_COLUMNS) delete row[skipped];
            if (!out.write(`${JSON.stringify(row)}\n`)) await once(out, 'drain');
          }
          count += rows.length;
          if (rows.length < PAGE) break;
        }
        out.end();
        await once(out, 'finish');
        tables[table] = count;
      }
      // The files behind the organization's media rows.
      const media = await ctx.db
        .getRepository(MediaEntity)
        .find({ where: { tenantId: ctx.tenantId }, select: { storageKey: true, thumbnailKey: true } });
      let files = 0;
      for (const m of media) {
        for (const key of [m.storageKey, m.thumbnailKey]) {
          if (!key) continue;
          const from = storagePath(ctx.config.dataDir, key);
          if (!existsSync(from)) continue;
          linkOrCopy(from, join(work, 'media', ...key.split('/')));
          files++;
        }
      }
      const manifest = {
        app: 'omnistream',
        kind: 'organization-export',
        formatVersion: EXPORT_FORMAT_VERSION,
        organization: { id: tenant.id, name: tenant.name, slug: tenant.slug },
        exportedAt: ctx.now().toISOString(),
        exportedBy: { id: ctx.principal.userId, name: ctx.principal.name },
        tables,
        mediaFiles: files,
        left: 'Password and API key hashes and channel credentials are not included; reconnect channels after importing elsewhere.',
      };
      writePrivateFile(join(work, 'manifest.json'), JSON.stringify(manifest, null, 2));
      const tar = await import('tar');
      const members = ['manifest.json', 'data', ...(files ? ['media'] : [])];
      const date = ctx.now().toISOString().slice(0, 10);
      res.status(200);
      res.setHeader('Content-Type', 'application/gzip');
      res.setHeader('Content-Disposition', `attachment; filename="omnistream-${tenant.slug}-${date}.tar.gz"`);
      res.setHeader('Cache-Control', 'no-store');
      // A client that goes away ends the stream (and the clean-up below runs).
      await pipeline(tar.c({ gzip: true, cwd: work, portable: true }, members), res).catch(() => undefined);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
};
