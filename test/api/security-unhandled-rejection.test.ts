// Security finding 10 (process): an unhandled promise rejection ended the server (Node's default),
// and a cron tick whose enqueue threw was exactly that (Croner does not catch its async callback's
// rejection), so a busy or full database at the wrong second took the appliance down. Now the
// server logs such a rejection and keeps running, and a scheduled job whose enqueue or handler
// throws is logged and tried again.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../server/db/data-source.js';
import { entities, migrations } from '../../server/composition.js';
import { JobRunner } from '../../server/core/jobs/queue.js';
import { JobEntity } from '../../server/core/jobs/job.entity.js';
import { eventually } from '../support/whatsapp.js';
import { killAll, startServer } from '../support/spawned-server.js';

describe('a scheduled job that throws is logged and retried', () => {
  let dir: string;
  let db: DataSource;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'omnistream-cron-'));
    db = await openDatabase({ databasePath: join(dir, 'db.sqlite') }, { entities, migrations });
  });
  after(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a failing enqueue is logged and tried again; a failing handler runs again', async () => {
    const logged: { msg: string; type?: string }[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
    const runner = new JobRunner(db, log, () => new Date(), { intervalMs: 50, retryBaseMs: 50 });
    let calls = 0;
    runner.register('test.cron', async () => {
      calls++;
      if (calls === 1) throw new Error('the first run fails');
    });
    // The database refuses the enqueue (as when it is locked or its disk is full) until the trigger goes.
    await db.query(
      `CREATE TRIGGER refuse_cron BEFORE INSERT ON jobs WHEN NEW.type = 'test.cron' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`,
    );
    // Every second (before the fix, the first tick's rejection was unhandled: the test runner fails on it).
    runner.schedule('* * * * * *', 'test.cron');
    await runner.start();
    try {
      await eventually(async () => logged.some((l) => l.msg === 'scheduled job could not be queued'), 5000, 'the failed enqueue logged');
      await db.query('DROP TRIGGER refuse_cron');
      await eventually(async () => calls >= 2, 10_000, 'the handler run again after it threw');
      assert.ok(
        logged.some((l) => l.msg === 'job attempt failed' && l.type === 'test.cron'),
        'the failed run logged',
      );
      // Marked done just after its handler returns (with the others finishing in the same turn).
      await eventually(
        async () => (await db.getRepository(JobEntity).findBy({ type: 'test.cron', status: 'done' })).length >= 1,
        5000,
        'the second run marked done',
      );
    } finally {
      await runner.stop();
    }
  });
});

describe('an unhandled promise rejection does not end the server', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'omnistream-unhandled-'));
  after(() => {
    killAll();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the real server logs it with pino and keeps answering', async () => {
    const server = await startServer({ dataDir, imports: ['./test/support/unhandled-rejection-trigger.ts'] });
    const output = () => server.output(Infinity);
    await server.waitHealthy();
    server.child.kill('SIGUSR2');
    await eventually(async () => output().includes('test: a rejection nobody handles'), 10_000, 'the rejection logged');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(server.child.exitCode, null, `the server is still running: ${server.output(2000)}`);
    const healthy = await fetch(`${server.url}/health`).then(
      (res) => res.ok,
      () => false,
    );
    assert.ok(healthy, 'and still answers');
    const line = output()
      .split('\n')
      .find((l) => l.includes('test: a rejection nobody handles'))!;
    assert.equal(JSON.parse(line).msg, 'unhandled promise rejection (logged; the server keeps running)');
    await server.stop('SIGTERM');
  });
});
