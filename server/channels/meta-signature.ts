// X-Hub-Signature-256 for Meta webhooks (WhatsApp, Messenger, Instagram): the HMAC-SHA256 of the
// exact raw request body, keyed with the app secret, sent as `sha256=<hex>`.
import { createHmac, timingSafeEqual } from 'node:crypto';

const HEADER_PATTERN = /^sha256=([0-9a-f]{64})$/i;

/**
 * True when `header` is the signature of `rawBody` under `appSecret`. Any malformed input (no header,
 * another algorithm, bad hex, empty secret, a body that is not a Buffer) is simply false.
 */
export function verifyMetaSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  if (!Buffer.isBuffer(rawBody) || typeof header !== 'string' || typeof appSecret !== 'string' || appSecret === '') return false;
  const match = HEADER_PATTERN.exec(header.trim());
  if (!match) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  const given = Buffer.from(match[1], 'hex');
  // Both are 32 bytes here (the pattern fixes the length), which timingSafeEqual requires.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The full `X-Hub-Signature-256` header value for `rawBody`, as Meta would send it. */
export function signMetaBody(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}
