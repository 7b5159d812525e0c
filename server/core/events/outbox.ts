// Transactional outbox (DESIGN rule 4): a change and its event commit together; the bus
// delivers committed events to subscribers afterwards, in order, at least once.
import { In, IsNull, type DataSource, type EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { DomainEventEntity, type DomainEvent } from './event.entity.js';
import { newId } from '../ids.js';
import { transaction } from '../../db/data-source.js';
import { insertRows, withJsonText } from '../../db/insert-row.js';

/**
 * Runs inside the transaction that emits an event, before it commits (an event log that must hold
 * exactly the committed changes). Registered per database by the modules' manifests (`onEmit`).
 */
export type TransactionalConsumer = (manager: EntityManager, event: DomainEvent) => Promise<void>;

const transactionalConsumers = new WeakMap<DataSource, TransactionalConsumer[]>();

/** Registers a consumer that runs in the emitting transaction of every event written to this database. */
export function onEventEmitted(db: DataSource, consumer: TransactionalConsumer): void {
  transactionalConsumers.set(db, [...(transactionalConsumers.get(db) ?? []), consumer]);
}

export async function emitEvent(
  manager: EntityManager,
  event: { tenantId: string | null; type: string; payload: Record<string, unknown> },
  now: Date,
): Promise<void> {
  const row: DomainEvent = { id: newId(), ...event, createdAt: now, dispatchedAt: null };
  // The payload serialised once for the outbox row and the consumers that write it again (the
  // automation event log); the caller's object is free to change once this returns.
  await withJsonText(row.payload, async () => {
    // A prepared plain INSERT: two or three per inbound message, where the query builder's own work
    // cost more than SQLite's.
    await insertRows(manager, DomainEventEntity, [row]);
    for (const consumer of transactionalConsumers.get(manager.connection) ?? []) await consumer(manager, row);
  });
}

/**
 * How long a nudge waits before the bus looks for new events: the transactions that commit meanwhile
 * are dispatched by the same look (one read, one "dispatched" write). With none (0), replies sent at
 * 50 ms Graph latency cost nearly one dispatch each; 5 ms took 2.25–3.07 → 2.11–2.26 ms of CPU off a
 * send, taking turns three times (test/bench/README.md, "Group commit"). Live updates arrive up to
 * 5 ms later (fan-out p99 28–39 ms, target < 150 ms).
 */
const NUDGE_MS = 5;

export type EventHandler = (event: DomainEvent) => Promise<void> | void;

export class EventBus {
  private readonly handlers = new Map<string, EventHandler[]>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private rerun = false;
  /** A nudge's look is scheduled (NUDGE_MS): later nudges join it instead of putting it off. */
  private nudgePending = false;

  constructor(
    private readonly db: DataSource,
    private readonly log: Logger,
    private readonly now: () => Date,
    private readonly intervalMs = 200,
  ) {}

  /** Subscribe to one event type, or '*' for all. */
  on(type: string, handler: EventHandler): void {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), handler]);
  }

  start(): void {
    this.stopped = false;
    this.nudgePending = false;
    this.schedule();
  }

  /** Ask for a dispatch soon (after a commit), instead of waiting for the next tick. */
  nudge(): void {
    if (this.stopped) return;
    // During a dispatch, remember the nudge: the next dispatch starts as soon as this one ends
    // (rather than at the next tick, up to intervalMs later).
    if (this.running) {
      this.rerun = true;
      return;
    }
    if (this.nudgePending) return;
    this.nudgePending = true;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.nudgePending = false;
      this.tick();
    }, NUDGE_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delay = this.intervalMs): void {
    if (!this.stopped) this.timer = setTimeout(() => this.tick(), delay);
  }

  private tick(): void {
    this.running = this.dispatchPending()
      .then(() => undefined)
      .catch((err) => this.log.error({ err }, 'event dispatch failed'))
      .finally(() => {
        this.running = undefined;
        const again = this.rerun;
        this.rerun = false;
        this.schedule(again ? NUDGE_MS : this.intervalMs);
      });
  }

  /** Delivers every undispatched event, oldest first. Exposed for tests. */
  async dispatchPending(): Promise<number> {
    const repo = this.db.getRepository(DomainEventEntity);
    let delivered = 0;
    for (;;) {
      const batch = await repo.find({ where: { dispatchedAt: IsNull() }, order: { id: 'ASC' }, take: 100 });
      if (batch.length === 0) return delivered;
      for (const event of batch) {
        for (const handler of [...(this.handlers.get(event.type) ?? []), ...(this.handlers.get('*') ?? [])]) {
          try {
            await handler(event);
          } catch (err) {
            // A consumer that must not lose work enqueues a durable job; a failure here is logged.
            this.log.error({ err, eventId: event.id, type: event.type }, 'event handler failed');
          }
        }
        delivered++;
      }
      // One write (and one fsync) per batch: a crash before it delivers the batch again, which
      // at-least-once delivery allows (subscribers are idempotent or only notify).
      // Through the transaction queue: it shares a commit with whatever else is being written.
      await transaction(this.db, (m) =>
        m.getRepository(DomainEventEntity).update({ id: In(batch.map((e) => e.id)) }, { dispatchedAt: this.now() }),
      );
      // Let requests in between batches (the database calls above never yield).
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
