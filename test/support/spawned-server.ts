// The real server as a child process (`node --import tsx server/index.ts start`), for the tests that
// must kill it with a signal mid-work and start it again on the same data dir (crash safety), or
// preload code into it: the in-process startServer of server.ts cannot be SIGKILLed.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A port free on loopback now, which a restarted server takes again (so the test's URL stays valid).
 * Picked below Linux's ephemeral range (32768-60999), where the OS never hands out the ports that
 * other tests' servers ask for with port 0 (a tunnel listener took a port this helper had just freed,
 * and the test talked to the wrong server).
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer()
        .once('error', () => resolve(false))
        .listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

export interface SpawnedServer {
  url: string;
  port: number;
  child: ChildProcess;
  /** The last `last` characters the server wrote to stdout and stderr together. */
  output(last?: number): string;
  /** Resolves once /health answers; fails if the server exits first or is not up within 60 s. */
  waitHealthy(): Promise<void>;
  /** Resolves when the process has ended. */
  exited: Promise<void>;
  /** Sends the signal and waits for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const running = new Set<ChildProcess>();

/** SIGKILLs every server this process started that still runs (for `after()`, so a failed test leaves none behind). */
export function killAll(): void {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Starts the server on `dataDir` (which the test owns and removes); `imports` are preloaded with `--import` after tsx. */
export async function startServer(options: {
  dataDir: string;
  port?: number;
  env?: Record<string, string>;
  imports?: string[];
}): Promise<SpawnedServer> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const imports = (options.imports ?? []).flatMap((i) => ['--import', i]);
  const child = spawn(process.execPath, ['--import', 'tsx', ...imports, 'server/index.ts', 'start'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      OMNISTREAM_DATA_DIR: options.dataDir,
      LOG_LEVEL: 'warn',
      AUTH_RATE_LIMIT: '10000',
      // Tests never announce themselves on the real network.
      OMNISTREAM_MDNS: 'off',
      SUPER_ADMIN_EMAIL: 'root@omnistream.test',
      SUPER_ADMIN_PASSWORD: 'super-secret-password',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running.delete(child);
      resolve();
    }),
  );
  let text = '';
  child.stdout!.on('data', (c) => {
    text += c;
  });
  child.stderr!.on('data', (c) => {
    text += c;
  });
  const output = (last = 4000) => text.slice(-last);
  return {
    url,
    port,
    child,
    output,
    exited,
    async waitHealthy() {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        if (child.exitCode !== null || child.signalCode !== null)
          assert.fail(`the server exited (${child.exitCode ?? child.signalCode}): ${output()}`);
        try {
          if ((await fetch(`${url}/health`)).ok) return;
        } catch {
          // not yet
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.fail(`the server did not become healthy: ${output()}`);
    },
    async stop(signal = 'SIGTERM') {
      child.kill(signal);
      await exited;
    },
  };
}
