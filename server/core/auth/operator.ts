// The appliance's operator (DESIGN rule 12): appliance-wide operations (backups, restore, tunnel,
// the Meta verify token, LAN info) belong to a super-admin, or to the desktop window on the same
// PC. The desktop shell proves it is that window with a per-installation operator key it generated
// into the data dir (mode 0600), passed to the server it forked (OMNISTREAM_OPERATOR_KEY) and adds
// to its window's requests to the local server. Loopback alone proves nothing (an organization's
// owner browsing on the office PC is loopback too), and the key alone is not enough either: it is
// accepted only on a connection from this computer that no proxy or tunnel forwarded.
import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import ipaddr from 'ipaddr.js';

/** The header the desktop shell's main process adds to its window's requests. */
export const OPERATOR_KEY_HEADER = 'x-omnistream-operator-key';

/** Headers a reverse proxy or tunnel adds: a request carrying one was forwarded from elsewhere. */
const FORWARDING_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip', 'cf-connecting-ip', 'true-client-ip', 'x-forwarded-host'];

/** Set on requests that arrived through the public (tunnel) listener: never "this computer". */
const PUBLIC_INGRESS = Symbol.for('omnistream.publicIngress');

export function markPublicIngress(req: IncomingMessage): void {
  (req as unknown as Record<symbol, boolean>)[PUBLIC_INGRESS] = true;
}

export function cameThroughPublicIngress(req: IncomingMessage): boolean {
  return (req as unknown as Record<symbol, boolean>)[PUBLIC_INGRESS] === true;
}

export function isLoopbackAddress(address: string | undefined | null): boolean {
  if (!address) return false;
  try {
    return ipaddr.process(address.replace(/^\[|\]$/g, '')).range() === 'loopback';
  } catch {
    return false;
  }
}

/**
 * True when the request came straight from this computer: a loopback peer, no forwarding header
 * (a tunnel or reverse proxy on this PC connects from loopback too, but says whom it forwards),
 * and not through the tunnel's listener.
 */
export function cameFromThisComputer(req: IncomingMessage): boolean {
  if (cameThroughPublicIngress(req)) return false;
  if (!isLoopbackAddress(req.socket?.remoteAddress)) return false;
  return !FORWARDING_HEADERS.some((h) => req.headers[h] !== undefined);
}

/** Constant-time comparison of a presented key with the configured one (hashes make the lengths equal). */
export function operatorKeyMatches(given: string, expected: string | undefined): boolean {
  if (!expected || !given) return false;
  const a = createHash('sha256').update(given.trim()).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export type OperatorKeyCheck = 'absent' | 'accepted' | 'wrong-key' | 'not-local';

/** What the request's operator key (if any) proves. */
export function checkOperatorKey(req: IncomingMessage, expected: string | undefined): OperatorKeyCheck {
  const raw = req.headers[OPERATOR_KEY_HEADER];
  const given = Array.isArray(raw) ? raw[0] : raw;
  if (given === undefined) return 'absent';
  if (!operatorKeyMatches(given, expected)) return 'wrong-key';
  return cameFromThisComputer(req) ? 'accepted' : 'not-local';
}
