// Local file storage under DATA_DIR/media. Keys are relative paths that the server generates
// (`<tenantId>/<yyyy-mm>/<id><ext>`), never user input; every key is still checked so that
// no key can reach outside the media folder.
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, open, readFile as fsReadFile, rename, stat, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, resolve, sep } from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../fs-private.js';

export const MEDIA_FOLDER = 'media';

/** The folder all stored files live under. */
export function storageRoot(dataDir: string): string {
  return resolve(dataDir, MEDIA_FOLDER);
}

// Segments of letters, digits, '.', '_' and '-', not starting with a dot: no '..', no absolute
// paths, no backslashes, no empty segments.
const KEY = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;

export function isStorageKey(key: string): boolean {
  return key.length <= 500 && KEY.test(key);
}

/** The absolute path of a key; throws for anything that is not a well-formed key inside the root. */
export function storagePath(dataDir: string, key: string): string {
  const root = storageRoot(dataDir);
  const path = resolve(root, key);
  if (!isStorageKey(key) || !path.startsWith(root + sep)) throw new Error(`Invalid storage key: ${JSON.stringify(key)}`);
  return path;
}

/** `<tenantId>/<yyyy-mm>/<id><ext>` (UTC month); ext like ".jpg", dropped unless it is a short alphanumeric one. */
export function newStorageKey(tenantId: string, id: string, ext = '', now: Date = new Date()): string {
  const month = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  const safeExt = /^\.[a-z0-9]{1,10}$/i.test(ext) ? ext.toLowerCase() : '';
  const key = `${tenantId}/${month}/${id}${safeExt}`;
  if (!isStorageKey(key)) throw new Error(`Invalid storage key parts: ${JSON.stringify({ tenantId, id })}`);
  return key;
}

/** Writes atomically: a temp file beside the target, flushed, then renamed over it. */
export async function saveFile(dataDir: string, key: string, bytes: Uint8Array): Promise<void> {
  const path = storagePath(dataDir, key);
  await mkdir(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'wx', PRIVATE_FILE_MODE);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

export interface StoredFile {
  path: string;
  size: number;
  /** A stream over the bytes; it closes the file when it ends or is destroyed. */
  stream(): ReadStream;
}

/** The stored file, or null when it does not exist. */
export async function openFile(dataDir: string, key: string): Promise<StoredFile | null> {
  const path = storagePath(dataDir, key);
  try {
    const info = await stat(path);
    if (!info.isFile()) return null;
    return { path, size: info.size, stream: () => createReadStream(path) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** The stored bytes, or null when the file does not exist. */
export async function readFile(dataDir: string, key: string): Promise<Buffer | null> {
  try {
    return await fsReadFile(storagePath(dataDir, key));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Removes a stored file; a file that is already gone is not an error. */
export async function removeFile(dataDir: string, key: string): Promise<void> {
  try {
    await unlink(storagePath(dataDir, key));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Root and relative path of a (checked) key, for serving it with res.sendFile(path, { root }). */
export function storageFile(dataDir: string, key: string): { root: string; path: string } {
  storagePath(dataDir, key);
  return { root: storageRoot(dataDir), path: key };
}
