// Restoring: offline (the CLI, the server stopped) or staged from the API and applied before the
// database opens on the next start; and the safety backup taken before an update's migrations.
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { hasSettings, loadSettings } from '../appliance.settings.js';
import {
  appliedMigrations,
  BackupRejectedError,
  backupsDir,
  COPIED_FILES,
  DB_MEMBER,
  mediaDir,
  pendingFile,
  runningServerPid,
  walkFiles,
  withLock,
  type BackupInfo,
  type BackupManifest,
  type DataPaths,
} from './backup-files.js';
import { createBackup, createBackupUnlocked, backupPath } from './backup-create.js';
import { inspectArchive, verifyBackup } from './backup-verify.js';
import { privateDir, secureDataDir, writePrivateFile } from '../../core/fs-private.js';

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
  privateDir(backupsDir(dataDir));
  return withLock(dataDir, async () => {
    const { manifest, dir } = await inspectArchive(resolve(archive), backupsDir(dataDir), options.knownMigrations);
    try {
      const current = hasSettings(dataDir) ? loadSettings(dataDir).instanceId : null;
      if (current && current !== manifest.instanceId && !options.force)
        throw new BackupRejectedError('foreign', foreignReason(manifest, current));
      const safetyBackup =
        options.safetyBackup !== false && existsSync(databasePath)
          ? await createBackupUnlocked({
              dataDir,
              databasePath,
              knownMigrations: options.knownMigrations,
              appVersion: options.appVersion,
              reason: 'pre-restore',
            })
          : null;
      // The database: remove the old file and its WAL/SHM, then move the verified copy in.
      privateDir(dirname(databasePath));
      for (const suffix of ['-wal', '-shm', '-journal', '']) rmSync(databasePath + suffix, { force: true });
      moveFile(join(dir, DB_MEMBER), databasePath);
      // Media: swap folders, then drop the old one.
      const media = mediaDir(dataDir);
      const old = `${media}.replaced-${randomBytes(4).toString('hex')}`;
      if (existsSync(media)) renameSync(media, old);
      const restoredMedia = join(dir, 'media');
      if (existsSync(restoredMedia)) moveDir(restoredMedia, media);
      else privateDir(media);
      rmSync(old, { recursive: true, force: true });
      // Secrets (to decrypt stored channel credentials) and the installation's settings and identity.
      for (const f of COPIED_FILES) {
        const from = join(dir, 'files', f);
        if (existsSync(from)) moveFile(from, join(dataDir, f));
      }
      // Whatever modes the archive carried, the restored data is the owner's alone.
      secureDataDir(dataDir, { deep: true });
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
      privateDir(dirname(target));
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
export async function stageRestore(
  dataDir: string,
  name: string,
  knownMigrations: readonly string[],
  options: { force?: boolean; now?: Date } = {},
): Promise<PendingRestore> {
  const archive = backupPath(dataDir, name);
  const manifest = await verifyBackup(archive, backupsDir(dataDir), knownMigrations);
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
  writePrivateFile(pendingFile(dataDir), JSON.stringify(pending, null, 2));
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
    writePrivateFile(
      join(options.dataDir, 'restore-failed.json'),
      JSON.stringify({ ...pending, failedAt: new Date().toISOString(), error }, null, 2),
    );
    return { applied: null, error };
  }
}

// ---- before migrations (after an update) -------------------------------------------------------

/** Migrations this build would run on the database at start (none for a new, empty database). */
export function pendingMigrations(databasePath: string, knownMigrations: readonly string[]): string[] {
  if (!existsSync(databasePath) || statSync(databasePath).size === 0) return [];
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    const applied = new Set(appliedMigrations(db));
    if (applied.size === 0) return [];
    return knownMigrations.filter((n) => !applied.has(n));
  } finally {
    db.close();
  }
}

/** After an update: if the new version will migrate the database, back it up first. */
export async function backupBeforeMigrations(options: DataPaths & { appVersion: string }): Promise<BackupInfo | null> {
  const pending = pendingMigrations(options.databasePath, options.knownMigrations);
  if (pending.length === 0) return null;
  return createBackup({ ...options, reason: 'pre-migration' });
}
