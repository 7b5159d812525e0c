// The SQL statement profile (SQL_PROFILE_FILE, server/db/sql-profile.ts): what the bench's
// --sql-profile reads. Counts and times per statement, no values, a private file at exit.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqlProfile, normalizeSql } from '../../server/db/sql-profile.js';
import { killAll, startServer } from '../support/spawned-server.js';

describe('the SQL statement profile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'omnistream-sqlprof-'));
  after(() => {
    killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts each statement once per run, however it is called, and keeps no values', () => {
    const db = new Database(':memory:');
    const profile = new SqlProfile();
    profile.attach(db);
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, secret TEXT)');
    const insert = db.prepare('INSERT INTO t (secret) VALUES (?)');
    for (const s of ['a', 'b', 'c']) insert.run(s);
    db.exec("INSERT INTO t (secret) VALUES ('hunter2')");
    assert.equal((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 4, 'statements still work');
    assert.deepEqual(
      db
        .prepare('SELECT secret FROM t WHERE id > ?')
        .all(2)
        .map((r) => (r as { secret: string }).secret),
      ['c', 'hunter2'],
    );
    const byStatement = new Map(profile.statements().map((s) => [s.sql, s]));
    assert.equal(byStatement.get('INSERT INTO t (secret) VALUES (?)')?.count, 3);
    assert.equal(byStatement.get("INSERT INTO t (secret) VALUES ('?')")?.count, 1, 'a literal is left out');
    assert.equal(byStatement.get('SELECT secret FROM t WHERE id > ?')?.count, 1);
    for (const s of profile.statements()) assert.ok(s.ms >= 0);
    assert.doesNotMatch(profile.report(), /hunter2/);
    assert.match(profile.report(), /^SQLite time \d+ ms over 7 statements \(5 distinct\)/);
    assert.equal(normalizeSql("SELECT  'it''s'\n  FROM x"), "SELECT '?' FROM x");
    db.close();
  });

  it('the server writes it, owner-readable only, when it stops; without the setting it writes nothing', async () => {
    const file = join(dir, 'statements.sql.txt');
    const server = await startServer({ dataDir: join(dir, 'data'), env: { SQL_PROFILE_FILE: file } });
    await server.waitHealthy();
    const res = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'nobody@example.com', password: 'not-a-password' }),
    });
    assert.equal(res.status, 401);
    await server.stop('SIGTERM');
    assert.ok(existsSync(file), server.output(2000));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^SQLite time \d+ ms over \d+ statements/);
    assert.match(text, /CREATE TABLE/, 'the migrations are in it');
    assert.match(text, /FROM "users"/, 'the login looked the user up');
    assert.doesNotMatch(text, /nobody@example\.com/);

    const plain = await startServer({ dataDir: join(dir, 'data2') });
    await plain.waitHealthy();
    await plain.stop('SIGTERM');
    assert.equal(existsSync(join(dir, 'data2', 'statements.sql.txt')), false);
  });
});
