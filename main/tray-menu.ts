// The tray icon's menu and tooltip as plain data (built from the server's state), so tests can
// check them without Electron; main.ts turns the items into Electron menu items. English and
// Bahasa Indonesia, picked from the system locale.
import type { ServerState } from './server-host.js';
import type { DesktopStatus } from '../server/platform/ipc.js';

export type TrayAction =
  | 'open-window'
  | 'open-settings'
  | 'open-browser'
  | 'copy-url'
  | 'backup-now'
  | 'toggle-login'
  | 'restart-server'
  | 'open-logs'
  | 'install-update'
  | 'quit';

export interface TrayItem {
  label?: string;
  type?: 'normal' | 'separator' | 'checkbox';
  enabled?: boolean;
  checked?: boolean;
  action?: TrayAction;
  /** For copy-url / open-browser: the URL. */
  arg?: string;
  submenu?: TrayItem[];
}

export interface TrayState {
  server: ServerState;
  status: DesktopStatus | null;
  openAtLogin: boolean;
  /** A downloaded update waiting to be installed (its version). */
  updateReady: string | null;
}

const en = {
  open: 'Open OmniStream',
  connectPhone: 'Connect a phone…',
  server: 'Server',
  lan: 'On the office network',
  noLan: 'Not reachable from other devices',
  openBrowser: 'Open in browser',
  copy: 'Copy {url}',
  tunnel: 'Tunnel for Meta webhooks',
  backupNow: 'Back up now',
  backingUp: 'Backing up…',
  lastBackup: 'Last backup: {when}',
  lastBackupFailed: 'Last backup failed: {error}',
  startAtLogin: 'Start at login',
  restartServer: 'Restart server',
  logs: 'Open logs folder',
  installUpdate: 'Restart to install update {version}',
  quit: 'Quit OmniStream',
  states: {
    starting: 'starting…',
    running: 'running',
    restarting: 'restarting after a crash…',
    stopped: 'stopped',
    failed: 'could not start (see logs)',
  } as Record<ServerState, string>,
  tunnelStates: {
    off: 'off',
    starting: 'starting…',
    up: 'up',
    reconnecting: 'reconnecting…',
    down: 'down, retrying',
    unavailable: 'unavailable',
  } as Record<string, string>,
};
const id: typeof en = {
  open: 'Buka OmniStream',
  connectPhone: 'Hubungkan ponsel…',
  server: 'Server',
  lan: 'Di jaringan kantor',
  noLan: 'Tidak dapat dijangkau perangkat lain',
  openBrowser: 'Buka di browser',
  copy: 'Salin {url}',
  tunnel: 'Tunnel untuk webhook Meta',
  backupNow: 'Cadangkan sekarang',
  backingUp: 'Mencadangkan…',
  lastBackup: 'Cadangan terakhir: {when}',
  lastBackupFailed: 'Cadangan terakhir gagal: {error}',
  startAtLogin: 'Jalankan saat login',
  restartServer: 'Mulai ulang server',
  logs: 'Buka folder log',
  installUpdate: 'Mulai ulang untuk memasang pembaruan {version}',
  quit: 'Keluar dari OmniStream',
  states: {
    starting: 'memulai…',
    running: 'berjalan',
    restarting: 'memulai ulang setelah crash…',
    stopped: 'berhenti',
    failed: 'gagal dimulai (lihat log)',
  },
  tunnelStates: {
    off: 'mati',
    starting: 'memulai…',
    up: 'aktif',
    reconnecting: 'menyambung ulang…',
    down: 'putus, mencoba lagi',
    unavailable: 'tidak tersedia',
  },
};

export function labels(locale: string): typeof en {
  return locale.toLowerCase().startsWith('id') || locale.toLowerCase().startsWith('in') ? id : en;
}

const fill = (text: string, values: Record<string, string>) => text.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '');

function when(iso: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

export function trayTooltip(state: TrayState, locale: string): string {
  const t = labels(locale);
  const lines = [`OmniStream — ${t.states[state.server]}`];
  if (state.status?.lan.preferredUrl) lines.push(state.status.lan.preferredUrl);
  if (state.status && state.status.tunnel.provider !== 'none')
    lines.push(`${t.tunnel}: ${t.tunnelStates[state.status.tunnel.state] ?? state.status.tunnel.state}`);
  return lines.join('\n');
}

export function trayMenu(state: TrayState, locale: string): TrayItem[] {
  const t = labels(locale);
  const running = state.server === 'running';
  const status = running ? state.status : null;
  const items: TrayItem[] = [
    { label: t.open, action: 'open-window', enabled: running },
    { label: t.connectPhone, action: 'open-settings', enabled: running },
    { type: 'separator' },
    { label: `${t.server}: ${t.states[state.server]}`, enabled: false },
  ];
  if (status) {
    const urls = [...(status.lan.mdnsUrl ? [status.lan.mdnsUrl] : []), ...status.lan.urls];
    items.push(
      urls.length
        ? { label: t.lan, submenu: urls.map((url) => ({ label: fill(t.copy, { url }), action: 'copy-url' as const, arg: url })) }
        : { label: t.noLan, enabled: false },
    );
    items.push({ label: t.openBrowser, action: 'open-browser', arg: status.lan.preferredUrl ?? `http://localhost:${status.port}/` });
    const tunnel = status.tunnel;
    const tunnelLabel = `${t.tunnel}: ${t.tunnelStates[tunnel.state] ?? tunnel.state}`;
    items.push(
      tunnel.callbackUrl
        ? {
            label: tunnelLabel,
            submenu: [{ label: fill(t.copy, { url: tunnel.callbackUrl }), action: 'copy-url', arg: tunnel.callbackUrl }],
          }
        : { label: tunnelLabel, enabled: false },
    );
  }
  items.push({ type: 'separator' });
  const backingUp = status?.backup.running ?? false;
  items.push({ label: backingUp ? t.backingUp : t.backupNow, action: 'backup-now', enabled: running && !backingUp });
  const last = status?.backup.last;
  if (last)
    items.push({
      label: last.ok
        ? fill(t.lastBackup, { when: when(last.at, locale) })
        : fill(t.lastBackupFailed, { error: (last.error ?? '').slice(0, 80) }),
      enabled: false,
    });
  items.push({ type: 'separator' });
  items.push({ label: t.startAtLogin, type: 'checkbox', checked: state.openAtLogin, action: 'toggle-login' });
  items.push({ label: t.restartServer, action: 'restart-server', enabled: state.server !== 'starting' });
  items.push({ label: t.logs, action: 'open-logs' });
  if (state.updateReady) items.push({ label: fill(t.installUpdate, { version: state.updateReady }), action: 'install-update' });
  items.push({ type: 'separator' });
  items.push({ label: t.quit, action: 'quit' });
  return items;
}
