// Small in-process caches of what requests read far more often than anyone changes it: who the
// caller is (user, organization, role) and which account a webhook is for. Reading those through
// TypeORM on every request was a large share of a request's cost (issue 8, test/bench/README.md).
// A cache is emptied whenever TypeORM writes one of the entities it depends on, so a suspension or
// a permission change still applies to the very next request; entries also expire after a few
// seconds, for writes TypeORM does not see (raw SQL, a restore).
import { EventSubscriber, type DataSource, type EntityManager, type EntitySubscriberInterface } from 'typeorm';

const DEFAULT_TTL_MS = 5_000;
const byDatabase = new WeakMap<DataSource, Set<EntityCache<unknown>>>();

export class EntityCache<V> {
  private readonly entries = new Map<string, { at: number; value: V }>();

  /** `entities`: the entity names (EntitySchema `name`) whose writes empty this cache. */
  constructor(
    db: DataSource,
    readonly entities: readonly string[],
    private readonly ttlMs = DEFAULT_TTL_MS,
  ) {
    let caches = byDatabase.get(db);
    if (!caches) byDatabase.set(db, (caches = new Set()));
    caches.add(this as EntityCache<unknown>);
  }

  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (performance.now() - hit.at < this.ttlMs) return hit.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: V): void {
    // Bounded: a flood of distinct keys (tokens, ids) cannot grow it without limit.
    if (this.entries.size >= 10_000) this.entries.clear();
    this.entries.set(key, { at: performance.now(), value });
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * A read-through cache, one EntityCache per database, for a lookup that many requests or messages
 * repeat: `read(db, key, load)` answers from the cache, or runs `load` and keeps its answer (null
 * included) until one of `entities` is written. Callers must not change what they get.
 */
export function readThrough<V>(entities: readonly string[]) {
  const caches = new WeakMap<DataSource, EntityCache<V>>();
  return async (db: DataSource | EntityManager, key: string, load: () => Promise<V>): Promise<V> => {
    const ds = 'connection' in db ? db.connection : db;
    let cache = caches.get(ds);
    if (!cache) caches.set(ds, (cache = new EntityCache<V>(ds, entities)));
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const value = await load();
    cache.set(key, value);
    return value;
  };
}

/**
 * Empties the caches that depend on `entity` (all of them without it). The subscriber below calls it
 * for TypeORM's writes; plain SQL writes (db/insert-row.ts) call it themselves.
 */
export function forgetWritesTo(db: DataSource, entity?: string): void {
  for (const cache of byDatabase.get(db) ?? []) if (!entity || cache.entities.includes(entity)) cache.clear();
}

type WriteEvent = { connection: DataSource; metadata: { name: string } };

/** Registered with the DataSource: empties the caches that depend on what was written. */
export class EntityCacheSubscriber implements EntitySubscriberInterface {
  afterInsert(event: WriteEvent) {
    forgetWritesTo(event.connection, event.metadata.name);
  }
  afterUpdate(event: WriteEvent) {
    forgetWritesTo(event.connection, event.metadata.name);
  }
  afterRemove(event: WriteEvent) {
    forgetWritesTo(event.connection, event.metadata.name);
  }
  afterSoftRemove(event: WriteEvent) {
    forgetWritesTo(event.connection, event.metadata.name);
  }
  // A rolled-back write may have been read into a cache meanwhile (one connection).
  afterTransactionRollback(event: { connection: DataSource }) {
    forgetWritesTo(event.connection);
  }
}
// TypeORM only instantiates subscribers registered this way (what the decorator would do).
EventSubscriber()(EntityCacheSubscriber);
