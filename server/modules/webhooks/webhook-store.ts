// Group commit for received webhooks: the ones that arrive in the same turn of the event loop are
// stored in one transaction (their events and their jobs as one multi-row insert each), and each
// request is answered once its rows are committed. Alone, a webhook waits one turn; under a burst,
// one commit and two statements serve up to MAX_BATCH of them instead of a transaction each
// (issue 8: the acknowledgement's cost was mostly per-statement ORM work).
import type { DataSource } from 'typeorm';
import type { Services } from '../../core/context.js';
import { JobEntity, type Job } from '../../core/jobs/job.entity.js';
import { WebhookEventEntity, type WebhookEvent } from './webhook-event.entity.js';

const MAX_BATCH = 100;
/**
 * Webhooks arriving together that make a burst, and how long after one the burst counts as going on.
 * 20, not 5: a steady 200 webhooks/s piles up 10 of them behind any 50 ms of work, and the job
 * runner then held back so often that processing fell seconds behind (test/bench/README.md,
 * "Automation"); a real burst (the ingest benchmark's 50 at a time) still counts.
 */
const BURST_SIZE = 20;
const BURST_MS = 50;

interface Pending {
  event: WebhookEvent;
  job: Job;
  resolve(): void;
  reject(err: unknown): void;
}

class WebhookStore {
  private pending: Pending[] = [];
  private scheduled = false;
  lastBurstAt = -Infinity;

  constructor(private readonly transaction: Services['transaction']) {}

  store(event: WebhookEvent, job: Job): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ event, job, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, MAX_BATCH);
      if (batch.length >= BURST_SIZE) this.lastBurstAt = performance.now();
      try {
        await this.insert(batch);
        for (const p of batch) p.resolve();
      } catch (err) {
        if (batch.length === 1) {
          batch[0].reject(err);
          continue;
        }
        // One bad row must not fail its neighbours: store them one by one.
        for (const p of batch) await this.insert([p]).then(p.resolve, p.reject);
      }
    }
  }

  private insert(batch: Pending[]): Promise<void> {
    return this.transaction(async (m) => {
      // updateEntity(false): every column is given, so nothing needs reading back.
      await m
        .createQueryBuilder()
        .insert()
        .into(WebhookEventEntity)
        .values(batch.map((p) => p.event))
        .updateEntity(false)
        .execute();
      await m
        .createQueryBuilder()
        .insert()
        .into(JobEntity)
        .values(batch.map((p) => p.job) as never)
        .updateEntity(false)
        .execute();
    });
  }
}

const stores = new WeakMap<DataSource, WebhookStore>();

/** Stores a received webhook with the job that will process it; resolves once both are committed. */
export function storeWebhook(services: Services, event: WebhookEvent, job: Job): Promise<void> {
  let store = stores.get(services.db);
  if (!store) stores.set(services.db, (store = new WebhookStore(services.transaction)));
  return store.store(event, job);
}

/**
 * True while webhooks arrive in a burst (several in one turn of the event loop, within the last
 * 50 ms): the job runner then holds back (JobRunner's holdWhile), so acknowledging them, which Meta
 * waits for, comes before processing them, which can catch up a moment later.
 */
export function webhookBurst(db: DataSource): boolean {
  const store = stores.get(db);
  return store !== undefined && performance.now() - store.lastBurstAt < BURST_MS;
}
