import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// Keys look like osk_<12 hex>_<secret>; the first part is a lookup prefix, safe to show in lists.
export const API_KEY_PATTERN = /^(osk_[0-9a-f]{12})_[A-Za-z0-9_-]{32,}$/;

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const prefix = `osk_${randomBytes(6).toString('hex')}`;
  const key = `${prefix}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix, hash: hashApiKey(key) };
}

export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export function apiKeyMatches(key: string, storedHash: string): boolean {
  const a = Buffer.from(hashApiKey(key), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
