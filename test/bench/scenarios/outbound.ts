// Outbound: N replies posted through the API (concurrency 20, spread over open conversations) and
// delivered by the durable job to the fake Graph; then, with the Graph refusing connections for the
// outage, more replies queued, and the time to drain them once it accepts connections again.
// Then (3) delivery at a realistic Graph latency: replies queued while the Graph holds every request,
// then released with 50 ms per call; the rate at which the backlog reaches the Graph.
// Baseline: the same Graph requests sent back to back by one client; the drain baseline is the time
// that sender needs for the backlog.
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { HttpClient, closedLoop, sleep, waitFor } from '../lib/load.js';
import { compare, statsRow, type BenchContext } from '../lib/context.js';
import { fakeWamid, sqlTime } from '../lib/ids.js';
import { textWebhook, webhookHeaders } from '../lib/webhooks.js';
import { ACCESS_TOKEN, connectNumber } from '../lib/setup.js';

const isSend = (r: { method: string; path: string }) => r.method === 'POST' && r.path.endsWith('/messages');

export async function outboundScenario(ctx: BenchContext): Promise<void> {
  const { tenant, sizes, graph, corpus } = ctx;
  const o = sizes.outbound;
  const db = new Database(ctx.dbPath, { readonly: true });
  const open = (
    db
      .prepare(
        `SELECT id FROM conversations WHERE tenantId = ? AND status IN ('open', 'pending') AND windowExpiresAt > ? ORDER BY lastMessageAt DESC LIMIT ?`,
      )
      .all(tenant.tenantId, sqlTime(Date.now() + 3 * 3600_000), o.conversations + o.outageConversations) as { id: string }[]
  ).map((r) => r.id);
  db.close();
  assert.ok(
    open.length >= o.conversations + o.outageConversations,
    `need ${o.conversations + o.outageConversations} conversations in the 24-hour window, found ${open.length}`,
  );
  const normal = open.slice(0, o.conversations);
  const outage = open.slice(o.conversations, o.conversations + o.outageConversations);

  // Baseline: back-to-back sends to the fake Graph from one client.
  const graphHttp = new HttpClient(graph.url, 1, { authorization: `Bearer ${ACCESS_TOKEN}`, 'content-type': 'application/json' });
  const sendPath = `/v21.0/${tenant.phoneNumberId}/messages`;
  const sendBody = (i: number) =>
    JSON.stringify({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '6281210000001',
      type: 'text',
      text: { body: `Baseline ${i}` },
    });
  const base = await closedLoop({
    concurrency: 1,
    total: o.total,
    op: async (i) => (await graphHttp.request('POST', sendPath, sendBody(i))).status === 200,
  });
  graphHttp.close();
  const baseRow = ctx.record(statsRow('outbound', 'baseline: back-to-back Graph sends, one client', 'baseline', base));
  await graph.reset();

  const server = await ctx.startAppliance('outbound');
  const http = new HttpClient(server.url, o.concurrency, {
    authorization: `Bearer ${tenant.users[0].token}`,
    'content-type': 'application/json',
  });
  const reply = (conversationId: string, text: string) =>
    http.request('POST', `/api/v1/conversations/${conversationId}/messages`, JSON.stringify({ type: 'text', text }));
  const sent = () => {
    let n = 0;
    for (const r of graph.requests) if (isSend(r)) n++;
    return n;
  };

  // 1. N replies, delivered.
  const rand = () => Math.random();
  const t0 = performance.now();
  const cpu0 = server.stats().cpuMs;
  const accepted = await closedLoop({
    concurrency: o.concurrency,
    total: o.total,
    op: async (i) => {
      const res = await reply(normal[i % normal.length], `Balasan ${i}: ${corpus.sentence(rand, 4, 20)}`);
      if (res.status !== 202) throw new Error(`reply answered ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`);
    },
  });
  const postedMs = performance.now() - t0;
  const delivered = await waitFor(() => sent() >= o.total, o.total * 50 + 30_000, 20);
  const deliveredMs = performance.now() - t0;
  const cpuPerReply = (server.stats().cpuMs - cpu0) / o.total;
  assert.ok(delivered, `only ${sent()} of ${o.total} replies reached the Graph`);
  ctx.record(
    statsRow('outbound', 'POST /conversations/{id}/messages, accepted (queued)', 'appliance', accepted, {
      note: `concurrency ${o.concurrency} over ${normal.length} conversations`,
    }),
  );
  ctx.record(
    compare(
      {
        scenario: 'outbound',
        measurement: `${o.total} replies delivered to the Graph`,
        kind: 'appliance',
        n: o.total,
        throughput: (o.total / deliveredMs) * 1000,
        value: deliveredMs,
        unit: 'ms',
        note: `last delivered ${((deliveredMs - postedMs) / 1000).toFixed(1)} s after the last was accepted; ${cpuPerReply.toFixed(2)} ms server CPU per reply`,
      },
      baseRow,
    ),
  );

  // 2. Outage: replies queue while the Graph refuses connections; then the time to drain.
  await graph.reset();
  await graph.refuseConnections();
  const outageStart = performance.now();
  const queued = await closedLoop({
    concurrency: o.concurrency,
    total: o.outageReplies,
    op: async (i) => {
      const res = await reply(outage[i % outage.length], `Saat putus ${i}`);
      if (res.status !== 202) throw new Error(`reply answered ${res.status}`);
    },
  });
  assert.equal(queued.count, o.outageReplies);
  await sleep(Math.max(0, o.outageMs - (performance.now() - outageStart)));
  await graph.acceptConnections();
  const back = performance.now();
  const drained = await waitFor(() => sent() >= o.outageReplies, o.drainTimeoutMs, 20);
  const drainMs = performance.now() - back;
  const got = sent();
  const ideal = (o.outageReplies / base.throughput) * 1000;
  ctx.record({
    scenario: 'outbound',
    measurement: `drain ${o.outageReplies} queued replies after a ${Math.round(o.outageMs / 1000)} s outage`,
    kind: 'appliance',
    n: o.outageReplies,
    value: drained ? drainMs : NaN,
    unit: 'ms',
    baseline: 'baseline: back-to-back Graph sends, one client',
    valueRatio: drained ? drainMs / ideal : undefined,
    note: drained
      ? `from the Graph accepting connections to the last reply delivered; a back-to-back sender needs ${ideal.toFixed(0)} ms for ${o.outageReplies}`
      : `NOT DRAINED: ${got} of ${o.outageReplies} delivered ${(o.drainTimeoutMs / 1000).toFixed(0)} s after the Graph came back`,
  });
  if (!drained) {
    http.close();
    await server.stop();
    throw new Error(
      `the queued replies did not drain: ${got} of ${o.outageReplies} delivered ${(o.drainTimeoutMs / 1000).toFixed(0)} s after the Graph came back`,
    );
  }

  // 3. A backlog delivered at the Graph's real latency: replies queue while the Graph holds every
  // request (the first sends wait in flight, the rest in their conversations' queues), then the
  // Graph answers each call after graphLatencyMs. Over two numbers of the business: each number
  // is held to its throughput tier (at most 1,000 messages/s, Meta's highest, which the bench's
  // number has), so one number alone can never show more than its own limit.
  const second = await secondNumber(ctx, server.url, Math.floor(normal.length / 2));
  const latencyConversations = [...normal.slice(0, normal.length - second.conversations.length), ...second.conversations];
  await graph.reset();
  graph.hang(true);
  const perConversation = Math.ceil(o.latencyReplies / latencyConversations.length);
  const held = await closedLoop({
    concurrency: o.concurrency,
    total: o.latencyReplies,
    op: async (i) => {
      const res = await reply(latencyConversations[i % latencyConversations.length], `Antre ${i}`);
      if (res.status !== 202) throw new Error(`reply answered ${res.status}`);
    },
  });
  assert.equal(held.count, o.latencyReplies);
  // The runner starts the first send of each conversation as it catches up with the posts: wait until
  // those in flight stop growing, so the rate below counts only the sends after the Graph answers.
  for (let last = -1; sent() !== last; ) {
    last = sent();
    await sleep(500);
  }
  const inFlightAtRelease = sent();
  const released = performance.now();
  const releasedAt = Date.now();
  const cpuBefore = server.stats().cpuMs;
  graph.release();
  graph.hang(o.graphLatencyMs);
  const allSent = await waitFor(() => sent() >= o.latencyReplies, o.drainTimeoutMs, 5);
  const deliverMs = performance.now() - released;
  const lateCount = o.latencyReplies - inFlightAtRelease;
  const cpuPerSend = (server.stats().cpuMs - cpuBefore) / Math.max(1, lateCount);
  // Each number's own rate over the sends that reached the Graph after it began answering.
  const perNumber = [tenant.phoneNumberId, second.phoneNumberId].map((id) => {
    const times = graph.requests
      .filter((r) => isSend(r) && r.path.includes(`/${id}/`) && r.receivedAt >= releasedAt)
      .map((r) => r.receivedAt);
    const spanMs = Math.max(...times) - Math.min(...times);
    return times.length > 1 && spanMs > 0 ? ((times.length - 1) / spanMs) * 1000 : NaN;
  });
  graph.release();
  http.close();
  await server.stop();
  ctx.record({
    scenario: 'outbound',
    measurement: `${o.latencyReplies} queued replies delivered to a Graph answering in ${o.graphLatencyMs} ms, rate`,
    kind: 'appliance',
    n: o.latencyReplies,
    throughput: allSent ? (lateCount / deliverMs) * 1000 : NaN,
    value: allSent ? (lateCount / deliverMs) * 1000 : NaN,
    unit: '/s',
    target: '≥ 1,000/s',
    met: allSent && (lateCount / deliverMs) * 1000 >= 1000,
    note: allSent
      ? `${perConversation} per conversation over ${latencyConversations.length} conversations on two numbers (${perNumber.map((r) => `${r.toFixed(0)}/s`).join(' and ')}, each limited to ${ctx.sizes.serverEnv.WHATSAPP_SEND_RATE ?? 80}/s); ${inFlightAtRelease} were in flight when the Graph started answering, the other ${lateCount} reached it in ${deliverMs.toFixed(0)} ms; ${cpuPerSend.toFixed(2)} ms server CPU per send`
      : `NOT DELIVERED: ${sent()} of ${o.latencyReplies} reached the Graph`,
  });
  if (!allSent) throw new Error(`the queued replies were not delivered: ${sent()} of ${o.latencyReplies}`);
}

/**
 * A second WhatsApp number of the business (the same WABA and app), connected through the API, and
 * `count` new customers who have written to it (signed webhooks, processed like any): their open
 * conversations, with the number's id. On a reused data dir the number is connected already.
 */
async function secondNumber(
  ctx: BenchContext,
  baseUrl: string,
  count: number,
): Promise<{ phoneNumberId: string; conversations: string[] }> {
  const { tenant } = ctx;
  const phoneNumberId = String(BigInt(tenant.phoneNumberId) + 1n);
  const http = new HttpClient(baseUrl, 8, { authorization: `Bearer ${tenant.users[0].token}` });
  try {
    const connected = await connectNumber(http, {}, { name: 'WA Bench 2', phoneNumberId, appSecret: tenant.appSecret });
    assert.ok(connected.status === 201 || connected.status === 409, `second number: ${connected.status} ${JSON.stringify(connected.body)}`);
    const run = Date.now().toString(36);
    const hooks = Array.from({ length: count }, (_, i) =>
      textWebhook(
        phoneNumberId,
        tenant.appSecret,
        `62813${String(i).padStart(8, '0')}`,
        fakeWamid(`second${run}`, i),
        'Halo, masih ada stok?',
        i,
      ),
    );
    await closedLoop({
      concurrency: 8,
      total: count,
      op: async (i) => {
        const res = await http.request('POST', '/api/v1/webhooks/meta', hooks[i].body, webhookHeaders(hooks[i]));
        if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
      },
    });
    const db = new Database(ctx.dbPath, { readonly: true });
    const query = db.prepare(
      `SELECT c.id FROM conversations c JOIN integration_accounts a ON a.id = c.accountId
       WHERE c.tenantId = ? AND a.externalId = ? AND c.status = 'open' AND c.windowExpiresAt > ? ORDER BY c.lastMessageAt DESC LIMIT ?`,
    );
    const open = () => query.all(tenant.tenantId, phoneNumberId, sqlTime(Date.now() + 3 * 3600_000), count) as { id: string }[];
    const ready = await waitFor(() => open().length >= count, 60_000, 50);
    const conversations = open().map((r) => r.id);
    db.close();
    assert.ok(ready, `the second number's ${count} conversations were not all open: ${conversations.length}`);
    return { phoneNumberId, conversations };
  } finally {
    http.close();
  }
}
