// When the last request came in. Work that holds the event loop (a batch of jobs in one
// transaction: better-sqlite3 never yields) may take longer turns while nobody waits on an answer,
// such as a backlog of webhooks drained with no one using the appliance (JobTypeOptions.quietBatch).
import { performance } from 'node:perf_hooks';
import type { RequestHandler } from 'express';

/** With no request for this long, the appliance counts as quiet. */
export const QUIET_MS = 1000;

export class RequestActivity {
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly quietMs = QUIET_MS) {}

  /** Express middleware: every request counts, except /health (the desktop shell's poll waits on nothing). */
  readonly track: RequestHandler = (req, _res, next) => {
    if (req.path !== '/health') this.lastAt = performance.now();
    next();
  };

  /** No request (but /health) has come in for quietMs. */
  quiet(): boolean {
    return performance.now() - this.lastAt >= this.quietMs;
  }
}
