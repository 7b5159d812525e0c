// The load generator: plain node:http with a keep-alive agent (the cheapest client Node has, so
// the bench process stays light on its core), closed-loop concurrency, and latency statistics.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface HttpResult {
  status: number;
  body: Buffer;
}

export class HttpClient {
  readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(
    baseUrl: string,
    maxSockets = 64,
    private readonly defaults: Record<string, string> = {},
  ) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  request(
    method: string,
    path: string,
    body?: string | Buffer,
    headers: Record<string, string> = {},
    timeoutMs = 60_000,
  ): Promise<HttpResult> {
    return this.attempt(method, path, body, headers, timeoutMs).catch((err: Error & { code?: string; reusedSocket?: boolean }) => {
      // A pooled connection the server closed while idle (its keep-alive timeout is 5 s): the
      // request never reached it, so sending it again on a fresh connection is safe.
      if (err.reusedSocket && err.code === 'ECONNRESET') return this.attempt(method, path, body, headers, timeoutMs);
      throw err;
    });
  }

  private attempt(
    method: string,
    path: string,
    body: string | Buffer | undefined,
    headers: Record<string, string>,
    timeoutMs: number,
  ): Promise<HttpResult> {
    return new Promise((resolve, reject) => {
      const h: Record<string, string | number> = { ...this.defaults, ...headers };
      if (body !== undefined) h['content-length'] = Buffer.byteLength(body);
      const req = http.request({ host: this.host, port: this.port, method, path, headers: h, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)));
      req.on('error', (err: Error & { reusedSocket?: boolean }) => {
        err.reusedSocket = req.reusedSocket;
        reject(err);
      });
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  async json<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: T }> {
    const res = await this.request(
      method,
      path,
      body === undefined ? undefined : JSON.stringify(body),
      body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    );
    const text = res.body.toString('utf8');
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as T };
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface Stats {
  count: number;
  errors: number;
  elapsedMs: number;
  /** Completed operations per second over the run. */
  throughput: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function summarize(latencies: number[], elapsedMs: number, errors = 0): Stats {
  const sorted = Float64Array.from(latencies).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    errors,
    elapsedMs,
    throughput: elapsedMs > 0 ? (sorted.length / elapsedMs) * 1000 : NaN,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
    mean: sorted.length ? sum / sorted.length : NaN,
  };
}

export interface LoopOptions {
  concurrency: number;
  /** Stop after this many operations… */
  total: number;
  /** …or after this long, whichever comes first. */
  maxDurationMs?: number;
  /** One operation; `i` counts from 0. Throw (or return false) to count an error. */
  op: (i: number) => Promise<unknown>;
  /** Errors allowed before the run is abandoned (a broken server should fail fast). */
  maxErrors?: number;
}

/** Closed loop: `concurrency` workers each start the next operation when theirs finishes. */
export async function closedLoop(opts: LoopOptions): Promise<Stats & { firstError?: string }> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = opts.maxDurationMs ? started + opts.maxDurationMs : Infinity;
  const maxErrors = opts.maxErrors ?? 50;
  const worker = async () => {
    while (next < opts.total && performance.now() < deadline && errors <= maxErrors) {
      const i = next++;
      const t0 = performance.now();
      try {
        const ok = await opts.op(i);
        if (ok === false) throw new Error(`operation ${i} failed`);
        latencies.push(performance.now() - t0);
      } catch (err) {
        errors++;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const stats = summarize(latencies, performance.now() - started, errors);
  if (errors > maxErrors) throw new Error(`more than ${maxErrors} errors; first: ${firstError}`);
  return { ...stats, firstError };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls until check() is truthy; returns the value, or undefined after timeoutMs. */
export async function waitFor<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs: number,
  everyMs = 50,
): Promise<T | undefined> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (performance.now() > deadline) return undefined;
    await sleep(everyMs);
  }
}
