// Settings of the desktop shell itself, in <userData>/desktop.json: the port the server listens
// on and the update feed. (The server's own settings live in its data dir.)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DesktopSettings {
  /** Port of the local server (default 3000; PORT in the environment wins). */
  port: number;
  /** Update feed (electron-updater "generic" provider); null: the feed baked in at packaging, if any. */
  updateFeedUrl: string | null;
  /** Check for updates at start and daily. */
  checkForUpdates: boolean;
}

export const DEFAULT_DESKTOP_SETTINGS: DesktopSettings = { port: 3000, updateFeedUrl: null, checkForUpdates: true };

export function desktopSettingsPath(userData: string): string {
  return join(userData, 'desktop.json');
}

/** Reads desktop.json; a missing or unreadable file gives the defaults, unknown or bad values are ignored. */
export function loadDesktopSettings(userData: string, env: NodeJS.ProcessEnv = process.env): DesktopSettings {
  const file = desktopSettingsPath(userData);
  let raw: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      raw = {};
    }
  }
  const port = Number(env.PORT ?? raw.port);
  const feed = env.OMNISTREAM_UPDATE_URL ?? raw.updateFeedUrl;
  return {
    port: Number.isInteger(port) && port > 0 && port < 65536 ? port : DEFAULT_DESKTOP_SETTINGS.port,
    updateFeedUrl: typeof feed === 'string' && /^https?:\/\//.test(feed) ? feed : null,
    checkForUpdates: raw.checkForUpdates !== false,
  };
}

export function saveDesktopSettings(userData: string, settings: DesktopSettings): void {
  mkdirSync(userData, { recursive: true, mode: 0o700 });
  writeFileSync(desktopSettingsPath(userData), `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
}
