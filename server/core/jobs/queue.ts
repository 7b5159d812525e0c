// Durable jobs (DESIGN rule 5): everything that leaves the machine, and any background work,
// is a row in the jobs table. Failed attempts retry with exponential backoff; jobs that share a
// queueKey run strictly in order; jobs left running by a crash are picked up again at start.
import { In, LessThanOrEqual, type DataSource, type EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { Cron } from 'croner';
import { JobEntity, type Job } from './job.entity.js';
import { newId } from '../ids.js';

export interface EnqueueOptions {
  tenantId?: string | null;
  queueKey?: string | null;
  runAt?: Date;
  maxAttempts?: number;
}

/** Throw from a handler when retrying cannot help (bad credentials, invalid recipient…). */
export class PermanentJobError extends Error {}

export type JobHandler = (job: Job) => Promise<void>;

export async function enqueueJob(manager: EntityManager, type: string, payload: Record<string, unknown>, now: Date, opts: EnqueueOptions = {}): Promise<Job> {
  const job: Job = {
    id: newId(), tenantId: opts.tenantId ?? null, type, payload, queueKey: opts.queueKey ?? null, status: 'pending',
    attempts: 0, maxAttempts: opts.maxAttempts ?? 8, runAt: opts.runAt ?? now, lastError: null, createdAt: now, updatedAt: now,
  };
  await manager.getRepository(JobEntity).insert(job as never);
  return job;
}

/** Delay before attempt n+1: base, 2×base, 4×base… capped at 10 minutes, with ±20% jitter. */
export function backoffMs(attempts: number, baseMs = 2000): number {
  const delay = Math.min(baseMs * 2 ** (attempts - 1), 600_000);
  return Math.round(delay * (0.8 + Math.random() * 0.4));
}

export class JobRunner {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly crons: Cron[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private stopRequested = false;

  constructor(
    private readonly db: DataSource,
    private readonly log: Logger,
    private readonly now: () => Date,
    private readonly options: { intervalMs?: number; retryBaseMs?: number } = {},
  ) {}

  register(type: string, handler: JobHandler): void {
    this.handlers.set(type, handler);
  }

  /** Enqueue a job of this type on a cron schedule (the job itself is durable). */
  schedule(pattern: string, type: string, timezone = 'UTC'): void {
    this.crons.push(new Cron(pattern, { timezone, paused: true }, async () => {
      await enqueueJob(this.db.manager, type, {}, this.now(), { queueKey: `cron:${type}`, maxAttempts: 3 });
      this.nudge();
    }));
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

  nudge(): void {
    if (!this.stopped && !this.running) this.loop(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopRequested = true;
    for (const cron of this.crons) cron.stop();
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
          if (!this.stopped) this.loop(this.options.intervalMs ?? 250);
        });
    }, delay);
  }

  /** Runs every job that is due now; returns how many ran. Exposed for tests. */
  async runDue(): Promise<number> {
    const repo = this.db.getRepository(JobEntity);
    let ran = 0;
    for (;;) {
      const due = await repo.find({ where: { status: 'pending', runAt: LessThanOrEqual(this.now()) }, order: { runAt: 'ASC', id: 'ASC' }, take: 50 });
      const runnable = await this.inOrder(due);
      if (runnable.length === 0) return ran;
      for (const job of runnable) {
        // On shutdown, finish the job in hand and leave the rest pending for the next start.
        if (this.stopRequested) return ran;
        await this.runOne(job);
        ran++;
      }
    }
  }

  // A job waits while an older job with the same queueKey is still pending or running.
  private async inOrder(due: Job[]): Promise<Job[]> {
    const keys = [...new Set(due.map((j) => j.queueKey).filter((k): k is string => k !== null))];
    if (keys.length === 0) return due;
    const open = await this.db.getRepository(JobEntity).find({
      where: { queueKey: In(keys), status: In(['pending', 'running']) },
      order: { id: 'ASC' },
      select: { id: true, queueKey: true },
    });
    const head = new Map<string, string>();
    for (const j of open) if (!head.has(j.queueKey!)) head.set(j.queueKey!, j.id);
    return due.filter((j) => j.queueKey === null || head.get(j.queueKey) === j.id);
  }

  private async runOne(job: Job): Promise<void> {
    const repo = this.db.getRepository(JobEntity);
    const handler = this.handlers.get(job.type);
    const attempts = job.attempts + 1;
    await repo.update({ id: job.id }, { status: 'running', attempts, updatedAt: this.now() });
    try {
      if (!handler) throw new PermanentJobError(`No handler for job type ${job.type}`);
      await handler({ ...job, attempts });
      await repo.update({ id: job.id }, { status: 'done', lastError: null, updatedAt: this.now() });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const final = err instanceof PermanentJobError || attempts >= job.maxAttempts;
      this.log.warn({ jobId: job.id, type: job.type, attempts, err: message, final }, 'job attempt failed');
      await repo.update({ id: job.id }, {
        status: final ? 'failed' : 'pending',
        lastError: message.slice(0, 2000),
        runAt: final ? job.runAt : new Date(this.now().getTime() + backoffMs(attempts, this.options.retryBaseMs)),
        updatedAt: this.now(),
      });
    }
  }
}
