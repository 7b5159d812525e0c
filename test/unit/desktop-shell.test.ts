// The desktop shell's plain modules: the server host's IPC, fatal exits and restarts; the tray
// menu; start at login on Linux; desktop.json.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ServerHost, type ServerState } from '../../main/server-host.js';
import { trayMenu, trayTooltip, type TrayItem, type TrayState } from '../../main/tray-menu.js';
import { isLinuxAutostart, launchCommand, linuxAutostartPath, setLinuxAutostart } from '../../main/autostart.js';
import { loadDesktopSettings, saveDesktopSettings, DEFAULT_DESKTOP_SETTINGS } from '../../main/desktop-settings.js';
import type { DesktopStatus } from '../../server/platform/ipc.js';
import { freePort } from '../support/spawned-server.js';

const fixture = fileURLToPath(new URL('../support/fixtures/ipc-server.mjs', import.meta.url));
const until = async (check: () => boolean, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('server host IPC and restarts', () => {
  it('relays messages both ways, restarts on request, and stops for good on a fatal exit code', async () => {
    const port = await freePort();
    const host = new ServerHost({
      entry: fixture,
      env: { PORT: String(port), OMNISTREAM_IPC: '1' },
      healthUrl: `http://127.0.0.1:${port}/health`,
      fatalExitCodes: [78],
    });
    const messages: any[] = [];
    host.on('message', (m) => messages.push(m));
    assert.equal(host.send({ type: 'ping' }), false, 'nothing to send to before start');
    host.start();
    await until(() => host.state === 'running');
    assert.ok(host.send({ type: 'ping' }));
    await until(() => messages.length === 1);
    assert.deepEqual(messages[0], { type: 'pong', pid: host.pid, ipc: '1' });
    const firstPid = host.pid;
    await host.restart();
    await until(() => host.state === 'running');
    assert.notEqual(host.pid, firstPid);
    await host.stop();
    assert.equal(host.state, 'stopped');

    const fatal = new ServerHost({
      entry: fixture,
      env: { PORT: String(port), EXIT_CODE: '78' },
      healthUrl: `http://127.0.0.1:${port}/health`,
      fatalExitCodes: [78],
      maxBackoffMs: 50,
    });
    const states: ServerState[] = [];
    const fatals: unknown[] = [];
    fatal.on('state', (s) => states.push(s));
    fatal.on('fatal', (f) => fatals.push(f));
    fatal.start();
    await until(() => fatal.state === 'failed');
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(states, ['starting', 'failed'], 'no restart loop for a server that cannot start');
    assert.deepEqual(fatals, [{ code: 78 }]);
  });
});

const status: DesktopStatus = {
  port: 3000,
  lan: {
    reachable: true,
    urls: ['http://192.168.1.23:3000/'],
    preferredUrl: 'http://192.168.1.23:3000/',
    mdnsUrl: 'http://omnistream.local:3000/',
  },
  tunnel: {
    provider: 'cloudflare',
    state: 'up',
    publicUrl: 'https://a-b-c.trycloudflare.com',
    callbackUrl: 'https://a-b-c.trycloudflare.com/api/v1/webhooks/meta',
    error: null,
  },
  backup: { running: false, last: { ok: true, at: '2024-11-26T02:00:00.000Z', name: 'omnistream-backup-x.tar.gz', error: null } },
};
const flat = (items: TrayItem[]): TrayItem[] => items.flatMap((i) => [i, ...flat(i.submenu ?? [])]);

describe('tray menu', () => {
  it('shows the server, the LAN addresses, the tunnel, backup and quit while running', () => {
    const state: TrayState = { server: 'running', status, openAtLogin: true, updateReady: null };
    const items = flat(trayMenu(state, 'en-US'));
    const byAction = (a: string) => items.filter((i) => i.action === a);
    assert.ok(items.some((i) => i.label === 'Server: running'));
    assert.deepEqual(
      byAction('copy-url').map((i) => i.arg),
      ['http://omnistream.local:3000/', 'http://192.168.1.23:3000/', 'https://a-b-c.trycloudflare.com/api/v1/webhooks/meta'],
    );
    assert.equal(byAction('open-browser')[0].arg, 'http://192.168.1.23:3000/');
    assert.ok(items.some((i) => i.label === 'Tunnel for Meta webhooks: up'));
    assert.equal(byAction('backup-now')[0].enabled, true);
    assert.equal(byAction('toggle-login')[0].checked, true);
    assert.equal(byAction('quit').length, 1);
    assert.equal(byAction('install-update').length, 0);
    assert.match(trayTooltip(state, 'en'), /OmniStream — running\nhttp:\/\/192\.168\.1\.23:3000\/\nTunnel for Meta webhooks: up/);
  });

  it('speaks Indonesian, disables what needs the server while it restarts, and offers a downloaded update', () => {
    const restarting = flat(trayMenu({ server: 'restarting', status: null, openAtLogin: false, updateReady: '0.2.0' }, 'id-ID'));
    assert.ok(restarting.some((i) => i.label === 'Server: memulai ulang setelah crash…'));
    assert.equal(restarting.find((i) => i.action === 'backup-now')?.enabled, false);
    assert.equal(restarting.find((i) => i.action === 'open-window')?.enabled, false);
    assert.equal(restarting.find((i) => i.action === 'install-update')?.label, 'Mulai ulang untuk memasang pembaruan 0.2.0');
    assert.equal(restarting.find((i) => i.action === 'quit')?.label, 'Keluar dari OmniStream');
    const busy = flat(
      trayMenu(
        { server: 'running', status: { ...status, backup: { running: true, last: null } }, openAtLogin: false, updateReady: null },
        'en',
      ),
    );
    assert.deepEqual(
      busy.filter((i) => i.action === 'backup-now').map((i) => [i.label, i.enabled]),
      [['Backing up…', false]],
    );
  });
});

describe('start at login on Linux', () => {
  it('writes, reads and removes an XDG autostart entry that starts hidden in the tray', () => {
    const config = mkdtempSync(join(tmpdir(), 'xdg-'));
    assert.equal(isLinuxAutostart(config), false);
    setLinuxAutostart(true, config, '/opt/OmniStream/omnistream');
    const entry = readFileSync(linuxAutostartPath(config), 'utf8');
    assert.match(entry, /^\[Desktop Entry\]/);
    assert.match(entry, /^Exec="\/opt\/OmniStream\/omnistream" --hidden$/m);
    assert.equal(isLinuxAutostart(config), true);
    setLinuxAutostart(false, config, '/opt/OmniStream/omnistream');
    assert.equal(isLinuxAutostart(config), false);
    assert.equal(
      launchCommand({ APPIMAGE: '/home/toko/OmniStream.AppImage' }, '/tmp/.mount_Omni/omnistream'),
      '/home/toko/OmniStream.AppImage',
    );
    assert.equal(launchCommand({}, '/usr/bin/omnistream'), '/usr/bin/omnistream');
  });
});

describe('desktop settings', () => {
  it('defaults, saved values, environment overrides and bad values', () => {
    const dir = mkdtempSync(join(tmpdir(), 'desktop-'));
    assert.deepEqual(loadDesktopSettings(dir, {}), DEFAULT_DESKTOP_SETTINGS);
    saveDesktopSettings(dir, { port: 3100, updateFeedUrl: 'https://updates.toko.example/omnistream', checkForUpdates: false });
    assert.deepEqual(loadDesktopSettings(dir, {}), {
      port: 3100,
      updateFeedUrl: 'https://updates.toko.example/omnistream',
      checkForUpdates: false,
    });
    assert.equal(loadDesktopSettings(dir, { PORT: '3200' }).port, 3200);
    writeFileSync(join(dir, 'desktop.json'), '{"port": "nope", "updateFeedUrl": "ftp://x"');
    assert.deepEqual(loadDesktopSettings(dir, {}), DEFAULT_DESKTOP_SETTINGS, 'unreadable file: defaults');
    writeFileSync(join(dir, 'desktop.json'), '{"port": 99999, "updateFeedUrl": "ftp://x"}');
    assert.deepEqual(loadDesktopSettings(dir, {}), DEFAULT_DESKTOP_SETTINGS);
  });
});
