// WAL checkpoints on a worker thread (server/db/checkpointer.ts): the appliance's connection stops
// checkpointing, the thread's connection does it, and the connection takes it back if the thread ends.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AUTO_CHECKPOINT_PAGES, startCheckpointer } from '../../server/db/checkpointer.js';

let dir: string;
let path: string;
let ds: DataSource;
const warnings: string[] = [];
const log = { warn: (_: object, msg: string) => void warnings.push(msg) };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'omnistream-checkpointer-'));
  path = join(dir, 'db.sqlite');
  warnings.length = 0;
  ds = new DataSource({
    type: 'better-sqlite3',
    database: path,
    prepareDatabase: (db: { pragma(s: string): unknown }) => {
      db.pragma('journal_mode = WAL');
    },
  });
  await ds.initialize();
  await ds.query('CREATE TABLE notes (body TEXT)');
});
afterEach(async () => {
  if (ds.isInitialized) await ds.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const autoCheckpoint = () =>
  (
    (ds.driver as unknown as { databaseConnection: { pragma(s: string): unknown } }).databaseConnection.pragma('wal_autocheckpoint') as {
      wal_autocheckpoint: number;
    }[]
  )[0].wal_autocheckpoint;

async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(check(), what);
}

describe('WAL checkpoints on their own thread', () => {
  it('copies the WAL into the database file while the connection itself checkpoints only past its backstop', async () => {
    const checkpointer = startCheckpointer(ds, { databasePath: path, log, intervalMs: 20 });
    try {
      assert.equal(autoCheckpoint(), 16_384);
      const before = statSync(path).size;
      // 2,000 pages of 4 KB: far below the connection's own backstop.
      for (let i = 0; i < 200; i++)
        await ds.transaction(async (m) => {
          for (let j = 0; j < 10; j++) await m.query('INSERT INTO notes VALUES (?)', ['x'.repeat(4000)]);
        });
      await until(() => statSync(path).size > before + 2000 * 4000, 'the rows reached the database file');
      // Below the connection's own backstop (16,384 pages): only the thread can have copied them.
      await until(() => checkpointer.stats.checkpoints > 0 && checkpointer.stats.frames > 0, 'the thread reported its checkpoints');
      assert.deepEqual(warnings, []);
    } finally {
      await checkpointer.stop();
    }
    // Stopped with the connection still open: the connection checkpoints by itself again.
    assert.equal(autoCheckpoint(), AUTO_CHECKPOINT_PAGES);
    assert.equal((await ds.query('SELECT COUNT(*) AS n FROM notes'))[0].n, 2000);
    // The connection closes last and folds what is left of the WAL into the database.
    await ds.destroy();
    assert.equal(existsSync(`${path}-wal`), false);
  });

  it('leaves the connection a backstop: past its size the connection checkpoints by itself and the WAL starts again', async () => {
    // A thread that never gets to it (an hour apart): only the backstop checkpoints.
    const checkpointer = startCheckpointer(ds, { databasePath: path, log, intervalMs: 3_600_000, backstopPages: 50 });
    try {
      assert.equal(autoCheckpoint(), 50);
      for (let i = 0; i < 20; i++)
        await ds.transaction(async (m) => {
          for (let j = 0; j < 10; j++) await m.query('INSERT INTO notes VALUES (?)', ['x'.repeat(4000)]);
        });
      // Each commit of ten 4 KB rows is some 20 frames: without the backstop the WAL would hold 400 or more.
      const [r] = (await ds.query('PRAGMA wal_checkpoint(PASSIVE)')) as { log: number }[];
      assert.ok(r.log < 100, `the WAL holds ${r.log} frames`);
    } finally {
      await checkpointer.stop();
    }
    assert.equal((await ds.query('SELECT COUNT(*) AS n FROM notes'))[0].n, 200);
  });

  it('gives checkpoints back to the connection when the thread cannot run', async () => {
    // The thread cannot open a database that is not there: it ends at once.
    const checkpointer = startCheckpointer(ds, { databasePath: join(dir, 'missing.sqlite'), log });
    await until(() => warnings.length > 0, 'the failure was logged');
    assert.match(warnings[0], /checkpoint thread ended/);
    assert.equal(autoCheckpoint(), AUTO_CHECKPOINT_PAGES);
    await checkpointer.stop();
    assert.equal(autoCheckpoint(), AUTO_CHECKPOINT_PAGES);
  });
});
