// Runs the appliance server as a child process so a server crash never takes the desktop window
// down, and restarts it with backoff. Plain Node: no Electron imports, so tests can cover it.
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';

export type ServerState = 'starting' | 'running' | 'restarting' | 'stopped' | 'failed';

export interface ServerHostOptions {
  /** The server entry (server/index.ts under tsx in development). */
  entry: string;
  execArgv?: string[];
  /** The Node binary to run the entry with (default: this process's; Electron sets ELECTRON_RUN_AS_NODE for forks). */
  execPath?: string;
  env: Record<string, string>;
  /** Health URL polled until the server answers. */
  healthUrl: string;
  maxBackoffMs?: number;
  /** Exit codes that mean "starting again cannot help" (bad configuration): no restart, state 'failed'. */
  fatalExitCodes?: number[];
}

/**
 * Events: 'state' (ServerState), 'crash' ({code, signal, restartInMs}), 'message' (anything the
 * server sends over the IPC channel that fork() opens), 'fatal' ({code}).
 */
export class ServerHost extends EventEmitter {
  private child: ChildProcess | undefined;
  private failures = 0;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  state: ServerState = 'stopped';

  constructor(private readonly options: ServerHostOptions) {
    super();
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    this.stopping = false;
    clearTimeout(this.restartTimer);
    this.setState('starting');
    const child = fork(this.options.entry, ['start'], {
      execArgv: this.options.execArgv ?? [],
      ...(this.options.execPath ? { execPath: this.options.execPath } : {}),
      env: { ...process.env, ...this.options.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child = child;
    child.on('message', (message) => this.emit('message', message));
    child.once('exit', (code, signal) => {
      this.child = undefined;
      if (this.stopping) return this.setState('stopped');
      if (code !== null && this.options.fatalExitCodes?.includes(code)) {
        this.emit('fatal', { code });
        return this.setState('failed');
      }
      this.failures++;
      const delay = Math.min(1000 * 2 ** (this.failures - 1), this.options.maxBackoffMs ?? 30_000);
      this.emit('crash', { code, signal, restartInMs: delay });
      this.setState('restarting');
      this.restartTimer = setTimeout(() => {
        if (!this.stopping) this.start();
      }, delay);
    });
    void this.waitHealthy(child);
  }

  /** Asks the server to shut down cleanly (SIGTERM), killing it if it takes longer than timeoutMs. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child) return this.setState('stopped');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  /** A clean stop and a fresh start (after a staged restore, or from the tray). */
  async restart(): Promise<void> {
    await this.stop();
    this.failures = 0;
    this.start();
  }

  /** Sends a message to the server over IPC; false when no server is running. */
  send(message: unknown): boolean {
    const child = this.child;
    if (!child?.connected) return false;
    child.send(message as object);
    return true;
  }

  private async waitHealthy(child: ChildProcess): Promise<void> {
    for (let i = 0; i < 300 && this.child === child; i++) {
      try {
        const res = await fetch(this.options.healthUrl);
        if (res.ok && this.child === child) {
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
