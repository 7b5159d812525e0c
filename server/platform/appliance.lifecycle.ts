// Appliance features that run beside the API once the server listens: the mDNS announcement,
// the tunnel supervisor, the nightly backup (a cron that enqueues a durable job), the pid file
// that keeps an offline restore from running under a live server, and, when a desktop shell
// supervises this process, status and "back up now" over the IPC channel.
import { readFileSync, rmSync } from 'node:fs';
import type { RequestListener, Server } from 'node:http';
import type { Services } from '../core/context.js';
import { startPublicListener } from './public-listener.js';
import type { JobRunner } from '../core/jobs/queue.js';
import { loadSettings } from './appliance.settings.js';
import { ApplianceRuntime, registerRuntime, unregisterRuntime } from './appliance.service.js';
import { serverPidFile } from './backup/index.js';
import { webhookCallbackUrl } from './tunnel.js';
import { isApplianceMessage, type DesktopStatus, type FromServerMessage, type ToServerMessage } from './ipc.js';
import { writePrivateFile } from '../core/fs-private.js';

export interface ApplianceFeatures {
  runtime: ApplianceRuntime;
  stop(): Promise<void>;
}

export async function startApplianceFeatures(
  services: Services,
  jobs: JobRunner,
  port: number,
  build: { version: string; knownMigrations: readonly string[] },
  http: { handler: RequestListener; server: Server },
): Promise<ApplianceFeatures> {
  const { config } = services;
  loadSettings(config.dataDir); // gives a new installation its instance id and verify token
  const pidFile = serverPidFile(config.dataDir);
  writePrivateFile(pidFile, String(process.pid));

  // The tunnel's own listener (loopback): only webhooks, /health and customer pages, unless exposed.
  let runtimeRef: ApplianceRuntime | undefined;
  const publicListener = await startPublicListener({
    port: config.TUNNEL_PORT,
    handler: http.handler,
    main: http.server,
    exposeEverything: () => runtimeRef?.exposeEverything === true,
  });
  const runtime = new ApplianceRuntime(services, jobs, port, build.version, build.knownMigrations, publicListener.port);
  runtimeRef = runtime;
  registerRuntime(runtime);
  runtime.scheduleBackups();
  runtime.scheduleCatchUp();
  await runtime.startMdns();
  await runtime.applyTunnel();

  const detachIpc = attachDesktopIpc(runtime);
  return {
    runtime,
    async stop() {
      detachIpc();
      unregisterRuntime(runtime);
      await runtime.stop();
      await publicListener.close();
      try {
        if (readFileSync(pidFile, 'utf8').trim() === String(process.pid)) rmSync(pidFile, { force: true });
      } catch {
        // already gone
      }
    },
  };
}

async function desktopStatus(runtime: ApplianceRuntime): Promise<DesktopStatus> {
  const lan = await runtime.lan();
  const tunnel = runtime.supervisor.status();
  const last = runtime.lastBackup;
  return {
    port: runtime.port,
    lan: { reachable: lan.reachable, urls: lan.addresses.map((a) => a.url), preferredUrl: lan.preferredUrl, mdnsUrl: lan.mdnsUrl },
    tunnel: {
      provider: tunnel.provider,
      state: tunnel.state,
      publicUrl: tunnel.publicUrl,
      callbackUrl: webhookCallbackUrl(tunnel.state === 'up' ? tunnel.publicUrl : null),
      error: tunnel.error,
    },
    backup: { running: runtime.backupRunning, last: last ? { ok: last.ok, at: last.at, name: last.name, error: last.error } : null },
  };
}

// Only when the desktop shell forked this process and said so (OMNISTREAM_IPC=1).
function attachDesktopIpc(runtime: ApplianceRuntime): () => void {
  if (process.env.OMNISTREAM_IPC !== '1' || typeof process.send !== 'function') return () => undefined;
  const send = (message: FromServerMessage) => {
    if (process.connected) process.send!(message);
  };
  const pushStatus = () =>
    void desktopStatus(runtime)
      .then((status) => send({ type: 'appliance:status', status }))
      .catch(() => undefined);
  const onMessage = (raw: unknown) => {
    if (!isApplianceMessage(raw)) return;
    const message = raw as ToServerMessage;
    if (message.type === 'appliance:status') pushStatus();
    if (message.type === 'appliance:backup') {
      pushStatus();
      runtime
        .backupNow('manual')
        .then(
          (info) => send({ type: 'appliance:backup-result', id: message.id, ok: true, name: info.name, error: null }),
          (err: Error) => send({ type: 'appliance:backup-result', id: message.id, ok: false, name: null, error: err.message }),
        )
        .finally(pushStatus);
    }
  };
  process.on('message', onMessage);
  runtime.supervisor.on('status', pushStatus);
  runtime.requestRestart = (reason) => send({ type: 'appliance:restart', reason });
  // Addresses change when the PC moves between networks.
  const timer = setInterval(pushStatus, 30_000);
  timer.unref();
  pushStatus();
  return () => {
    clearInterval(timer);
    process.off('message', onMessage);
    runtime.supervisor.off('status', pushStatus);
    runtime.requestRestart = null;
  };
}
