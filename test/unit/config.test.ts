import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ConfigError, loadConfig } from '../../server/config.js';

const dir = () => mkdtempSync(join(tmpdir(), 'omnistream-config-'));

describe('config', () => {
  it('has sensible defaults', () => {
    const data = dir();
    const c = loadConfig({ OMNISTREAM_DATA_DIR: data });
    assert.equal(c.PORT, 3000);
    assert.equal(c.HOST, '0.0.0.0');
    assert.equal(c.META_GRAPH_URL, 'https://graph.facebook.com');
    assert.equal(c.databasePath, join(data, 'omnistream.db'));
  });

  it('names the bad variable in one line', () => {
    assert.throws(
      () => loadConfig({ OMNISTREAM_DATA_DIR: dir(), PORT: 'eighty' }),
      (err: Error) =>
        err instanceof ConfigError && /^Invalid configuration: PORT="eighty"/.test(err.message) && !err.message.includes('\n'),
    );
    assert.throws(() => loadConfig({ OMNISTREAM_DATA_DIR: dir(), META_GRAPH_URL: 'nope' }), /META_GRAPH_URL/);
    assert.throws(() => loadConfig({ OMNISTREAM_DATA_DIR: dir(), SMTP_URL: 'http://x' }), /SMTP_URL/);
  });

  it('reads config.json from the data dir, with the environment winning', () => {
    const data = dir();
    writeFileSync(join(data, 'config.json'), JSON.stringify({ PORT: 4100, LLM_MODEL: 'qwen' }));
    assert.equal(loadConfig({ OMNISTREAM_DATA_DIR: data }).PORT, 4100);
    assert.equal(loadConfig({ OMNISTREAM_DATA_DIR: data, PORT: '4200' }).PORT, 4200);
    assert.equal(loadConfig({ OMNISTREAM_DATA_DIR: data }).LLM_MODEL, 'qwen');
  });

  it('`npm start` with a bad value stops with one clear line', () => {
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'server/index.ts', 'start'], {
      env: { ...process.env, PORT: '99999', OMNISTREAM_DATA_DIR: dir() },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(res.status, 78, 'EX_CONFIG: the desktop shell does not restart a server that cannot start');
    assert.match(res.stderr.trim(), /^Invalid configuration: PORT="99999": .+$/);
  });
});
