// Retrieval over an AI agent's knowledge: SQLite FTS5 (BM25) always, so it works with no
// embedding model at all, and, when the chunks and the question have embeddings, vector similarity
// too; the two rankings are fused (reciprocal rank fusion). Each passage carries a confidence in
// [0, 1]: the larger of the share of the question's keywords it contains and its cosine
// similarity, which the "low retrieval confidence" handoff rule compares with its threshold.
// Reads the tables the ai-agents module keeps (ai_chunks, ai_chunks_fts); knows no module.
import type { DataSource, EntityManager } from 'typeorm';
import { keywords, words } from './text.js';
import { buildIndex, nearest, VectorCache, type VectorIndex } from './vectors.js';

export type ChunkKind = 'text' | 'qna' | 'file' | 'url' | 'product';

export interface Passage {
  chunkId: string;
  kind: ChunkKind;
  sourceId: string | null;
  productId: string | null;
  title: string | null;
  text: string;
  /** Share of the question's keywords found in the passage (0–1). */
  lexical: number;
  /** Cosine similarity to the question, when both have embeddings. */
  similarity: number | null;
  /** max(lexical, similarity): how sure retrieval is that this passage is about the question. */
  confidence: number;
  /** Fused rank score (higher is better). */
  score: number;
}

export interface SearchOptions {
  tenantId: string;
  agentId: string;
  query: string;
  /** The question's embedding (normalized), from the same model as `embeddingModel`. */
  queryVector?: Float32Array | null;
  embeddingModel?: string | null;
  limit?: number;
}

/** The FTS5 column that keeps one agent's chunks apart: a single token per agent. */
export const scopeToken = (agentId: string) => `a${agentId.replace(/-/g, '').toLowerCase()}`;

/** An FTS5 expression: any keyword of the question (words of 4+ letters also as prefixes), within the agent. */
export function matchExpression(agentId: string, query: string): string | null {
  const terms = keywords(query);
  if (terms.length === 0) return null;
  const any = terms.map((t) => `"${t}"${t.length >= 4 ? '*' : ''}`).join(' OR ');
  return `scope:"${scopeToken(agentId)}" AND (${any})`;
}

function coverage(terms: string[], text: string): number {
  if (terms.length === 0) return 0;
  const have = new Set(words(text));
  let hit = 0;
  for (const t of terms) {
    if (have.has(t)) hit++;
    else if (t.length >= 4) {
      for (const w of have) {
        if (w.startsWith(t)) {
          hit++;
          break;
        }
      }
    }
  }
  return hit / terms.length;
}

const RRF_K = 60;
const CANDIDATES = 20;

interface ChunkRow {
  id: string;
  kind: ChunkKind;
  sourceId: string | null;
  productId: string | null;
  title: string | null;
  text: string;
}

export class Retriever {
  constructor(
    private readonly db: DataSource,
    readonly vectors = new VectorCache(),
  ) {}

  /** Drop an agent's cached vectors (after its chunks or embeddings changed). */
  invalidate(agentId: string): void {
    this.vectors.invalidate(agentId);
  }

  private loadIndex(tenantId: string, agentId: string, model: string): Promise<VectorIndex> {
    return this.vectors.get(`${agentId}:${model}`, async () =>
      buildIndex(
        await this.db.query(
          'SELECT id, embedding FROM ai_chunks WHERE tenantId = ? AND aiAgentId = ? AND embeddingModel = ? AND embedding IS NOT NULL',
          [tenantId, agentId, model],
        ),
      ),
    );
  }

  /** How many of the agent's chunks have embeddings of this model (from the cached index). */
  async vectorCount(tenantId: string, agentId: string, model: string): Promise<number> {
    return (await this.loadIndex(tenantId, agentId, model)).ids.length;
  }

  async search(opts: SearchOptions, manager: EntityManager = this.db.manager): Promise<Passage[]> {
    const limit = opts.limit ?? 5;
    const terms = keywords(opts.query);
    const lexicalRank = new Map<string, number>();
    const rows = new Map<string, ChunkRow>();
    const match = matchExpression(opts.agentId, opts.query);
    if (match) {
      // The matches and their text in one statement.
      const found: ChunkRow[] = await manager.query(
        `SELECT c.id, c.kind, c.sourceId, c.productId, c.title, c.text
           FROM ai_chunks_fts f JOIN ai_chunks c ON c.id = f.chunk_id
          WHERE ai_chunks_fts MATCH ? AND f.tenant_id = ?
          ORDER BY bm25(ai_chunks_fts, 1.0, 2.0, 0.0) LIMIT ${CANDIDATES}`,
        [match, opts.tenantId],
      );
      found.forEach((r, i) => {
        lexicalRank.set(r.id, i);
        rows.set(r.id, r);
      });
    }
    const similarity = new Map<string, number>();
    const vectorRank = new Map<string, number>();
    if (opts.queryVector && opts.embeddingModel) {
      const index = await this.loadIndex(opts.tenantId, opts.agentId, opts.embeddingModel);
      nearest(index, opts.queryVector, CANDIDATES).forEach((n, i) => {
        similarity.set(n.id, n.similarity);
        vectorRank.set(n.id, i);
      });
    }
    const missing = [...vectorRank.keys()].filter((id) => !rows.has(id));
    if (missing.length) {
      const more: ChunkRow[] = await manager.query(
        `SELECT id, kind, sourceId, productId, title, text FROM ai_chunks WHERE tenantId = ? AND aiAgentId = ? AND id IN (${missing.map(() => '?').join(', ')})`,
        [opts.tenantId, opts.agentId, ...missing],
      );
      for (const r of more) rows.set(r.id, r);
    }
    if (rows.size === 0) return [];
    const passages = [...rows.values()].map((row): Passage => {
      const lexical = coverage(terms, `${row.title ?? ''} ${row.text}`);
      const sim = similarity.has(row.id) ? Math.round(similarity.get(row.id)! * 1000) / 1000 : null;
      const lr = lexicalRank.get(row.id);
      const vr = vectorRank.get(row.id);
      const score = (lr !== undefined ? 1 / (RRF_K + lr) : 0) + (vr !== undefined && (sim ?? 0) > 0 ? 1 / (RRF_K + vr) : 0);
      return {
        chunkId: row.id,
        kind: row.kind,
        sourceId: row.sourceId,
        productId: row.productId,
        title: row.title,
        text: row.text,
        lexical: Math.round(lexical * 1000) / 1000,
        similarity: sim,
        confidence: Math.round(Math.max(lexical, sim ?? 0, 0) * 1000) / 1000,
        score,
      };
    });
    // Fused rank first; among equals, the more confident.
    passages.sort((a, b) => b.score - a.score || b.confidence - a.confidence);
    return passages.filter((p) => p.score > 0).slice(0, limit);
  }
}
