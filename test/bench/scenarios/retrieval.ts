// Retrieval over an AI agent's knowledge: an appliance (in this process, its own temp data dir) is
// given 1,000 knowledge chunks through the API, as a business would (600 FAQ pairs in a QnA source
// and 400 products by bulk import), embedded by the fake OpenAI-compatible endpoint at 768
// dimensions (the size of common local embedding models such as nomic-embed-text). Then the
// server's own retrieval (server/ai/retrieval.ts over the same database connection: FTS5 bm25,
// vector similarity over the cached matrix, reciprocal rank fusion) answers customer-like questions:
// hybrid (with the question's vector, as when the endpoint has an embedding model), full-text only
// (no embedding model), and the first search after the knowledge changed (the vector matrix is
// rebuilt from the database). The model itself is not timed here: it is the endpoint's time.
import assert from 'node:assert/strict';
import { loadavg } from 'node:os';
import Database from 'better-sqlite3';
import { Retriever, matchExpression } from '../../../server/ai/retrieval.js';
import { normalizeVector } from '../../../server/ai/vectors.js';
import { startServer } from '../../support/server.js';
import { startFakeLlm, fakeEmbedding, FAKE_CHAT_MODEL, FAKE_EMBEDDING_MODEL } from '../../support/fake-llm.js';
import { Api, registerTenant } from '../../support/http.js';
import { settle } from '../../support/settle.js';
import { percentile, summarize } from '../lib/load.js';
import { compare, statsRow, type BenchContext, type Row } from '../lib/context.js';

const DIMS = 768;

/** A seeded pseudo-random generator (mulberry32), so every run asks the same questions. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function retrievalScenario(ctx: BenchContext): Promise<void> {
  const { chunks, queries, warmup } = ctx.sizes.retrieval;
  const rand = rng(17);
  const llm = await startFakeLlm({ dims: DIMS });
  const server = await startServer({ LLM_BASE_URL: llm.url, LLM_MODEL: FAKE_CHAT_MODEL, LLM_EMBEDDING_MODEL: FAKE_EMBEDDING_MODEL });
  try {
    const owner = await registerTenant(new Api(server.url), 'Bench Retrieval');
    const agent = (await owner.api.post('/api/v1/ai-agents', { name: 'Bench', active: true })).body;
    const qnaCount = Math.round(chunks * 0.6);
    const productCount = chunks - qnaCount;
    const pairs = Array.from({ length: qnaCount }, (_, i) => ({
      question: `${ctx.corpus.sentence(rand, 5, 10)} nomor ${i}?`,
      answer: ctx.corpus.sentence(rand, 20, 45),
    }));
    const source = await owner.api.post(`/api/v1/ai-agents/${agent.id}/knowledge-sources`, { type: 'qna', name: 'FAQ', qna: pairs });
    assert.equal(source.status, 201, JSON.stringify(source.body));
    const products = Array.from({ length: productCount }, (_, i) => ({
      name: `${ctx.corpus.sentence(rand, 2, 3)} ${i}`,
      sku: `SKU-${i}`,
      price: 10_000 + Math.round(rand() * 990) * 1000,
      stock: Math.round(rand() * 50),
      description: ctx.corpus.sentence(rand, 10, 30),
    }));
    const bulk = await owner.api.post(`/api/v1/ai-agents/${agent.id}/products/bulk`, { products });
    assert.equal(bulk.body.created, productCount, JSON.stringify(bulk.body.errors?.slice(0, 3)));
    const t0 = performance.now();
    await settle(server.appliance, 300_000);
    const db = server.appliance.db;
    const [{ n, embedded }] = await db.query('SELECT COUNT(*) AS n, COUNT(embedding) AS embedded FROM ai_chunks WHERE aiAgentId = ?', [
      agent.id,
    ]);
    assert.equal(n, chunks, 'every chunk indexed');
    assert.equal(embedded, chunks, 'every chunk embedded');
    ctx.log(`  ${chunks} chunks indexed and embedded (${DIMS} dimensions) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // Questions as customers ask them: about an FAQ (reworded a little), about a product, or small talk
    // (common words only, the most expensive for full-text search).
    const questions = Array.from({ length: queries + warmup }, (_, i) => {
      const kind = i % 3;
      if (kind === 0) return `${pairs[Math.floor(rand() * pairs.length)].question.split(' ').slice(0, 6).join(' ')} kak?`;
      if (kind === 1) return `berapa harga ${products[Math.floor(rand() * products.length)].name.split(' ').slice(0, 2).join(' ')}?`;
      return ctx.corpus.sentence(rand, 4, 12);
    });
    const vectors = questions.map((q) => normalizeVector(Float32Array.from(fakeEmbedding(q, DIMS))));
    const retriever = new Retriever(db);
    const base = { tenantId: owner.tenant.id, agentId: agent.id, embeddingModel: FAKE_EMBEDDING_MODEL, limit: 5 };

    // Baseline: the same FTS5 statement, prepared once on a raw better-sqlite3 connection (no ORM,
    // no fusion, no passage text), over the same database file.
    const raw = new Database(server.appliance.config.databasePath, { readonly: true });
    let baseline: Row;
    try {
      const statement = raw.prepare(
        'SELECT chunk_id FROM ai_chunks_fts WHERE ai_chunks_fts MATCH ? AND tenant_id = ? ORDER BY bm25(ai_chunks_fts, 1.0, 2.0, 0.0) LIMIT 20',
      );
      const latencies: number[] = [];
      const started = performance.now();
      for (let i = 0; i < questions.length; i++) {
        const match = matchExpression(agent.id, questions[i]);
        const t = performance.now();
        if (match) statement.all(match, owner.tenant.id);
        if (i >= warmup) latencies.push(performance.now() - t);
      }
      baseline = ctx.record(
        statsRow(
          'retrieval',
          `baseline: the FTS5 statement alone on raw better-sqlite3 (${chunks} chunks)`,
          'baseline',
          summarize(latencies, performance.now() - started),
        ),
      );
    } finally {
      raw.close();
    }

    const run = async (label: string, withVectors: boolean, target?: string) => {
      const latencies: number[] = [];
      const cpu: number[] = [];
      let hits = 0;
      const load = loadavg()[0];
      const started = performance.now();
      for (let i = 0; i < questions.length; i++) {
        const c0 = process.cpuUsage();
        const t = performance.now();
        const passages = await retriever.search({ ...base, query: questions[i], queryVector: withVectors ? vectors[i] : null });
        const ms = performance.now() - t;
        const c = process.cpuUsage(c0);
        if (i >= warmup) {
          latencies.push(ms);
          cpu.push((c.user + c.system) / 1000);
          if (passages.length) hits++;
        }
      }
      const stats = summarize(latencies, performance.now() - started);
      const sorted = Float64Array.from(latencies).sort();
      const note = `${chunks} chunks; ${queries} questions (a third about FAQs, a third about products, a third small talk); ${Math.round((hits / queries) * 100)}% found passages; load average ${load.toFixed(1)} at the start`;
      ctx.record(
        compare(
          statsRow('retrieval', label, 'appliance', stats, { ...(target ? { target, met: percentile(sorted, 0.99) < 20 } : {}), note }),
          baseline,
        ),
      );
      ctx.record(
        statsRow('retrieval', `${label}: CPU time per search`, 'appliance', summarize(cpu, performance.now() - started), {
          note: 'process CPU time (user + system) spent in each search: what the search costs, without the waiting a busy machine adds',
        }),
      );
    };
    await run(`hybrid: FTS5 bm25 + ${DIMS}-d vectors, fused (${chunks} chunks)`, true, 'p99 < 20 ms');
    await run(`full-text only, no embedding model (${chunks} chunks)`, false, 'p99 < 20 ms');

    // After the knowledge changes, the next search rebuilds the agent's vector matrix from the database.
    const cold: number[] = [];
    for (let i = 0; i < Math.max(5, Math.round(queries / 100)); i++) {
      retriever.invalidate(agent.id);
      const t = performance.now();
      await retriever.search({ ...base, query: questions[i], queryVector: vectors[i] });
      cold.push(performance.now() - t);
    }
    ctx.record(
      statsRow(
        'retrieval',
        `first hybrid search after a knowledge change (matrix rebuilt, ${chunks} chunks)`,
        'appliance',
        summarize(cold, 1),
        {
          note: 'loads and decodes every embedding of the agent once; later searches use the cached matrix',
        },
      ),
    );
  } finally {
    await server.stop();
    await llm.stop();
  }
}
