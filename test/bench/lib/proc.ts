// Child processes under test: the appliance as production runs it (the esbuild bundle,
// `node dist-app/server.js start`, built once per run by buildAppliance) and the baseline server
// (`node --import tsx test/bench/baseline-server.ts`), each its own process so its memory and CPU
// are its own. Start time is measured from spawn to the first healthy /health.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import http from 'node:http';
import { bundleServer, serverBundle } from '../../../build/bundle.mjs';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLOCK_TICKS_PER_SECOND = 100;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function getOnce(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

export interface ProcStats {
  rssMb: number;
  hwmMb: number;
  cpuMs: number;
}

/** VmRSS/VmHWM and user+system CPU of a process, from /proc. */
export function procStats(pid: number): ProcStats {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  // Fields after the command name (which is in parentheses and may hold spaces): utime is the 14th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024, cpuMs: (ticks * 1000) / CLOCK_TICKS_PER_SECOND };
}

/** Children still running, so an interrupted run leaves nothing behind. */
const live = new Set<ChildProcess>();
export function killChildren(): void {
  for (const c of live) c.kill('SIGKILL');
  live.clear();
}

export interface Child {
  name: string;
  url: string;
  port: number;
  pid: number;
  /** Spawn to first healthy /health, ms. */
  startMs: number;
  /** CPU time the process had used when it first answered healthy, ms (steadier than wall time on a busy machine). */
  startCpuMs: number;
  stats(): ProcStats;
  /** Samples RSS every `everyMs` until the returned function is called; that returns the peak (MB). */
  sampleRss(everyMs?: number): () => number;
  stop(): Promise<void>;
  exited: Promise<number | null>;
}

export interface SpawnOptions {
  name: string;
  /** Node's own options, before the script (e.g. `--import tsx`). */
  nodeArgs?: string[];
  /** Arguments after `node` and its options (script and its arguments). */
  args: string[];
  env: Record<string, string>;
  logFile: string;
  /** --cpu-prof into this directory, as <name>.cpuprofile. */
  cpuProfDir?: string;
  healthPath?: string;
  startTimeoutMs?: number;
}

export async function spawnChild(opts: SpawnOptions): Promise<Child> {
  const port = await freePort();
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  const nodeArgs = [...(opts.nodeArgs ?? [])];
  // One directory per process, in case a worker thread writes a profile too
  // (CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile); the main thread's is renamed <name>.cpuprofile on stop.
  const profDir = opts.cpuProfDir ? join(opts.cpuProfDir, `${opts.name}.${Date.now()}`) : undefined;
  if (profDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profDir}`);
  const t0 = performance.now();
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, ...opts.args], {
    cwd: ROOT,
    env: { ...process.env, ...opts.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    log.write(chunk);
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  live.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      live.delete(child);
      log.end();
      resolve(code);
    }),
  );
  let dead = false;
  void exited.then(() => {
    dead = true;
  });

  const url = `http://127.0.0.1:${port}`;
  const deadline = t0 + (opts.startTimeoutMs ?? 120_000);
  let startMs = NaN;
  let startCpuMs = NaN;
  for (;;) {
    if (dead) throw new Error(`${opts.name} exited during start-up:\n${tail}`);
    try {
      const res = await getOnce(url + (opts.healthPath ?? '/health'), 1000);
      if (res.status === 200) {
        startMs = performance.now() - t0;
        startCpuMs = procStats(child.pid!).cpuMs;
        break;
      }
    } catch {
      /* not listening yet */
    }
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${opts.name} was not healthy within ${opts.startTimeoutMs ?? 120_000} ms:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const pid = child.pid!;
  return {
    name: opts.name,
    url,
    port,
    pid,
    startMs,
    startCpuMs,
    exited,
    stats: () => procStats(pid),
    sampleRss(everyMs = 100) {
      let peak = 0;
      const take = () => {
        try {
          peak = Math.max(peak, procStats(pid).rssMb);
        } catch {
          /* exited */
        }
      };
      take();
      const timer = setInterval(take, everyMs);
      return () => {
        clearInterval(timer);
        take();
        return peak;
      };
    },
    async stop() {
      if (dead) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(timer);
      if (code !== 0 && code !== null) process.stderr.write(`[bench] ${opts.name} exited with code ${code}:\n${tail.slice(-1500)}\n`);
      if (profDir && existsSync(profDir)) {
        const main = readdirSync(profDir).find((f) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(f));
        if (main) renameSync(join(profDir, main), join(opts.cpuProfDir!, `${opts.name}.cpuprofile`));
        rmSync(profDir, { recursive: true, force: true });
      }
    },
  };
}

export interface ApplianceOptions {
  name: string;
  dataDir: string;
  graphUrl: string;
  resultsDir: string;
  cpuProfDir?: string;
  env?: Record<string, string>;
}

let built: Promise<string> | undefined;
/**
 * Bundles the server as production runs it (build/bundle.mjs → dist-app/server.js), once per
 * process: run.ts calls it at the start of a run, so every start measured is of the same build.
 */
export function buildAppliance(): Promise<string> {
  return (built ??= bundleServer({ quiet: true }));
}

/** The real server, as production runs it (the bundle, no TypeScript at run time), configured as the issue says. */
export async function startAppliance(opts: ApplianceOptions): Promise<Child> {
  await buildAppliance();
  return spawnChild({
    name: opts.name,
    args: [serverBundle, 'start'],
    env: {
      OMNISTREAM_DATA_DIR: opts.dataDir,
      LOG_LEVEL: 'warn',
      META_GRAPH_URL: opts.graphUrl,
      AUTH_RATE_LIMIT: '1000000',
      OMNISTREAM_MDNS: 'off',
      ...opts.env,
    },
    logFile: join(opts.resultsDir, 'server.log'),
    cpuProfDir: opts.cpuProfDir,
  });
}

/** The bare baseline server (test/bench/baseline-server.ts). */
export function startBaseline(opts: { resultsDir: string; databasePath?: string; name?: string }): Promise<Child> {
  return spawnChild({
    name: opts.name ?? 'baseline',
    nodeArgs: ['--import', 'tsx'],
    args: ['test/bench/baseline-server.ts'],
    env: opts.databasePath ? { BENCH_DB: opts.databasePath } : {},
    logFile: join(opts.resultsDir, 'baseline.log'),
  });
}
