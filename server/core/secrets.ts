// Secrets that are not configured are generated on first start and kept in the data dir.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PRIVATE_FILE_MODE, privateDir, setMode, writePrivateFile } from './fs-private.js';

export interface Secrets {
  jwtSecret: string;
  encryptionKey: string;
}

export function loadSecrets(dataDir: string): Secrets {
  privateDir(dataDir);
  const file = join(dataDir, 'secrets.json');
  const existing: Partial<Secrets> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const secrets: Secrets = {
    jwtSecret: existing.jwtSecret ?? randomBytes(48).toString('base64url'),
    encryptionKey: existing.encryptionKey ?? randomBytes(32).toString('base64'),
  };
  if (secrets.jwtSecret !== existing.jwtSecret || secrets.encryptionKey !== existing.encryptionKey) {
    writePrivateFile(file, JSON.stringify(secrets, null, 2));
  } else setMode(file, PRIVATE_FILE_MODE);
  return secrets;
}
