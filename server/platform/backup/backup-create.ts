// Creating backups: an online SQLite snapshot, media, secrets and settings packed with a manifest,
// then read back and verified before the older ones are pruned; and listing what is there.
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { hasSettings, loadSettings } from '../appliance.settings.js';
import {
  appliedMigrations,
  BACKUP_APP,
  BACKUP_FORMAT_VERSION,
  BACKUP_NAME,
  BackupRejectedError,
  backupsDir,
  COPIED_FILES,
  DB_MEMBER,
  linkOrCopy,
  loadTar,
  mediaDir,
  sha256File,
  stamp,
  walkFiles,
  withLock,
  type BackupInfo,
  type BackupManifest,
  type BackupReason,
  type DataPaths,
  type ManifestMember,
} from './backup-files.js';
import { inspectArchive, type Inspected } from './backup-verify.js';
import { PRIVATE_FILE_MODE, privateDir, setMode, writePrivateFile } from '../../core/fs-private.js';

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

export async function createBackupUnlocked(options: CreateBackupOptions): Promise<BackupInfo> {
  const { dataDir, databasePath } = options;
  if (!existsSync(databasePath)) throw new Error(`There is no database to back up at ${databasePath}`);
  const now = (options.now ?? (() => new Date()))();
  const dir = backupsDir(dataDir);
  const name = `omnistream-backup-${stamp(now)}-${options.reason}-${randomBytes(2).toString('hex')}.tar.gz`;
  const staging = join(dir, `.staging-${randomBytes(6).toString('hex')}`);
  privateDir(staging);
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
    privateDir(join(staging, 'files'));
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
    writePrivateFile(join(staging, 'manifest.json'), JSON.stringify(manifest, null, 2));
    // 3. Pack (manifest first, so listing reads only the archive's start), then publish by rename.
    const partial = `${archive}.partial`;
    const tar = await loadTar();
    await tar.c({ gzip: true, file: partial, cwd: staging, portable: true }, ['manifest.json', ...memberPaths]);
    renameSync(partial, archive);
    setMode(archive, PRIVATE_FILE_MODE);
    // 4. Verify what was written, as a restore would read it.
    let inspected: Inspected;
    try {
      inspected = await inspectArchive(archive, dir, options.knownMigrations);
    } catch (err) {
      rmSync(archive, { force: true });
      throw new Error(`The new backup failed verification and was deleted: ${(err as Error).message}`);
    }
    rmSync(inspected.dir, { recursive: true, force: true });
    const info = describe(name, statSync(archive).size, manifest, manifest.instanceId, {
      verified: true,
      verifiedAt: new Date().toISOString(),
    });
    writePrivateFile(sidecar(archive), JSON.stringify({ ...info, foreign: undefined }, null, 2));
    if (options.keep && options.reason !== 'pre-restore' && options.reason !== 'pre-migration') pruneBackups(dataDir, options.keep);
    return info;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(`${archive}.partial`, { force: true });
  }
}

export const sidecar = (archive: string) => archive.replace(/\.tar\.gz$/, '.json');

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
