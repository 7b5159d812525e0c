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
import { busyQueues, queueBusy } from '../../core/jobs/queue.js';
import { beforeCommit, transactionLocal } from '../../db/data-source.js';
import { AutomationEventEntity, type AutomationEvent } from './automation.entity.js';
import { Engine } from './engine.js';
import { enqueueProcessing, queueKeyOf } from './event-log.js';
import { engineState } from './state.js';

/**
 * How long one transaction spends processing its events before sending the rest to their queues. A
 * webhook's job writes one or two events, and a batch of jobs (queue.ts) ends after about 50 ms,
 * this work included; an API request's transaction writes one or two.
 */
const BUDGET_MS = 40;

interface Pending {
  /** In the order they were written; events written while processing are added behind. */
  events: AutomationEvent[];
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
 * The inline path for the event log (automationOnEmit): takes a pending event to be processed before
 * its transaction commits, or returns false outside a transaction that allows it (the caller then
 * queues its job at once).
 */
export function inlineProcessing(services: Services): (event: AutomationEvent) => boolean {
  const engine = new Engine(services);
  return (event) => {
    const pending = transactionLocal<Pending>(PENDING, () => ({
      events: [],
      scheduled: false,
      clear: new Set(),
      queued: new Set(),
      spentMs: 0,
    }));
    if (!pending) return false;
    pending.events.push(event);
    if (!pending.scheduled) pending.scheduled = beforeCommit((m) => drain(services, engine, m, pending));
    return pending.scheduled;
  };
}

async function drain(services: Services, engine: Engine, m: EntityManager, pending: Pending): Promise<void> {
  const state = engineState(services.db);
  const started = performance.now();
  const spent = () => pending.spentMs + performance.now() - started;
  try {
    // The queues of the events in hand, looked up together (a batch of webhooks writes a hundred or
    // so): each clear one needs no look of its own below.
    const unknown = [...new Set(pending.events.map(queueKeyOf))].filter((k) => !pending.clear.has(k) && !pending.queued.has(k));
    const busy = await busyQueues(m, unknown);
    for (const key of unknown) if (!busy.has(key)) pending.clear.add(key);
    for (let event = pending.events.shift(); event; event = pending.events.shift()) {
      const key = queueKeyOf(event);
      let inline = !pending.queued.has(key) && !busy.has(key) && spent() < BUDGET_MS && !state.busy.has(key);
      // Only a queue first seen here (an event written while processing) is looked up on its own.
      if (inline && !pending.clear.has(key)) {
        inline = !(await queueBusy(m, key));
        if (inline) pending.clear.add(key);
      }
      if (inline) {
        try {
          // In a savepoint (the engine's own transaction, nested here): a failure leaves nothing behind.
          // The event as written, not read back: its payload as the row holds it (JSON: dates as strings).
          await engine.process(event.id, { batched: true, created: { ...event, payload: JSON.parse(JSON.stringify(event.payload)) } });
          continue;
        } catch (err) {
          services.log.warn(
            { err, eventId: event.id },
            'automation: an event could not be processed with its change; it goes to its queue',
          );
        }
      }
      pending.queued.add(key);
      // The work that wrote it may have been rolled back since (a failed job of a batch).
      if (await m.getRepository(AutomationEventEntity).exists({ where: { id: event.id, status: 'pending' } }))
        await enqueueProcessing(m, event, services.now());
    }
  } finally {
    pending.spentMs = spent();
    pending.scheduled = false;
  }
}
