// Backups of the appliance: an online SQLite backup (a consistent snapshot while the server runs)
// plus the media folder, the secrets and the appliance settings, packed into one .tar.gz in
// DATA_DIR/backups with a manifest (app, format version, instance id, created time, size and
// sha256 of every member). Each backup is verified after it is written: read back, every
// member's hash checked, and `PRAGMA integrity_check` run on the database inside it.
//
// Restore replaces the database, the media folder, secrets.json and appliance.json with a
// backup's, after the same verification. It refuses a damaged or truncated archive, a backup of
// a newer schema, and (unless forced) a backup from another installation. It must not run under
// a live server: the CLI refuses while the server's pid file names a live process, and the API
// only stages a restore that is applied before the database is opened on the next start.
import { createHash, randomBytes } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  closeSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  copyFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import Database from 'better-sqlite3';
import { migrations } from '../../db/migrations/index.js';
import { hasSettings, loadSettings, SETTINGS_FILE } from './appliance.settings.js';
import { lazy } from '../../core/lazy.js';

/** tar, imported by the first backup, listing or restore (not at every start). */
const loadTar = lazy(() => import('tar'));

export const BACKUP_APP = 'omnistream';
export const BACKUP_FORMAT_VERSION = 1;
export const BACKUP_NAME = /^omnistream-backup-\d{8}T\d{6}\d{3}Z-[a-z-]+-[0-9a-f]{4}\.tar\.gz$/;
const DB_MEMBER = 'database.db';
const COPIED_FILES = ['secrets.json', SETTINGS_FILE];

export type BackupReason = 'manual' | 'scheduled' | 'cli' | 'pre-restore' | 'pre-migration' | 'catch-up';

export interface ManifestMember {
  path: string;
  size: number;
  sha256: string;
}

export interface BackupManifest {
  app: typeof BACKUP_APP;
  formatVersion: number;
  appVersion: string;
  instanceId: string;
  createdAt: string;
  reason: BackupReason;
  database: { path: string; migrations: string[]; integrity: 'ok' };
  members: ManifestMember[];
}

export interface BackupInfo {
  name: string;
  size: number;
  createdAt: string;
  reason: string;
  appVersion: string;
  instanceId: string;
  /** Made by another installation (restoring it needs force). */
  foreign: boolean;
  mediaFiles: number;
  databaseBytes: number;
  /** Verified right after it was written (null: not known, e.g. a file copied in by hand). */
  verified: boolean | null;
  verifiedAt: string | null;
}

/** A backup that cannot be restored; `code` says why in a word, the message in a sentence. */
export class BackupRejectedError extends Error {
  constructor(
    readonly code: 'not-found' | 'corrupt' | 'not-omnistream' | 'newer-version' | 'foreign' | 'server-running' | 'busy',
    message: string,
  ) {
    super(message);
  }
}

export interface DataPaths {
  dataDir: string;
  databasePath: string;
}

export const backupsDir = (dataDir: string) => join(dataDir, 'backups');
export const mediaDir = (dataDir: string) => join(dataDir, 'media');
const pendingFile = (dataDir: string) => join(dataDir, 'restore-pending.json');
export const serverPidFile = (dataDir: string) => join(dataDir, 'server.pid');

// ---- helpers ----------------------------------------------------------------------------------

function sha256File(path: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolvePromise(hash.digest('hex')));
  });
}

/** Every regular file under dir, as posix paths relative to dir (symlinks are not followed). */
function walkFiles(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walkFiles(full, base));
    else if (entry.isFile()) out.push(relative(base, full).split(sep).join(posix.sep));
  }
  return out.sort();
}

function linkOrCopy(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

function stamp(date: Date): string {
  return date.toISOString().replace(/[-:.]/g, '');
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The server's pid when one is running on this data dir (its pid file names a live process). */
export function runningServerPid(dataDir: string): number | null {
  const file = serverPidFile(dataDir);
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && pidAlive(pid) ? pid : null;
}

// One backup or restore at a time per data dir, across processes (the CLI beside a running server).
async function withLock<T>(dataDir: string, work: () => Promise<T>): Promise<T> {
  const dir = backupsDir(dataDir);
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, '.lock');
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const text = readFileSync(lock, 'utf8').trim();
      const holder = Number(text);
      const stale = text ? !pidAlive(holder) : Date.now() - statSync(lock).mtimeMs > 10_000;
      if (stale && attempt < 3) {
        rmSync(lock, { force: true }); // left by a process that died
        continue;
      }
      throw new BackupRejectedError('busy', 'Another backup or restore is running; try again when it has finished');
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** Names of the migrations recorded in a database (empty when it has none). */
function appliedMigrations(db: Database.Database): string[] {
  const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'migrations'").get();
  if (!table) return [];
  return (db.prepare('SELECT name FROM migrations ORDER BY timestamp').all() as { name: string }[]).map((r) => r.name);
}

const knownMigrations = (): string[] => migrations.map((M) => new M().name ?? M.name);

// ---- create -----------------------------------------------------------------------------------

export interface CreateBackupOptions extends DataPaths {
  appVersion: string;
  reason: BackupReason;
  /** Keep this many backups; older ones are deleted after this one verifies. Safety backups never prune. */
  keep?: number;
  now?: () => Date;
}

export async function createBackup(options: CreateBackupOptions): Promise<BackupInfo> {
  return withLock(options.dataDir, () => createBackupUnlocked(options));
}

async function createBackupUnlocked(options: CreateBackupOptions): Promise<BackupInfo> {
  const { dataDir, databasePath } = options;
  if (!existsSync(databasePath)) throw new Error(`There is no database to back up at ${databasePath}`);
  const now = (options.now ?? (() => new Date()))();
  const dir = backupsDir(dataDir);
  const name = `omnistream-backup-${stamp(now)}-${options.reason}-${randomBytes(2).toString('hex')}.tar.gz`;
  const staging = join(dir, `.staging-${randomBytes(6).toString('hex')}`);
  mkdirSync(staging, { recursive: true });
  const archive = join(dir, name);
  try {
    // 1. The database: SQLite's online backup API gives a consistent snapshot while the server writes.
    const stagedDb = join(staging, DB_MEMBER);
    const source = new Database(databasePath, { readonly: true, fileMustExist: true });
    try {
      await source.backup(stagedDb);
    } finally {
      source.close();
    }
    let dbMigrations: string[];
    const copy = new Database(stagedDb);
    try {
      copy.pragma('journal_mode = DELETE'); // one self-contained file, no -wal beside it
      const integrity = copy.pragma('integrity_check', { simple: true });
      if (integrity !== 'ok') throw new Error(`The database copy failed its integrity check: ${integrity}`);
      dbMigrations = appliedMigrations(copy);
    } finally {
      copy.close();
    }
    // 2. Media (hard links: no second copy on disk), secrets and appliance settings.
    const media = walkFiles(mediaDir(dataDir));
    for (const rel of media) linkOrCopy(join(mediaDir(dataDir), ...rel.split('/')), join(staging, 'media', ...rel.split('/')));
    const copied = COPIED_FILES.filter((f) => existsSync(join(dataDir, f)));
    mkdirSync(join(staging, 'files'), { recursive: true });
    for (const f of copied) copyFileSync(join(dataDir, f), join(staging, 'files', f));
    const memberPaths = [DB_MEMBER, ...copied.map((f) => `files/${f}`), ...media.map((m) => `media/${m}`)];
    const members: ManifestMember[] = [];
    for (const path of memberPaths) {
      const full = join(staging, ...path.split('/'));
      members.push({ path, size: statSync(full).size, sha256: await sha256File(full) });
    }
    const manifest: BackupManifest = {
      app: BACKUP_APP,
      formatVersion: BACKUP_FORMAT_VERSION,
      appVersion: options.appVersion,
      instanceId: loadSettings(dataDir).instanceId,
      createdAt: now.toISOString(),
      reason: options.reason,
      database: { path: DB_MEMBER, migrations: dbMigrations, integrity: 'ok' },
      members,
    };
    writeFileSync(join(staging, 'manifest.json'), JSON.stringify(manifest, null, 2));
    // 3. Pack (manifest first, so listing reads only the archive's start), then publish by rename.
    const partial = `${archive}.partial`;
    const tar = await loadTar();
    await tar.c({ gzip: true, file: partial, cwd: staging, portable: true }, ['manifest.json', ...memberPaths]);
    renameSync(partial, archive);
    // 4. Verify what was written, as a restore would read it.
    let inspected: Inspected;
    try {
      inspected = await inspectArchive(archive, dir);
    } catch (err) {
      rmSync(archive, { force: true });
      throw new Error(`The new backup failed verification and was deleted: ${(err as Error).message}`);
    }
    rmSync(inspected.dir, { recursive: true, force: true });
    const info = describe(name, statSync(archive).size, manifest, manifest.instanceId, {
      verified: true,
      verifiedAt: new Date().toISOString(),
    });
    writeFileSync(sidecar(archive), JSON.stringify({ ...info, foreign: undefined }, null, 2));
    if (options.keep && options.reason !== 'pre-restore' && options.reason !== 'pre-migration') pruneBackups(dataDir, options.keep);
    return info;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(`${archive}.partial`, { force: true });
  }
}

const sidecar = (archive: string) => archive.replace(/\.tar\.gz$/, '.json');

function describe(
  name: string,
  size: number,
  m: BackupManifest,
  currentInstance: string | null,
  v: { verified: boolean | null; verifiedAt: string | null },
): BackupInfo {
  return {
    name,
    size,
    createdAt: m.createdAt,
    reason: m.reason,
    appVersion: m.appVersion,
    instanceId: m.instanceId,
    foreign: currentInstance !== null && m.instanceId !== currentInstance,
    mediaFiles: m.members.filter((x) => x.path.startsWith('media/')).length,
    databaseBytes: m.members.find((x) => x.path === m.database.path)?.size ?? 0,
    ...v,
  };
}

/** Deletes all but the newest `keep` backups (by creation time in their names). */
export function pruneBackups(dataDir: string, keep: number): string[] {
  const dir = backupsDir(dataDir);
  const names = existsSync(dir)
    ? readdirSync(dir)
        .filter((n) => BACKUP_NAME.test(n))
        .sort()
        .reverse()
    : [];
  const removed = names.slice(keep);
  for (const n of removed) {
    rmSync(join(dir, n), { force: true });
    rmSync(sidecar(join(dir, n)), { force: true });
  }
  return removed;
}

// ---- read -------------------------------------------------------------------------------------

export function backupPath(dataDir: string, name: string): string {
  if (!BACKUP_NAME.test(name)) throw new BackupRejectedError('not-found', `"${name}" is not a backup name`);
  const path = join(backupsDir(dataDir), name);
  if (!existsSync(path)) throw new BackupRejectedError('not-found', `There is no backup named ${name}`);
  return path;
}

async function readManifestOnly(archive: string): Promise<BackupManifest | null> {
  let text = '';
  const tar = await loadTar();
  try {
    await tar.t({
      file: archive,
      filter: (p) => p === 'manifest.json',
      onReadEntry: (entry) => {
        entry.on('data', (c: Buffer) => {
          text += c.toString('utf8');
        });
      },
    });
  } catch {
    // a damaged archive: the listing says so through verified=false below
  }
  try {
    return text ? (JSON.parse(text) as BackupManifest) : null;
  } catch {
    return null;
  }
}

export async function listBackups(dataDir: string): Promise<BackupInfo[]> {
  const dir = backupsDir(dataDir);
  if (!existsSync(dir)) return [];
  const current = hasSettings(dataDir) ? loadSettings(dataDir).instanceId : null;
  const out: BackupInfo[] = [];
  for (const name of readdirSync(dir)
    .filter((n) => BACKUP_NAME.test(n))
    .sort()
    .reverse()) {
    const archive = join(dir, name);
    const size = statSync(archive).size;
    if (existsSync(sidecar(archive))) {
      try {
        const saved = JSON.parse(readFileSync(sidecar(archive), 'utf8')) as BackupInfo;
        // A file whose size changed since it was verified is marked so (a restore checks it fully anyway).
        out.push({
          ...saved,
          name,
          size,
          verified: saved.size === size ? saved.verified : false,
          foreign: current !== null && saved.instanceId !== current,
        });
        continue;
      } catch {
        // fall through to the archive itself
      }
    }
    const manifest = await readManifestOnly(archive);
    if (manifest) out.push(describe(name, size, manifest, current, { verified: null, verifiedAt: null }));
    else
      out.push({
        name,
        size,
        createdAt: statSync(archive).mtime.toISOString(),
        reason: 'unknown',
        appVersion: 'unknown',
        instanceId: 'unknown',
        foreign: true,
        mediaFiles: 0,
        databaseBytes: 0,
        verified: false,
        verifiedAt: null,
      });
  }
  return out;
}

interface Inspected {
  manifest: BackupManifest;
  /** The archive extracted and verified, ready to move into place. */
  dir: string;
}

/**
 * Extracts an archive into a scratch folder under `scratchParent` and checks it completely:
 * readable to the end, an OmniStream manifest, every member present with its size and sha256,
 * nothing else, the database passing integrity_check and no migration this build does not know.
 */
async function inspectArchive(archive: string, scratchParent: string): Promise<Inspected> {
  if (!existsSync(archive)) throw new BackupRejectedError('not-found', `There is no file at ${archive}`);
  if (statSync(archive).size === 0) throw new BackupRejectedError('corrupt', 'The backup file is empty');
  const dir = join(scratchParent, `.inspect-${randomBytes(6).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  try {
    const entries: string[] = [];
    const tar = await loadTar();
    try {
      await tar.x({
        file: archive,
        cwd: dir,
        strict: true,
        onReadEntry: (e) => {
          entries.push(e.path);
        },
      });
    } catch (err) {
      throw new BackupRejectedError(
        'corrupt',
        `The backup file is damaged or truncated and cannot be read to the end (${(err as Error).message})`,
      );
    }
    const manifestPath = join(dir, 'manifest.json');
    if (!existsSync(manifestPath))
      throw new BackupRejectedError('not-omnistream', 'This file is not an OmniStream backup (it has no manifest.json)');
    let manifest: BackupManifest;
    try {
      manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    } catch {
      throw new BackupRejectedError('corrupt', "The backup's manifest.json is not valid JSON");
    }
    if (manifest?.app !== BACKUP_APP || !Array.isArray(manifest.members) || typeof manifest.instanceId !== 'string') {
      throw new BackupRejectedError('not-omnistream', 'This file is not an OmniStream backup (its manifest does not describe one)');
    }
    if (manifest.formatVersion > BACKUP_FORMAT_VERSION) {
      throw new BackupRejectedError(
        'newer-version',
        `This backup was made by a newer OmniStream (${manifest.appVersion}, backup format ${manifest.formatVersion}); update OmniStream first`,
      );
    }
    const listed = new Set(['manifest.json']);
    for (const m of manifest.members) {
      if (typeof m.path !== 'string' || m.path.split('/').includes('..') || m.path.startsWith('/')) {
        throw new BackupRejectedError('corrupt', `The manifest names an unsafe path: ${String(m.path)}`);
      }
      listed.add(m.path);
      const full = join(dir, ...m.path.split('/'));
      if (!existsSync(full)) throw new BackupRejectedError('corrupt', `The backup is incomplete: ${m.path} is missing`);
      const size = statSync(full).size;
      if (size !== m.size || (await sha256File(full)) !== m.sha256) {
        throw new BackupRejectedError('corrupt', `The backup is damaged: ${m.path} does not match its checksum`);
      }
    }
    const unexpected = walkFiles(dir).filter((p) => !listed.has(p));
    if (unexpected.length)
      throw new BackupRejectedError('corrupt', `The backup holds files its manifest does not list: ${unexpected.slice(0, 3).join(', ')}`);
    if (!manifest.members.some((m) => m.path === DB_MEMBER)) throw new BackupRejectedError('corrupt', 'The backup has no database');
    const dbFile = join(dir, DB_MEMBER);
    let db: Database.Database | undefined;
    try {
      db = new Database(dbFile, { readonly: true, fileMustExist: true });
      const integrity = db.pragma('integrity_check', { simple: true });
      if (integrity !== 'ok')
        throw new BackupRejectedError('corrupt', `The backup's database failed its integrity check: ${String(integrity).slice(0, 200)}`);
      const known = new Set(knownMigrations());
      const unknown = appliedMigrations(db).filter((n) => !known.has(n));
      if (unknown.length) {
        throw new BackupRejectedError(
          'newer-version',
          `This backup was made by a newer OmniStream (${manifest.appVersion}; its database has changes this version does not know: ${unknown.join(', ')}); update OmniStream first`,
        );
      }
    } catch (err) {
      if (err instanceof BackupRejectedError) throw err;
      throw new BackupRejectedError('corrupt', `The backup's database cannot be opened: ${(err as Error).message}`);
    } finally {
      db?.close();
    }
    return { manifest, dir };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Checks an archive without restoring it (same checks as restore). */
export async function verifyBackup(archive: string, scratchParent: string): Promise<BackupManifest> {
  const { manifest, dir } = await inspectArchive(resolve(archive), scratchParent);
  rmSync(dir, { recursive: true, force: true });
  return manifest;
}

// ---- restore ----------------------------------------------------------------------------------

export interface RestoreOptions extends DataPaths {
  appVersion: string;
  /** Restore a backup made by another installation (this one then takes over its identity). */
  force?: boolean;
  /** Take a backup of the current data first (default true), so a mistaken restore can be undone. */
  safetyBackup?: boolean;
}

export interface RestoreResult {
  restored: BackupManifest;
  /** The backup of the data that was replaced, if there was any. */
  safetyBackup: BackupInfo | null;
}

function foreignReason(manifest: BackupManifest, current: string): string {
  return `This backup was made by another OmniStream installation (instance ${manifest.instanceId}, ${manifest.createdAt}), not by this one (instance ${current}). Restoring it replaces everything here with that installation's data. Restore with force if that is what you want`;
}

export async function restoreBackup(archive: string, options: RestoreOptions): Promise<RestoreResult> {
  const { dataDir, databasePath } = options;
  const pid = runningServerPid(dataDir);
  if (pid)
    throw new BackupRejectedError('server-running', `The server is running (pid ${pid}) on this data folder; stop it before restoring`);
  mkdirSync(backupsDir(dataDir), { recursive: true });
  return withLock(dataDir, async () => {
    const { manifest, dir } = await inspectArchive(resolve(archive), backupsDir(dataDir));
    try {
      const current = hasSettings(dataDir) ? loadSettings(dataDir).instanceId : null;
      if (current && current !== manifest.instanceId && !options.force)
        throw new BackupRejectedError('foreign', foreignReason(manifest, current));
      const safetyBackup =
        options.safetyBackup !== false && existsSync(databasePath)
          ? await createBackupUnlocked({ dataDir, databasePath, appVersion: options.appVersion, reason: 'pre-restore' })
          : null;
      // The database: remove the old file and its WAL/SHM, then move the verified copy in.
      mkdirSync(dirname(databasePath), { recursive: true });
      for (const suffix of ['-wal', '-shm', '-journal', '']) rmSync(databasePath + suffix, { force: true });
      moveFile(join(dir, DB_MEMBER), databasePath);
      // Media: swap folders, then drop the old one.
      const media = mediaDir(dataDir);
      const old = `${media}.replaced-${randomBytes(4).toString('hex')}`;
      if (existsSync(media)) renameSync(media, old);
      const restoredMedia = join(dir, 'media');
      if (existsSync(restoredMedia)) moveDir(restoredMedia, media);
      else mkdirSync(media, { recursive: true });
      rmSync(old, { recursive: true, force: true });
      // Secrets (to decrypt stored channel credentials) and the installation's settings and identity.
      for (const f of COPIED_FILES) {
        const from = join(dir, 'files', f);
        if (existsSync(from)) moveFile(from, join(dataDir, f));
      }
      return { restored: manifest, safetyBackup };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

function moveFile(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch {
    copyFileSync(from, to);
    unlinkSync(from);
  }
}

function moveDir(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch {
    for (const rel of walkFiles(from)) {
      const target = join(to, ...rel.split('/'));
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(join(from, ...rel.split('/')), target);
    }
  }
}

// ---- staged restore (from the API) -------------------------------------------------------------

export interface PendingRestore {
  name: string;
  archive: string;
  force: boolean;
  stagedAt: string;
  createdAt: string;
  instanceId: string;
}

/**
 * Verifies a backup completely (as a restore would) and records it to be restored before the
 * database is opened on the next start. The running server keeps serving until then.
 */
export async function stageRestore(dataDir: string, name: string, options: { force?: boolean; now?: Date } = {}): Promise<PendingRestore> {
  const archive = backupPath(dataDir, name);
  const manifest = await verifyBackup(archive, backupsDir(dataDir));
  const current = hasSettings(dataDir) ? loadSettings(dataDir).instanceId : null;
  if (current && current !== manifest.instanceId && !options.force)
    throw new BackupRejectedError('foreign', foreignReason(manifest, current));
  const pending: PendingRestore = {
    name,
    archive,
    force: options.force === true,
    stagedAt: (options.now ?? new Date()).toISOString(),
    createdAt: manifest.createdAt,
    instanceId: manifest.instanceId,
  };
  writeFileSync(pendingFile(dataDir), JSON.stringify(pending, null, 2));
  return pending;
}

export function pendingRestore(dataDir: string): PendingRestore | null {
  const file = pendingFile(dataDir);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PendingRestore;
  } catch {
    return null;
  }
}

export function cancelPendingRestore(dataDir: string): boolean {
  const had = existsSync(pendingFile(dataDir));
  rmSync(pendingFile(dataDir), { force: true });
  return had;
}

/**
 * Applies a staged restore; call before the database is opened. On failure the current data is
 * left as it was, the reason is kept in restore-failed.json, and the server starts normally.
 */
export async function applyPendingRestore(
  options: DataPaths & { appVersion: string },
): Promise<{ applied: RestoreResult | null; error: string | null }> {
  const pending = pendingRestore(options.dataDir);
  if (!pending) {
    if (existsSync(pendingFile(options.dataDir))) rmSync(pendingFile(options.dataDir));
    return { applied: null, error: null };
  }
  rmSync(pendingFile(options.dataDir), { force: true });
  try {
    const applied = await restoreBackup(pending.archive, { ...options, force: pending.force });
    rmSync(join(options.dataDir, 'restore-failed.json'), { force: true });
    return { applied, error: null };
  } catch (err) {
    const error = (err as Error).message;
    writeFileSync(
      join(options.dataDir, 'restore-failed.json'),
      JSON.stringify({ ...pending, failedAt: new Date().toISOString(), error }, null, 2),
    );
    return { applied: null, error };
  }
}

// ---- before migrations (after an update) -------------------------------------------------------

/** Migrations this build would run on the database at start (none for a new, empty database). */
export function pendingMigrations(databasePath: string): string[] {
  if (!existsSync(databasePath) || statSync(databasePath).size === 0) return [];
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    const applied = new Set(appliedMigrations(db));
    if (applied.size === 0) return [];
    return knownMigrations().filter((n) => !applied.has(n));
  } finally {
    db.close();
  }
}

/** After an update: if the new version will migrate the database, back it up first. */
export async function backupBeforeMigrations(options: DataPaths & { appVersion: string }): Promise<BackupInfo | null> {
  const pending = pendingMigrations(options.databasePath);
  if (pending.length === 0) return null;
  return createBackup({ ...options, reason: 'pre-migration' });
}
