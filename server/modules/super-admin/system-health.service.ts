// The appliance's health for the operator: database size, free disk, the job queue's backlog and
// lag, undelivered events, channel accounts that need attention, and (from the platform layer,
// through core's HostInfo) the tunnel and the last backup.
import { statfs } from 'node:fs/promises';
import { IsNull, LessThanOrEqual, MoreThanOrEqual, Not } from 'typeorm';
import type { SuperAdminCtx } from '../../core/context.js';
import { JobEntity } from '../../core/jobs/job.entity.js';
import { DomainEventEntity } from '../../core/events/event.entity.js';
import { IntegrationAccountEntity } from '../integrations/integration.entity.js';
import { TenantEntity } from '../tenants/tenant.entity.js';

async function databaseBytes(ctx: SuperAdminCtx): Promise<number | null> {
  try {
    if (ctx.db.options.type === 'postgres') {
      const [row] = await ctx.db.query('SELECT pg_database_size(current_database()) AS bytes');
      return Number(row.bytes);
    }
    const [pages] = await ctx.db.query('PRAGMA page_count');
    const [size] = await ctx.db.query('PRAGMA page_size');
    return Number(pages.page_count) * Number(size.page_size);
  } catch {
    return null;
  }
}

async function disk(path: string) {
  try {
    const s = await statfs(path);
    return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  } catch {
    return { freeBytes: null, totalBytes: null };
  }
}

export async function systemHealth(ctx: SuperAdminCtx) {
  const now = ctx.now();
  const jobs = ctx.db.getRepository(JobEntity);
  const [pending, running, oldestDue, failedDay] = await Promise.all([
    jobs.count({ where: { status: 'pending' } }),
    jobs.count({ where: { status: 'running' } }),
    jobs.findOne({ where: { status: 'pending', runAt: LessThanOrEqual(now) }, order: { runAt: 'ASC' }, select: { id: true, runAt: true } }),
    jobs.count({ where: { status: 'failed', updatedAt: MoreThanOrEqual(new Date(now.getTime() - 24 * 3600_000)) } }),
  ]);
  const due = await jobs.count({ where: { status: 'pending', runAt: LessThanOrEqual(now) } });
  const events = ctx.db.getRepository(DomainEventEntity);
  const undispatched = await events.count({ where: { dispatchedAt: IsNull() } });
  const oldestEvent = await events.findOne({
    where: { dispatchedAt: IsNull() },
    order: { createdAt: 'ASC' },
    select: { id: true, createdAt: true },
  });
  const accounts = await ctx.db.getRepository(IntegrationAccountEntity).find({
    where: { status: Not('active') },
    select: { id: true, tenantId: true, channel: true, name: true, status: true, updatedAt: true },
    take: 200,
  });
  const tenants = accounts.length ? await ctx.db.getRepository(TenantEntity).find({ select: { id: true, name: true } }) : [];
  const host = await ctx.host.health?.();
  const db = await databaseBytes(ctx);
  const space = await disk(ctx.config.dataDir);
  const lagSeconds = oldestDue ? Math.max(0, Math.round((now.getTime() - oldestDue.runAt.getTime()) / 1000)) : 0;
  const eventLagSeconds = oldestEvent ? Math.max(0, Math.round((now.getTime() - oldestEvent.createdAt.getTime()) / 1000)) : 0;
  const problems: string[] = [];
  if (space.freeBytes !== null && space.freeBytes < 1024 ** 3) problems.push('disk');
  if (lagSeconds > 300) problems.push('jobs');
  if (eventLagSeconds > 300) problems.push('events');
  if (accounts.length) problems.push('channels');
  if (host?.tunnel && ['down', 'unavailable', 'reconnecting'].includes(host.tunnel.state)) problems.push('tunnel');
  if (host?.lastBackup && !host.lastBackup.ok) problems.push('backup');
  return {
    status: problems.length ? ('degraded' as const) : ('ok' as const),
    problems,
    checkedAt: now,
    database: { type: ctx.db.options.type, sizeBytes: db },
    disk: { path: ctx.config.dataDir, ...space },
    jobs: { pending, due, running, failedLast24h: failedDay, lagSeconds },
    events: { undispatched, lagSeconds: eventLagSeconds },
    channelAccountsInError: accounts.map((a) => ({
      accountId: a.id,
      tenantId: a.tenantId,
      tenantName: tenants.find((t) => t.id === a.tenantId)?.name ?? null,
      channel: a.channel,
      name: a.name,
      status: a.status,
      since: a.updatedAt,
    })),
    tunnel: host?.tunnel ?? null,
    lastBackup: host?.lastBackup ?? null,
  };
}
