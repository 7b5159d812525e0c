import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ServerHost, type ServerState } from '../../main/server-host.js';
import { freePort } from '../support/spawned-server.js';

describe('desktop server host', () => {
  it('reports running once healthy, restarts a crashed server, and stops it cleanly', async () => {
    const port = await freePort();
    const host = new ServerHost({
      entry: fileURLToPath(new URL('../support/fixtures/flaky-server.mjs', import.meta.url)),
      env: { PORT: String(port), CRASH_MARKER: join(mkdtempSync(join(tmpdir(), 'host-')), 'crashed') },
      healthUrl: `http://127.0.0.1:${port}/health`,
      maxBackoffMs: 200,
    });
    const states: ServerState[] = [];
    const crashes: unknown[] = [];
    host.on('state', (s) => states.push(s));
    host.on('crash', (c) => crashes.push(c));
    host.start();
    const deadline = Date.now() + 15_000;
    while (!(crashes.length === 1 && host.state === 'running') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(crashes.length, 1);
    assert.equal(host.state, 'running');
    assert.deepEqual(states.slice(0, 4), ['starting', 'running', 'restarting', 'starting']);
    await host.stop();
    assert.equal(host.state, 'stopped');
    await assert.rejects(fetch(`http://127.0.0.1:${port}/health`));
  });
});
