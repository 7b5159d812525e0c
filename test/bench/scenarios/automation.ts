// Automation: 50 active rules of the organization's own (plus the five built-in ones) on
// message.received: 45 whose conditions do not hold for ordinary chat (keywords, a regex, a channel
// list, nested groups) and 5 that hold for some messages and tag the conversation. Two measurements:
//   1. keeping up with ingest: the ingest scenario's load (signed webhooks at concurrency 50), and
//      whether every automation event has been processed by the time the webhooks became messages
//      (the engine's backlog then), with the events' processing throughput;
//   2. latency at a steady 200 events/s: webhooks sent open-loop at 200/s, and for each run that
//      acted, the time from its event being written (with the message, in one transaction) to its
//      first action committed (event → action), and from the webhook being sent.
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { HttpClient, closedLoop, sleep, summarize, waitFor } from '../lib/load.js';
import type { BenchContext } from '../lib/context.js';
import { fakeWamid, prng } from '../lib/ids.js';
import { phoneOf, recentCount } from '../lib/seed.js';
import { textWebhook, webhookHeaders, type SignedWebhook } from '../lib/webhooks.js';

const RUN = Date.now().toString(36);
const ACTING_WORDS = ['kak', 'ongkir', 'batik', 'resi', 'kopi'];

function rules() {
  const out: unknown[] = [];
  for (let i = 0; i < 45; i++) {
    const kind = i % 3;
    out.push({
      name: `Quiet rule ${i + 1}`,
      triggers: ['message.received'],
      conditions:
        kind === 0
          ? { match: 'all', conditions: [{ field: 'message.text', operator: 'contains', value: `zzkw${i}` }] }
          : kind === 1
            ? { match: 'all', conditions: [{ field: 'message.text', operator: 'regex', value: `^refund\\s+#?${i}\\d+$` }] }
            : {
                match: 'all',
                conditions: [
                  { field: 'conversation.channel', operator: 'in', value: ['email', 'instagram'] },
                  {
                    match: 'any',
                    conditions: [
                      { field: 'message.text', operator: 'contains', value: `promo${i}` },
                      { field: 'conversation.unreadCount', operator: 'greater_than', value: 1000 },
                    ],
                  },
                ],
              },
      actions: [{ type: 'add_tag', tags: [`quiet-${i}`] }],
    });
  }
  for (const [i, word] of ACTING_WORDS.entries())
    out.push({
      name: `Acting rule ${i + 1}`,
      triggers: ['message.received'],
      conditions: {
        match: 'all',
        conditions: [
          { field: 'message.text', operator: 'contains', value: word },
          { field: 'message.direction', operator: 'equals', value: 'inbound' },
        ],
      },
      actions: [{ type: 'add_tag', tags: [`topic-${word}`] }],
    });
  return out;
}

function makeWebhooks(ctx: BenchContext, count: number, label: string): { hook: SignedWebhook }[] {
  const { tenant, sizes, corpus } = ctx;
  const rand = prng(label.length * 7_000_003 + count);
  const C = sizes.conversations;
  const recent = recentCount(C);
  const out: { hook: SignedWebhook }[] = [];
  for (let i = 0; i < count; i++) {
    const u = rand();
    const who =
      u < 0.5
        ? C - recent + Math.floor(rand() * recent)
        : u < 0.8
          ? Math.floor(rand() * (C - recent))
          : C + 2_000_000 + Math.floor(rand() * 1_000_000);
    out.push({
      hook: textWebhook(
        tenant.phoneNumberId,
        tenant.appSecret,
        phoneOf(who),
        fakeWamid(`${label}${RUN}`, i),
        corpus.sentence(rand, 2, 16),
        who,
      ),
    });
  }
  return out;
}

export async function automationScenario(ctx: BenchContext): Promise<void> {
  const { sizes } = ctx;
  // Quick mode (CI checks the harness within the quick run's time): a tenth of the ingest scenario's small size.
  const { concurrency } = sizes.ingest;
  const total = ctx.quick ? Math.ceil(sizes.ingest.total / 10) : sizes.ingest.total;
  const warmup = ctx.quick ? 5 : sizes.ingest.warmup;
  const server = await ctx.startAppliance('automation');
  const owner = ctx.tenant.users[0];
  const api = new HttpClient(server.url, 4, { authorization: `Bearer ${owner.token}` });
  for (const rule of rules()) {
    const res = await api.json('POST', '/api/v1/automation/rules', rule);
    assert.equal(res.status, 201, JSON.stringify(res.body));
  }
  const list = await api.json('GET', '/api/v1/automation/rules?limit=200&enabled=true');
  const active = list.body.data.length as number;
  const http = new HttpClient(server.url, concurrency);
  const post = (h: SignedWebhook) => http.request('POST', '/api/v1/webhooks/meta', h.body, webhookHeaders(h));
  const db = new Database(ctx.dbPath, { readonly: true });
  const pendingWebhooks = db.prepare(`SELECT count(*) AS n FROM webhook_events WHERE status = 'received'`);
  const pendingEvents = db.prepare(`SELECT count(*) AS n FROM automation_events WHERE status = 'pending'`);

  // Warm up.
  const warm = makeWebhooks(ctx, warmup, 'AWARM');
  await closedLoop({ concurrency, total: warm.length, op: async (i) => (await post(warm[i].hook)).status === 200 });
  await waitFor(() => (pendingWebhooks.get() as { n: number }).n === 0 && (pendingEvents.get() as { n: number }).n === 0, 120_000, 100);

  // 1. The ingest load.
  const hooks = makeWebhooks(ctx, total, 'AING');
  const firstEvent = (db.prepare(`SELECT max(id) AS id FROM automation_events`).get() as { id: string }).id;
  const started = performance.now();
  await closedLoop({ concurrency, total, op: async (i) => (await post(hooks[i].hook)).status === 200 });
  await waitFor(() => (pendingWebhooks.get() as { n: number }).n === 0, total * 20 + 30_000, 100);
  const messagesMs = performance.now() - started;
  const backlogAtMessages = (pendingEvents.get() as { n: number }).n;
  await waitFor(() => (pendingEvents.get() as { n: number }).n === 0, total * 20 + 30_000, 100);
  const eventsMs = performance.now() - started;
  const processed = (
    db.prepare(`SELECT count(*) AS n FROM automation_events WHERE id > ? AND type = 'message.received'`).get(firstEvent) as { n: number }
  ).n;
  const runs = (
    db
      .prepare(`SELECT count(*) AS n FROM automation_runs r JOIN automation_events e ON e.id = r.eventId WHERE e.id > ?`)
      .get(firstEvent) as { n: number }
  ).n;
  const failed = (
    db.prepare(`SELECT count(*) AS n FROM automation_events WHERE id > ? AND status = 'failed'`).get(firstEvent) as { n: number }
  ).n;
  assert.equal(failed, 0, 'no automation event failed');
  ctx.record({
    scenario: 'automation',
    measurement: `ingest load with ${active} active rules: webhooks processed into messages`,
    kind: 'appliance',
    n: total,
    throughput: (total / messagesMs) * 1000,
    value: messagesMs,
    unit: 'ms',
    note: `concurrency ${concurrency}`,
  });
  ctx.record({
    scenario: 'automation',
    measurement: `ingest load with ${active} active rules: automation events processed`,
    kind: 'appliance',
    n: processed,
    throughput: (processed / eventsMs) * 1000,
    value: eventsMs,
    unit: 'ms',
    target: 'keeps up: backlog 0 when the messages are in',
    met: backlogAtMessages === 0 || eventsMs - messagesMs < 1000,
    note: `${runs} runs recorded; ${backlogAtMessages} events waiting when the last message was in; all done ${((eventsMs - messagesMs) / 1000).toFixed(1)} s after`,
  });
  // What the engine does with the server to itself: the backlog left when the last message was in,
  // over the time it took to empty. Compared with the message rate above, it says whether the engine
  // could keep up on its own, or only falls behind because one server thread shares its time.
  if (backlogAtMessages > 0 && eventsMs > messagesMs)
    ctx.record({
      scenario: 'automation',
      measurement: `${active} active rules: the engine draining its backlog after the load`,
      kind: 'appliance',
      n: backlogAtMessages,
      throughput: (backlogAtMessages / (eventsMs - messagesMs)) * 1000,
      value: eventsMs - messagesMs,
      unit: 'ms',
      note: 'automation events of every type still waiting when the last message was in, until none was left',
    });

  // 2. A steady 200 events/s, open loop.
  const rate = ctx.quick ? 10 : 200;
  const seconds = ctx.quick ? 2 : 20;
  const steady = makeWebhooks(ctx, rate * seconds, 'ASTEADY');
  const sentAt = new Map<string, number>();
  const before = (db.prepare(`SELECT max(id) AS id FROM automation_events`).get() as { id: string }).id;
  const t0 = performance.now();
  const wall0 = Date.now();
  const inflight: Promise<unknown>[] = [];
  for (let i = 0; i < steady.length; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    sentAt.set(steady[i].hook.wamid, wall0 + (performance.now() - t0));
    inflight.push(post(steady[i].hook));
  }
  await Promise.all(inflight);
  const sendMs = performance.now() - t0;
  await waitFor(() => (pendingWebhooks.get() as { n: number }).n === 0 && (pendingEvents.get() as { n: number }).n === 0, 180_000, 100);
  const rows = db
    .prepare(
      `SELECT e.createdAt AS eventAt, r.actions AS actions, m.externalId AS wamid FROM automation_runs r
       JOIN automation_events e ON e.id = r.eventId JOIN messages m ON m.id = e.messageId
       WHERE e.id > ? AND r.status = 'succeeded' AND r.ruleId IN (SELECT id FROM automation_rules WHERE name LIKE 'Acting rule %')`,
    )
    .all(before) as { eventAt: string; actions: string; wamid: string }[];
  const toMs = (s: string) => new Date(s.includes('T') ? s : `${s.replace(' ', 'T')}Z`).getTime();
  const eventToAction: number[] = [];
  const sentToAction: number[] = [];
  for (const r of rows) {
    const first = (JSON.parse(r.actions) as { at: string }[])[0];
    if (!first) continue;
    eventToAction.push(toMs(first.at) - toMs(r.eventAt));
    const sent = sentAt.get(r.wamid);
    if (sent !== undefined) sentToAction.push(toMs(first.at) - sent);
  }
  const e2a = summarize(eventToAction, sendMs);
  const s2a = summarize(sentToAction, sendMs);
  ctx.record({
    scenario: 'automation',
    measurement: `${rate} events/s with ${active} active rules: event written → first action committed`,
    kind: 'appliance',
    n: eventToAction.length,
    throughput: (steady.length / sendMs) * 1000,
    p50: e2a.p50,
    p95: e2a.p95,
    p99: e2a.p99,
    target: ctx.quick ? undefined : 'p99 < 200 ms',
    met: ctx.quick ? undefined : e2a.p99 < 200,
    note: `${steady.length} webhooks over ${(sendMs / 1000).toFixed(1)} s; runs that acted: ${eventToAction.length}`,
  });
  ctx.record({
    scenario: 'automation',
    measurement: `${rate} events/s: webhook sent → first action committed`,
    kind: 'appliance',
    n: sentToAction.length,
    p50: s2a.p50,
    p95: s2a.p95,
    p99: s2a.p99,
    note: 'includes the webhook acknowledgement and its processing into a message',
  });
  db.close();
  http.close();
  api.close();
  await server.stop();
}
