import { randomFillSync } from 'node:crypto';
import { v7, validate } from 'uuid';

// uuid draws 16 fresh bytes from WebCrypto for every id, a measurable share of acknowledging a
// webhook (three ids each); ids here take their random bytes from a pool refilled 4 KB at a time.
// Passing the bytes bypasses uuid's own monotonic state, so it is kept here the same way: within one
// millisecond the 31-bit counter goes up by one, so ids made in order also sort in order.
const pool = Buffer.alloc(4096);
let offset = pool.length;
let lastMs = -Infinity;
let seq = 0;

/** UUIDv7: time-ordered, so ids also sort rows by creation (used by cursor pagination and job order). */
export const newId = (): string => {
  if (offset + 16 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const random = pool.subarray(offset, (offset += 16));
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    // A random start in the lower half leaves room to count up (as uuid does).
    seq = ((random[6] & 0x7f) << 24) | (random[7] << 16) | (random[8] << 8) | random[9];
  } else {
    seq = (seq + 1) | 0;
    if (seq === 0) lastMs++;
  }
  return v7({ random, msecs: lastMs, seq });
};
export const isId = (value: string): boolean => validate(value);
