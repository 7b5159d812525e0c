// The platform layer (the appliance around the CRM: tunnel, backups and restore, LAN and mDNS, the
// desktop shell's IPC) as a module of the server. Its routes are the operator's; the domain modules
// know the installation only through core's HostInfo, which this module provides.
import type { HostInfo } from '../core/context.js';
import { defineModule, type ModuleManifest } from '../core/module.js';
import type { Config } from '../config.js';
import { applianceRoutes } from './appliance.routes.js';
import { startApplianceFeatures } from './appliance.lifecycle.js';
import { BACKUP_JOB, runtimeFor } from './appliance.service.js';
import { verifyToken } from './appliance.settings.js';
import { listBackups, type BackupReason } from './backup/index.js';

/** Where customers reach this server: the running tunnel, else PUBLIC_URL; and the webhook verify token. */
function hostInfo(config: Config): HostInfo {
  return {
    publicUrl() {
      try {
        const status = runtimeFor(config).supervisor.status();
        if (status.state === 'up' && status.publicUrl) return status.publicUrl.replace(/\/+$/, '');
      } catch {
        // the appliance features are not running (openapi, before listen)
      }
      return config.PUBLIC_URL ? config.PUBLIC_URL.replace(/\/+$/, '') : null;
    },
    verifyToken: () => verifyToken(config),
    async health() {
      let runtime: ReturnType<typeof runtimeFor> | null = null;
      try {
        runtime = runtimeFor(config);
      } catch {
        // the appliance features are not running
      }
      const status = runtime?.supervisor.status();
      const tunnel = status
        ? { provider: status.provider, state: status.state, publicUrl: status.publicUrl, error: status.error, since: status.since ?? null }
        : null;
      let lastBackup = runtime?.lastBackup
        ? { at: runtime.lastBackup.at, ok: runtime.lastBackup.ok, name: runtime.lastBackup.name, error: runtime.lastBackup.error }
        : null;
      if (!lastBackup) {
        const newest = (await listBackups(config.dataDir).catch(() => [])).find((b) => !b.foreign);
        if (newest) lastBackup = { at: newest.createdAt, ok: newest.verified !== false, name: newest.name, error: null };
      }
      return { tunnel, lastBackup };
    },
  };
}

export function platformModule(build: { version: string; knownMigrations: readonly string[] }): ModuleManifest {
  return defineModule({
    name: 'platform',
    routes: () => applianceRoutes,
    jobs: (services) => ({
      [BACKUP_JOB]: async (job) => {
        await runtimeFor(services.config).backupNow((job.payload.reason as BackupReason | undefined) ?? 'scheduled');
      },
    }),
    provides: (services) => ({ host: hostInfo(services.config) }),
    lifecycle: (services, { jobs }) => ({
      async onListen(port, http) {
        const features = await startApplianceFeatures(services, jobs, port, build, http);
        return () => features.stop();
      },
    }),
  });
}
