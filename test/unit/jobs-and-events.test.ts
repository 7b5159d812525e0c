import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { In, type DataSource, type EntityManager } from 'typeorm';
import { beforeCommit, openDatabase, transaction, transactionLocal } from '../../server/db/data-source.js';
import { entities, migrations } from '../../server/composition.js';
import { JobRunner, PermanentJobError, backoffMs, enqueueJob, inUnhurriedBatch } from '../../server/core/jobs/queue.js';
import { JobEntity, type Job } from '../../server/core/jobs/job.entity.js';
import { EventBus, emitEvent } from '../../server/core/events/outbox.js';

const log = pino({ level: 'silent' });

describe('durable jobs and the event outbox', () => {
  let dir: string;
  let db: DataSource;
  let clock = new Date('2026-01-01T00:00:00Z');
  const now = () => clock;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'omnistream-jobs-'));
    db = await openDatabase({ databasePath: join(dir, 'db.sqlite') }, { entities, migrations });
  });
  after(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens SQLite with WAL and foreign keys on', async () => {
    assert.equal((await db.query('PRAGMA journal_mode'))[0].journal_mode, 'wal');
    assert.equal((await db.query('PRAGMA foreign_keys'))[0].foreign_keys, 1);
  });

  it('retries a failing job with growing backoff, then marks it failed', async () => {
    const runner = new JobRunner(db, log, now);
    let calls = 0;
    runner.register('flaky', async () => {
      calls++;
      throw new Error('network down');
    });
    const job = await enqueueJob(db.manager, 'flaky', {}, now(), { maxAttempts: 3 });
    assert.equal(await runner.runDue(), 1);
    let row = await db.getRepository(JobEntity).findOneByOrFail({ id: job.id });
    assert.equal(row.status, 'pending');
    assert.equal(row.lastError, 'network down');
    assert.ok(row.runAt.getTime() > now().getTime(), 'the retry waits');
    assert.equal(await runner.runDue(), 0, 'not due yet');
    clock = new Date(clock.getTime() + 60_000);
    await runner.runDue();
    clock = new Date(clock.getTime() + 60_000);
    await runner.runDue();
    row = await db.getRepository(JobEntity).findOneByOrFail({ id: job.id });
    assert.equal(row.status, 'failed');
    assert.equal(row.attempts, 3);
    assert.equal(calls, 3);
    assert.ok(backoffMs(1) < backoffMs(4));
    assert.ok(backoffMs(30) <= 600_000 * 1.2);
  });

  it('fails at once on a permanent error', async () => {
    const runner = new JobRunner(db, log, now);
    runner.register('bad-creds', async () => {
      throw new PermanentJobError('token revoked');
    });
    const job = await enqueueJob(db.manager, 'bad-creds', {}, now());
    await runner.runDue();
    const row = await db.getRepository(JobEntity).findOneByOrFail({ id: job.id });
    assert.equal(row.status, 'failed');
    assert.equal(row.attempts, 1);
  });

  it('runs jobs with the same queue key strictly in order, even when the first must retry', async () => {
    const runner = new JobRunner(db, log, now);
    const seen: string[] = [];
    let failFirst = true;
    runner.register('send', async (job) => {
      if (job.payload.n === 1 && failFirst) {
        failFirst = false;
        throw new Error('429');
      }
      seen.push(String(job.payload.n));
    });
    for (const n of [1, 2, 3]) await enqueueJob(db.manager, 'send', { n }, now(), { queueKey: 'conversation:42' });
    await enqueueJob(db.manager, 'send', { n: 'other' }, now(), { queueKey: 'conversation:7' });
    await runner.runDue();
    assert.deepEqual(seen, ['other'], 'conversation 42 waits behind its failed first message');
    clock = new Date(clock.getTime() + 60_000);
    await runner.runDue();
    assert.deepEqual(seen, ['other', '1', '2', '3']);
  });

  it('finds a runnable job behind pages of jobs that wait, and a retried head that comes after the jobs behind it', async () => {
    const runner = new JobRunner(db, log, now);
    const seen: string[] = [];
    let failFirst = true;
    runner.register('ordered', async (job) => {
      if (job.payload.n === 0 && failFirst) {
        failFirst = false;
        throw new Error('503');
      }
      seen.push(String(job.payload.n));
    });
    // 120 jobs in one queue (more than two pages of 50), then one in another queue.
    for (let n = 0; n < 120; n++) await enqueueJob(db.manager, 'ordered', { n }, now(), { queueKey: 'conversation:long' });
    await enqueueJob(db.manager, 'ordered', { n: 'short' }, now(), { queueKey: 'conversation:short' });
    await runner.runDue();
    // The long queue's head failed and waits out its backoff: the 119 behind it wait too, and the
    // other queue's job, after them in time, still ran.
    assert.deepEqual(seen, ['short']);
    clock = new Date(clock.getTime() + 60_000);
    // The head is due again, with a runAt later than all 119 behind it (it is the last due job).
    await runner.runDue();
    assert.deepEqual(seen, ['short', ...Array.from({ length: 120 }, (_, n) => String(n))]);
  });

  it('runs jobs of different queues side by side, and slow sends never take every slot', async () => {
    const runner = new JobRunner(db, log, now, { concurrency: 4 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let slowStarted = 0;
    let fastDone = false;
    runner.register('slow-send', async () => {
      slowStarted++;
      await gate;
    });
    runner.register('webhook', async () => {
      fastDone = true;
    });
    for (let i = 0; i < 5; i++) await enqueueJob(db.manager, 'slow-send', {}, now(), { queueKey: `conversation:slow-${i}` });
    await enqueueJob(db.manager, 'webhook', {}, now(), { queueKey: 'webhooks' });
    const run = runner.runDue();
    for (let i = 0; i < 100 && !fastDone; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(fastDone, true, 'the webhook ran while sends hung');
    assert.equal(slowStarted, 3, 'one job type takes at most concurrency - 1 slots');
    release();
    assert.equal(await run, 6);
  });

  it('a type with slots of its own runs that many at once, each queue still in order, beside the shared pool', async () => {
    const runner = new JobRunner(db, log, now, { concurrency: 2 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inFlight = 0;
    let peak = 0;
    const order: string[] = [];
    runner.register(
      'graph-send',
      async (job) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await gate;
        order.push(String(job.payload.key));
        inFlight--;
      },
      { concurrency: 10 },
    );
    let otherRan = false;
    runner.register('other', async () => {
      otherRan = true;
    });
    // 12 conversations, two replies each: at most 10 at once, never two of one conversation.
    for (let i = 0; i < 12; i++)
      for (const n of [1, 2])
        await enqueueJob(db.manager, 'graph-send', { key: `c${i}#${n}` }, now(), { queueKey: `conversation:own-${i}` });
    await enqueueJob(db.manager, 'other', {}, now());
    const run = runner.runDue();
    for (let i = 0; i < 1000 && (inFlight < 10 || !otherRan); i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(inFlight, 10, 'ten sends wait on the Graph at once');
    assert.equal(otherRan, true, 'the shared pool is not taken by them');
    release();
    assert.equal(await run, 25);
    assert.equal(peak, 10);
    for (let i = 0; i < 12; i++) assert.ok(order.indexOf(`c${i}#1`) < order.indexOf(`c${i}#2`), `conversation ${i} in order`);
  });

  /** A gate the handlers wait on until the test releases it. */
  const held = () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    return { gate, release };
  };

  it('starts jobs enqueued while the ones in flight still wait (a nudge wakes the run)', async () => {
    const runner = new JobRunner(db, log, now, { intervalMs: 60_000 });
    const { gate, release } = held();
    let started = 0;
    runner.register(
      'held-send',
      async () => {
        started++;
        await gate;
      },
      { concurrency: 8 },
    );
    await enqueueJob(db.manager, 'held-send', {}, now(), { queueKey: 'conversation:held-0' });
    const run = runner.runDue();
    for (let i = 0; i < 1000 && started < 1; i++) await new Promise((r) => setTimeout(r, 5));
    for (let i = 1; i <= 3; i++) await enqueueJob(db.manager, 'held-send', {}, now(), { queueKey: `conversation:held-${i}` });
    runner.nudge();
    for (let i = 0; i < 1000 && started < 4; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(started, 4, 'the three new sends went out while the first was still waiting');
    release();
    assert.equal(await run, 4);
  });

  it('a nudge that comes before the run waits (while it is still starting jobs) is not lost', async () => {
    const runner = new JobRunner(db, log, now, { intervalMs: 60_000 });
    const { gate, release } = held();
    let started = 0;
    runner.register(
      'early-nudge',
      async (job: { payload: unknown }) => {
        started++;
        if ((job.payload as { first?: boolean }).first) {
          // Enqueued and nudged at once, before the run reaches its wait on the jobs in flight.
          for (let i = 1; i <= 2; i++) await enqueueJob(db.manager, 'early-nudge', {}, now(), { queueKey: `conversation:early-${i}` });
          runner.nudge();
        }
        await gate;
      },
      { concurrency: 8 },
    );
    await enqueueJob(db.manager, 'early-nudge', { first: true }, now(), { queueKey: 'conversation:early-0' });
    const run = runner.runDue();
    for (let i = 0; i < 400 && started < 3; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(started, 3, 'the two jobs enqueued by the first one started without waiting for the 60 s poll');
    release();
    assert.equal(await run, 3);
  });

  it('a send that succeeds after failing makes the same tenant’s backing-off sends due now (recoverPeers)', async () => {
    const runner = new JobRunner(db, log, now, { retryBaseMs: 60_000 });
    let online = false;
    const sent: string[] = [];
    runner.register(
      'reply',
      async (job) => {
        if (!online) throw new Error('connection refused');
        sent.push(String(job.payload.n));
      },
      { recoverPeers: true },
    );
    for (const n of [1, 2, 3])
      await enqueueJob(db.manager, 'reply', { n }, now(), { tenantId: 't-recover', queueKey: `conversation:r${n}` });
    const later = await enqueueJob(db.manager, 'reply', { n: 'scheduled' }, now(), {
      tenantId: 't-recover',
      runAt: new Date(now().getTime() + 3600_000),
    });
    const otherTenant = await enqueueJob(db.manager, 'reply', { n: 'other tenant' }, now(), { tenantId: 't-other' });
    await runner.runDue();
    assert.deepEqual(sent, []);
    // The link is back; one of the three comes due first (its own backoff), the others still wait minutes.
    online = true;
    const repo = db.getRepository(JobEntity);
    const first = (await repo.find({ where: { type: 'reply', tenantId: 't-recover', status: 'pending', attempts: 1 } }))[0];
    await repo.update({ id: first.id }, { runAt: now() });
    await runner.runDue();
    assert.equal(sent.length, 3, `all three sent at once after the first success: ${sent.join(', ')}`);
    assert.equal((await repo.findOneByOrFail({ id: later.id })).status, 'pending', 'a job scheduled for later keeps its time');
    assert.equal((await repo.findOneByOrFail({ id: otherTenant.id })).status, 'pending', 'another tenant’s backoff is its own');
  });

  it('holds back while told to (a burst of webhooks), yet starts a job at least every 200 ms', async () => {
    let held = true;
    const runner = new JobRunner(db, log, now, { holdWhile: () => held });
    const startedAt: number[] = [];
    runner.register('held', async () => {
      startedAt.push(performance.now());
    });
    for (let i = 0; i < 3; i++) await enqueueJob(db.manager, 'held', { i }, now(), { queueKey: 'held' });
    const t0 = performance.now();
    assert.equal(await runner.runDue(), 3);
    // The first may start at once (no job started for a while); each next one waits its turn.
    assert.ok(
      startedAt[2] - startedAt[1] >= 180 && startedAt[1] - startedAt[0] >= 180,
      JSON.stringify(startedAt.map((t) => Math.round(t - t0))),
    );
    held = false;
    let asked = 0;
    const free = new JobRunner(db, log, now, {
      holdWhile: () => {
        asked++;
        return held;
      },
    });
    free.register('held', async () => undefined);
    for (let i = 0; i < 3; i++) await enqueueJob(db.manager, 'held', { i }, now(), { queueKey: 'held' });
    assert.equal(await free.runDue(), 3);
    assert.equal(asked, 3, 'asked once per job, and not held');
  });

  it('takes batches a fifth of their size while it is asked to hold back, so what waits behind a batch waits less', async () => {
    let held = true;
    const sizes: number[] = [];
    const runner = new JobRunner(db, log, now, { transaction: (work) => transaction(db, work), holdWhile: () => held });
    const one = async () => undefined;
    runner.register('held-set', Object.assign(one, { many: async (jobs: Job[]) => void sizes.push(jobs.length) }), { batch: 10 });
    const pending = async () => db.getRepository(JobEntity).countBy({ queueKey: 'held-set-q', status: 'pending' });
    for (let n = 0; n < 4; n++) await enqueueJob(db.manager, 'held-set', { n }, now(), { queueKey: 'held-set-q' });
    await runner.runDue();
    assert.deepEqual(sizes, [2, 2], 'two jobs a batch (10 / 5) while held');
    assert.equal(await pending(), 0);
    held = false;
    sizes.length = 0;
    for (let n = 0; n < 4; n++) await enqueueJob(db.manager, 'held-set', { n }, now(), { queueKey: 'held-set-q' });
    await runner.runDue();
    assert.deepEqual(sizes, [4], 'the whole queue in one batch once no longer held');
    assert.equal(await pending(), 0);
  });

  it('takes batches of their quiet size while nobody waits, their own size otherwise, and a fifth while held', async () => {
    let quiet = true;
    let held = false;
    const sizes: number[] = [];
    const runner = new JobRunner(db, log, now, {
      transaction: (work) => transaction(db, work),
      holdWhile: () => held,
      quiet: () => quiet,
    });
    const one = async () => undefined;
    const unhurried: boolean[] = [];
    const many = async (jobs: Job[]) => {
      sizes.push(jobs.length);
      unhurried.push(inUnhurriedBatch());
    };
    runner.register('quiet-set', Object.assign(one, { many }), { batch: 10, quietBatch: 20 });
    const run = async (count: number) => {
      sizes.length = 0;
      for (let n = 0; n < count; n++) await enqueueJob(db.manager, 'quiet-set', { n }, now(), { queueKey: 'quiet-set-q' });
      await runner.runDue();
      assert.equal(await db.getRepository(JobEntity).countBy({ queueKey: 'quiet-set-q', status: 'pending' }), 0);
      return [...sizes];
    };
    assert.deepEqual(await run(30), [20, 10], 'twenty a batch while quiet');
    assert.deepEqual(unhurried, [true, false], 'only a batch larger than the type’s own size is unhurried');
    unhurried.length = 0;
    quiet = false;
    assert.deepEqual(await run(12), [10, 2], 'the type’s own batch size once requests come in');
    quiet = true;
    held = true;
    assert.deepEqual(await run(4), [2, 2], 'held comes first: a fifth of the batch size');
    assert.deepEqual(unhurried, [false, false, false, false]);
    assert.equal(inUnhurriedBatch(), false, 'nor outside a batch');
  });

  it('cuts a quiet batch to what the type’s last batch did in about 250 ms', async () => {
    const sizes: number[] = [];
    const runner = new JobRunner(db, log, now, { transaction: (work) => transaction(db, work), quiet: () => true });
    const one = async () => undefined;
    const many = async (jobs: Job[]) => {
      sizes.push(jobs.length);
      // 25 ms a job, the event loop held as a batch of webhooks holds it.
      const until = performance.now() + 25 * jobs.length;
      while (performance.now() < until);
    };
    runner.register('slow-set', Object.assign(one, { many }), { batch: 2, quietBatch: 20 });
    for (let n = 0; n < 30; n++) await enqueueJob(db.manager, 'slow-set', { n }, now(), { queueKey: 'slow-set-q' });
    await runner.runDue();
    assert.equal(sizes[0], 20, 'the first at the quiet size: nothing measured yet');
    assert.ok(sizes[1] >= 7 && sizes[1] <= 10, `then about 250 / 25 = 10 (the commit counts too): ${sizes.join(', ')}`);
  });

  it('runs a queue’s jobs in batches of one commit; a failing job rolls back alone and ends its batch, order kept', async () => {
    const runner = new JobRunner(db, log, now, { transaction: (work) => transaction(db, work) });
    const seen: string[] = [];
    let failThird = true;
    runner.register(
      'inbound',
      async (job) => {
        const n = Number(job.payload.n);
        seen.push(`${n}#${job.attempts}`);
        // The handler's own transaction nests in the batch's (a savepoint), instead of waiting for it.
        await transaction(db, (m) => emitEvent(m, { tenantId: null, type: `inbound-${n}`, payload: {} }, now()));
        if (n === 3 && failThird) {
          failThird = false;
          throw new Error('database busy');
        }
      },
      { batch: 10 },
    );
    const jobs = [];
    for (let n = 1; n <= 5; n++) jobs.push(await enqueueJob(db.manager, 'inbound', { n }, now(), { queueKey: 'batch-q' }));
    await runner.runDue();
    const status = async () =>
      (await db.getRepository(JobEntity).findBy({ queueKey: 'batch-q' })).sort((a, b) => (a.id < b.id ? -1 : 1)).map((j) => j.status);
    assert.deepEqual(seen, ['1#1', '2#1', '3#1'], 'the jobs after the failure were not tried');
    assert.deepEqual(await status(), ['done', 'done', 'pending', 'pending', 'pending']);
    const third = await db.getRepository(JobEntity).findOneByOrFail({ id: jobs[2].id });
    assert.equal(third.attempts, 1);
    assert.equal(third.lastError, 'database busy');
    const events = async () =>
      (await db.query(`SELECT type FROM events WHERE type LIKE 'inbound-%' ORDER BY id`)).map((r: { type: string }) => r.type);
    assert.deepEqual(await events(), ['inbound-1', 'inbound-2'], "the failed job's writes were rolled back, the others' kept");
    clock = new Date(clock.getTime() + 60_000);
    await runner.runDue();
    assert.deepEqual(seen.slice(3), ['3#2', '4#1', '5#1']);
    assert.deepEqual(await status(), ['done', 'done', 'done', 'done', 'done']);
    assert.deepEqual(await events(), ['inbound-1', 'inbound-2', 'inbound-3', 'inbound-4', 'inbound-5']);
    assert.deepEqual((await db.getRepository(JobEntity).findBy({ queueKey: 'batch-q' })).map((j) => j.attempts).sort(), [1, 1, 1, 1, 2]);
  });

  it('a job type that handles a batch together gets its jobs in one call; if that fails they run one by one and only the bad one fails', async () => {
    const runner = new JobRunner(db, log, now, { transaction: (work) => transaction(db, work) });
    const calls: string[] = [];
    let bad = 0;
    const one = async (job: Job) => {
      const n = Number(job.payload.n);
      calls.push(`one ${n}#${job.attempts}`);
      await transaction(db, (m) => emitEvent(m, { tenantId: null, type: `set-${n}`, payload: {} }, now()));
      if (n === bad) throw new Error(`job ${n} is bad`);
    };
    const many = async (jobs: Job[]) => {
      calls.push(`many ${jobs.map((j) => `${j.payload.n}#${j.attempts}`).join(',')}`);
      for (const job of jobs) {
        const n = Number(job.payload.n);
        await transaction(db, (m) => emitEvent(m, { tenantId: null, type: `set-${n}`, payload: {} }, now()));
        if (n === bad) throw new Error(`job ${n} is bad`);
      }
    };
    runner.register('setwise', Object.assign(one, { many }), { batch: 10 });
    const enqueue = async (ns: number[]) => {
      for (const n of ns) await enqueueJob(db.manager, 'setwise', { n }, now(), { queueKey: 'set-q' });
    };
    const events = async () =>
      (await db.query(`SELECT type FROM events WHERE type LIKE 'set-%' ORDER BY id`)).map((r: { type: string }) => r.type);
    const statuses = async () =>
      (await db.getRepository(JobEntity).findBy({ queueKey: 'set-q' })).sort((a, b) => (a.id < b.id ? -1 : 1)).map((j) => j.status);

    await enqueue([1, 2, 3]);
    await runner.runDue();
    assert.deepEqual(calls, ['many 1#1,2#1,3#1'], 'one call for the batch, each attempt counted');
    assert.deepEqual(await statuses(), ['done', 'done', 'done']);
    assert.deepEqual(await events(), ['set-1', 'set-2', 'set-3']);

    calls.length = 0;
    bad = 5;
    await enqueue([4, 5, 6]);
    await runner.runDue();
    assert.deepEqual(calls, ['many 4#1,5#1,6#1', 'one 4#1', 'one 5#1'], 'after the failed set, one by one up to the bad job');
    assert.deepEqual(await statuses(), ['done', 'done', 'done', 'done', 'pending', 'pending']);
    const fifth = (await db.getRepository(JobEntity).findBy({ queueKey: 'set-q' })).sort((a, b) => (a.id < b.id ? -1 : 1))[4];
    assert.equal(fifth.lastError, 'job 5 is bad');
    assert.equal(fifth.attempts, 1);
    assert.deepEqual(
      await events(),
      ['set-1', 'set-2', 'set-3', 'set-4'],
      "the failed set's writes were rolled back; job 4's own run kept",
    );

    calls.length = 0;
    bad = 0;
    clock = new Date(clock.getTime() + 60_000);
    await runner.runDue();
    assert.deepEqual(calls, ['one 5#2', 'one 6#1'], 'the retried job runs alone, then the rest of its queue');
    assert.deepEqual(await statuses(), ['done', 'done', 'done', 'done', 'done', 'done']);
    assert.deepEqual(await events(), ['set-1', 'set-2', 'set-3', 'set-4', 'set-5', 'set-6']);
  });

  it('a batch also takes the heads of other queues (one slot, one commit), each queue still in order', async () => {
    const runner = new JobRunner(db, log, now, { transaction: (work) => transaction(db, work) });
    const seen: string[] = [];
    const batchedFlags: boolean[] = [];
    runner.register(
      'per-conversation',
      async (job, run) => {
        seen.push(String(job.payload.label));
        batchedFlags.push(run?.batched === true);
      },
      { batch: 50 },
    );
    for (const label of ['a1', 'b1', 'a2', 'c1', 'b2', 'a3'])
      await enqueueJob(db.manager, 'per-conversation', { label }, now(), { queueKey: `conv-${label[0]}` });
    // a1 with a2 and a3 behind it, and the heads b1 and c1; then b2, which waited for b1.
    assert.equal(await runner.runDue(), 2, 'two starts ran all six');
    for (const q of ['a', 'b', 'c']) {
      const order = seen.filter((l) => l.startsWith(q));
      assert.deepEqual(order, [...order].sort(), `queue ${q} in order`);
    }
    assert.equal(seen.length, 6);
    assert.deepEqual(batchedFlags, [true, true, true, true, true, false], 'the handler is told when it runs in a batch (b2 ran alone)');
    assert.equal(await db.getRepository(JobEntity).countBy({ type: 'per-conversation', status: 'done' }), 6);
  });

  it('a batch counts its attempts before it runs: after a crash its jobs run alone, and one that kills the process every time fails for good', async () => {
    const runner = new JobRunner(db, log, now, { transaction: (work) => transaction(db, work) });
    const seen: { label: string; batched: boolean; counted: number }[] = [];
    runner.register(
      'poison-q',
      async (job, run) => {
        const row = await db.getRepository(JobEntity).findOneByOrFail({ id: job.id });
        seen.push({ label: String(job.payload.label), batched: run?.batched === true, counted: row.attempts });
      },
      { batch: 10 },
    );
    const jobs = [];
    for (const label of ['p1', 'p2', 'p3'])
      jobs.push(await enqueueJob(db.manager, 'poison-q', { label }, now(), { queueKey: `poison-${label}` }));
    await runner.runDue();
    assert.deepEqual(
      seen.map((x) => [x.label, x.batched, x.counted]),
      [
        ['p1', true, 1],
        ['p2', true, 1],
        ['p3', true, 1],
      ],
      'the attempt was on record while the batch ran',
    );
    assert.deepEqual(
      (await db.getRepository(JobEntity).findBy({ type: 'poison-q' })).map((j) => [j.status, j.attempts]),
      [
        ['done', 1],
        ['done', 1],
        ['done', 1],
      ],
    );
    // As a crash mid-batch leaves them: running, the attempt counted. After the restart each runs alone.
    seen.length = 0;
    const crashed = [];
    for (const label of ['c1', 'c2'])
      crashed.push(await enqueueJob(db.manager, 'poison-q', { label }, now(), { queueKey: `crash-${label}` }));
    await db.getRepository(JobEntity).update({ id: In(crashed.map((j) => j.id)) }, { status: 'running', attempts: 1 });
    // And one the process died in on every attempt: none left.
    const poison = await enqueueJob(db.manager, 'poison-q', { label: 'dead' }, now(), { queueKey: 'crash-dead', maxAttempts: 3 });
    await db.getRepository(JobEntity).update({ id: poison.id }, { status: 'running', attempts: 3 });
    await db.getRepository(JobEntity).update({ status: 'running' }, { status: 'pending' }); // what start() does
    await runner.runDue();
    assert.deepEqual(
      seen.map((x) => [x.label, x.batched, x.counted]),
      [
        ['c1', false, 2],
        ['c2', false, 2],
      ],
    );
    const dead = await db.getRepository(JobEntity).findOneByOrFail({ id: poison.id });
    assert.equal(dead.status, 'failed');
    assert.match(dead.lastError ?? '', /stopped during each of its 3 attempts/);
  });

  it('picks up a job left running by a crash', async () => {
    const job = await enqueueJob(db.manager, 'resume-me', {}, now());
    await db.getRepository(JobEntity).update({ id: job.id }, { status: 'running' });
    const runner = new JobRunner(db, log, now);
    let ran = false;
    runner.register('resume-me', async () => {
      ran = true;
    });
    await runner.start();
    for (let i = 0; i < 100 && !ran; i++) await new Promise((r) => setTimeout(r, 20));
    await runner.stop();
    assert.equal(ran, true);
    assert.equal((await db.getRepository(JobEntity).findOneByOrFail({ id: job.id })).status, 'done');
  });

  it('an event commits with its change, or not at all, and is delivered once in order', async () => {
    const bus = new EventBus(db, log, now);
    const got: string[] = [];
    bus.on('*', (e) => {
      got.push(e.type);
    });
    await bus.dispatchPending();
    got.length = 0;
    await transaction(db, async (m) => {
      await emitEvent(m, { tenantId: null, type: 'first', payload: {} }, now());
      await emitEvent(m, { tenantId: null, type: 'second', payload: {} }, now());
    });
    await assert.rejects(
      transaction(db, async (m) => {
        await emitEvent(m, { tenantId: null, type: 'rolled-back', payload: {} }, now());
        throw new Error('the change failed');
      }),
    );
    assert.equal(await bus.dispatchPending(), 2);
    assert.equal(await bus.dispatchPending(), 0);
    assert.deepEqual(got, ['first', 'second']);
  });
  it('transactions queued together share one commit; one that fails rolls back alone', async () => {
    const begun = db.transaction.bind(db);
    let sqliteTransactions = 0;
    db.transaction = ((...args: Parameters<DataSource['transaction']>) => {
      sqliteTransactions++;
      return begun(...args);
    }) as DataSource['transaction'];
    try {
      const queued = ['g1', 'g2', 'g3', 'g4'].map((type) =>
        transaction(db, async (m) => {
          await enqueueJob(m, type, {}, now());
          if (type === 'g3') throw new Error('this one fails');
          return type;
        }),
      );
      const outcomes = await Promise.allSettled(queued);
      assert.deepEqual(
        outcomes.map((o) => o.status),
        ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
      );
      assert.equal(sqliteTransactions, 1);
      const stored = await db.getRepository(JobEntity).find({ where: { type: In(['g1', 'g2', 'g3', 'g4']) } });
      assert.deepEqual(stored.map((j) => j.type).sort(), ['g1', 'g2', 'g4']);

      // The first of a group failing leaves the rest of the queue to run.
      const [first, second] = await Promise.allSettled([
        transaction(db, async () => {
          throw new Error('first fails');
        }),
        transaction(db, async (m) => enqueueJob(m, 'g5', {}, now())),
      ]);
      assert.equal(first.status, 'rejected');
      assert.equal(second.status, 'fulfilled');
      assert.equal(await db.getRepository(JobEntity).count({ where: { type: 'g5' } }), 1);

      // A transaction that cannot even begin (the disk gone) fails its caller instead of leaving it waiting.
      db.transaction = (() => Promise.reject(new Error('disk I/O error'))) as DataSource['transaction'];
      await assert.rejects(
        transaction(db, async () => 'never runs'),
        /disk I\/O error/,
      );
      db.transaction = begun;

      // A transaction asked for by the continuation of the last one still runs (the queue was emptied just then).
      const chained = await transaction(db, async () => 'a').then(() => transaction(db, async () => 'b'));
      assert.equal(chained, 'b');
    } finally {
      db.transaction = begun;
    }
  });

  it('redoable work commits without its own fsync, in groups of its own; everything else keeps FULL', async () => {
    const level = async (m: EntityManager) => Number((await m.query('PRAGMA synchronous'))[0].synchronous);
    const [redo1, full, redo2] = await Promise.all([
      transaction(db, (m) => level(m), { redoable: true }),
      transaction(db, (m) => level(m)),
      transaction(db, (m) => level(m), { redoable: true }),
    ]);
    // 1 is NORMAL, 2 FULL: the two redoable ones shared a group; the other waited for a group that syncs.
    assert.deepEqual([redo1, redo2, full], [1, 1, 2]);
    assert.equal(Number((await db.query('PRAGMA synchronous'))[0].synchronous), 2, 'FULL again after the group');
    // A redoable group that fails still leaves the connection at FULL.
    await assert.rejects(
      transaction(db, async () => Promise.reject(new Error('fails')), { redoable: true }),
      /fails/,
    );
    assert.equal(Number((await db.query('PRAGMA synchronous'))[0].synchronous), 2);
    // Nested in an open transaction the outer one decides.
    assert.equal(await transaction(db, () => transaction(db, (m) => level(m), { redoable: true })), 2);

    // A batched job type marked redoable counts its attempts and runs its batch in redoable commits.
    const runner = new JobRunner(db, log, now, { transaction: (work, options) => transaction(db, work, options) });
    const levels: number[] = [];
    runner.register(
      'redo-batch',
      async () => {
        levels.push(await transaction(db, (m) => level(m)));
      },
      { batch: 10, redoable: true },
    );
    for (let n = 1; n <= 3; n++) await enqueueJob(db.manager, 'redo-batch', { n }, now(), { queueKey: 'redo-q' });
    await runner.runDue();
    assert.deepEqual(levels, [1, 1, 1]);
    assert.deepEqual(
      (await db.getRepository(JobEntity).findBy({ queueKey: 'redo-q' })).map((j) => [j.status, j.attempts]),
      [
        ['done', 1],
        ['done', 1],
        ['done', 1],
      ],
    );
  });

  it('work registered to run before the commit commits or rolls back with the work that registered it', async () => {
    const KEY = Symbol('test');
    assert.equal(
      beforeCommit(async () => {}),
      false,
      'outside a transaction nothing is registered',
    );
    assert.equal(
      transactionLocal(KEY, () => 1),
      undefined,
    );
    const order: string[] = [];
    const [kept, failed] = await Promise.allSettled([
      transaction(db, async (m) => {
        const local = transactionLocal(KEY, () => ({ n: 0 }))!;
        local.n++;
        assert.equal(
          transactionLocal(KEY, () => ({ n: 0 })),
          local,
          'one value per transaction',
        );
        beforeCommit(async (tm) => {
          order.push('task');
          await enqueueJob(tm, 'bc-kept', {}, now());
          // What a task registers runs too, after it.
          beforeCommit(async () => {
            order.push('its follow-up');
          });
        });
        await enqueueJob(m, 'bc-work', {}, now());
        order.push('work');
      }),
      transaction(db, async (m) => {
        assert.equal(
          transactionLocal(KEY, () => 'fresh'),
          'fresh',
          'another transaction has its own',
        );
        beforeCommit(async (tm) => {
          await enqueueJob(tm, 'bc-lost', {}, now());
          throw new Error('the task fails');
        });
        await enqueueJob(m, 'bc-lost', {}, now());
      }),
    ]);
    assert.equal(kept.status, 'fulfilled');
    assert.equal(failed.status, 'rejected');
    assert.deepEqual(order, ['work', 'task', 'its follow-up']);
    assert.equal(await db.getRepository(JobEntity).count({ where: { type: In(['bc-kept', 'bc-work']) } }), 2);
    assert.equal(await db.getRepository(JobEntity).count({ where: { type: 'bc-lost' } }), 0);

    // In a batch of jobs, each job's tasks run right after it, in its savepoint.
    const runner = new JobRunner(db, log, now, { transaction: (work) => transaction(db, work) });
    const seen: string[] = [];
    runner.register(
      'bc-batch',
      async (job) => {
        beforeCommit(async () => {
          seen.push(`after ${job.payload.n}`);
        });
        seen.push(`job ${job.payload.n}`);
      },
      { batch: 10 },
    );
    await transaction(db, async (m) => {
      for (const n of [1, 2, 3]) await enqueueJob(m, 'bc-batch', { n }, now(), { queueKey: 'bc' });
    });
    await runner.runDue();
    assert.deepEqual(seen, ['job 1', 'after 1', 'job 2', 'after 2', 'job 3', 'after 3']);
  });
});
