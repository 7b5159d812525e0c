// Runs the appliance server as a child process so a server crash never takes the desktop window
// down, and restarts it with backoff. Plain Node: no Electron imports, so tests can cover it.
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';

export type ServerState = 'starting' | 'running' | 'restarting' | 'stopped';

export interface ServerHostOptions {
  /** The server entry (server/index.ts under tsx in development). */
  entry: string;
  execArgv?: string[];
  env: Record<string, string>;
  /** Health URL polled until the server answers. */
  healthUrl: string;
  maxBackoffMs?: number;
}

export class ServerHost extends EventEmitter {
  private child: ChildProcess | undefined;
  private failures = 0;
  private stopping = false;
  state: ServerState = 'stopped';

  constructor(private readonly options: ServerHostOptions) {
    super();
  }

  start(): void {
    this.stopping = false;
    this.setState('starting');
    const child = fork(this.options.entry, ['start'], { execArgv: this.options.execArgv ?? [], env: { ...process.env, ...this.options.env }, stdio: 'inherit' });
    this.child = child;
    child.once('exit', (code) => {
      this.child = undefined;
      if (this.stopping) return this.setState('stopped');
      this.failures++;
      const delay = Math.min(1000 * 2 ** (this.failures - 1), this.options.maxBackoffMs ?? 30_000);
      this.emit('crash', { code, restartInMs: delay });
      this.setState('restarting');
      setTimeout(() => { if (!this.stopping) this.start(); }, delay);
    });
    void this.waitHealthy(child);
  }

  /** Asks the server to shut down cleanly (SIGTERM), killing it if it takes longer than timeoutMs. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child) return this.setState('stopped');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('exit', () => { clearTimeout(timer); resolve(); });
      child.kill('SIGTERM');
    });
  }

  private async waitHealthy(child: ChildProcess): Promise<void> {
    for (let i = 0; i < 300 && this.child === child; i++) {
      try {
        const res = await fetch(this.options.healthUrl);
        if (res.ok) {
          this.failures = 0;
          return this.setState('running');
        }
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private setState(state: ServerState): void {
    this.state = state;
    this.emit('state', state);
  }
}
