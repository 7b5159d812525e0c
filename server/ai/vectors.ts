// Embeddings as stored (little-endian float32, base64, normalized to length 1) and searched: an
// in-memory matrix (retrieval.ts keeps one per AI agent and embedding model), so a search is one
// pass of dot products (1,000 chunks × 768 dimensions ≈ 1 ms).

export function encodeVector(values: readonly number[] | Float32Array): string {
  const v = normalizeVector(Float32Array.from(values));
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
}

const LITTLE_ENDIAN = new Uint8Array(new Float32Array([1]).buffer)[3] === 0x3f;

export function decodeVector(encoded: string): Float32Array {
  const buf = Buffer.from(encoded, 'base64');
  if (LITTLE_ENDIAN) {
    // One copy into an aligned buffer, read as float32 directly.
    const copy = new Uint8Array(buf.byteLength - (buf.byteLength % 4));
    copy.set(buf.subarray(0, copy.byteLength));
    return new Float32Array(copy.buffer);
  }
  const out = new Float32Array(buf.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}

export function normalizeVector(v: Float32Array): Float32Array {
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += v[i] * v[i];
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] /= norm;
  return v;
}

/** Cosine similarity of two normalized vectors of the same length (0 when they differ in length). */
export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return dot;
}

export interface VectorIndex {
  ids: string[];
  dims: number;
  /** ids.length × dims, row-major. */
  matrix: Float32Array;
}

export function buildIndex(rows: { id: string; embedding: string }[]): VectorIndex {
  const decoded = rows.map((r) => ({ id: r.id, v: decodeVector(r.embedding) }));
  const dims = decoded[0]?.v.length ?? 0;
  const usable = decoded.filter((d) => d.v.length === dims && dims > 0);
  const matrix = new Float32Array(usable.length * dims);
  usable.forEach((d, i) => {
    matrix.set(d.v, i * dims);
  });
  return { ids: usable.map((d) => d.id), dims, matrix };
}

/** The `limit` most similar rows to a normalized query vector, best first. */
export function nearest(index: VectorIndex, query: Float32Array, limit: number): { id: string; similarity: number }[] {
  if (index.dims === 0 || query.length !== index.dims) return [];
  const { ids, dims, matrix } = index;
  const scores = new Float32Array(ids.length);
  for (let r = 0; r < ids.length; r++) {
    let dot = 0;
    const base = r * dims;
    for (let i = 0; i < dims; i++) dot += matrix[base + i] * query[i];
    scores[r] = dot;
  }
  // The best `limit` rows: a partial selection, then one sort of those.
  const best: number[] = [];
  let floor = -Infinity;
  for (let r = 0; r < scores.length; r++) {
    if (best.length < limit) {
      best.push(r);
      if (best.length === limit) floor = Math.min(...best.map((b) => scores[b]));
    } else if (scores[r] > floor) {
      let worst = 0;
      for (let k = 1; k < best.length; k++) if (scores[best[k]] < scores[best[worst]]) worst = k;
      best[worst] = r;
      floor = Math.min(...best.map((b) => scores[b]));
    }
  }
  return best.sort((a, b) => scores[b] - scores[a]).map((r) => ({ id: ids[r], similarity: scores[r] }));
}
