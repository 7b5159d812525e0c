// Search: GET /api/v1/messages/search?q=… for common words (in 1.5–9% of messages) and rare words
// (a few dozen messages) over the seeded 1,000,000 messages, each word in turn.
// Hits come newest first (server/modules/messages/search.service.ts). Baseline: the appliance's own SQL
// over raw better-sqlite3 behind a bare Express endpoint; also measured, the query before (bm25 over every match).
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { HttpClient, closedLoop } from '../lib/load.js';
import { compare, statsRow, type BenchContext } from '../lib/context.js';

/** How many messages each word (as the appliance queries it: a prefix) matches. */
function documentFrequencies(dbPath: string, words: string[]): Record<string, number> {
  const db = new Database(dbPath, { readonly: true });
  try {
    const count = db.prepare('SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH ?');
    return Object.fromEntries(words.map((w) => [w, (count.get(`"${w}"*`) as { n: number }).n]));
  } finally {
    db.close();
  }
}

export async function searchScenario(ctx: BenchContext): Promise<void> {
  const { tenant, sizes, corpus } = ctx;
  const { total, concurrency, warmup, maxDurationMs } = sizes.search;
  const groups = [
    { label: 'common word', words: corpus.searchWords.common, target: 'p99 < 50 ms' },
    { label: 'rare word', words: corpus.searchWords.rare, target: 'p99 < 50 ms' },
    { label: 'very common word', words: corpus.searchWords.veryCommon, target: undefined },
  ];
  const df = documentFrequencies(
    ctx.dbPath,
    groups.flatMap((g) => g.words),
  );
  const dfText = (words: string[]) => words.map((w) => `${w} ${df[w]}`).join(', ');
  ctx.log(`  matches per word: ${dfText(groups.flatMap((g) => g.words))}`);

  const baseRows = new Map<string, ReturnType<BenchContext['record']>>();
  const base = await ctx.startBaseline(true);
  const baseHttp = new HttpClient(base.url, concurrency);
  for (const g of groups) {
    const path = (i: number) => `/search?tenant=${tenant.tenantId}&q=${encodeURIComponent(g.words[i % g.words.length])}&limit=20`;
    await closedLoop({
      concurrency,
      total: Math.min(warmup, 20),
      op: async (i) => (await baseHttp.request('GET', path(i))).status === 200,
    });
    const s = await closedLoop({
      concurrency,
      total,
      maxDurationMs,
      op: async (i) => (await baseHttp.request('GET', path(i))).status === 200,
    });
    baseRows.set(g.label, ctx.record(statsRow('search', `baseline: raw FTS5 SQL (${g.label})`, 'baseline', s)));
  }
  // Not a baseline of the same work: the search as it was before it went newest-first (README).
  for (const g of groups.filter((x) => x.label !== 'rare word')) {
    const path = (i: number) => `/search?tenant=${tenant.tenantId}&q=${encodeURIComponent(g.words[i % g.words.length])}&limit=20&ranked=1`;
    await closedLoop({
      concurrency,
      total: Math.min(warmup, 20),
      op: async (i) => (await baseHttp.request('GET', path(i))).status === 200,
    });
    const s = await closedLoop({
      concurrency,
      total,
      maxDurationMs,
      op: async (i) => (await baseHttp.request('GET', path(i))).status === 200,
    });
    ctx.record(
      statsRow('search', `before, raw SQL: every match ranked by bm25 (${g.label})`, 'baseline', s, {
        note: 'the query the appliance ran before it listed hits newest first; for comparison',
      }),
    );
  }
  baseHttp.close();
  await base.stop();

  const server = await ctx.startAppliance('search');
  const http = new HttpClient(server.url, concurrency, { authorization: `Bearer ${tenant.users[0].token}` });
  for (const g of groups) {
    const path = (i: number) => `/api/v1/messages/search?q=${encodeURIComponent(g.words[i % g.words.length])}&limit=20`;
    const first = await http.json('GET', path(0));
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.ok(first.body.data.length > 0, `"${g.words[0]}" finds messages`);
    await closedLoop({ concurrency, total: Math.min(warmup, 20), op: async (i) => (await http.request('GET', path(i))).status === 200 });
    const cpu0 = server.stats().cpuMs;
    const s = await closedLoop({ concurrency, total, maxDurationMs, op: async (i) => (await http.request('GET', path(i))).status === 200 });
    const cpuPerReq = (server.stats().cpuMs - cpu0) / s.count;
    ctx.record(
      compare(
        statsRow('search', `GET /messages/search (${g.label})`, 'appliance', s, {
          target: g.target,
          met: g.target ? s.p99 < 50 : undefined,
          note: `concurrency ${concurrency}; matches: ${dfText(g.words)}; ${cpuPerReq.toFixed(1)} ms server CPU per request`,
        }),
        baseRows.get(g.label)!,
      ),
    );
  }
  http.close();
  await server.stop();
}
