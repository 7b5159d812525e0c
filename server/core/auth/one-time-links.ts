// The one mechanism behind every one-time password link (a tenant user's reset or first password in
// modules/agents, a super-admin's reset in modules/super-admin): a random 256-bit token handed out
// once, of which only the SHA-256 hash is stored; a link is used once and expires.
import { createHash, randomBytes } from 'node:crypto';

/** The hash stored for a token (hex, 64 characters). */
export const hashLinkToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** A new token and the hash to store for it. */
export function newLinkToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, tokenHash: hashLinkToken(token) };
}

/** Whether a string could be a token at all (checked before any lookup). */
export const looksLikeLinkToken = (token: string): boolean => /^[A-Za-z0-9_-]{20,100}$/.test(token);
