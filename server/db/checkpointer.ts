// WAL checkpoints on a thread of their own. Every commit appends its pages to the -wal file; by
// default the connection whose commit takes the WAL past 1,000 pages then copies them back into the
// database file and fsyncs it (the automatic checkpoint), on the one thread that answers requests
// and runs jobs: under the webhook load that was about 45% of commit time, and processing ran 26%
// faster without it (test/bench/README.md, "Checkpoints on their own thread"). Here the appliance's
// connection leaves checkpoints to a worker thread with a connection of its own, which runs PASSIVE
// checkpoints: they copy what no reader still needs and never wait for, nor block, the writer. The
// connection keeps a checkpoint of its own only past 64 MB of WAL (BACKSTOP below). Should the
// thread fail, the appliance's connection checkpoints by itself every 1,000 pages again, as before.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { DataSource } from 'typeorm';
import { rawConnection } from './data-source.js';

/** SQLite's default: the appliance's connection checkpoints itself again at this many pages. */
export const AUTO_CHECKPOINT_PAGES = 1000;

// Plain JavaScript, evaluated in the worker: no file of its own to find from the sources, the
// bundle or the packaged app. The driver is the module the appliance loaded (its path is passed in).
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('synchronous = FULL');
let timer;
let stopped = false;
// The pragma answers with the WAL's size and how much of it is in the database file by now, in
// frames; a restarted WAL starts again from 0.
let last = { log: 0, checkpointed: 0 };
function tick() {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    // Another checkpoint is running (the connection's backstop): nothing is wrong, the next look copies.
    if (r.busy) return schedule();
    const frames = r.log < last.log ? r.checkpointed : Math.max(0, r.checkpointed - last.checkpointed);
    last = r;
    if (frames) parentPort.postMessage({ frames });
  } catch (err) {
    if (!stopped) parentPort.postMessage({ error: String(err && err.message || err) });
  }
  schedule();
}
function schedule() {
  if (!stopped) timer = setTimeout(tick, workerData.intervalMs);
}
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  stopped = true;
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
tick();
`;

export interface CheckpointerStats {
  /** Checkpoints that copied pages. */
  checkpoints: number;
  /** Pages (WAL frames) copied into the database file, as the thread saw them between its checkpoints (a diagnostic: a WAL started again and grown past its last size between two looks is undercounted). */
  frames: number;
}

export interface Checkpointer {
  readonly stats: CheckpointerStats;
  /** Closes the thread's connection and waits for the thread to end. */
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  databasePath: string;
  log: { warn(obj: object, msg: string): void };
  /**
   * Between checkpoints (default 1 s). Seldom is cheaper: a page written many times in between is
   * copied once, and each checkpoint's fsync of the database file holds up the commits' own fsyncs
   * meanwhile (README "Checkpoints on their own thread": 100 ms gave 5% of the 26%).
   */
  intervalMs?: number;
  /** The connection's own checkpoint past this many pages (default 16,384: 64 MB of WAL), see BACKSTOP below. */
  backstopPages?: number;
}

/** Starts checkpointing `ds`'s database on a worker thread and turns the connection's own checkpoints off. */
export function startCheckpointer(ds: DataSource, options: CheckpointerOptions): Checkpointer {
  const raw = rawConnection(ds);
  const stats: CheckpointerStats = { checkpoints: 0, frames: 0 };
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: {
      driver,
      path: options.databasePath,
      intervalMs: options.intervalMs ?? 1000,
    },
    // Its heap holds a driver and a few numbers.
    resourceLimits: { maxOldGenerationSizeMb: 16 },
  });
  let stopping = false;
  let fallenBack = false;
  const fallBack = (reason: object) => {
    if (fallenBack) return;
    fallenBack = true;
    if (ds.isInitialized) raw.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
    options.log.warn(reason, 'checkpoint thread ended: the database connection checkpoints by itself again');
  };
  // BACKSTOP. The writer starts the WAL again from its beginning only once all of it is in the
  // database file; under writes that never pause, a checkpoint on another connection may never see
  // that moment, and the WAL would grow. Past this size the connection checkpoints by itself after
  // its commit, as before: the thread has copied most of it, and with no writer beside it that
  // checkpoint finishes, so the next commit starts the WAL again. (A RESTART checkpoint from the
  // thread was tried: it holds every writer back while it copies, and stalled the event loop for
  // up to 2 s, README "Checkpoints on their own thread".)
  raw.pragma(`wal_autocheckpoint = ${options.backstopPages ?? 16_384}`);
  worker.on('message', (m: { frames?: number; error?: string }) => {
    if (m.error) options.log.warn({ error: m.error }, 'checkpoint failed; the next one retries');
    else if (m.frames) {
      stats.checkpoints++;
      stats.frames += m.frames;
    }
  });
  worker.on('error', (err) => fallBack({ err }));
  const exited = new Promise<void>((resolve) =>
    worker.on('exit', (code) => {
      if (!stopping) fallBack({ exitCode: code });
      resolve();
    }),
  );
  // The thread must not keep the process alive on its own.
  worker.unref();
  return {
    stats,
    async stop() {
      if (stopping) return exited;
      stopping = true;
      worker.ref();
      worker.postMessage('stop');
      await exited;
      // Still open (a caller that stops only the thread): the connection checkpoints by itself again.
      if (ds.isInitialized && !fallenBack) raw.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
    },
  };
}
