// Electron main process: one instance, the server in a child process, a window on its UI.
// Kept thin; the logic lives in plain modules (server-host.ts) that tests cover.
import { app, BrowserWindow, shell } from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ServerHost } from './server-host.js';

const PORT = Number(process.env.PORT ?? 3000);
const root = fileURLToPath(new URL('..', import.meta.url));

if (!app.requestSingleInstanceLock()) app.quit();

let window: BrowserWindow | undefined;
const host = new ServerHost({
  entry: join(root, 'server', 'index.ts'),
  execArgv: ['--import', 'tsx'],
  env: { PORT: String(PORT), OMNISTREAM_DATA_DIR: process.env.OMNISTREAM_DATA_DIR ?? join(app.getPath('userData'), 'data') },
  healthUrl: `http://127.0.0.1:${PORT}/health`,
});

function openWindow(): void {
  window = new BrowserWindow({
    width: 1280,
    height: 820,
    title: 'OmniStream',
    webPreferences: { contextIsolation: true, nodeIntegration: false, sandbox: true, preload: join(root, 'main', 'preload.cjs') },
  });
  window.webContents.setWindowOpenHandler(({ url }) => {
    void shell.openExternal(url);
    return { action: 'deny' };
  });
  void window.loadURL(`http://127.0.0.1:${PORT}/`);
}

app.on('second-instance', () => {
  if (window) {
    if (window.isMinimized()) window.restore();
    window.focus();
  }
});

app.whenReady().then(() => {
  host.once('state', () => undefined);
  host.on('state', (state) => { if (state === 'running' && !window) openWindow(); });
  host.start();
});

app.on('before-quit', (event) => {
  if (host.state === 'stopped') return;
  event.preventDefault();
  void host.stop().then(() => app.exit(0));
});
