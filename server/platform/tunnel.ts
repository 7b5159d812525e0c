// Tunnels so Meta's webhooks reach a PC behind an office router. Three providers behind one
// interface: the business's own PUBLIC_URL (reverse proxy or domain; nothing to run), a
// Cloudflare quick tunnel (the `cloudflared` program, when it is on the PATH), and ngrok (its
// Node SDK, with an auth token). The supervisor starts one, reports its public URL, notices when
// it dies and starts it again with exponential backoff.
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { TunnelProviderKind } from './appliance.settings.js';

export interface TunnelHandle {
  /** The public https URL that forwards to this server. */
  url: string;
  /** Resolves (with a reason) when the tunnel has died for good; the supervisor then starts a new one. */
  exited: Promise<string>;
  /** Providers that reconnect by themselves report short outages here. */
  onConnectionChange?(listener: (connected: boolean, detail?: string) => void): void;
  stop(): Promise<void>;
}

export interface TunnelProvider {
  kind: TunnelProviderKind;
  /** Starts a tunnel to http://127.0.0.1:port; an abort (the supervisor stopping) ends the attempt. */
  start(port: number, signal?: AbortSignal): Promise<TunnelHandle>;
}

/** Starting cannot succeed until the settings or the machine change (no binary, no token): no retries. */
export class TunnelUnavailableError extends Error {}

export type TunnelState = 'off' | 'starting' | 'up' | 'reconnecting' | 'down' | 'unavailable';

export interface TunnelStatus {
  provider: TunnelProviderKind;
  state: TunnelState;
  publicUrl: string | null;
  /** Why the tunnel is down or unavailable (the provider's last words). */
  error: string | null;
  /** How many times the tunnel has been started again after dying. */
  restarts: number;
  nextRestartAt: string | null;
  since: string;
}

// ---- provider: the business's own public URL ----------------------------------------------

export function publicUrlProvider(url: string | null | undefined): TunnelProvider {
  return {
    kind: 'public-url',
    async start() {
      if (!url) throw new TunnelUnavailableError('No public URL is set: enter the https address of your reverse proxy or domain');
      let stop!: () => void;
      const exited = new Promise<string>((resolve) => {
        stop = () => resolve('stopped');
      });
      return {
        url: url.replace(/\/+$/, ''),
        exited,
        async stop() {
          stop();
        },
      };
    },
  };
}

// ---- provider: Cloudflare quick tunnel (cloudflared) ----------------------------------------

/** Finds an executable on PATH (with PATHEXT on Windows), like `which`. */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env, platform = process.platform): string | null {
  const dirs = (env.PATH ?? env.Path ?? '').split(platform === 'win32' ? ';' : delimiter).filter(Boolean);
  const exts = platform === 'win32' ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').map((e) => e.toLowerCase())] : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = join(dir, name + ext);
      try {
        if (!statSync(candidate).isFile()) continue;
        if (platform !== 'win32') accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return null;
}

/** cloudflared prints the quick tunnel's address in a box on stderr: `|  https://a-b-c.trycloudflare.com  |`. */
export const QUICK_TUNNEL_URL = /https:\/\/[a-z0-9-]+\.trycloudflare\.com/i;

export interface CloudflareOptions {
  /** The cloudflared executable; found on PATH when not given. */
  command?: string | null;
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the URL line (default 45 s: cloudflared can be slow to register). */
  urlTimeoutMs?: number;
}

export function cloudflareProvider(options: CloudflareOptions = {}): TunnelProvider {
  return {
    kind: 'cloudflare',
    start(port, signal) {
      const env = options.env ?? process.env;
      const command = options.command ?? findExecutable('cloudflared', env);
      if (!command) {
        return Promise.reject(
          new TunnelUnavailableError(
            'cloudflared is not installed (not found on the PATH): install it from Cloudflare, or choose another tunnel',
          ),
        );
      }
      const child = spawn(command, ['tunnel', '--no-autoupdate', '--url', `http://127.0.0.1:${port}`], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
      });
      const attempt = watchQuickTunnel(child, options.urlTimeoutMs ?? 45_000);
      const abort = () => child.kill('SIGKILL');
      signal?.addEventListener('abort', abort, { once: true });
      void attempt.then(
        () => signal?.removeEventListener('abort', abort),
        () => signal?.removeEventListener('abort', abort),
      );
      return attempt;
    },
  };
}

function watchQuickTunnel(child: ChildProcess, urlTimeoutMs: number): Promise<TunnelHandle> {
  const lastLines: string[] = [];
  let url: string | null = null;
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => resolve(`cloudflared could not run: ${err.message}`));
    child.once('exit', (code, signal) => {
      const last = lastLines.at(-1);
      resolve(`cloudflared exited (${signal ?? `code ${code}`})${last ? `: ${last}` : ''}`);
    });
  });
  return new Promise<TunnelHandle>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `cloudflared gave no tunnel URL within ${Math.round(urlTimeoutMs / 1000)} s${lastLines.length ? `: ${lastLines.at(-1)}` : ''}`,
        ),
      );
    }, urlTimeoutMs);
    const onLine = (line: string) => {
      const text = line.trim();
      if (!text) return;
      lastLines.push(text.replace(/^\S+\s+(INF|ERR|WRN|DBG)\s+/, ''));
      if (lastLines.length > 20) lastLines.shift();
      const match = url ? null : QUICK_TUNNEL_URL.exec(text);
      if (!match) return;
      url = match[0].toLowerCase();
      clearTimeout(timer);
      resolve({
        url,
        exited,
        stop: () => stopChild(child, exited),
      });
    };
    for (const stream of [child.stdout, child.stderr]) {
      let buffered = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split(/\r?\n/);
        buffered = lines.pop() ?? '';
        lines.forEach(onLine);
      });
    }
    void exited.then((reason) => {
      if (url) return;
      clearTimeout(timer);
      reject(new Error(`${reason} before giving a tunnel URL`));
    });
  });
}

async function stopChild(child: ChildProcess, exited: Promise<string>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  child.kill('SIGTERM');
  await exited;
  clearTimeout(timer);
}

// ---- provider: ngrok (Node SDK) ---------------------------------------------------------------

/** The part of @ngrok/ngrok this provider uses (tests pass a stand-in). */
export interface NgrokSdk {
  forward(config: {
    addr: number;
    authtoken: string;
    domain?: string;
    proto?: string;
    onStatusChange?: (status: string) => void;
  }): Promise<{ url(): string | null; close(): Promise<void> }>;
}

export function ngrokProvider(options: {
  authtoken: string | null;
  domain?: string | null;
  load?: () => Promise<NgrokSdk>;
}): TunnelProvider {
  return {
    kind: 'ngrok',
    async start(port) {
      if (!options.authtoken)
        throw new TunnelUnavailableError('ngrok needs an auth token: copy it from the ngrok dashboard (Getting Started → Your Authtoken)');
      let sdk: NgrokSdk;
      try {
        sdk = options.load ? await options.load() : ((await import('@ngrok/ngrok')) as unknown as NgrokSdk);
      } catch (err) {
        throw new TunnelUnavailableError(`The ngrok library cannot load on this computer: ${(err as Error).message}`);
      }
      const listeners: ((connected: boolean, detail?: string) => void)[] = [];
      const listener = await sdk.forward({
        addr: port,
        proto: 'http',
        authtoken: options.authtoken,
        ...(options.domain ? { domain: options.domain } : {}),
        // The SDK reconnects by itself: 'closed' when the link drops, 'connected' when it is back.
        onStatusChange: (status) => listeners.forEach((l) => l(status === 'connected', status)),
      });
      const url = listener.url();
      if (!url) {
        await listener.close().catch(() => undefined);
        throw new Error('ngrok started but reported no URL');
      }
      let close!: (reason: string) => void;
      const exited = new Promise<string>((resolve) => {
        close = resolve;
      });
      return {
        url,
        exited,
        onConnectionChange: (l) => listeners.push(l),
        async stop() {
          await listener.close().catch(() => undefined);
          close('stopped');
        },
      };
    },
  };
}

// ---- the supervisor ---------------------------------------------------------------------------

export interface SupervisorOptions {
  port: number;
  /** First restart delay (default 1 s), doubled after each failure up to maxBackoffMs (default 60 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A tunnel that stayed up this long counts as healthy: the backoff starts over (default 60 s). */
  stableMs?: number;
  now?: () => number;
}

export class TunnelSupervisor extends EventEmitter {
  private handle: TunnelHandle | undefined;
  private generation = 0;
  private failures = 0;
  private wake: (() => void) | undefined;
  private current: TunnelStatus;
  private running: Promise<void> | undefined;
  private abort: AbortController | undefined;

  constructor(private readonly options: SupervisorOptions) {
    super();
    this.current = {
      provider: 'none',
      state: 'off',
      publicUrl: null,
      error: null,
      restarts: 0,
      nextRestartAt: null,
      since: new Date().toISOString(),
    };
  }

  status(): TunnelStatus {
    return { ...this.current };
  }

  /** Stops the current tunnel (if any) and starts this provider (null: no tunnel). */
  async use(provider: TunnelProvider | null): Promise<void> {
    await this.stop();
    this.failures = 0;
    this.current = {
      provider: provider?.kind ?? 'none',
      state: 'off',
      publicUrl: null,
      error: null,
      restarts: 0,
      nextRestartAt: null,
      since: new Date().toISOString(),
    };
    if (!provider) return this.emitStatus();
    const generation = ++this.generation;
    this.abort = new AbortController();
    this.running = this.run(provider, generation, this.abort.signal);
  }

  async stop(): Promise<void> {
    this.generation++;
    this.abort?.abort();
    this.wake?.();
    const handle = this.handle;
    this.handle = undefined;
    await handle?.stop().catch(() => undefined);
    await this.running;
    this.running = undefined;
    if (this.current.state !== 'off') this.set({ state: 'off', publicUrl: null, nextRestartAt: null });
  }

  private backoff(): number {
    const initial = this.options.initialBackoffMs ?? 1000;
    return Math.min(initial * 2 ** Math.max(0, this.failures - 1), this.options.maxBackoffMs ?? 60_000);
  }

  private async run(provider: TunnelProvider, generation: number, signal: AbortSignal): Promise<void> {
    const now = this.options.now ?? Date.now;
    const alive = () => generation === this.generation;
    while (alive()) {
      this.set({ state: 'starting', nextRestartAt: null });
      let handle: TunnelHandle;
      try {
        handle = await provider.start(this.options.port, signal);
      } catch (err) {
        if (!alive()) return;
        const message = err instanceof Error ? err.message : String(err);
        if (err instanceof TunnelUnavailableError) return this.set({ state: 'unavailable', error: message, publicUrl: null });
        this.failures++;
        await this.pause(message);
        continue;
      }
      if (!alive()) {
        await handle.stop().catch(() => undefined);
        return;
      }
      this.handle = handle;
      const upSince = now();
      handle.onConnectionChange?.((connected, detail) => {
        if (alive() && this.handle === handle)
          this.set(connected ? { state: 'up', error: null } : { state: 'reconnecting', error: detail ?? null });
      });
      this.set({ state: 'up', publicUrl: handle.url, error: null });
      const reason = await handle.exited;
      if (!alive()) return;
      this.handle = undefined;
      if (now() - upSince >= (this.options.stableMs ?? 60_000)) this.failures = 0;
      this.failures++;
      this.current.restarts++;
      this.emit('exit', { reason, url: handle.url });
      await this.pause(reason);
    }
  }

  // Waits out the backoff (cut short by stop(); the run loop then sees it is no longer current).
  private async pause(reason: string): Promise<void> {
    const delay = this.backoff();
    this.set({ state: 'down', publicUrl: null, error: reason, nextRestartAt: new Date(Date.now() + delay).toISOString() });
    this.emit('restart', { delayMs: delay, reason, attempt: this.failures });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delay);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }

  private set(change: Partial<TunnelStatus>): void {
    const stateChanged = change.state !== undefined && change.state !== this.current.state;
    this.current = { ...this.current, ...change, ...(stateChanged ? { since: new Date().toISOString() } : {}) };
    this.emitStatus();
  }

  private emitStatus(): void {
    this.emit('status', this.status());
  }
}

/** The callback URL to paste into Meta's dashboard. */
export function webhookCallbackUrl(publicUrl: string | null): string | null {
  return publicUrl ? `${publicUrl.replace(/\/+$/, '')}/api/v1/webhooks/meta` : null;
}
