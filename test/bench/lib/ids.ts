// Deterministic helpers for seeding: a small PRNG, UUIDv7 ids at a chosen time, and the
// datetime format TypeORM writes for SQLite ('YYYY-MM-DD HH:MM:SS.SSS', UTC).

/** mulberry32: fast, seedable, good enough for synthetic data. Returns floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A UUIDv7 for the time `ms`, like the server's ids (uuid v7): 48-bit milliseconds, version 7,
 * then 74 random bits. `seq` (0..4095) goes into rand_a so ids made in the same millisecond
 * still sort in the order they were made.
 */
export function uuidv7At(ms: number, rand: () => number, seq = Math.floor(rand() * 4096)): string {
  const t = Math.floor(ms);
  const hi = Math.floor(t / 2 ** 16); // top 32 bits of the 48-bit time
  const lo = t % 2 ** 16;
  const b = new Array<number>(16);
  b[0] = (hi >>> 24) & 0xff;
  b[1] = (hi >>> 16) & 0xff;
  b[2] = (hi >>> 8) & 0xff;
  b[3] = hi & 0xff;
  b[4] = (lo >>> 8) & 0xff;
  b[5] = lo & 0xff;
  b[6] = 0x70 | ((seq >>> 8) & 0x0f);
  b[7] = seq & 0xff;
  b[8] = 0x80 | Math.floor(rand() * 64);
  for (let i = 9; i < 16; i++) b[i] = Math.floor(rand() * 256);
  return `${HEX[b[0]]}${HEX[b[1]]}${HEX[b[2]]}${HEX[b[3]]}-${HEX[b[4]]}${HEX[b[5]]}-${HEX[b[6]]}${HEX[b[7]]}-${HEX[b[8]]}${HEX[b[9]]}-${HEX[b[10]]}${HEX[b[11]]}${HEX[b[12]]}${HEX[b[13]]}${HEX[b[14]]}${HEX[b[15]]}`;
}

/** The way TypeORM stores a Date in a SQLite `datetime` column. */
export function sqlTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** A WhatsApp-looking message id. */
export function fakeWamid(label: string, n: number): string {
  return `wamid.${Buffer.from(`BENCH${label}${n.toString(36)}`).toString('base64url')}`;
}
