// Waiting for background work in API tests: every committed event dispatched and every due job run;
// and running one job (e.g. a scheduled one) now.
import assert from 'node:assert/strict';
import { In, IsNull, LessThanOrEqual } from 'typeorm';
import type { Appliance } from '../../server/app.js';
import { enqueueJob } from '../../server/core/jobs/queue.js';
import { JobEntity, type Job } from '../../server/core/jobs/job.entity.js';
import { DomainEventEntity } from '../../server/core/events/event.entity.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once no event waits for dispatch and no due job is pending or running (seen twice in a row). */
export async function settle(appliance: Appliance, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  while (quiet < 2) {
    const now = appliance.services.now();
    const events = await appliance.db.getRepository(DomainEventEntity).count({ where: { dispatchedAt: IsNull() } });
    const jobs = await appliance.db.getRepository(JobEntity).count({
      where: [{ status: 'running' }, { status: 'pending', runAt: LessThanOrEqual(now) }],
    });
    quiet = events === 0 && jobs === 0 ? quiet + 1 : 0;
    if (Date.now() > deadline) assert.fail(`background work did not settle (${events} events, ${jobs} jobs)`);
    await sleep(30);
  }
}

/** Enqueues a job as its schedule would, waits for it to finish, then for what it caused. */
export async function runJob(appliance: Appliance, type: string, payload: Record<string, unknown> = {}): Promise<Job> {
  const job = await appliance.services.transaction((m) => enqueueJob(m, type, payload, appliance.services.now(), { maxAttempts: 1 }));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const row = await appliance.db.getRepository(JobEntity).findOne({ where: { id: job.id, status: In(['done', 'failed']) } });
    if (row) {
      assert.equal(row.status, 'done', `${type} failed: ${row.lastError}`);
      await settle(appliance);
      return row;
    }
    if (Date.now() > deadline) assert.fail(`${type} did not run`);
    await sleep(20);
  }
}
