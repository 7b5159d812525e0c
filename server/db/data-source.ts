// The TypeORM DataSource over better-sqlite3: WAL, synchronous=FULL (NORMAL for redoable work), foreign keys, busy timeout; migrations at start.
import { AsyncLocalStorage } from 'node:async_hooks';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, type EntityManager, type EntitySchema, type MigrationInterface } from 'typeorm';
import type { Config } from '../config.js';
import { EntityCacheSubscriber } from '../core/entity-cache.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, setMode } from '../core/fs-private.js';
import { SqlProfile } from './sql-profile.js';

/** The entities and migrations of every module (the composition root's). */
export interface Schema {
  entities: EntitySchema<any>[];
  migrations: (new () => MigrationInterface)[];
}

export function createDataSource(
  config: Pick<Config, 'databasePath'> & Partial<Pick<Config, 'SQL_PROFILE_FILE'>>,
  { entities, migrations }: Schema,
): DataSource {
  mkdirSync(dirname(config.databasePath), { recursive: true, mode: PRIVATE_DIR_MODE });
  // SQLite creates the -wal and -shm files with the database file's mode: create it 0600 first.
  if (!existsSync(config.databasePath)) closeSync(openSync(config.databasePath, 'a', PRIVATE_FILE_MODE));
  setMode(config.databasePath, PRIVATE_FILE_MODE);
  return new DataSource({
    type: 'better-sqlite3',
    database: config.databasePath,
    entities,
    migrations,
    subscribers: [EntityCacheSubscriber],
    migrationsRun: false,
    synchronize: false,
    logging: false,
    prepareDatabase: (db: { pragma(s: string): unknown }) => {
      if (config.SQL_PROFILE_FILE) {
        const profile = new SqlProfile();
        profile.attach(db);
        profile.writeOnExit(config.SQL_PROFILE_FILE);
      }
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      // FULL, not NORMAL: in WAL mode NORMAL fsyncs only at checkpoints, so a power cut can lose
      // the last commits, and a webhook acknowledged to Meta (which then never resends it) would be
      // gone. FULL fsyncs the WAL at every commit; webhooks arriving together share one commit (see
      // webhooks/webhook-store.ts), which keeps the cost small (measured in README "Durability").
      db.pragma('synchronous = FULL');
      // Checkpoints run on a thread of their own (checkpointer.ts), a second apart: after a burst
      // the WAL file is cut back to this size when it starts again from its beginning.
      db.pragma('journal_size_limit = 67108864');
    },
  });
}

export async function openDatabase(
  config: Pick<Config, 'databasePath'> & Partial<Pick<Config, 'SQL_PROFILE_FILE'>>,
  schema: Schema,
): Promise<DataSource> {
  const ds = createDataSource(config, schema);
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  for (const suffix of ['-wal', '-shm']) setMode(`${config.databasePath}${suffix}`, PRIVATE_FILE_MODE);
  return ds;
}

// SQLite has one connection: TypeORM transactions on it must not interleave, so they queue here.
// A transaction asked for inside another (the job runner runs a batch of jobs in one transaction,
// and each job's own transactions nest in it) becomes a savepoint of the open one: waiting for the
// queue there would wait on itself.
//
// Group commit: the transactions queued together (in one turn of the event loop, or while the group
// before them ran) run one after another in one SQLite transaction, each in a savepoint of its own,
// and commit together: one commit, and one fsync, for all of them. Concurrent work (128 replies being
// sent, a batch of webhooks, the event bus) used to pay one commit each, the largest single cost of a
// send (test/bench/README.md, "Group commit"). Each
// caller still resolves only once its work is committed, and one that fails rolls back alone
// (its savepoint). A group is what was queued when it began (up to GROUP_MAX_SIZE): what is queued
// while it runs makes the next group, so no caller waits on more than the group before its own.
const GROUP_MAX_SIZE = 500;

interface Queued {
  work: (manager: EntityManager) => Promise<unknown>;
  redoable: boolean;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}
const queues = new WeakMap<DataSource, { waiting: Queued[]; draining: boolean }>();
/** One piece of queued work's transaction (a group's first, or one of its savepoints), while it runs. */
interface Open {
  manager: EntityManager;
  active: boolean;
  /** See beforeCommit. */
  tasks: ((manager: EntityManager) => Promise<void>)[];
  /** See transactionLocal. */
  locals: Map<symbol, unknown>;
}
const open = new AsyncLocalStorage<Open>();

export interface TransactionOptions {
  /**
   * The work only derives rows from ones already committed durably (a stored webhook), and nothing
   * it does leaves the machine before a later commit (its sends are jobs, claimed in commits of their
   * own). Its commit need not reach the disk at once: a power cut may undo it, and it is then done
   * again from what it derived from. Such a group commits with synchronous = NORMAL, no fsync of its
   * own: the next commit that syncs (any other: an acknowledgement, a job's claim, a request), or the
   * checkpoint thread within a second, makes it durable with everything before it. A process crash
   * loses nothing either way: the WAL is in the file. Measured in test/bench/README.md, "Redoable
   * commits". Ignored inside an open transaction (the outer one decides).
   */
  redoable?: boolean;
}

export function transaction<T>(ds: DataSource, work: (manager: EntityManager) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  const outer = open.getStore();
  if (outer?.active) return outer.manager.transaction(work);
  let queue = queues.get(ds);
  if (!queue) queues.set(ds, (queue = { waiting: [], draining: false }));
  const q = queue;
  return new Promise<T>((resolve, reject) => {
    q.waiting.push({ work, redoable: options.redoable === true, resolve: resolve as (value: unknown) => void, reject });
    if (!q.draining) {
      q.draining = true;
      // After this turn of the event loop: the other work that is ready now (replies the Graph has
      // answered, requests that have arrived) queues its transactions and joins this group. Waiting
      // longer (2 ms) made bigger groups for concurrent sends, but every step of sequential work
      // (the automation engine, event by event) paid it: event → action p99 went from 90 to 505 ms.
      setImmediate(() => void drain(ds, q));
    }
  });
}

/** Runs the queued transactions, a group at a time (see above). */
async function drain(ds: DataSource, queue: { waiting: Queued[]; draining: boolean }): Promise<void> {
  // `draining` is cleared in the same turn as the last look at the queue: a transaction queued by
  // the last caller's continuation then starts a drain of its own.
  for (;;) {
    if (queue.waiting.length === 0) {
      queue.draining = false;
      return;
    }
    const done: { item: Queued; value: unknown }[] = [];
    // The first of a group runs without a savepoint: should it fail, the transaction holds nothing else yet.
    const first = queue.waiting.shift()!;
    // A redoable group holds redoable work only: the others keep their places for the next group.
    // SQLite fixes the level before BEGIN (it refuses to change it inside a transaction).
    const redoable = first.redoable;
    if (redoable) rawConnection(ds).pragma('synchronous = NORMAL');
    try {
      await ds.transaction(async (manager) => {
        done.push({ item: first, value: await runIn(manager, first.work) });
        // Only the ones queued by now: later ones make the next group, so none waits on more than one.
        const group = redoable ? takeRedoable(queue.waiting) : queue.waiting.splice(0, GROUP_MAX_SIZE - 1);
        for (const item of group) {
          try {
            done.push({ item, value: await runIn(manager, item.work, true) });
          } catch (err) {
            // Rolled back to its savepoint: the others in the group are unaffected.
            item.reject(err);
          }
        }
      });
    } catch (err) {
      // The first failed, or the transaction could not begin or commit: none of the group's work is
      // stored, and every caller still waiting hears why.
      if (!done.some((d) => d.item === first)) first.reject(err);
      for (const { item } of done) item.reject(err);
      continue;
    } finally {
      if (redoable) rawConnection(ds).pragma('synchronous = FULL');
    }
    for (const { item, value } of done) item.resolve(value);
  }
}

/** The redoable work among `waiting` (up to a group's size), taken out of it; the rest stays in order. */
function takeRedoable(waiting: Queued[]): Queued[] {
  const taken: Queued[] = [];
  for (let i = 0; i < waiting.length && taken.length < GROUP_MAX_SIZE - 1; )
    if (waiting[i].redoable) taken.push(...waiting.splice(i, 1));
    else i++;
  return taken;
}

/** better-sqlite3's connection under `ds`: its pragmas take effect at once, with no turn of the event loop. */
export function rawConnection(ds: DataSource): { pragma(source: string, options?: { simple?: boolean }): unknown } {
  return (ds.driver as unknown as { databaseConnection: { pragma(source: string, options?: { simple?: boolean }): unknown } })
    .databaseConnection;
}

function runIn<T>(manager: EntityManager, work: (manager: EntityManager) => Promise<T>, savepoint = false): Promise<T> {
  const store: Open = { manager, active: true, tasks: [], locals: new Map() };
  const body = async (m: EntityManager) => {
    const result = await work(m);
    // What the work left for the end of its transaction (beforeCommit), and what that queues in turn.
    await runBeforeCommit(m);
    return result;
  };
  return open
    .run(store, () => (savepoint ? manager.transaction(body) : body(manager)))
    .finally(() => {
      // Work this transaction started and left running must not join a later one.
      store.active = false;
    });
}

/**
 * Runs `task` in the open transaction (begun by `transaction`) once the work that opened it is done,
 * before it commits: what it writes commits, or rolls back, with that work. False outside such a
 * transaction (nothing is registered; the caller does the work another way). A task that throws
 * fails the work it was registered by, so a task should handle its own failures.
 */
export function beforeCommit(task: (manager: EntityManager) => Promise<void>): boolean {
  const store = open.getStore();
  if (!store?.active) return false;
  store.tasks.push(task);
  return true;
}

/**
 * Runs now what was registered with beforeCommit in the open transaction so far (the job runner does,
 * after each job of a batch, so that work counts toward the batch's time).
 */
export async function runBeforeCommit(manager: EntityManager): Promise<void> {
  const store = open.getStore();
  if (!store?.active) return;
  for (let task = store.tasks.shift(); task; task = store.tasks.shift()) await task(manager);
}

/** A value kept for the open transaction (see beforeCommit), made by `init` on first use; undefined outside one. */
export function transactionLocal<T>(key: symbol, init: () => T): T | undefined {
  const store = open.getStore();
  if (!store?.active) return undefined;
  if (!store.locals.has(key)) store.locals.set(key, init());
  return store.locals.get(key) as T;
}

/** True inside a transaction begun by `transaction` (its commit is still to come). */
export function inTransaction(): boolean {
  return open.getStore()?.active === true;
}
