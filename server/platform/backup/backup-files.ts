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
import { createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  copyFileSync,
  existsSync,
  linkSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import type Database from 'better-sqlite3';
import { SETTINGS_FILE } from '../appliance.settings.js';
import { lazy } from '../../core/lazy.js';
import { privateDir } from '../../core/fs-private.js';

/** tar, imported by the first backup, listing or restore (not at every start). */
export const loadTar = lazy(() => import('tar'));

export const BACKUP_APP = 'omnistream';
export const BACKUP_FORMAT_VERSION = 1;
export const BACKUP_NAME = /^omnistream-backup-\d{8}T\d{6}\d{3}Z-[a-z-]+-[0-9a-f]{4}\.tar\.gz$/;
export const DB_MEMBER = 'database.db';
export const COPIED_FILES = ['secrets.json', SETTINGS_FILE];

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
  /** Every migration this build knows (the composition root's schema): a backup with others is from a newer version. */
  knownMigrations: readonly string[];
}

export const backupsDir = (dataDir: string) => join(dataDir, 'backups');
export const mediaDir = (dataDir: string) => join(dataDir, 'media');
export const pendingFile = (dataDir: string) => join(dataDir, 'restore-pending.json');
export const serverPidFile = (dataDir: string) => join(dataDir, 'server.pid');

// ---- helpers ----------------------------------------------------------------------------------

export function sha256File(path: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolvePromise(hash.digest('hex')));
  });
}

/** Every regular file under dir, as posix paths relative to dir (symlinks are not followed). */
export function walkFiles(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walkFiles(full, base));
    else if (entry.isFile()) out.push(relative(base, full).split(sep).join(posix.sep));
  }
  return out.sort();
}

export function linkOrCopy(from: string, to: string): void {
  privateDir(dirname(to));
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

export function stamp(date: Date): string {
  return date.toISOString().replace(/[-:.]/g, '');
}

export function pidAlive(pid: number): boolean {
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
export async function withLock<T>(dataDir: string, work: () => Promise<T>): Promise<T> {
  const dir = backupsDir(dataDir);
  privateDir(dir);
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
export function appliedMigrations(db: Database.Database): string[] {
  const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'migrations'").get();
  if (!table) return [];
  return (db.prepare('SELECT name FROM migrations ORDER BY timestamp').all() as { name: string }[]).map((r) => r.name);
}
