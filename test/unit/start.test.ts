// `npm start` builds the web UI when it is missing by running vite's CLI from its folder (vite's
// package exports do not include it): that path must keep working.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

it('vite\'s CLI is where the start command runs it from', () => {
  const cli = 'node_modules/vite/bin/vite.js';
  assert.ok(existsSync(cli));
  assert.match(readFileSync('server/index.ts', 'utf8'), /join\(root, 'node_modules', 'vite', 'bin', 'vite\.js'\)/);
  const res = spawnSync(process.execPath, [cli, '--version'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(res.status, 0, res.stderr);
  assert.match(res.stdout, /vite\/\d+/);
});
