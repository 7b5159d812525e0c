// Updates with electron-updater: the feed is desktop.json's updateFeedUrl (or OMNISTREAM_UPDATE_URL),
// else the one baked in at packaging (build/electron-builder.config.cjs `publish`). Checks at start
// and daily, downloads in the background, installs when the app quits. The new version backs up
// the database before running its migrations (main/server-entry.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { app } from 'electron';
import electronUpdater from 'electron-updater';

export interface UpdaterOptions {
  feedUrl: string | null;
  log(message: string): void;
  onUpdateReady(version: string): void;
}

const DAY = 24 * 3600 * 1000;

export function startUpdater(options: UpdaterOptions): { stop(): void; installNow(): void } {
  const off = { stop() {}, installNow() {} };
  if (!app.isPackaged) {
    options.log('updates: not checked in development');
    return off;
  }
  const { autoUpdater } = electronUpdater;
  if (options.feedUrl) {
    autoUpdater.setFeedURL({ provider: 'generic', url: options.feedUrl });
  } else if (!existsSync(join(process.resourcesPath, 'app-update.yml'))) {
    options.log('updates: no update feed configured (set updateFeedUrl in desktop.json)');
    return off;
  }
  autoUpdater.autoDownload = true;
  autoUpdater.autoInstallOnAppQuit = true;
  autoUpdater.logger = {
    info: (m: unknown) => options.log(`updates: ${String(m)}`),
    warn: (m: unknown) => options.log(`updates: ${String(m)}`),
    error: (m: unknown) => options.log(`updates: ${String(m)}`),
    debug: () => undefined,
  };
  autoUpdater.on('update-downloaded', (info) => options.onUpdateReady(info.version));
  autoUpdater.on('error', (err) => options.log(`updates: ${err.message}`));
  const check = () => void autoUpdater.checkForUpdates().catch((err: Error) => options.log(`updates: check failed: ${err.message}`));
  check();
  const timer = setInterval(check, DAY);
  return {
    stop: () => clearInterval(timer),
    // Quits through the normal path (the server is stopped cleanly first), then installs.
    installNow: () => autoUpdater.quitAndInstall(false, true),
  };
}
