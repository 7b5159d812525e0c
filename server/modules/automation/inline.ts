// Automation events processed in the transaction that wrote them, just before it commits, instead of
// each through a durable job of its own. The event, its runs and their actions then commit together
// with the change that caused it (a crash keeps all or none of them: the work that wrote the event,
// a webhook's job, runs again), and the engine keeps pace with whatever emits events: it was starved
// behind the webhook backlog (test/bench/README.md, "Where the engine's backlog comes from"), and
// each event's job was three writes to the jobs table in three commits.
//
// An event still goes to its conversation's queue as a job (event-log.ts) when processing it here
// could break that queue's order or hold the transaction too long: an older event of the same
// conversation is waiting (its job pending, running, or being processed in this process), an
// earlier event of the same conversation in this transaction went to the queue, this transaction
// has spent its time, or processing it failed (the job retries it with backoff).
import type { EntityManager } from 'typeorm';
import type { Services } from '../../core/context.js';
import { busyQueues, inUnhurriedBatch } from '../../core/jobs/queue.js';
import { beforeCommit, transactionLocal } from '../../db/data-source.js';
import { AutomationEventEntity, type AutomationEvent } from './automation.entity.js';
import { insertRows } from '../../db/insert-row.js';
import { rawRows } from '../../db/raw-sql.js';
import { Engine } from './engine.js';
import { enqueueProcessing, queueKeyOf, type InlineProcessing } from './event-log.js';
import { engineState } from './state.js';

/**
 * How long one transaction spends processing its events before sending the rest to their queues. A
 * webhook's job writes one or two events, and a batch of jobs (queue.ts) ends after about 50 ms,
 * this work included; an API request's transaction writes one or two.
 */
const BUDGET_MS = 40;

interface Pending {
  /** In the order they were emitted; events emitted while processing are added behind. */
  events: AutomationEvent[];
  /** The set the drain is processing: some of it is not written yet. */
  batch: AutomationEvent[];
  /** A drain is registered to run before the transaction commits (beforeCommit). */
  scheduled: boolean;
  /** Queues known to have nothing waiting ahead of this transaction's events. */
  clear: Set<string>;
  /** Queues an event of this transaction went to: the later ones follow it there. */
  queued: Set<string>;
  spentMs: number;
}

const PENDING = Symbol('automation events to process before commit');

/**
 * The inline path for the event log (automationOnEmit): takes a pending event to be processed, and
 * written, before its transaction commits. Such an event is written once, already processed (not
 * written as pending and then updated), or as pending with its job when it goes to its queue.
 */
export function inlineProcessing(services: Services): InlineProcessing {
  const engine = new Engine(services);
  const pendingOf = () =>
    transactionLocal<Pending>(PENDING, () => ({
      events: [],
      batch: [],
      scheduled: false,
      clear: new Set(),
      queued: new Set(),
      spentMs: 0,
    }));
  return {
    take(event) {
      const pending = pendingOf();
      if (!pending) return false;
      pending.events.push(event);
      if (!pending.scheduled) pending.scheduled = beforeCommit((m) => drain(services, engine, m, pending));
      return pending.scheduled;
    },
    async holds(m, tenantId, fingerprint) {
      const pending = pendingOf();
      const held = pending && [...pending.batch, ...pending.events].filter((e) => e.tenantId === tenantId && e.fingerprint === fingerprint);
      return held?.length ? (await standing(m, held)).size > 0 : false;
    },
  };
}

/**
 * Which of `events` (taken, not written yet) still stand: the change that wrote an event may have
 * been rolled back since (a failed job of a batch, a failed action), and the outbox row of its
 * domain event with it. One read for the set.
 */
async function standing(m: EntityManager, events: AutomationEvent[]): Promise<Set<string>> {
  const rows = await rawRows<{ id: string }>(m, 'SELECT "id" FROM "events" WHERE "id" IN (:...ids)', {
    ids: events.map((e) => e.domainEventId ?? ''),
  });
  const kept = new Set(rows.map((r) => r.id));
  return new Set(events.filter((e) => kept.has(e.domainEventId ?? '')).map((e) => e.id));
}

async function drain(services: Services, engine: Engine, m: EntityManager, pending: Pending): Promise<void> {
  const state = engineState(services.db);
  const started = performance.now();
  const spent = () => pending.spentMs + performance.now() - started;
  // A batch of jobs taken large while nobody waits (JobTypeOptions.quietBatch) has no budget: its
  // events left to their queues would be processed after every webhook of the backlog, and the
  // engine would fall behind the messages.
  const budget = inUnhurriedBatch() ? Number.POSITIVE_INFINITY : BUDGET_MS;
  try {
    // A set at a time: the events in hand, then those their processing wrote, and so on.
    for (let batch = pending.events.splice(0); batch.length > 0; batch = pending.events.splice(0)) {
      pending.batch = batch;
      // An event whose change was rolled back since is neither processed nor written.
      const written = await standing(m, batch);
      // The queues of the set, looked up together (a batch of webhooks writes a hundred or so
      // events): each clear one needs no look of its own below.
      const unknown = [...new Set(batch.map(queueKeyOf))].filter((k) => !pending.clear.has(k) && !pending.queued.has(k));
      const busy = await busyQueues(m, unknown);
      for (const key of unknown) if (!busy.has(key)) pending.clear.add(key);
      for (const event of batch) {
        if (!written.has(event.id)) continue;
        const key = queueKeyOf(event);
        const inline = !pending.queued.has(key) && !busy.has(key) && spent() < budget && !state.busy.has(key);
        if (inline) {
          try {
            // In a savepoint (the engine's own transaction, nested here): a failure leaves nothing behind.
            // The event as written, not read back: its payload is already as the row holds it (JSON:
            // dates as strings; event-log.ts).
            await engine.process(event.id, { batched: true, created: { ...event }, unwritten: true });
            continue;
          } catch (err) {
            services.log.warn(
              { err, eventId: event.id },
              'automation: an event could not be processed with its change; it goes to its queue',
            );
          }
        }
        pending.queued.add(key);
        // Written as pending (a failed attempt above left nothing: it ran in a savepoint), and queued.
        await insertRows(m, AutomationEventEntity, [event]);
        await enqueueProcessing(m, event, services.now());
      }
    }
  } finally {
    pending.batch = [];
    pending.spentMs = spent();
    pending.scheduled = false;
  }
}
