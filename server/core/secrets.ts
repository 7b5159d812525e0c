// Secrets that are not configured are generated on first start and kept in the data dir.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface Secrets {
  jwtSecret: string;
  encryptionKey: string;
}

export function loadSecrets(dataDir: string): Secrets {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'secrets.json');
  const existing: Partial<Secrets> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const secrets: Secrets = {
    jwtSecret: existing.jwtSecret ?? randomBytes(48).toString('base64url'),
    encryptionKey: existing.encryptionKey ?? randomBytes(32).toString('base64'),
  };
  if (secrets.jwtSecret !== existing.jwtSecret || secrets.encryptionKey !== existing.encryptionKey) {
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets;
}
