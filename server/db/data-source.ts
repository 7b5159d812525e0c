// The TypeORM DataSource over better-sqlite3: WAL, synchronous=FULL, foreign keys, busy timeout; migrations at start.
import { AsyncLocalStorage } from 'node:async_hooks';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, type EntityManager, type EntitySchema, type MigrationInterface } from 'typeorm';
import type { Config } from '../config.js';
import { EntityCacheSubscriber } from '../core/entity-cache.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, setMode } from '../core/fs-private.js';

/** The entities and migrations of every module (the composition root's). */
export interface Schema {
  entities: EntitySchema<any>[];
  migrations: (new () => MigrationInterface)[];
}

export function createDataSource(config: Pick<Config, 'databasePath'>, { entities, migrations }: Schema): DataSource {
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
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      // FULL, not NORMAL: in WAL mode NORMAL fsyncs only at checkpoints, so a power cut can lose
      // the last commits, and a webhook acknowledged to Meta (which then never resends it) would be
      // gone. FULL fsyncs the WAL at every commit; webhooks arriving together share one commit (see
      // webhooks/webhook-store.ts), which keeps the cost small (measured in README "Durability").
      db.pragma('synchronous = FULL');
    },
  });
}

export async function openDatabase(config: Pick<Config, 'databasePath'>, schema: Schema): Promise<DataSource> {
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
let chain: Promise<unknown> = Promise.resolve();
const open = new AsyncLocalStorage<{ manager: EntityManager; active: boolean }>();
export function transaction<T>(ds: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  const outer = open.getStore();
  if (outer?.active) return outer.manager.transaction(work);
  const run = chain.then(() =>
    ds.transaction((manager) => {
      const store = { manager, active: true };
      return open
        .run(store, () => work(manager))
        .finally(() => {
          // Work this transaction started and left running must not join a later one.
          store.active = false;
        });
    }),
  );
  chain = run.catch(() => undefined);
  return run;
}

/** True inside a transaction begun by `transaction` (its commit is still to come). */
export function inTransaction(): boolean {
  return open.getStore()?.active === true;
}
