// Retrieval over an AI agent's knowledge: SQLite FTS5 (BM25) always, so it works with no
// embedding model at all, and, when the chunks and the question have embeddings, vector similarity
// too; the two rankings are fused (reciprocal rank fusion). An agent's chunks (text and vectors) are
// kept in memory after its first search and dropped when its knowledge changes, so a search is one
// FTS5 statement and one pass of dot products. Each passage carries a confidence in
// [0, 1]: the larger of the share of the question's keywords it contains and its cosine
// similarity, which the "low retrieval confidence" handoff rule compares with its threshold.
// Reads the tables the ai-agents module keeps (ai_chunks, ai_chunks_fts); knows no module.
import type { DataSource, EntityManager } from 'typeorm';
import { keywords, words } from './text.js';
import { buildIndex, nearest, type VectorIndex } from './vectors.js';

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

const RRF_K = 60;
const CANDIDATES = 20;
/** Agents whose chunks are kept in memory at once (least recently used leave first). */
const CACHED_AGENTS = 64;

interface ChunkRow {
  id: string;
  kind: ChunkKind;
  sourceId: string | null;
  productId: string | null;
  title: string | null;
  text: string;
}

/** One agent's chunks in memory: their text (for passages and coverage) and a vector matrix per embedding model. */
interface AgentIndex {
  rows: Map<string, ChunkRow & { words?: Set<string> }>;
  vectors: Map<string, VectorIndex>;
}

function coverageOf(terms: string[], row: ChunkRow & { words?: Set<string> }): number {
  if (terms.length === 0) return 0;
  row.words ??= new Set(words(`${row.title ?? ''} ${row.text}`));
  const have = row.words;
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

export class Retriever {
  private readonly agents = new Map<string, Promise<AgentIndex>>();

  constructor(private readonly db: DataSource) {}

  /** Drop an agent's cached chunks and vectors (after its knowledge changed). */
  invalidate(agentId: string): void {
    this.agents.delete(agentId);
  }

  private load(tenantId: string, agentId: string): Promise<AgentIndex> {
    let index = this.agents.get(agentId);
    if (index) {
      // Most recently used last.
      this.agents.delete(agentId);
      this.agents.set(agentId, index);
      return index;
    }
    index = (async () => {
      const rows: (ChunkRow & { embedding: string | null; embeddingModel: string | null })[] = await this.db.query(
        'SELECT id, kind, sourceId, productId, title, text, embedding, embeddingModel FROM ai_chunks WHERE tenantId = ? AND aiAgentId = ?',
        [tenantId, agentId],
      );
      const byModel = new Map<string, { id: string; embedding: string }[]>();
      for (const r of rows) {
        if (!r.embedding || !r.embeddingModel) continue;
        byModel.set(r.embeddingModel, [...(byModel.get(r.embeddingModel) ?? []), { id: r.id, embedding: r.embedding }]);
      }
      return {
        rows: new Map(
          rows.map((r) => [r.id, { id: r.id, kind: r.kind, sourceId: r.sourceId, productId: r.productId, title: r.title, text: r.text }]),
        ),
        vectors: new Map([...byModel].map(([model, list]) => [model, buildIndex(list)])),
      };
    })();
    this.agents.set(agentId, index);
    index.catch(() => this.agents.delete(agentId));
    while (this.agents.size > CACHED_AGENTS) this.agents.delete(this.agents.keys().next().value!);
    return index;
  }

  /** How many of the agent's chunks have embeddings of this model. */
  async vectorCount(tenantId: string, agentId: string, model: string): Promise<number> {
    return (await this.load(tenantId, agentId)).vectors.get(model)?.ids.length ?? 0;
  }

  async search(opts: SearchOptions, manager: EntityManager = this.db.manager): Promise<Passage[]> {
    const limit = opts.limit ?? 5;
    const terms = keywords(opts.query);
    const agent = await this.load(opts.tenantId, opts.agentId);
    const lexicalRank = new Map<string, number>();
    const match = matchExpression(opts.agentId, opts.query);
    if (match) {
      const found: { id: string }[] = await manager.query(
        `SELECT chunk_id AS id FROM ai_chunks_fts WHERE ai_chunks_fts MATCH ? AND tenant_id = ?
          ORDER BY bm25(ai_chunks_fts, 1.0, 2.0, 0.0) LIMIT ${CANDIDATES}`,
        [match, opts.tenantId],
      );
      found.forEach((r, i) => {
        lexicalRank.set(r.id, i);
      });
    }
    const similarity = new Map<string, number>();
    const vectorRank = new Map<string, number>();
    const vectors = opts.queryVector && opts.embeddingModel ? agent.vectors.get(opts.embeddingModel) : undefined;
    if (vectors && opts.queryVector) {
      nearest(vectors, opts.queryVector, CANDIDATES).forEach((n, i) => {
        similarity.set(n.id, n.similarity);
        vectorRank.set(n.id, i);
      });
    }
    const passages: Passage[] = [];
    for (const id of new Set([...lexicalRank.keys(), ...vectorRank.keys()])) {
      const row = agent.rows.get(id);
      if (!row) continue; // written after the cache was built; the next search after invalidation has it
      const lexical = coverageOf(terms, row);
      const sim = similarity.has(id) ? Math.round(similarity.get(id)! * 1000) / 1000 : null;
      const lr = lexicalRank.get(id);
      const vr = vectorRank.get(id);
      const score = (lr !== undefined ? 1 / (RRF_K + lr) : 0) + (vr !== undefined && (sim ?? 0) > 0 ? 1 / (RRF_K + vr) : 0);
      if (score <= 0) continue;
      passages.push({
        chunkId: id,
        kind: row.kind,
        sourceId: row.sourceId,
        productId: row.productId,
        title: row.title,
        text: row.text,
        lexical: Math.round(lexical * 1000) / 1000,
        similarity: sim,
        confidence: Math.round(Math.max(lexical, sim ?? 0, 0) * 1000) / 1000,
        score,
      });
    }
    // Fused rank first; among equals, the more confident.
    passages.sort((a, b) => b.score - a.score || b.confidence - a.confidence);
    return passages.slice(0, limit);
  }
}
