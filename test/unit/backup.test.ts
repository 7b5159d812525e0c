import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import * as tar from 'tar';
import { startServer, type TestServer } from '../support/server.js';
import { Api, createAgent, registerTenant } from '../support/http.js';
import {
  applyPendingRestore,
  backupBeforeMigrations,
  backupsDir,
  BackupRejectedError,
  createBackup,
  listBackups,
  pendingMigrations,
  pendingRestore,
  restoreBackup,
  serverPidFile,
  stageRestore,
  verifyBackup,
} from '../../server/platform/backup/index.js';
import { loadSettings } from '../../server/platform/appliance.settings.js';
import { knownMigrations } from '../../server/composition.js';

const replacer = (_k: string, v: unknown) =>
  Buffer.isBuffer(v)
    ? v.toString('base64')
    : (v as { type?: string })?.type === 'Buffer'
      ? Buffer.from((v as { data: number[] }).data).toString('base64')
      : typeof v === 'bigint'
        ? String(v)
        : v;

/** Every table's rows (and the schema itself), in a stable order: the database's content. */
function dump(path: string): string {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare("SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'index', 'trigger', 'view') ORDER BY type, name")
      .all() as { name: string; sql: string | null }[];
    const out: unknown[] = [tables];
    for (const { name } of db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .all() as { name: string }[]) {
      const rows = db
        .prepare(`SELECT * FROM "${name}"`)
        .raw()
        .all()
        .map((r) => JSON.stringify(r, replacer));
      out.push(name, rows.sort());
    }
    return JSON.stringify(out);
  } finally {
    db.close();
  }
}

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out[relative(dir, full)] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** Compares two dumps without printing megabytes of diff when they differ. */
function sameContent(actual: string, expected: string, message = 'same database content'): void {
  if (actual === expected) return;
  let i = 0;
  while (actual[i] === expected[i]) i++;
  assert.fail(
    `${message}: they differ at character ${i}: …${actual.slice(Math.max(0, i - 80), i + 80)}… vs …${expected.slice(Math.max(0, i - 80), i + 80)}…`,
  );
}

const rejects = (promise: Promise<unknown>, code: string, message: RegExp) =>
  assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof BackupRejectedError, `a BackupRejectedError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.match(err.message, message);
    return true;
  });

describe('backup and restore', () => {
  let server: TestServer;
  let dataDir: string;
  let databasePath: string;
  let archive: string;
  let contentAtBackup: string;
  let mediaAtBackup: Record<string, string>;
  let dbBytesInArchive: Buffer;
  const paths = () => ({ dataDir, databasePath, appVersion: '0.1.0', knownMigrations });

  before(async () => {
    server = await startServer();
    dataDir = server.dataDir;
    databasePath = server.appliance.config.databasePath;
    // A populated installation: two organizations with agents and API keys, and media files.
    const api = new Api(server.url);
    for (const org of ['Toko Batik', 'Kopi Kenangan']) {
      const owner = await registerTenant(api, org);
      for (let i = 0; i < 3; i++) await createAgent(owner.api, i === 0 ? 'supervisor' : 'agent');
      for (let i = 0; i < 5; i++) await owner.api.post('/api/v1/api-keys', { name: `key ${i}` });
    }
    const media = join(dataDir, 'media');
    mkdirSync(join(media, 'tenant-a', '2024', '11'), { recursive: true });
    mkdirSync(join(media, 'tenant-b'), { recursive: true });
    writeFileSync(join(media, 'tenant-a', '2024', '11', 'photo.jpg'), randomBytes(1024 * 1024 + 17));
    writeFileSync(join(media, 'tenant-a', 'voice.ogg'), randomBytes(33_333));
    writeFileSync(join(media, 'tenant-b', 'katalog.pdf'), randomBytes(250_000));
    writeFileSync(join(media, 'tenant-b', 'empty.txt'), '');
  });

  after(async () => {
    await server?.stop().catch(() => undefined);
  });

  it('backs up the live database online plus the media folder, verified', async () => {
    const before = dump(databasePath);
    const info = await createBackup({ ...paths(), reason: 'manual', keep: 5 });
    contentAtBackup = dump(databasePath);
    sameContent(contentAtBackup, before, 'nothing wrote during the backup, so its content is comparable');
    mediaAtBackup = tree(join(dataDir, 'media'));
    assert.equal(Object.keys(mediaAtBackup).length, 4);
    archive = join(backupsDir(dataDir), info.name);
    assert.ok(existsSync(archive));
    assert.equal(info.verified, true);
    assert.equal(info.reason, 'manual');
    assert.equal(info.mediaFiles, 4);
    assert.equal(info.instanceId, loadSettings(dataDir).instanceId);
    assert.equal(info.foreign, false);
    const listed = await listBackups(dataDir);
    assert.deepEqual(
      listed.map((b) => b.name),
      [info.name],
    );

    const manifest = await verifyBackup(archive, tmpdir(), knownMigrations);
    assert.equal(manifest.app, 'omnistream');
    assert.equal(manifest.formatVersion, 1);
    assert.deepEqual(manifest.database.migrations, [...knownMigrations], 'the schema version: every migration applied');
    assert.ok(manifest.members.every((m) => /^[0-9a-f]{64}$/.test(m.sha256)));
    assert.ok(manifest.members.some((m) => m.path === 'files/secrets.json'));
    // The manifest is the archive's first entry.
    const entries: string[] = [];
    await tar.t({
      file: archive,
      onReadEntry: (e) => {
        entries.push(e.path);
      },
    });
    assert.equal(entries[0], 'manifest.json');
    const scratch = mkdtempSync(join(tmpdir(), 'inspect-'));
    await tar.x({ file: archive, cwd: scratch });
    dbBytesInArchive = readFileSync(join(scratch, 'database.db'));
    sameContent(dump(join(scratch, 'database.db')), contentAtBackup);
  });

  it('refuses to restore under a running server', async () => {
    assert.ok(existsSync(serverPidFile(dataDir)), 'the server wrote its pid file');
    await rejects(restoreBackup(archive, paths()), 'server-running', /stop it before restoring/);
    // Keep the archive outside the data dir: stopping the test server deletes the data dir.
    const keep = mkdtempSync(join(tmpdir(), 'kept-'));
    cpSync(archive, join(keep, 'backup.tar.gz'));
    archive = join(keep, 'backup.tar.gz');
    await server.stop();
  });

  it('restores a wiped installation byte for byte', async () => {
    // Stopping the test server deleted its whole data dir: database, media, secrets, settings.
    assert.equal(existsSync(dataDir), false);
    mkdirSync(dataDir, { recursive: true });
    assert.equal(existsSync(databasePath), false);
    assert.deepEqual(tree(join(dataDir, 'media')), {});

    const result = await restoreBackup(archive, paths());
    assert.equal(result.safetyBackup, null, 'nothing to save before restoring into an empty data dir');
    sameContent(dump(databasePath), contentAtBackup, 'every row of every table is back');
    assert.ok(readFileSync(databasePath).equals(dbBytesInArchive), 'the database file is the archived snapshot, byte for byte');
    assert.deepEqual(tree(join(dataDir, 'media')), mediaAtBackup, 'every media file is back, byte for byte');
    assert.equal(statSync(join(dataDir, 'media', 'tenant-b', 'empty.txt')).size, 0);
    assert.ok(existsSync(join(dataDir, 'secrets.json')));
    assert.equal(loadSettings(dataDir).instanceId, result.restored.instanceId);
  });

  it('restores over changed data, keeping a safety backup of what it replaced', async () => {
    const db = new Database(databasePath);
    db.prepare("UPDATE tenants SET name = 'Changed'").run();
    db.close();
    writeFileSync(join(dataDir, 'media', 'tenant-a', 'voice.ogg'), 'overwritten');
    writeFileSync(join(dataDir, 'media', 'new-file.bin'), randomBytes(10));
    const changed = dump(databasePath);
    const result = await restoreBackup(archive, paths());
    sameContent(dump(databasePath), contentAtBackup);
    assert.deepEqual(tree(join(dataDir, 'media')), mediaAtBackup);
    assert.ok(result.safetyBackup);
    assert.equal(result.safetyBackup.reason, 'pre-restore');
    // The safety backup holds the replaced data.
    const scratch = mkdtempSync(join(tmpdir(), 'safety-'));
    await tar.x({ file: join(backupsDir(dataDir), result.safetyBackup.name), cwd: scratch });
    sameContent(dump(join(scratch, 'database.db')), changed);
  });

  it('refuses a truncated or damaged backup with a clear reason, leaving the data as it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bad-'));
    const size = statSync(archive).size;
    for (const [label, keep] of [
      ['half', Math.floor(size / 2)],
      ['last bytes', size - 6],
      ['header only', 100],
    ] as const) {
      const cut = join(dir, `${label}.tar.gz`);
      cpSync(archive, cut);
      truncateSync(cut, keep);
      await rejects(restoreBackup(cut, paths()), 'corrupt', /damaged or truncated|incomplete|damaged/);
    }
    const empty = join(dir, 'empty.tar.gz');
    writeFileSync(empty, '');
    await rejects(restoreBackup(empty, paths()), 'corrupt', /empty/);
    // A flipped byte in the middle: gzip's CRC or the member checksum catches it.
    const flipped = join(dir, 'flipped.tar.gz');
    const bytes = readFileSync(archive);
    bytes[Math.floor(bytes.length * 0.6)] ^= 0xff;
    writeFileSync(flipped, bytes);
    await rejects(restoreBackup(flipped, paths()), 'corrupt', /damaged|truncated|checksum/);
    await rejects(restoreBackup(join(dir, 'missing.tar.gz'), paths()), 'not-found', /no file/);
    sameContent(dump(databasePath), contentAtBackup);
    assert.deepEqual(tree(join(dataDir, 'media')), mediaAtBackup);
  });

  it('refuses an archive that is not an OmniStream backup, or is from a newer version', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'other-'));
    writeFileSync(join(dir, 'notes.txt'), 'hello');
    await tar.c({ gzip: true, file: join(dir, 'other.tar.gz'), cwd: dir }, ['notes.txt']);
    await rejects(restoreBackup(join(dir, 'other.tar.gz'), paths()), 'not-omnistream', /not an OmniStream backup/);

    // The same backup, but its database has a migration this build does not know (checksums fixed up).
    const future = join(dir, 'future');
    mkdirSync(future);
    await tar.x({ file: archive, cwd: future });
    const db = new Database(join(future, 'database.db'));
    db.prepare('INSERT INTO migrations (timestamp, name) VALUES (?, ?)').run(4102444800000, 'Future4102444800000');
    db.close();
    const manifest = JSON.parse(readFileSync(join(future, 'manifest.json'), 'utf8'));
    for (const m of manifest.members) {
      const file = readFileSync(join(future, m.path));
      m.size = file.length;
      m.sha256 = createHash('sha256').update(file).digest('hex');
    }
    writeFileSync(join(future, 'manifest.json'), JSON.stringify(manifest));
    await tar.c({ gzip: true, file: join(dir, 'future.tar.gz'), cwd: future }, readdirSync(future));
    await rejects(restoreBackup(join(dir, 'future.tar.gz'), paths()), 'newer-version', /newer OmniStream.*Future4102444800000/);
    sameContent(dump(databasePath), contentAtBackup);
  });

  it('refuses a backup from another installation unless forced', async () => {
    const other = mkdtempSync(join(tmpdir(), 'other-install-'));
    const otherDb = join(other, 'omnistream.db');
    const otherPaths = { dataDir: other, databasePath: otherDb, appVersion: '0.1.0', knownMigrations };
    const mine = loadSettings(other).instanceId;
    const db = new Database(otherDb);
    db.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('other data');");
    db.close();
    await rejects(restoreBackup(archive, otherPaths), 'foreign', /another OmniStream installation/);
    await rejects(stageRestore(other, 'x.tar.gz', knownMigrations), 'not-found', /not a backup name/);
    assert.equal(dump(otherDb).includes('other data'), true, 'untouched');

    const result = await restoreBackup(archive, { ...otherPaths, force: true });
    sameContent(dump(otherDb), contentAtBackup);
    assert.deepEqual(tree(join(other, 'media')), mediaAtBackup);
    assert.notEqual(result.restored.instanceId, mine);
    assert.equal(loadSettings(other).instanceId, result.restored.instanceId, 'the installation takes over the restored identity');
    rmSync(other, { recursive: true, force: true });
  });

  it('stages a restore (as the API does) and applies it before the next start', async () => {
    const info = await createBackup({ ...paths(), reason: 'manual' });
    const db = new Database(databasePath);
    db.prepare("UPDATE tenants SET name = 'After the backup'").run();
    db.close();
    const staged = await stageRestore(dataDir, info.name, knownMigrations);
    assert.equal(pendingRestore(dataDir)?.name, info.name);
    assert.notEqual(dump(databasePath), contentAtBackup, 'staging changes nothing yet');
    const { applied, error } = await applyPendingRestore(paths());
    assert.equal(error, null);
    assert.equal(applied?.restored.createdAt, staged.createdAt);
    sameContent(dump(databasePath), contentAtBackup);
    assert.equal(pendingRestore(dataDir), null);
    assert.deepEqual(await applyPendingRestore(paths()), { applied: null, error: null }, 'nothing left to apply');
  });

  it('a staged restore whose file went bad is not applied: the data stays and the reason is kept', async () => {
    const info = await createBackup({ ...paths(), reason: 'manual' });
    await stageRestore(dataDir, info.name, knownMigrations);
    truncateSync(join(backupsDir(dataDir), info.name), 2000);
    const { applied, error } = await applyPendingRestore(paths());
    assert.equal(applied, null);
    assert.match(error ?? '', /damaged or truncated/);
    sameContent(dump(databasePath), contentAtBackup);
    assert.match(readFileSync(join(dataDir, 'restore-failed.json'), 'utf8'), /damaged or truncated/);
  });

  it('keeps only the newest N backups', async () => {
    for (const name of readdirSync(backupsDir(dataDir))) rmSync(join(backupsDir(dataDir), name), { recursive: true, force: true });
    const made = [];
    for (let i = 0; i < 4; i++)
      made.push(await createBackup({ ...paths(), reason: 'scheduled', keep: 2, now: () => new Date(Date.UTC(2024, 10, 20 + i, 2)) }));
    const names = (await listBackups(dataDir)).map((b) => b.name);
    assert.deepEqual(names, [made[3].name, made[2].name]);
    assert.equal(readdirSync(backupsDir(dataDir)).filter((n) => n.endsWith('.json')).length, 2, 'sidecars pruned too');
  });

  it('backs up before migrations that an update brings', async () => {
    assert.deepEqual(pendingMigrations(databasePath, knownMigrations), []);
    assert.equal(await backupBeforeMigrations(paths()), null);
    const db = new Database(databasePath);
    const last = db.prepare('SELECT name FROM migrations ORDER BY timestamp DESC LIMIT 1').get() as { name: string };
    db.prepare('DELETE FROM migrations WHERE name = ?').run(last.name);
    db.close();
    assert.deepEqual(pendingMigrations(databasePath, knownMigrations), [last.name]);
    const info = await backupBeforeMigrations(paths());
    assert.equal(info?.reason, 'pre-migration');
    assert.equal(info?.verified, true);
    assert.deepEqual(pendingMigrations(join(dataDir, 'none.db'), knownMigrations), [], 'a new installation has nothing to protect');
  });

  it('works from the command line: npm run backup, npm run restore -- FILE', () => {
    const run = (script: string, args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', `scripts/${script}.ts`, ...args], {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        encoding: 'utf8',
        env: { ...process.env, OMNISTREAM_DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
      });
    const expected = dump(databasePath);
    const backup = run('backup', ['--keep', '10']);
    assert.equal(backup.status, 0, backup.stderr);
    const written = /Backup written and verified in [\d.]+ s: (\S+\.tar\.gz)/.exec(backup.stdout)?.[1];
    assert.ok(written && existsSync(written), backup.stdout);
    const list = run('restore', ['--list']);
    assert.match(list.stdout, /-cli-/);
    const restored = run('restore', [written]);
    assert.equal(restored.status, 0, restored.stderr);
    assert.match(restored.stdout, /Restored .* into /);
    assert.ok(dump(databasePath) === expected, 'the command-line restore brought back the backed-up content');
    const cut = join(mkdtempSync(join(tmpdir(), 'cli-')), 'cut.tar.gz');
    cpSync(written, cut);
    truncateSync(cut, 500);
    const refused = run('restore', [cut]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /^Not restored: The backup file is damaged or truncated/);
    assert.equal(run('restore', []).status, 2, 'usage');
  });
});
