// The desktop window is the appliance's operator (DESIGN rule 12): backups, restore, the tunnel and
// the Meta verify token are its to manage, not any organization's. It proves that with a
// per-installation key the shell generates into the data dir (operator.key, 0600), passes to the
// server it starts (OMNISTREAM_OPERATOR_KEY) and adds to its own window's requests to that local
// server. The server accepts the key only from this computer (loopback, not forwarded by a proxy or
// the tunnel; server/core/auth/operator.ts). Plain Node: no Electron imports, so tests cover it.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const OPERATOR_KEY_FILE = 'operator.key';
/** The header the server reads (server/core/auth/operator.ts). */
export const OPERATOR_KEY_HEADER = 'X-OmniStream-Operator-Key';

/** Reads the installation's operator key from the data dir, generating it (0600) on first use. */
export function ensureOperatorKey(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, OPERATOR_KEY_FILE);
  if (existsSync(file)) {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) {
      tighten(file);
      return existing;
    }
  }
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  tighten(file);
  return key;
}

function tighten(file: string): void {
  try {
    chmodSync(file, 0o600);
  } catch {
    // Windows: the profile folder's ACL protects it
  }
}

/**
 * The header rewrite for the window's session (session.webRequest.onBeforeSendHeaders): requests to
 * the local server (exactly `origin`, e.g. http://127.0.0.1:3000) carry the key; any other request
 * never does, even if a page tried to set the header itself.
 */
export function operatorHeaders(origin: string, key: string) {
  const local = new URL(origin).origin;
  return (details: { url: string; requestHeaders: Record<string, string> }): Record<string, string> => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(details.requestHeaders)) {
      if (name.toLowerCase() !== OPERATOR_KEY_HEADER.toLowerCase()) headers[name] = value;
    }
    let target: string | null = null;
    try {
      target = new URL(details.url).origin;
    } catch {
      target = null;
    }
    if (target === local) headers[OPERATOR_KEY_HEADER] = key;
    return headers;
  };
}
