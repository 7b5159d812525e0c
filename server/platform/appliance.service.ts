// The appliance features of one running server (one data dir): LAN info and mDNS, the tunnel
// supervisor, backups and their schedule. The lifecycle creates one when the server listens;
// routes find it by the data dir of the request's config.
import { randomBytes } from 'node:crypto';
import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Services } from '../core/context.js';
import { enqueueJob, type JobRunner } from '../core/jobs/queue.js';
import { HttpError } from '../core/http/errors.js';
import { OutboundError } from '../core/net/outbound.js';
import {
  loadSettings,
  maskSecret,
  updateSettings,
  verifyToken,
  type BackupSettings,
  type TunnelProviderKind,
  type TunnelSettings,
} from './appliance.settings.js';
import { lanInfo, listensOnLan, listLanAddresses, type LanInfo } from './lan.js';
import { MdnsAnnouncer } from './mdns.js';
import {
  cloudflareProvider,
  findExecutable,
  ngrokProvider,
  publicUrlProvider,
  TunnelSupervisor,
  webhookCallbackUrl,
  type TunnelProvider,
  type TunnelStatus,
} from './tunnel.js';
import {
  BackupRejectedError,
  cancelPendingRestore,
  createBackup,
  listBackups,
  pendingRestore,
  stageRestore,
  backupPath,
  type BackupInfo,
  type BackupReason,
  type PendingRestore,
} from './backup/index.js';
import { rmSync } from 'node:fs';

export const BACKUP_JOB = 'appliance.backup';

export interface ReachabilityCheck {
  id: 'tunnel' | 'https' | 'appliance' | 'meta-verification';
  ok: boolean;
  detail: string;
  ms?: number;
}
export interface ReachabilityResult {
  ok: boolean;
  publicUrl: string | null;
  checkedAt: string;
  checks: ReachabilityCheck[];
}

/** A tunnel setting as used: the saved one, or PUBLIC_URL from the environment when none is saved. */
export function effectiveTunnel(
  settings: TunnelSettings,
  config: Pick<Config, 'PUBLIC_URL'>,
): TunnelSettings & { source: 'settings' | 'env' } {
  if (settings.provider === 'none' && config.PUBLIC_URL)
    return { ...settings, provider: 'public-url', publicUrl: config.PUBLIC_URL, source: 'env' };
  return { ...settings, source: 'settings' };
}

export function providerFor(settings: TunnelSettings, env: NodeJS.ProcessEnv = process.env): TunnelProvider | null {
  switch (settings.provider) {
    case 'public-url':
      return publicUrlProvider(settings.publicUrl);
    case 'cloudflare':
      return cloudflareProvider({ env });
    case 'ngrok':
      return ngrokProvider({ authtoken: settings.ngrokAuthtoken, domain: settings.ngrokDomain });
    default:
      return null;
  }
}

/** "HH:MM" → a daily cron pattern in the computer's local time. */
export function backupCronPattern(time: string): string {
  const [hh, mm] = time.split(':').map(Number);
  return `${mm} ${hh} * * *`;
}

export interface LastBackupResult {
  ok: boolean;
  at: string;
  reason: BackupReason;
  name: string | null;
  error: string | null;
}

export class ApplianceRuntime {
  readonly supervisor: TunnelSupervisor;
  mdns: MdnsAnnouncer | null = null;
  private cron: Cron | null = null;
  private catchUp: NodeJS.Timeout | undefined;
  private readonly nonces = new Map<string, number>();
  private backupInFlight: Promise<BackupInfo> | null = null;
  lastBackup: LastBackupResult | null = null;
  /** Set by the lifecycle when a desktop shell supervises this process (it can restart it). */
  requestRestart: ((reason: string) => void) | null = null;

  /** Whether the tunnel reaches the whole UI and API (kept here: the tunnel's listener asks on every request). */
  exposeEverything = false;

  constructor(
    readonly services: Services,
    readonly jobs: JobRunner,
    readonly port: number,
    readonly version: string,
    /** Every migration this build knows: a backup with others was made by a newer version. */
    readonly knownMigrations: readonly string[],
    /** The loopback port of the tunnel's listener (public-listener.ts): what tunnels forward to. */
    readonly tunnelPort: number = port,
  ) {
    this.supervisor = new TunnelSupervisor({ port: tunnelPort });
    this.supervisor.on('status', (s: TunnelStatus) =>
      this.log.info({ tunnel: s.provider, state: s.state, url: s.publicUrl, error: s.error }, 'tunnel status'),
    );
  }

  get config(): Config {
    return this.services.config;
  }

  get log(): Logger {
    return this.services.log;
  }

  // ---- LAN ----

  lan(): Promise<LanInfo> {
    return lanInfo({ host: this.config.HOST, port: this.port, mdnsActive: this.mdns?.active ?? false });
  }

  async startMdns(): Promise<void> {
    if (!listensOnLan(this.config.HOST)) return;
    // OMNISTREAM_MDNS=off: no announcement (networks that forbid multicast; tests).
    if (this.config.OMNISTREAM_MDNS === 'off') return;
    const announcer = new MdnsAnnouncer({
      port: this.port,
      addresses: () => listLanAddresses(this.port).filter((a) => !a.virtual),
      onError: (err) => this.log.debug({ err: err.message }, 'mDNS send failed'),
    });
    try {
      await announcer.start();
      this.mdns = announcer;
      this.log.info({ host: announcer.host }, 'announced on the LAN by mDNS');
    } catch (err) {
      // Port 5353 taken (another responder without SO_REUSEADDR) or no multicast: LAN IPs still work.
      this.log.warn({ err: (err as Error).message }, 'mDNS announcement is not available; agents can use the IP address');
    }
  }

  // ---- tunnel ----

  tunnelSettings(): TunnelSettings & { source: 'settings' | 'env' } {
    return effectiveTunnel(loadSettings(this.config.dataDir).tunnel, this.config);
  }

  async applyTunnel(): Promise<void> {
    const settings = this.tunnelSettings();
    this.exposeEverything = settings.exposeEverything;
    await this.supervisor.use(providerFor(settings));
  }

  tunnelView() {
    const settings = this.tunnelSettings();
    const status = this.supervisor.status();
    return {
      provider: settings.provider,
      source: settings.source,
      publicUrl: settings.provider === 'public-url' ? settings.publicUrl : null,
      ngrokAuthtoken: maskSecret(settings.ngrokAuthtoken),
      ngrokDomain: settings.ngrokDomain,
      exposeEverything: settings.exposeEverything,
      tunnelPort: this.tunnelPort,
      cloudflaredPath: findExecutable('cloudflared'),
      status,
      callbackUrl: webhookCallbackUrl(status.state === 'up' || status.state === 'reconnecting' ? status.publicUrl : null),
      verifyToken: verifyToken(this.config),
      verifyTokenSource: this.config.META_VERIFY_TOKEN ? ('env' as const) : ('generated' as const),
    };
  }

  async saveTunnel(body: {
    provider: TunnelProviderKind;
    publicUrl?: string | null;
    ngrokAuthtoken?: string | null;
    ngrokDomain?: string | null;
    exposeEverything?: boolean;
  }) {
    updateSettings(this.config.dataDir, (s) => {
      const tunnel: TunnelSettings = { ...s.tunnel, provider: body.provider };
      if (body.publicUrl !== undefined) tunnel.publicUrl = body.publicUrl ? body.publicUrl.replace(/\/+$/, '') : null;
      if (body.ngrokAuthtoken !== undefined) tunnel.ngrokAuthtoken = body.ngrokAuthtoken || null;
      if (body.ngrokDomain !== undefined) tunnel.ngrokDomain = body.ngrokDomain || null;
      if (body.exposeEverything !== undefined) tunnel.exposeEverything = body.exposeEverything;
      if (tunnel.provider === 'public-url' && !tunnel.publicUrl) {
        throw new HttpError(422, 'Enter the public URL that reaches this computer', {
          errors: [{ path: 'publicUrl', message: 'Required for the public-url tunnel' }],
        });
      }
      if (tunnel.provider === 'ngrok' && !tunnel.ngrokAuthtoken) {
        throw new HttpError(422, 'ngrok needs an auth token', {
          errors: [{ path: 'ngrokAuthtoken', message: 'Required for the ngrok tunnel' }],
        });
      }
      return { ...s, tunnel };
    });
    await this.applyTunnel();
    // Give a quick provider (public URL) its first status before answering.
    await new Promise((r) => setTimeout(r, 50));
    return this.tunnelView();
  }

  /** Issues a one-time nonce that the public echo route answers: proof a request came through to this very server. */
  private issueNonce(): string {
    const now = Date.now();
    for (const [n, at] of this.nonces) if (now - at > 120_000) this.nonces.delete(n);
    const nonce = randomBytes(16).toString('hex');
    this.nonces.set(nonce, now);
    return nonce;
  }

  echo(nonce: string): boolean {
    return this.nonces.delete(nonce);
  }

  async testReachability(timeoutMs = 15_000): Promise<ReachabilityResult> {
    const status = this.supervisor.status();
    const checkedAt = new Date().toISOString();
    const url = status.state === 'up' || status.state === 'reconnecting' ? status.publicUrl : null;
    const checks: ReachabilityCheck[] = [];
    if (!url) {
      checks.push({
        id: 'tunnel',
        ok: false,
        detail:
          status.provider === 'none' ? 'No tunnel is set up' : `The tunnel is ${status.state}${status.error ? `: ${status.error}` : ''}`,
      });
      return { ok: false, publicUrl: null, checkedAt, checks };
    }
    checks.push({ id: 'tunnel', ok: true, detail: `The tunnel is up at ${url}` });
    checks.push({
      id: 'https',
      ok: url.startsWith('https://'),
      detail: url.startsWith('https://') ? 'The URL uses https, as Meta requires' : 'Meta only calls https URLs with a valid certificate',
    });
    const timed = async (fn: () => Promise<{ ok: boolean; detail: string }>) => {
      const started = Date.now();
      try {
        return { ...(await fn()), ms: Date.now() - started };
      } catch (err) {
        const e = err as Error & { cause?: { code?: string; message?: string } };
        const why =
          err instanceof OutboundError
            ? err.message
            : e.name === 'TimeoutError'
              ? `no answer within ${Math.round(timeoutMs / 1000)} s`
              : (e.cause?.code ?? e.cause?.message ?? e.message);
        return { ok: false, detail: `Could not reach ${url}: ${why}`, ms: Date.now() - started };
      }
    };
    // The public URL came from outside this process: fetched under the SSRF guard, without redirects, small and quick.
    const probe = { timeoutMs, maxBytes: 64 * 1024, maxRedirects: 0 };
    const nonce = this.issueNonce();
    checks.push({
      id: 'appliance',
      ...(await timed(async () => {
        const res = await this.services.outbound.fetch(`${url}/api/v1/appliance/tunnel/echo/${nonce}`, probe);
        let body: { nonce?: string } | null = null;
        try {
          body = res.json<{ nonce?: string }>();
        } catch {
          body = null;
        }
        if (res.status === 200 && body?.nonce === nonce)
          return { ok: true, detail: 'Requests to the public URL arrive at this OmniStream' };
        return {
          ok: false,
          detail: `The public URL answered HTTP ${res.status} but not from this OmniStream (is it forwarding to port ${this.port}?)`,
        };
      })),
    });
    const challenge = randomBytes(8).toString('hex');
    const token = verifyToken(this.config);
    checks.push({
      id: 'meta-verification',
      ...(await timed(async () => {
        const q = new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.verify_token': token, 'hub.challenge': challenge });
        const res = await this.services.outbound.fetch(`${url}/api/v1/webhooks/meta?${q}`, probe);
        const text = res.text();
        if (res.status === 200 && text.trim() === challenge)
          return { ok: true, detail: "Meta's verification request (hub.challenge) is answered correctly" };
        if (res.status === 404) return { ok: false, detail: 'The webhook endpoint /api/v1/webhooks/meta did not answer (404)' };
        return {
          ok: false,
          detail: `The verification request answered HTTP ${res.status} without the challenge (does the verify token match?)`,
        };
      })),
    });
    this.nonces.delete(nonce);
    return { ok: checks.every((c) => c.ok), publicUrl: url, checkedAt, checks };
  }

  // ---- backups ----

  backupSettings(): BackupSettings {
    return loadSettings(this.config.dataDir).backups;
  }

  nextBackupAt(): string | null {
    return this.cron?.nextRun()?.toISOString() ?? null;
  }

  scheduleBackups(): void {
    this.cron?.stop();
    this.cron = null;
    const settings = this.backupSettings();
    if (!settings.enabled) return;
    this.cron = new Cron(backupCronPattern(settings.time), async () => {
      await this.enqueueBackup('scheduled');
    });
  }

  /** Office PCs are often off at night: a missed nightly backup runs shortly after the next start. */
  scheduleCatchUp(delayMs = 120_000): void {
    this.catchUp = setTimeout(async () => {
      try {
        const settings = loadSettings(this.config.dataDir);
        if (!settings.backups.enabled) return;
        const day = 24 * 3600 * 1000;
        if (Date.now() - Date.parse(settings.createdAt) < day) return;
        const newest = (await listBackups(this.config.dataDir)).find((b) => !b.foreign && b.verified !== false);
        if (newest && Date.now() - Date.parse(newest.createdAt) < day + 3600 * 1000) return;
        await this.enqueueBackup('catch-up');
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'catch-up backup check failed');
      }
    }, delayMs);
    this.catchUp.unref();
  }

  async enqueueBackup(reason: BackupReason): Promise<void> {
    await enqueueJob(this.services.db.manager, BACKUP_JOB, { reason }, this.services.now(), { queueKey: BACKUP_JOB, maxAttempts: 3 });
    this.jobs.nudge();
  }

  async updateBackupSettings(change: Partial<BackupSettings>): Promise<BackupSettings> {
    const next = updateSettings(this.config.dataDir, (s) => ({ ...s, backups: { ...s.backups, ...change } }));
    this.scheduleBackups();
    return next.backups;
  }

  /** Runs one backup now (a second caller while one runs shares its result). */
  backupNow(reason: BackupReason): Promise<BackupInfo> {
    if (this.backupInFlight) return this.backupInFlight;
    const run = createBackup({
      dataDir: this.config.dataDir,
      databasePath: this.config.databasePath,
      knownMigrations: this.knownMigrations,
      appVersion: this.version,
      reason,
      keep: this.backupSettings().keep,
    });
    this.backupInFlight = run;
    run
      .then(
        (info) => {
          this.lastBackup = { ok: true, at: new Date().toISOString(), reason, name: info.name, error: null };
          this.log.info({ backup: info.name, size: info.size, reason }, 'backup written and verified');
        },
        (err: Error) => {
          this.lastBackup = { ok: false, at: new Date().toISOString(), reason, name: null, error: err.message };
          this.log.error({ err: err.message, reason }, 'backup failed');
        },
      )
      .finally(() => {
        this.backupInFlight = null;
      });
    return run;
  }

  get backupRunning(): boolean {
    return this.backupInFlight !== null;
  }

  listBackups(): Promise<BackupInfo[]> {
    return listBackups(this.config.dataDir);
  }

  deleteBackup(name: string): void {
    const path = backupPath(this.config.dataDir, name);
    rmSync(path, { force: true });
    rmSync(path.replace(/\.tar\.gz$/, '.json'), { force: true });
  }

  async stageRestore(name: string, force: boolean): Promise<{ pending: PendingRestore; restartRequested: boolean }> {
    const pending = await stageRestore(this.config.dataDir, name, this.knownMigrations, { force });
    this.log.warn({ backup: name, force }, 'restore staged; it is applied before the database opens on the next start');
    const restart = this.requestRestart;
    if (restart) setTimeout(() => restart(`restore of ${name}`), 500);
    return { pending, restartRequested: restart !== null };
  }

  pendingRestore(): PendingRestore | null {
    return pendingRestore(this.config.dataDir);
  }

  cancelRestore(): boolean {
    return cancelPendingRestore(this.config.dataDir);
  }

  async stop(): Promise<void> {
    this.cron?.stop();
    clearTimeout(this.catchUp);
    await this.supervisor.stop();
    await this.mdns?.stop().catch(() => undefined);
    this.mdns = null;
    await this.backupInFlight?.catch(() => undefined);
  }
}

const runtimes = new Map<string, ApplianceRuntime>();

export function registerRuntime(runtime: ApplianceRuntime): void {
  runtimes.set(runtime.config.dataDir, runtime);
}

export function unregisterRuntime(runtime: ApplianceRuntime): void {
  if (runtimes.get(runtime.config.dataDir) === runtime) runtimes.delete(runtime.config.dataDir);
}

/** The running features of the server this request reached. */
export function runtimeFor(config: Pick<Config, 'dataDir'>): ApplianceRuntime {
  const runtime = runtimes.get(config.dataDir);
  if (!runtime) throw new HttpError(503, 'The appliance features are starting or stopping; try again in a moment');
  return runtime;
}

/** Backup errors as problem details: what is wrong with the file, in a sentence. */
export function backupProblem(err: unknown): never {
  if (err instanceof BackupRejectedError) {
    const status =
      err.code === 'not-found' ? 404 : err.code === 'foreign' || err.code === 'busy' || err.code === 'server-running' ? 409 : 422;
    throw new HttpError(status, err.message, { reason: err.code });
  }
  throw err;
}
