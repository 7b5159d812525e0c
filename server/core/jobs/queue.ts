// Durable jobs (DESIGN rule 5): everything that leaves the machine, and any background work,
// is a row in the jobs table. Failed attempts retry with exponential backoff; jobs that share a
// queueKey run strictly in order; jobs left running by a crash are picked up again at start.
import { In, IsNull, MoreThan, type DataSource, type EntityManager, type Repository } from 'typeorm';
import type { Logger } from 'pino';
import { Cron } from 'croner';
import { JobEntity, type Job } from './job.entity.js';
import { newId } from '../ids.js';
import { insertRow } from '../../db/insert-row.js';
import { runBeforeCommit, transaction, transactionLocal, type TransactionOptions } from '../../db/data-source.js';

export interface EnqueueOptions {
  tenantId?: string | null;
  queueKey?: string | null;
  runAt?: Date;
  maxAttempts?: number;
}

/** Throw from a handler when retrying cannot help (bad credentials, invalid recipient…). */
export class PermanentJobError extends Error {}

/**
 * `batched`: the job runs inside a batch's transaction (JobTypeOptions.batch): keep it short.
 * `many`: handles a batch's jobs together, in order (set-based work: one read for the lot instead of
 * one per job); should it fail, the batch's jobs run one by one, each in its own savepoint, so the
 * failure is the failing job's alone.
 */
export type JobHandler = ((job: Job, run?: { batched: boolean }) => Promise<void>) & {
  many?: (jobs: Job[]) => Promise<void>;
};

/** How the runner treats one job type (a module's manifest gives these beside its handlers). */
export interface JobTypeOptions {
  /**
   * Jobs of this type that may run at once, in slots of their own (not counted against the runner's
   * shared concurrency). For work that mostly waits on the network, such as sending to the Graph:
   * with 50 ms per call, three at a time cap delivery at 60/s. Queues (queueKey) still run in order.
   */
  concurrency?: number;
  /**
   * A job of this type that succeeds after failed attempts shows the link is back: the same tenant's
   * other jobs of this type that are backing off become due now, so a backlog queued during an outage
   * drains at once instead of each queue waiting out its own backoff.
   */
  recoverPeers?: boolean;
  /**
   * Up to this many due jobs of this type run in one transaction (each in a savepoint of it, the
   * handler's own transactions nested inside), with their completion: one commit, and one fsync,
   * for the lot instead of three per job. A batch is the first job with the ones right behind it in
   * its queue (a burst of webhooks is one long queue), then the heads of other queues (automation
   * events, one queue per conversation). For short database-only work. A job that fails rolls back
   * alone and ends the batch: the ones before it are done, the ones after it wait their turn, so
   * every queue stays in order. Needs the runner's `transaction` option. A handler that takes the
   * batch together (JobHandler.many) gets it in one call, not cut at 50 ms: the size is then what it
   * handles in about that time (webhook.process: 50 webhooks, about 50 ms).
   */
  batch?: number;
  /**
   * A larger batch size for while the runner is told nobody is waiting (its `quiet` option: no
   * request for a second). A batch holds the event loop until it commits, and part of a commit's
   * cost is the same whatever its size, so a backlog drained with nobody using the appliance goes
   * faster in larger batches (test/bench/README.md, "Larger batches while nobody waits"). Cut to
   * about QUIET_BATCH_MS of work: the first request after a quiet second waits no longer.
   */
  quietBatch?: number;
  /**
   * Its batches' commits are redoable (db/data-source.ts, TransactionOptions.redoable): the job only
   * derives rows from durable ones, and what it sends out goes through jobs of its own. A power cut
   * may undo a batch, which then runs again. For batched types (`batch`).
   */
  redoable?: boolean;
}

/** A job row, not yet stored (enqueueJob stores one; the webhook acknowledgement stores many at once). */
export function newJob(type: string, payload: Record<string, unknown>, now: Date, opts: EnqueueOptions = {}): Job {
  return {
    id: newId(),
    tenantId: opts.tenantId ?? null,
    type,
    payload,
    queueKey: opts.queueKey ?? null,
    status: 'pending',
    attempts: 0,
    maxAttempts: opts.maxAttempts ?? 8,
    runAt: opts.runAt ?? now,
    lastError: null,
    createdAt: now,
    updatedAt: now,
  };
}

export async function enqueueJob(
  manager: EntityManager,
  type: string,
  payload: Record<string, unknown>,
  now: Date,
  opts: EnqueueOptions = {},
): Promise<Job> {
  const job = newJob(type, payload, now, opts);
  await insertRow(manager, JobEntity, job);
  return job;
}

/** Whether a queue has a job waiting or running (anything enqueued now would run after it). */
export function queueBusy(manager: EntityManager, queueKey: string): Promise<boolean> {
  return manager
    .getRepository(JobEntity)
    .createQueryBuilder('j')
    .where('j.queueKey = :queueKey AND j.status IN (:...waiting)', { queueKey, waiting: ['pending', 'running'] })
    .getExists();
}

/** Which of these queues have a job waiting or running: queueBusy for many queues in one read. */
export async function busyQueues(manager: EntityManager, queueKeys: string[]): Promise<Set<string>> {
  if (queueKeys.length === 0) return new Set();
  const rows: { queueKey: string }[] = await manager
    .getRepository(JobEntity)
    .createQueryBuilder('j')
    .select('DISTINCT j.queueKey', 'queueKey')
    .where('j.queueKey IN (:...queueKeys) AND j.status IN (:...waiting)', { queueKeys, waiting: ['pending', 'running'] })
    .getRawMany();
  return new Set(rows.map((r) => r.queueKey));
}

/** Delay before attempt n+1: base, 2×base, 4×base… capped at 10 minutes, with ±20% jitter. */
export function backoffMs(attempts: number, baseMs = 2000): number {
  const delay = Math.min(baseMs * 2 ** (attempts - 1), 600_000);
  return Math.round(delay * (0.8 + Math.random() * 0.4));
}

/**
 * The longest a job waits while the runner holds back (see holdWhile). 100 ms was tried: the
 * ingest benchmark's acknowledgements then fell to 1,700/s with a p99 of 157 ms, against 6,400/s
 * and 39 ms at 200 (test/bench/README.md, "Automation").
 */
const HOLD_MAX_MS = 200;

/** A batch's job it did not finish: pending again, its attempt given back. */
const uncount = (now: Date) => ({ status: 'pending' as const, attempts: () => 'attempts - 1', updatedAt: now });

/** A batch taken while the runner is asked to hold back is this many times smaller (batchFrom). */
const HELD_BATCH_DIVISOR = 5;

/**
 * About how long a batch taken at its quiet size (JobTypeOptions.quietBatch) may hold the event loop:
 * the size is cut to what the type's last batch did in that time, so more automation rules (slower
 * jobs) make smaller batches, and the first request after a quiet second waits no longer.
 */
const QUIET_BATCH_MS = 250;

const UNHURRIED = Symbol('a batch of jobs taken at its quiet size');

/**
 * True inside a batch of jobs taken at its quiet size (JobTypeOptions.quietBatch): nobody waits on
 * it, so its follow-up work (automation events processed with their change) need not leave it for
 * later to keep the transaction short.
 */
export function inUnhurriedBatch(): boolean {
  return transactionLocal(UNHURRIED, () => false) === true;
}

/** How long a batch of jobs (JobTypeOptions.batch) keeps its transaction open before it commits. */
const BATCH_MAX_MS = 50;

/** Jobs started one after another before the runner lets other work in (see runDue). */
const START_TOGETHER = 16;

/** After a nudge, the runner looks for due jobs again at most this often (see runDue). */
const RELOOK_MS = 20;

/**
 * A write for many ids at once: the ids given in the same turn of the event loop are written
 * together after it, and each caller resolves once that write is done.
 */
function sharedWrite(write: (ids: string[]) => Promise<unknown>): (id: string) => Promise<void> {
  let ids: string[] = [];
  let flush: Promise<void> | undefined;
  return (id) => {
    ids.push(id);
    flush ??= new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      const batch = ids;
      ids = [];
      flush = undefined;
      await write(batch);
    });
    return flush;
  };
}

export class JobRunner {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly typeOptions = new Map<string, JobTypeOptions>();
  /** Per type with a quietBatch: how long its last batch took per job (ms), to size the next quiet one. */
  private readonly msPerJob = new Map<string, number>();
  private readonly crons: Cron[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private stopRequested = false;
  private rerun = false;

  constructor(
    private readonly db: DataSource,
    private readonly log: Logger,
    private readonly now: () => Date,
    private readonly options: {
      intervalMs?: number;
      retryBaseMs?: number;
      concurrency?: number;
      /**
       * While this is true, jobs start at most one every HOLD_MAX_MS: requests that must be answered
       * first (a burst of webhooks) get the CPU, and background work still moves.
       */
      holdWhile?: () => boolean;
      /** True while nobody waits on the event loop (RequestActivity.quiet): batches may be their quietBatch size. */
      quiet?: () => boolean;
      /** Runs work in one transaction (Services.transaction): batches (JobTypeOptions.batch) need it. */
      transaction?: <T>(work: (manager: EntityManager) => Promise<T>, options?: TransactionOptions) => Promise<T>;
    } = {},
  ) {}

  private lastStart = 0;

  /**
   * Writes to jobs go through the shared transaction queue (db/data-source.ts), not on their own:
   * marks of jobs that start or end together share a commit with each other and with the jobs' own
   * work, and each resolves only once committed.
   */
  private write<T>(work: (jobs: Repository<Job>) => Promise<T>, options?: TransactionOptions): Promise<T> {
    return transaction(this.db, (m) => work(m.getRepository(JobEntity)), options);
  }

  register(type: string, handler: JobHandler, options: JobTypeOptions = {}): void {
    this.handlers.set(type, handler);
    this.typeOptions.set(type, options);
  }

  /** Enqueue a job of this type on a cron schedule (the job itself is durable). */
  schedule(pattern: string, type: string, timezone = 'UTC'): void {
    this.crons.push(new Cron(pattern, { timezone, paused: true }, () => this.enqueueScheduled(type)));
  }

  private readonly retryTimers = new Set<NodeJS.Timeout>();

  /**
   * The cron tick's work. It never rejects: Croner does not catch what its callback throws, and an
   * unhandled rejection would end the process. A failed enqueue (the database busy or its disk full)
   * is logged and tried again with backoff, up to 5 times before the next tick takes over.
   */
  private async enqueueScheduled(type: string, attempt = 1): Promise<void> {
    try {
      await enqueueJob(this.db.manager, type, {}, this.now(), { queueKey: `cron:${type}`, maxAttempts: 3 });
      this.nudge();
    } catch (err) {
      const retry = !this.stopped && attempt < 5;
      this.log.error({ err, type, attempt, retry }, 'scheduled job could not be queued');
      if (!retry) return;
      const timer = setTimeout(
        () => {
          this.retryTimers.delete(timer);
          void this.enqueueScheduled(type, attempt + 1);
        },
        backoffMs(attempt, this.options.retryBaseMs),
      );
      this.retryTimers.add(timer);
    }
  }

  get isRunning(): boolean {
    return !this.stopped;
  }

  async start(): Promise<void> {
    // A job marked running belonged to a process that died; it runs again.
    await this.db.getRepository(JobEntity).update({ status: 'running' }, { status: 'pending' });
    this.stopped = false;
    this.stopRequested = false;
    for (const cron of this.crons) cron.resume();
    this.loop(0);
  }

  /** Wakes a run that waits on its jobs in flight, so it looks for new due jobs (see runDue). */
  private wake: (() => void) | undefined;

  /** A nudge that came while the run was not waiting (it was looking or starting): look again before waiting. */
  private nudged = false;

  nudge(): void {
    this.nudged = true;
    this.wake?.();
    if (this.stopped) return;
    // While a run is in progress, remember the nudge: the next run starts as soon as this one ends.
    if (this.running) this.rerun = true;
    else this.loop(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopRequested = true;
    for (const cron of this.crons) cron.stop();
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    clearTimeout(this.timer);
    await this.running;
  }

  private loop(delay: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.runDue()
        .then(() => undefined)
        .catch((err) => this.log.error({ err }, 'job runner failed'))
        .finally(() => {
          this.running = undefined;
          const again = this.rerun;
          this.rerun = false;
          if (!this.stopped) this.loop(again ? 0 : (this.options.intervalMs ?? 250));
        });
    }, delay);
  }

  /**
   * Runs every job that is due now; returns how many ran. Exposed for tests.
   * Up to `concurrency` jobs run at once, only the head of each queue (so a conversation's replies
   * stay in order), and no single job type takes every slot: a Graph API that hangs on sends never
   * holds up the processing of incoming webhooks.
   */
  async runDue(): Promise<number> {
    const limit = Math.max(1, this.options.concurrency ?? 4);
    const perType = Math.max(1, limit - 1);
    // The jobs in flight and their queues. A batch takes one slot (see occupy), whatever its size.
    const inFlight = new Map<string, string | null>();
    // Types with slots of their own (JobTypeOptions.concurrency) and the shared pool of the others.
    const ownSlots = (type: string) => this.typeOptions.get(type)?.concurrency;
    // Slots in use, kept as counts (counting the jobs in flight at every check cost a loop over up
    // to 128 sends per candidate job).
    const runningOf = new Map<string, number>();
    let sharedInUse = 0;
    const occupy = (type: string, delta: 1 | -1) => {
      runningOf.set(type, (runningOf.get(type) ?? 0) + delta);
      if (ownSlots(type) === undefined) sharedInUse += delta;
    };
    const running = (type: string) => runningOf.get(type) ?? 0;
    const hasRoom = (type: string) => {
      const own = ownSlots(type);
      return own !== undefined ? running(type) < own : sharedInUse < limit && running(type) < perType;
    };
    // Set when a job in flight finishes, and what wakes the wait below (one promise for the wait,
    // rather than a race over every job in flight each time one of them finishes).
    let finished = false;
    let settle: (() => void) | undefined;
    let ran = 0;
    // The runnable jobs of the last look not started yet, and when that look was. Only this runner
    // changes a job's status, so they stay runnable (each the head of its queue) until started;
    // they are used before looking again, as each finished job (a nudge) used to cost a look: one
    // per reply sent, more CPU than the send itself (test/bench/README.md).
    let runnable: Job[] = [];
    let lookedAt = Number.NEGATIVE_INFINITY;
    const lookAgain = () => performance.now() - lookedAt >= RELOOK_MS;
    for (;;) {
      let started = 0;
      let looked = false;
      if (!this.stopRequested) {
        if (runnable.length === 0 || (this.nudged && lookAgain())) {
          looked = true;
          this.nudged = false;
          const busy = new Set<string>();
          for (const queueKey of inFlight.values()) if (queueKey !== null) busy.add(queueKey);
          runnable = (await this.dueInOrder(busy)).filter((j) => !inFlight.has(j.id));
          lookedAt = performance.now();
        }
        // Jobs of this page already started, alone or in a batch (which may have finished since).
        const taken = new Set<string>();
        for (const job of runnable) {
          if (taken.has(job.id) || inFlight.has(job.id) || !hasRoom(job.type)) continue;
          await this.hold();
          if (this.stopRequested) break;
          this.lastStart = performance.now();
          // runOne records a handler's failure itself; one that cannot even be recorded (the database
          // gone) is logged here, never left as an unhandled rejection.
          const batch = await this.batchFrom(
            job,
            runnable.filter((j) => !taken.has(j.id)),
          );
          void (batch.length > 1 ? this.runBatch(batch) : this.runOne(job))
            .catch((err) => this.log.error({ err, jobId: job.id, type: job.type }, 'job could not be run'))
            .finally(() => {
              for (const j of batch) inFlight.delete(j.id);
              occupy(job.type, -1);
              finished = true;
              settle?.();
            });
          occupy(job.type, 1);
          for (const j of batch) {
            taken.add(j.id);
            inFlight.set(j.id, j.queueKey);
          }
          ran++;
          started++;
          // better-sqlite3 is synchronous: yield between starts so requests are not starved. Jobs
          // that start alone are started a few at a time first, so their "running" marks share one
          // write (markRunning): each had a commit of its own, one per reply sent.
          if (batch.length > 1 || started % START_TOGETHER === 0) await new Promise((resolve) => setImmediate(resolve));
        }
        runnable = runnable.filter((j) => !taken.has(j.id));
      }
      if (inFlight.size === 0) {
        // Quick jobs may all have finished already; look again for the ones they unblocked.
        if (started > 0) continue;
        if (!looked && runnable.length > 0 && !this.stopRequested) {
          // What was left of the last look could not start (held back, or the look was stale): look again.
          runnable = [];
          continue;
        }
        return ran;
      }
      // On shutdown, the jobs in hand finish; the rest stay pending for the next start. Jobs that
      // wait long (a Graph call) must not keep new work waiting: a nudge (something was enqueued) or
      // the polling interval also ends the wait while slots are free.
      if (this.nudged && !this.stopRequested && lookAgain()) continue;
      // A job that finished since the last wait: go round again at once.
      if (finished) {
        finished = false;
        continue;
      }
      const oneFinished = new Promise<void>((resolve) => {
        settle = resolve;
      });
      const woken = new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      // A nudge that came too soon after the last look is answered once RELOOK_MS has passed.
      const wait = this.nudged ? Math.max(0, lookedAt + RELOOK_MS - performance.now()) : (this.options.intervalMs ?? 250);
      const tick = new Promise<void>((resolve) => setTimeout(resolve, wait).unref());
      await Promise.race([oneFinished, ...(this.stopRequested ? [] : [woken, tick])]);
      settle = undefined;
      finished = false;
      this.wake = undefined;
    }
  }

  private async hold(): Promise<void> {
    const { holdWhile } = this.options;
    while (holdWhile?.() && performance.now() - this.lastStart < HOLD_MAX_MS && !this.stopRequested) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /**
   * The runnable due jobs, oldest first: a page of due jobs, kept to the heads of their queues. A
   * queue with a job in flight (`busy`) has no runnable job until it finishes, so its jobs are left
   * out in SQL. When a page still holds no head, the next page starts after its last job. (Queues
   * seen in a page are not left out of the next: a retried head waits with a later runAt than the
   * jobs behind it, so it comes in a later page.) Before, each further page re-read the ones before
   * it (OFFSET).
   */
  private async dueInOrder(busy: ReadonlySet<string> = new Set()): Promise<Job[]> {
    const now = this.now();
    let after: Job | undefined;
    for (;;) {
      const q = this.db
        .getRepository(JobEntity)
        .createQueryBuilder('j')
        .where('j.status = :pending AND j.runAt <= :now', { pending: 'pending', now })
        .orderBy('j.runAt', 'ASC')
        .addOrderBy('j.id', 'ASC')
        .take(50);
      if (busy.size > 0) q.andWhere('(j.queueKey IS NULL OR j.queueKey NOT IN (:...busy))', { busy: [...busy] });
      if (after) {
        q.andWhere('(j.runAt > :afterAt OR (j.runAt = :afterAt AND j.id > :afterId))', { afterAt: after.runAt, afterId: after.id });
      }
      const due = await q.getMany();
      const runnable = await this.inOrder(due);
      if (runnable.length > 0 || due.length < 50) return runnable;
      after = due[due.length - 1];
    }
  }

  // A job waits while an older job with the same queueKey is still pending or running. One query
  // finds the head of every queue in the page: two index seeks per queue on (queueKey, status, id),
  // however long the queue is (a backlog of 20,000 webhooks is one queue).
  private async inOrder(due: Job[]): Promise<Job[]> {
    const keyed = due.filter((j) => j.queueKey !== null);
    if (keyed.length === 0) return due;
    const rows: { queueKey: string; pending: string | null; running: string | null }[] = await this.db
      .createQueryBuilder()
      .select('k.queueKey', 'queueKey')
      .addSelect((q) => q.select('MIN(p.id)').from(JobEntity, 'p').where('p.queueKey = k.queueKey AND p.status = :pending'), 'pending')
      .addSelect((q) => q.select('MIN(r.id)').from(JobEntity, 'r').where('r.queueKey = k.queueKey AND r.status = :running'), 'running')
      .from(JobEntity, 'k')
      .where('k.id IN (:...ids)', { ids: keyed.map((j) => j.id) })
      .groupBy('k.queueKey')
      .setParameters({ pending: 'pending', running: 'running' })
      .getRawMany();
    const head = new Map(rows.map((r) => [r.queueKey, [r.pending, r.running].filter((id): id is string => id !== null).sort()[0]]));
    return due.filter((j) => j.queueKey === null || head.get(j.queueKey) === j.id);
  }

  // See JobTypeOptions.recoverPeers. Only jobs that failed before (attempts > 0) are moved: a job
  // scheduled for later on purpose (runAt in the future, never tried) keeps its time.
  private async recoverPeers(job: Job): Promise<void> {
    const now = this.now();
    const moved = await this.db.getRepository(JobEntity).update(
      {
        type: job.type,
        status: 'pending',
        tenantId: job.tenantId === null ? IsNull() : job.tenantId,
        attempts: MoreThan(0),
        runAt: MoreThan(now),
      },
      { runAt: now, updatedAt: now },
    );
    if (moved.affected) this.nudge();
  }

  /**
   * The job, the due jobs of its type right behind it in its queue, then other runnable jobs of its
   * type (heads of their queues), up to the type's batch size (see JobTypeOptions.batch).
   */
  private async batchFrom(head: Job, runnable: Job[]): Promise<Job[]> {
    const size = this.batchSize(head.type);
    // A job tried before (a failure, or a batch the process died in) runs alone: should it be the
    // one that brings the process down, its own attempts run out and no other job's do.
    if (size <= 1 || !this.options.transaction || head.attempts > 0) return [head];
    const batch = [head];
    if (head.queueKey !== null) {
      const now = this.now();
      const queue = await this.db.getRepository(JobEntity).find({
        where: { queueKey: head.queueKey, status: 'pending', id: MoreThan(head.id) },
        order: { id: 'ASC' },
        take: size - 1,
      });
      for (const job of queue) {
        if (job.type !== head.type || job.runAt > now || job.attempts > 0) break;
        batch.push(job);
      }
    }
    for (const job of runnable) {
      if (batch.length >= size) break;
      // `runnable` holds one job per queue (its head), so none of these is behind `head` in its queue.
      if (job.type === head.type && job.id !== head.id && job.attempts === 0) batch.push(job);
    }
    return batch;
  }

  /** How many jobs of this type the next batch may take (JobTypeOptions.batch and quietBatch). */
  private batchSize(type: string): number {
    const options = this.typeOptions.get(type);
    const full = options?.batch ?? 1;
    if (full <= 1) return full;
    // While the runner is asked to hold back (a burst of webhooks being acknowledged) and runs anyway
    // (HOLD_MAX_MS), a batch is a fifth of its size: the acknowledgements waiting behind its
    // transaction wait a fifth as long.
    if (this.options.holdWhile?.()) return Math.max(1, Math.ceil(full / HELD_BATCH_DIVISOR));
    // While nobody waits at all, it may be larger: about QUIET_BATCH_MS of work at the last batch's pace.
    if (!options?.quietBatch || !this.options.quiet?.()) return full;
    const fitting = Math.floor(QUIET_BATCH_MS / (this.msPerJob.get(type) ?? 0));
    return Math.max(full, Math.min(options.quietBatch, fitting));
  }

  /**
   * Runs a batch (see batchFrom) in one transaction, each job in a savepoint, and marks the ones
   * that succeeded done in it. The first failure is rolled back alone and recorded as a normal failed
   * attempt; the jobs after it stay pending, untried. A batch that cannot commit leaves every job
   * pending: its head then runs alone, so a real failure is recorded against it.
   */
  private async runBatch(batch: Job[]): Promise<void> {
    const handler = this.handlers.get(batch[0].type)!;
    const options = this.typeOptions.get(batch[0].type);
    const durability = { redoable: options?.redoable === true };
    const ids = batch.map((j) => j.id);
    // Counted before they run, as runOne does: a batch the process dies in has cost each of its jobs
    // an attempt, and they then run alone (batchFrom). The ones the batch does not reach get it back.
    await this.write(
      (jobs) => jobs.update({ id: In(ids) }, { status: 'running', attempts: () => 'attempts + 1', updatedAt: this.now() }),
      durability,
    );
    let started = performance.now();
    const began = started;
    const done: Job[] = [];
    let failure: { job: Job; err: unknown } | undefined;
    const untried = () => ids.filter((id) => id !== failure?.job.id && !done.some((j) => j.id === id));
    try {
      await this.options.transaction!(async (m) => {
        if (batch.length > (options?.batch ?? 1)) transactionLocal(UNHURRIED, () => true);
        if (handler.many) {
          try {
            await m.transaction(async (sm) => {
              await handler.many!(batch.map((job) => ({ ...job, attempts: job.attempts + 1 })));
              await runBeforeCommit(sm);
            });
            done.push(...batch);
          } catch (err) {
            this.log.warn({ err, jobs: batch.length, type: batch[0].type }, 'job batch failed together; its jobs run one by one');
            // With the batch's full time: the failing job is then reached and recorded in this round.
            started = performance.now();
          }
        }
        for (const job of done.length > 0 ? [] : batch) {
          // A long batch would keep other transactions (API requests) waiting: stop after ~50 ms.
          if (done.length > 0 && (this.stopRequested || performance.now() - started > BATCH_MAX_MS)) break;
          try {
            await m.transaction(async (sm) => {
              await handler({ ...job, attempts: job.attempts + 1 }, { batched: true });
              // The job's follow-up work (automation events processed with their change) in its
              // savepoint, and in the batch's time.
              await runBeforeCommit(sm);
            });
            done.push(job);
          } catch (err) {
            failure = { job, err };
            break;
          }
        }
        if (done.length > 0) {
          await m
            .getRepository(JobEntity)
            .update({ id: In(done.map((j) => j.id)) }, { status: 'done', lastError: null, updatedAt: this.now() });
        }
        const left = untried();
        if (left.length > 0) await m.getRepository(JobEntity).update({ id: In(left) }, uncount(this.now()));
      }, durability);
    } catch (err) {
      this.log.warn({ err, jobs: batch.length, type: batch[0].type }, 'job batch could not commit; its first job runs alone');
      await this.write((jobs) => jobs.update({ id: In(ids) }, uncount(this.now())));
      return this.runOne(batch[0]);
    }
    if (options?.quietBatch && done.length > 0) this.msPerJob.set(batch[0].type, (performance.now() - began) / done.length);
    if (failure) await this.recordFailure(failure.job, failure.job.attempts + 1, failure.err);
  }

  private async runOne(job: Job): Promise<void> {
    const handler = this.handlers.get(job.type);
    if (job.attempts >= job.maxAttempts) {
      // Every attempt was counted and none finished: the process stopped during each (see runBatch).
      const lastError = `Gave up: the appliance stopped during each of its ${job.attempts} attempts`;
      this.log.error(
        { jobId: job.id, type: job.type, attempts: job.attempts },
        'job failed for good: the process stopped during every attempt',
      );
      await this.write((jobs) => jobs.update({ id: job.id }, { status: 'failed', lastError, updatedAt: this.now() }));
      return;
    }
    const attempts = job.attempts + 1;
    await this.markRunning(job.id);
    try {
      if (!handler) throw new PermanentJobError(`No handler for job type ${job.type}`);
      await handler({ ...job, attempts });
      await this.markDone(job.id);
      if (attempts > 1 && this.typeOptions.get(job.type)?.recoverPeers) await this.recoverPeers(job);
    } catch (err) {
      await this.recordFailure(job, attempts, err);
    }
  }

  /**
   * Marks a job running, and counts its attempt, with the others that start in the same turn of the
   * event loop: one write for them all (runDue starts the jobs of a look together). The job's
   * handler starts once it is committed, as before: a crash during the handler has cost an attempt.
   */
  private readonly markRunning = sharedWrite((ids) =>
    this.write((jobs) => jobs.update({ id: In(ids) }, { status: 'running', attempts: () => 'attempts + 1', updatedAt: this.now() })),
  );

  /**
   * Marks a job done with the others that finish in the same turn of the event loop: one write, and
   * one fsync, for them all (concurrent sends finish together). Resolves once written, so the next
   * job of its queue starts only after it, as before. A crash before the write runs the job again,
   * as a crash between its handler's commit and this write always could (jobs are at-least-once).
   */
  private readonly markDone = sharedWrite((ids) =>
    this.write((jobs) => jobs.update({ id: In(ids) }, { status: 'done', lastError: null, updatedAt: this.now() })),
  );

  /** A failed attempt: retried later with backoff, or failed for good (permanent error, attempts used up). */
  private async recordFailure(job: Job, attempts: number, err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    const final = err instanceof PermanentJobError || attempts >= job.maxAttempts;
    this.log.warn({ jobId: job.id, type: job.type, attempts, err: message, final }, 'job attempt failed');
    await this.write((jobs) =>
      jobs.update(
        { id: job.id },
        {
          status: final ? 'failed' : 'pending',
          attempts,
          lastError: message.slice(0, 2000),
          runAt: final ? job.runAt : new Date(this.now().getTime() + backoffMs(attempts, this.options.retryBaseMs)),
          updatedAt: this.now(),
        },
      ),
    );
  }
}
