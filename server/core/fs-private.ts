// Files of the appliance are the owner's alone: the data dir and every folder in it 0700, the
// database (and its -wal/-shm), secrets.json, appliance.json, config.json, backups and media 0600,
// whatever umask the process was started with (umask only removes bits, so an explicit mode plus a
// chmod of what already existed is enough). On Windows chmod is a no-op and the profile folder's
// ACL protects the data.
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync, type WriteFileOptions } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** chmod that never fails (a file that vanished, a file system without modes). */
export function setMode(path: string, mode: number): void {
  try {
    chmodSync(path, mode);
  } catch {
    // gone, or not ours to change
  }
}

/** Creates a folder (and missing parents) 0700; an existing one is made 0700 too. */
export function privateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  setMode(path, PRIVATE_DIR_MODE);
}

export async function privateDirAsync(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  await chmod(path, PRIVATE_DIR_MODE).catch(() => undefined);
}

/** Writes a file readable by the owner only (also when it existed with a wider mode). */
export function writePrivateFile(path: string, data: string | Uint8Array, options: Omit<WriteFileOptions & object, 'mode'> = {}): void {
  writeFileSync(path, data, { ...options, mode: PRIVATE_FILE_MODE });
  setMode(path, PRIVATE_FILE_MODE);
}

/**
 * Makes an existing data dir private (installations from before this rule, a restored backup):
 * the folder, its top-level files (the database and its -wal/-shm, secrets.json, appliance.json,
 * config.json), every folder under it, and every file in backups/. Media files
 * keep their mode but sit in 0700 folders, which nobody else can enter; `deep` also fixes them.
 */
export function secureDataDir(dataDir: string, options: { deep?: boolean } = {}): void {
  if (!existsSync(dataDir)) return;
  setMode(dataDir, PRIVATE_DIR_MODE);
  const walk = (dir: string, filesToo: boolean) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        setMode(full, PRIVATE_DIR_MODE);
        walk(full, filesToo || entry.name === 'backups');
      } else if (entry.isFile() && filesToo) setMode(full, PRIVATE_FILE_MODE);
    }
  };
  for (const entry of readdirSync(dataDir, { withFileTypes: true })) {
    const full = join(dataDir, entry.name);
    if (entry.isDirectory()) {
      setMode(full, PRIVATE_DIR_MODE);
      walk(full, options.deep === true || entry.name === 'backups');
    } else if (entry.isFile()) setMode(full, PRIVATE_FILE_MODE); // the database (-wal, -shm), secrets, settings, config
  }
}
