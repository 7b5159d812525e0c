// The first reply kept on each conversation row (server/modules/analytics/first-reply.ts), which the
// dashboard's first response reads instead of looking up every conversation's messages: set by an
// agent's reply and by an AI agent's, never by a note or a system message (the out-of-hours
// auto-reply), never moved by a later reply; and for every conversation equal to the rule it
// replaced, computed from the messages (outbound, sender agent or AI, earliest).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, testClock, type TestClock, type TestServer } from '../support/server.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { startFakeLlm, FAKE_CHAT_MODEL, FAKE_EMBEDDING_MODEL, type FakeLlm } from '../support/fake-llm.js';
import { Api, createAgent, registerTenant, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid, type WaAccount } from '../support/whatsapp.js';
import { settle } from '../support/settle.js';

/** An instant given as Jakarta wall-clock time "YYYY-MM-DDTHH:MM". */
const wib = (local: string) => new Date(`${local}:00+07:00`);
const CLOSED_TEXT = 'Terima kasih! Kami buka Senin–Jumat 08.00–17.00 WIB.';

describe('Analytics: the first reply kept on the conversation', () => {
  let graph: FakeGraph;
  let llm: FakeLlm;
  let clock: TestClock;
  let server: TestServer;
  let a: Tenant;
  let wa: WaAccount;
  let ani: { api: Api; agent: any };
  let n = 0;

  before(async () => {
    graph = await startFakeGraph();
    llm = await startFakeLlm();
    clock = testClock(wib('2026-11-28T10:00')); // a Saturday: closed
    server = await startServer(
      { META_GRAPH_URL: graph.url, LLM_BASE_URL: llm.url, LLM_MODEL: FAKE_CHAT_MODEL, LLM_EMBEDDING_MODEL: FAKE_EMBEDDING_MODEL },
      { now: clock.now },
    );
    a = await registerTenant(new Api(server.url), 'Toko Balasan');
    wa = await connectWhatsApp(a.api, '610000000000071');
    ani = await createAgent(a.api, 'agent');
    const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];
    const hours = await a.api.put('/api/v1/working-hours', {
      hours: weekdays.map((day) => ({ day, start: '08:00', end: '17:00' })),
      autoReplies: [{ channel: 'whatsapp', enabled: true, message: CLOSED_TEXT }],
    });
    assert.equal(hours.status, 200, JSON.stringify(hours.body));
  });
  after(async () => {
    await server.stop();
    await graph.stop();
    await llm.stop();
  });

  /** The stored first reply of a conversation: [ISO time or null, sender id or null]. */
  async function stored(conversationId: string): Promise<[string | null, string | null]> {
    const [row] = await server.appliance.db.query(
      `SELECT "firstReplyAt" AS "at", "firstReplyBy" AS "by" FROM "conversations" WHERE "id" = ?`,
      [conversationId],
    );
    assert.ok(row, 'the conversation exists');
    return [row.at === null ? null : new Date(`${String(row.at).replace(' ', 'T')}Z`).toISOString(), row.by];
  }
  async function inbound(text = 'Halo kak') {
    const from = `62813777${String(++n).padStart(5, '0')}`;
    const timestamp = String(Math.floor(clock.now().getTime() / 1000));
    const res = await postWebhook(
      server.url,
      waPayload('wa-text.json', wa.phoneNumberId, { from, message: { id: wamid('FR'), timestamp, text: { body: text } } }),
      wa.appSecret,
    );
    assert.equal(res.status, 200);
    const found = await eventually(
      async () => (await a.api.get('/api/v1/conversations?limit=200')).body.data.find((c: any) => c.contact.phone === `+${from}`),
      5000,
      'conversation',
    );
    await settle(server.appliance, 20_000);
    return found;
  }
  const thread = async (conversationId: string) =>
    (await a.api.get(`/api/v1/conversations/${conversationId}/messages?limit=100`)).body.data.slice().reverse();
  async function reply(api: Api, conversationId: string) {
    const res = await api.post(`/api/v1/conversations/${conversationId}/messages`, { type: 'text', text: 'Baik kak' });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    await settle(server.appliance);
    return res.body;
  }

  it("an agent's reply sets it; the auto-reply, a note and a later reply do not", async () => {
    const c = await inbound();
    const auto = (await thread(c.id)).find((m: any) => m.direction === 'outbound');
    assert.ok(auto, 'the out-of-hours auto-reply was written');
    assert.equal(auto.senderType, 'system');
    assert.deepEqual(await stored(c.id), [null, null], 'a system message is no reply');

    clock.set(wib('2026-11-28T10:05'));
    const note = await a.api.post(`/api/v1/conversations/${c.id}/notes`, { body: 'Pelanggan lama, cek pesanan minggu lalu' });
    assert.equal(note.status, 201, JSON.stringify(note.body));
    await settle(server.appliance);
    assert.deepEqual(await stored(c.id), [null, null], 'a note is no reply');

    clock.set(wib('2026-11-28T10:30'));
    const first = await reply(a.api, c.id);
    assert.deepEqual(await stored(c.id), [wib('2026-11-28T10:30').toISOString(), a.user.id]);
    assert.equal(first.senderId, a.user.id);

    clock.set(wib('2026-11-28T10:40'));
    await reply(ani.api, c.id);
    assert.deepEqual(await stored(c.id), [wib('2026-11-28T10:30').toISOString(), a.user.id], 'the first one stays');
  });

  it("an AI agent's reply sets it, with the AI agent as the responder", async () => {
    clock.set(wib('2026-11-30T09:00')); // Monday: open, no auto-reply
    const agent = (await a.api.post('/api/v1/ai-agents', { name: 'Sari', instructions: 'Ramah dan singkat.', active: true })).body;
    assert.ok(agent.id, JSON.stringify(agent));
    const faq = await a.api.post(`/api/v1/ai-agents/${agent.id}/knowledge-sources`, {
      type: 'qna',
      name: 'FAQ toko',
      qna: [{ question: 'Jam berapa toko buka?', answer: 'Kami buka setiap hari pukul 09.00–21.00 WIB.' }],
    });
    assert.equal(faq.status, 201, JSON.stringify(faq.body));
    assert.equal((await a.api.post(`/api/v1/ai-agents/${agent.id}/assignments`, { channel: 'whatsapp' })).status, 201);
    await settle(server.appliance);

    const c = await inbound('Halo kak, jam berapa toko buka?');
    const ai = (await thread(c.id)).find((m: any) => m.direction === 'outbound');
    assert.ok(ai, 'the AI agent answered');
    assert.equal(ai.senderType, 'ai');
    assert.deepEqual(await stored(c.id), [new Date(ai.createdAt).toISOString(), agent.id]);

    // The dashboard counts both first responses, and the agent view credits the owner with theirs.
    const period = 'from=2026-11-28&to=2026-12-01';
    const overview = (await a.api.get(`/api/v1/analytics/overview?${period}`)).body;
    assert.equal(overview.firstResponse.count, 2);
    const agents = (await a.api.get(`/api/v1/analytics/agents?${period}`)).body.agents;
    assert.equal(agents.find((x: any) => x.agentId === a.user.id).firstResponses, 1);
    assert.equal(agents.find((x: any) => x.agentId === ani.agent.id).firstResponses, 0);
  });

  it('equals, for every conversation, the first agent or AI reply computed from its messages', async () => {
    const first = (column: string) => `(SELECT m."${column}" FROM "messages" m WHERE m."conversationId" = c."id"
      AND m."direction" = 'outbound' AND m."senderType" IN ('agent', 'ai') ORDER BY m."createdAt" LIMIT 1)`;
    const list = await server.appliance.db.query(
      `SELECT c."id" AS "id", c."firstReplyAt" AS "at", c."firstReplyBy" AS "by", ${first('createdAt')} AS "ruleAt", ${first('senderId')} AS "ruleBy"
         FROM "conversations" c WHERE c."tenantId" = ?`,
      [a.tenant.id],
    );
    assert.equal(list.length, 2);
    for (const r of list) assert.deepEqual([r.at, r.by], [r.ruleAt, r.ruleBy], r.id);
  });
});
