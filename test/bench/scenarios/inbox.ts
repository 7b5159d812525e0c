// Inbox list: GET /api/v1/conversations?limit=50&status=open&assignee=me, each request as one of
// the agents in turn, over the seeded 100,000 conversations / 1,000,000 messages.
// Baseline: the same query and the same JSON shape, hand-written over raw better-sqlite3 in a bare
// Express process on the same database.
import assert from 'node:assert/strict';
import { HttpClient, closedLoop } from '../lib/load.js';
import { compare, statsRow, type BenchContext } from '../lib/context.js';

export async function inboxScenario(ctx: BenchContext): Promise<void> {
  const { tenant, sizes } = ctx;
  const { total, concurrency, warmup } = sizes.inbox;
  const users = tenant.users;

  const base = await ctx.startBaseline(true);
  const baseHttp = new HttpClient(base.url, concurrency);
  const basePath = (i: number) => `/inbox?tenant=${tenant.tenantId}&user=${users[i % users.length].id}&limit=50`;
  const baseFirst = await baseHttp.json('GET', basePath(0));
  await closedLoop({ concurrency, total: warmup, op: async (i) => (await baseHttp.request('GET', basePath(i))).status === 200 });
  const baseStats = await closedLoop({ concurrency, total, op: async (i) => (await baseHttp.request('GET', basePath(i))).status === 200 });
  baseHttp.close();
  await base.stop();
  const baseRow = ctx.record(statsRow('inbox', 'baseline: raw SQL + bare Express', 'baseline', baseStats));

  const server = await ctx.startAppliance('inbox');
  const http = new HttpClient(server.url, concurrency);
  const path = '/api/v1/conversations?limit=50&status=open&assignee=me';
  const auth = (i: number) => ({ authorization: `Bearer ${users[i % users.length].token}` });
  // The appliance and the baseline must agree on the first page, or the comparison means nothing.
  const first = await http.json('GET', path, undefined, auth(0));
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.ok(first.body.data.length > 0, 'the owner has open conversations assigned');
  assert.deepEqual(
    first.body.data.map((c: { id: string }) => c.id),
    baseFirst.body.data.map((c: { id: string }) => c.id),
    'appliance and baseline list the same page',
  );
  await closedLoop({ concurrency, total: warmup, op: async (i) => (await http.request('GET', path, undefined, auth(i))).status === 200 });
  const cpu0 = server.stats().cpuMs;
  const stats = await closedLoop({
    concurrency,
    total,
    op: async (i) => (await http.request('GET', path, undefined, auth(i))).status === 200,
  });
  const cpuPerReq = (server.stats().cpuMs - cpu0) / stats.count;
  http.close();
  await server.stop();
  ctx.record(
    compare(
      statsRow('inbox', `GET /conversations (open, mine, 50 of ${first.body.data.length}+)`, 'appliance', stats, {
        target: 'p99 < 30 ms',
        met: stats.p99 < 30,
        note: `concurrency ${concurrency}; ${cpuPerReq.toFixed(2)} ms server CPU per request`,
      }),
      baseRow,
    ),
  );
}
