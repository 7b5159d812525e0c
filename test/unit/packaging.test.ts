// Packaging without Electron's binary (which cannot be downloaded here): the electron-builder
// configuration passes electron-builder's own schema and names files that exist; the icons are
// real icon files; and the bundles build/bundle.mjs makes actually run: the bundled server starts
// on plain Node, applies a restore staged through the API before opening the database, and serves.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { bundle, outDir, root } from '../../build/bundle.mjs';
import { Api, registerTenant } from '../support/http.js';
import { createBackup, listBackups, stageRestore } from '../../server/platform/backup/index.js';
import { knownMigrations } from '../../server/composition.js';
import { freePort } from '../support/spawned-server.js';

const require = createRequire(import.meta.url);
const config = require('../../build/electron-builder.config.cjs');

describe('electron-builder configuration', () => {
  it("passes electron-builder's schema and covers Windows NSIS, macOS dmg, Linux AppImage and deb", async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js');
    await validateConfiguration(config, { isEnabled: false, add() {} });
    await assert.rejects(
      validateConfiguration({ ...config, nsis: { ...config.nsis, oneClik: false } }, { isEnabled: false, add() {} }),
      /configuration/i,
      'a misspelt option is caught',
    );
    assert.deepEqual(
      config.win.target.map((t: any) => t.target),
      ['nsis'],
    );
    assert.deepEqual(
      config.mac.target.map((t: any) => t.target),
      ['dmg'],
    );
    assert.deepEqual(
      config.linux.target.map((t: any) => t.target),
      ['AppImage', 'deb'],
    );
    assert.equal(config.npmRebuild, true, 'native modules are rebuilt for Electron at package time');
    assert.equal(config.extraMetadata.main, 'dist-app/main.js');
  });

  it('names files that exist, and the icons are real icon files', async () => {
    for (const file of [
      config.beforeBuild,
      config.win.icon,
      config.nsis.include,
      config.mac.icon,
      config.mac.entitlements,
      'resources/tray.png',
      'resources/trayTemplate.png',
      'resources/trayTemplate@2x.png',
      'main/preload.cjs',
    ]) {
      assert.ok(existsSync(join(root, file)), `${file} exists`);
    }
    const ico = readFileSync(join(root, config.win.icon));
    assert.deepEqual([ico.readUInt16LE(0), ico.readUInt16LE(2)], [0, 1], 'ICO header');
    const count = ico.readUInt16LE(4);
    const sizes = Array.from({ length: count }, (_, i) => ico.readUInt8(6 + 16 * i) || 256);
    assert.deepEqual(sizes, [16, 24, 32, 48, 64, 128, 256]);
    const icns = readFileSync(join(root, config.mac.icon));
    assert.equal(icns.subarray(0, 4).toString('ascii'), 'icns');
    assert.equal(icns.readUInt32BE(4), icns.length);
    for (const size of [16, 32, 48, 128, 256, 512]) {
      const meta = await sharp(join(root, config.linux.icon, `${size}x${size}.png`)).metadata();
      assert.deepEqual([meta.width, meta.height], [size, size]);
    }
    assert.equal((await sharp(join(root, 'resources/icon.png')).metadata()).width, 1024);
  });
});

describe('desktop bundles', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'omnistream-bundled-'));
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('builds the main process, the server and the preload script', async () => {
    await bundle({ quiet: true });
    for (const f of ['main.js', 'server.js', 'preload.cjs']) assert.ok(statSync(join(outDir, f)).size > 0, f);
    const main = readFileSync(join(outDir, 'main.js'), 'utf8');
    assert.match(main, /from "electron"/, 'electron stays external');
    assert.doesNotMatch(main, /better-sqlite3/, "the main process loads no native module (their ABI is the server's)");
  });

  it('the bundled server runs on Node and applies a restore staged through the API before opening the database', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const start = () => {
      let output = '';
      const child = spawn(process.execPath, [join(outDir, 'server.js'), 'start'], {
        env: {
          ...process.env,
          PORT: String(port),
          HOST: '127.0.0.1',
          OMNISTREAM_DATA_DIR: dataDir,
          LOG_LEVEL: 'warn',
          OMNISTREAM_MDNS: 'off',
          SUPER_ADMIN_EMAIL: 'root@omnistream.test',
          SUPER_ADMIN_PASSWORD: 'super-secret-password',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (c) => {
        output += c;
      });
      child.stderr!.on('data', (c) => {
        output += c;
      });
      children.push(child);
      return { child, output: () => output };
    };
    const healthy = async (child: ChildProcess, output: () => string) => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        assert.equal(child.exitCode, null, output());
        try {
          if ((await fetch(`${url}/health`)).ok) return;
        } catch {
          /* starting */
        }
        if (Date.now() > deadline) assert.fail(`not healthy: ${output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const stop = async (child: ChildProcess) => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    };

    const first = start();
    await healthy(first.child, first.output);
    assert.equal((await fetch(`${url}/`)).status, 200, 'the web UI is served from renderer/dist');
    const api = new Api(url);
    const before = await registerTenant(api, 'Sebelum Cadangan');
    const backup = await createBackup({
      dataDir,
      databasePath: join(dataDir, 'omnistream.db'),
      knownMigrations,
      appVersion: '0.1.0',
      reason: 'manual',
    });
    const afterwards = await registerTenant(api, 'Sesudah Cadangan');
    await stageRestore(dataDir, backup.name, knownMigrations);
    await stop(first.child);

    const second = start();
    await healthy(second.child, second.output);
    assert.match(second.output(), /Restored the backup made/);
    assert.equal(
      (await api.post('/api/v1/auth/login', { email: before.email, password: before.password })).status,
      200,
      'data from the backup is there',
    );
    assert.equal(
      (await api.post('/api/v1/auth/login', { email: afterwards.email, password: afterwards.password })).status,
      401,
      'data written after the backup is gone',
    );
    assert.ok(
      (await listBackups(dataDir)).some((b) => b.reason === 'pre-restore'),
      'the replaced data was backed up first',
    );
    await stop(second.child);
    assert.equal(second.child.exitCode, 0);
  });
});
