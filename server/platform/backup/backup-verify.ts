// Reading a backup back completely: every member's checksum, nothing unlisted, the database's
// integrity and no migration this build does not know. Restores and new backups both go through it.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import {
  appliedMigrations,
  BACKUP_APP,
  BACKUP_FORMAT_VERSION,
  BackupRejectedError,
  DB_MEMBER,
  loadTar,
  sha256File,
  walkFiles,
  type BackupManifest,
} from './backup-files.js';
import { privateDir } from '../../core/fs-private.js';

export interface Inspected {
  manifest: BackupManifest;
  /** The archive extracted and verified, ready to move into place. */
  dir: string;
}

/**
 * Extracts an archive into a scratch folder under `scratchParent` and checks it completely:
 * readable to the end, an OmniStream manifest, every member present with its size and sha256,
 * nothing else, the database passing integrity_check and no migration this build does not know.
 */
export async function inspectArchive(archive: string, scratchParent: string, knownMigrations: readonly string[]): Promise<Inspected> {
  if (!existsSync(archive)) throw new BackupRejectedError('not-found', `There is no file at ${archive}`);
  if (statSync(archive).size === 0) throw new BackupRejectedError('corrupt', 'The backup file is empty');
  const dir = join(scratchParent, `.inspect-${randomBytes(6).toString('hex')}`);
  privateDir(dir);
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
      const known = new Set(knownMigrations);
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
export async function verifyBackup(archive: string, scratchParent: string, knownMigrations: readonly string[]): Promise<BackupManifest> {
  const { manifest, dir } = await inspectArchive(resolve(archive), scratchParent, knownMigrations);
  rmSync(dir, { recursive: true, force: true });
  return manifest;
}
