// `npm start` runs the server as production does: scripts/start.mjs bundles it with esbuild
// (build/bundle.mjs → dist-app/server.js) and runs the bundle in its own process. The bundle sits
// one folder below the app root like server/, so the paths the server finds relative to itself
// (package.json, renderer/dist, node_modules/vite for the first-start web UI build) still hold;
// exit codes (78 for a configuration error) and Ctrl-C behave as for the bundle run directly.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { root, serverBundle } from '../../build/bundle.mjs';
import { freePort } from '../support/spawned-server.js';

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

describe('npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'omnistream-start-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("vite's CLI is where the start command runs it from", () => {
    const cli = 'node_modules/vite/bin/vite.js';
    assert.ok(existsSync(cli));
    assert.match(readFileSync('server/index.ts', 'utf8'), /join\(root, 'node_modules', 'vite', 'bin', 'vite\.js'\)/);
    const res = spawnSync(process.execPath, [cli, '--version'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /vite\/\d+/);
  });

  it('runs compiled JavaScript, and a configuration error exits with 78', { timeout: 60_000 }, () => {
    assert.equal(pkg.scripts.start, 'node scripts/start.mjs start');
    const res = spawnSync(process.execPath, ['scripts/start.mjs', 'start'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, PORT: 'not-a-port', OMNISTREAM_DATA_DIR: dataDir },
    });
    assert.equal(res.status, 78, res.stderr);
    assert.match(res.stderr, /Invalid configuration: PORT=/);
    // The bundle it ran finds the app root, and vite's CLI, one folder up (as server/index.ts does).
    const bundled = readFileSync(serverBundle, 'utf8');
    // (esbuild may rename the imported join and the local root: join7(root, …).)
    assert.ok(
      /join\d*\(root\d*, "node_modules", "vite", "bin", "vite\.js"\)/.test(bundled),
      "the bundle runs vite's CLI from node_modules/vite/bin",
    );
    assert.equal(fileURLToPath(new URL('..', pathToFileURL(serverBundle))), root);
    assert.ok(existsSync(fileURLToPath(new URL('../node_modules/vite/bin/vite.js', pathToFileURL(serverBundle)))));
  });

  it('serves, and stops cleanly on Ctrl-C (SIGINT) with exit code 0', { timeout: 90_000 }, async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['scripts/start.mjs', 'start'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        OMNISTREAM_DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        OMNISTREAM_MDNS: 'off',
      },
    });
    let output = '';
    child.stdout.on('data', (c) => {
      output += c;
    });
    child.stderr.on('data', (c) => {
      output += c;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const deadline = Date.now() + 60_000;
      for (;;) {
        assert.equal(child.exitCode, null, output);
        try {
          const res = await fetch(`http://127.0.0.1:${port}/health`);
          if (res.ok) break;
        } catch {
          /* starting */
        }
        if (Date.now() > deadline) assert.fail(`not healthy: ${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      child.kill('SIGINT');
      assert.equal(await exited, 0, output);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
