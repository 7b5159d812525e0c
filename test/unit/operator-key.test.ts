// The desktop shell's operator key (main/operator-key.ts): generated once into the data dir, owner
// only; added to the window's requests to the local server and to nothing else; and the server it
// starts accepts it (from this computer) for the appliance's operator routes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureOperatorKey, OPERATOR_KEY_FILE, operatorHeaders } from '../../main/operator-key.js';
import { startServer } from '../support/server.js';

describe('desktop operator key', () => {
  it('is generated once into the data dir, 0600, and kept', { skip: process.platform === 'win32' && 'no POSIX modes' }, () => {
    const previous = process.umask(0o022);
    try {
      const dataDir = join(mkdtempSync(join(tmpdir(), 'omnistream-key-')), 'data');
      const key = ensureOperatorKey(dataDir);
      assert.ok(key.length >= 40);
      const file = join(dataDir, OPERATOR_KEY_FILE);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(statSync(dataDir).mode & 0o777, 0o700);
      assert.equal(readFileSync(file, 'utf8').trim(), key);
      chmodSync(file, 0o644);
      assert.equal(ensureOperatorKey(dataDir), key, 'the same key on the next start');
      assert.equal(statSync(file).mode & 0o777, 0o600, 'and made private again');
      assert.notEqual(ensureOperatorKey(join(dataDir, 'other')), key, 'another installation has its own');
    } finally {
      process.umask(previous);
    }
  });

  it("is added to the window's requests to the local server only, and stripped from any other", () => {
    const inject = operatorHeaders('http://127.0.0.1:3000', 'k'.repeat(43));
    assert.equal(
      inject({ url: 'http://127.0.0.1:3000/api/v1/appliance/backups', requestHeaders: {} })['X-OmniStream-Operator-Key'],
      'k'.repeat(43),
    );
    for (const url of [
      'http://127.0.0.1:3001/api/v1/appliance/backups',
      'http://localhost:3000/api/v1/appliance/backups',
      'https://evil.example/collect',
      'http://127.0.0.1:3000.evil.example/',
      'not a url',
    ]) {
      const headers = inject({ url, requestHeaders: { 'x-omnistream-operator-key': 'spoofed', Accept: '*/*' } });
      assert.deepEqual(headers, { Accept: '*/*' }, url);
    }
  });

  it('opens the operator routes of the server it is given to, from this computer', async () => {
    const key = ensureOperatorKey(mkdtempSync(join(tmpdir(), 'omnistream-key-')));
    const server = await startServer({ OMNISTREAM_OPERATOR_KEY: key });
    try {
      const url = `${server.url}/api/v1/appliance/operator`;
      const headers = operatorHeaders(server.url, key)({ url, requestHeaders: {} });
      const res = await fetch(url, { headers });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { operator: 'desktop' });
      assert.equal((await fetch(url)).status, 401, 'without the key: nobody');
    } finally {
      await server.stop();
    }
  });
});
