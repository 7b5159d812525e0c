// Electron main process: one instance; the server in a child process (restarted with backoff if
// it crashes), with its data in the app's user-data folder; a window on the local server's UI; a
// tray icon whose menu shows the server, the LAN addresses and the tunnel, backs up, toggles
// start-at-login and quits cleanly; updates. Kept thin: the logic lives in plain modules
// (server-host, tray-menu, autostart, desktop-settings, and the server's appliance module) that
// tests cover. Built by build/bundle.mjs into dist-app/main.js (Electron cannot load TypeScript).
import { app, BrowserWindow, clipboard, Menu, Notification, session, shell, Tray, type MenuItemConstructorOptions } from 'electron';
import { appendFileSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { ServerHost, type ServerState } from './server-host.js';
import { trayMenu, trayTooltip, labels, type TrayItem, type TrayState } from './tray-menu.js';
import { HIDDEN_ARG, isLinuxAutostart, launchCommand, setLinuxAutostart, xdgConfigHome } from './autostart.js';
import { loadDesktopSettings } from './desktop-settings.js';
import { ensureOperatorKey, operatorHeaders } from './operator-key.js';
import { startUpdater } from './updater.js';
import type { DesktopStatus, FromServerMessage } from '../server/platform/ipc.js';

// dist-app/main.js → the app root (the folder with package.json, renderer/dist and dist-app).
const root = fileURLToPath(new URL('..', import.meta.url));
const version: string = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const EXIT_CANNOT_START = 78;

function main(): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  const userData = app.getPath('userData');
  const settings = loadDesktopSettings(userData);
  const port = settings.port;
  const origin = `http://127.0.0.1:${port}`;
  const dataDir = process.env.OMNISTREAM_DATA_DIR ?? join(userData, 'data');
  const logsDir = join(userData, 'logs');
  mkdirSync(logsDir, { recursive: true, mode: 0o700 });
  // This window is the appliance's operator: the key goes to the server and into the window's requests to it.
  const operatorKey = ensureOperatorKey(dataDir);
  const logFile = join(logsDir, 'desktop.log');
  const log = (message: string) => {
    try {
      if ((statSync(logFile, { throwIfNoEntry: false })?.size ?? 0) > 10 * 1024 * 1024) renameSync(logFile, `${logFile}.1`);
      appendFileSync(logFile, `${new Date().toISOString()} ${message}\n`, { mode: 0o600 });
    } catch {
      // logging must never take the app down
    }
  };

  // Packaged: the bundled server runs on Electron's own Node (fork sets ELECTRON_RUN_AS_NODE), with
  // native modules rebuilt for it. Development: TypeScript under tsx on the system Node, whose ABI
  // the installed native modules were built for.
  const host = new ServerHost(
    app.isPackaged
      ? { entry: join(root, 'dist-app', 'server.js'), env: serverEnv(), healthUrl: `${origin}/health`, fatalExitCodes: [EXIT_CANNOT_START] }
      : {
          entry: join(root, 'main', 'server-entry.ts'),
          execArgv: ['--import', 'tsx'],
          execPath: process.env.OMNISTREAM_NODE ?? 'node',
          env: serverEnv(),
          healthUrl: `${origin}/health`,
          fatalExitCodes: [EXIT_CANNOT_START],
        },
  );

  function serverEnv(): Record<string, string> {
    return {
      PORT: String(port),
      OMNISTREAM_DATA_DIR: dataDir,
      OMNISTREAM_IPC: '1',
      OMNISTREAM_OPERATOR_KEY: operatorKey,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    };
  }

  const locale = app.getLocale();
  const t = labels(locale);
  let window: BrowserWindow | undefined;
  let tray: Tray | undefined;
  let quitting = false;
  const state: TrayState = { server: 'stopped', status: null, openAtLogin: readOpenAtLogin(), updateReady: null };
  const pendingBackups = new Set<string>();

  function readOpenAtLogin(): boolean {
    return process.platform === 'linux' ? isLinuxAutostart(xdgConfigHome()) : app.getLoginItemSettings().openAtLogin;
  }

  function setOpenAtLogin(enabled: boolean): void {
    if (process.platform === 'linux') setLinuxAutostart(enabled, xdgConfigHome(), launchCommand());
    else app.setLoginItemSettings({ openAtLogin: enabled, openAsHidden: true, args: [HIDDEN_ARG] });
    state.openAtLogin = readOpenAtLogin();
    refreshTray();
  }

  function notify(body: string): void {
    if (Notification.isSupported()) new Notification({ title: 'OmniStream', body }).show();
  }

  function openWindow(path = '/'): void {
    if (state.server !== 'running') return;
    if (window && !window.isDestroyed()) {
      if (path !== '/') void window.loadURL(origin + path);
      if (window.isMinimized()) window.restore();
      window.show();
      window.focus();
      return;
    }
    window = new BrowserWindow({
      width: 1280,
      height: 820,
      title: 'OmniStream',
      show: false,
      icon: join(root, 'resources', 'icons', '256x256.png'),
      webPreferences: {
        contextIsolation: true,
        nodeIntegration: false,
        sandbox: true,
        webSecurity: true,
        preload: join(root, 'dist-app', 'preload.cjs'),
        additionalArguments: [`--omnistream-version=${version}`],
      },
    });
    window.once('ready-to-show', () => window?.show());
    // Only the local server's pages load in the window; anything else opens in the browser.
    window.webContents.setWindowOpenHandler(({ url }) => {
      if (/^https?:\/\//.test(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
    window.webContents.on('will-navigate', (event, url) => {
      if (!url.startsWith(`${origin}/`)) {
        event.preventDefault();
        if (/^https?:\/\//.test(url)) void shell.openExternal(url);
      }
    });
    // Closing the window keeps the appliance running in the tray (agents on the LAN still use it).
    window.on('close', (event) => {
      if (quitting) return;
      event.preventDefault();
      window?.hide();
    });
    void window.loadURL(origin + path);
  }

  function runAction(item: TrayItem): void {
    switch (item.action) {
      case 'open-window':
        return openWindow('/');
      case 'open-settings':
        return openWindow('/settings/appliance');
      case 'open-browser':
        if (item.arg) void shell.openExternal(item.arg);
        return;
      case 'copy-url':
        if (item.arg) clipboard.writeText(item.arg);
        return;
      case 'backup-now': {
        const id = randomUUID();
        if (host.send({ type: 'appliance:backup', id })) pendingBackups.add(id);
        return;
      }
      case 'toggle-login':
        return setOpenAtLogin(!state.openAtLogin);
      case 'restart-server':
        void host.restart();
        return;
      case 'open-logs':
        void shell.openPath(logsDir);
        return;
      case 'install-update':
        updater.installNow();
        return;
      case 'quit':
        app.quit();
        return;
    }
  }

  function toElectron(items: TrayItem[]): MenuItemConstructorOptions[] {
    return items.map((item) => ({
      label: item.label,
      type: item.submenu ? 'submenu' : (item.type ?? 'normal'),
      enabled: item.enabled ?? true,
      checked: item.checked,
      submenu: item.submenu ? toElectron(item.submenu) : undefined,
      click: item.action ? () => runAction(item) : undefined,
    }));
  }

  function refreshTray(): void {
    if (!tray || tray.isDestroyed()) return;
    tray.setToolTip(trayTooltip(state, locale));
    tray.setContextMenu(Menu.buildFromTemplate(toElectron(trayMenu(state, locale))));
  }

  host.on('state', (s: ServerState) => {
    state.server = s;
    if (s !== 'running') state.status = null;
    log(`server: ${s}`);
    refreshTray();
    if (s === 'running') {
      host.send({ type: 'appliance:status' });
      if (!window && !process.argv.includes(HIDDEN_ARG)) openWindow('/');
    }
  });
  host.on('crash', (c: { code: number | null; signal: string | null; restartInMs: number }) =>
    log(`server crashed (${c.signal ?? `code ${c.code}`}); restarting in ${c.restartInMs} ms`),
  );
  host.on('fatal', () => notify(t.states.failed));
  host.on('message', (raw: FromServerMessage) => {
    if (raw?.type === 'appliance:status') {
      state.status = raw.status as DesktopStatus;
      refreshTray();
    } else if (raw?.type === 'appliance:backup-result' && pendingBackups.delete(raw.id)) {
      notify(raw.ok ? `${t.backupNow}: ${raw.name}` : `${t.lastBackupFailed.replace('{error}', raw.error ?? '')}`);
    } else if (raw?.type === 'appliance:restart') {
      log(`server restart requested: ${raw.reason}`);
      void host.restart();
    }
  });

  const updater = startUpdater({
    feedUrl: settings.checkForUpdates ? settings.updateFeedUrl : null,
    log,
    onUpdateReady: (v) => {
      state.updateReady = v;
      refreshTray();
    },
  });

  app.on('second-instance', () => openWindow('/'));
  app.on('activate', () => openWindow('/')); // macOS dock click

  app.whenReady().then(() => {
    // The window's requests to the local server carry the operator key (and no other request does).
    const withKey = operatorHeaders(origin, operatorKey);
    session.defaultSession.webRequest.onBeforeSendHeaders({ urls: ['<all_urls>'] }, (details, callback) =>
      callback({ requestHeaders: withKey(details) }),
    );
    // The window may use notifications and the microphone (voice notes) for the local server only.
    session.defaultSession.setPermissionRequestHandler((contents, permission, callback) => {
      callback(
        contents.getURL().startsWith(`${origin}/`) &&
          ['notifications', 'media', 'clipboard-sanitized-write', 'fullscreen'].includes(permission),
      );
    });
    const trayIcon = process.platform === 'darwin' ? 'trayTemplate.png' : 'tray.png';
    tray = new Tray(join(root, 'resources', trayIcon));
    tray.on('click', () => {
      if (process.platform !== 'darwin') openWindow('/');
    });
    refreshTray();
    log(`OmniStream ${version} starting; data in ${dataDir}`);
    host.start();
  });

  // Keep running with every window closed: the tray owns the app.
  app.on('window-all-closed', () => undefined);

  // Quit: stop the server cleanly (SIGTERM; it finishes in-flight requests and jobs), then quit for
  // real, which also lets electron-updater install a downloaded update.
  app.on('before-quit', (event) => {
    quitting = true;
    if (host.state === 'stopped' || host.state === 'failed') return;
    event.preventDefault();
    updater.stop();
    void host.stop().then(() => app.quit());
  });
}

main();
