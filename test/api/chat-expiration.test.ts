// Chat expiration rules through the API, with an injected clock: idle conversations are resolved
// by the scheduled job and by POST /conversations/expire, the closing message is sent once (and
// only while the channel still accepts one), and each tenant's rules touch only its conversations.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, testClock, type TestClock, type TestServer } from '../support/server.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { Api, assertProblem, createAgent, registerTenant, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid, type WaAccount } from '../support/whatsapp.js';
import { runJob, settle } from '../support/settle.js';

const HOUR = 3600_000;
const GOODBYE = 'Percakapan ini kami tutup. Silakan kirim pesan lagi bila perlu bantuan.';

describe('Chat expiration', () => {
  let graph: FakeGraph;
  let clock: TestClock;
  let server: TestServer;
  let a: Tenant;
  let b: Tenant;
  let waA: WaAccount;
  let waB: WaAccount;
  let n = 0;

  before(async () => {
    graph = await startFakeGraph();
    clock = testClock('2026-11-25T03:00:00Z');
    server = await startServer({ META_GRAPH_URL: graph.url }, { now: clock.now });
    const api = new Api(server.url);
    a = await registerTenant(api, 'Toko Kedaluwarsa A');
    b = await registerTenant(api, 'Toko Kedaluwarsa B');
    waA = await connectWhatsApp(a.api, '910000000000009');
    waB = await connectWhatsApp(b.api, '920000000000009');
  });
  after(async () => {
    await server.stop();
    await graph.stop();
  });

  async function inbound(tenant: Tenant = a, wa: WaAccount = waA) {
    const from = `62816${String(++n).padStart(8, '0')}`;
    const timestamp = String(Math.floor(clock.now().getTime() / 1000));
    await postWebhook(
      server.url,
      waPayload('wa-text.json', wa.phoneNumberId, { from, message: { id: wamid('EX'), timestamp, text: { body: 'Halo' } } }),
      wa.appSecret,
    );
    const conv = await eventually(
      async () => (await tenant.api.get('/api/v1/conversations?limit=200')).body.data.find((c: any) => c.contact.phone === `+${from}`),
      5000,
      'conversation',
    );
    await settle(server.appliance);
    return { ...conv, from };
  }
  const goodbyes = (to: string) => graph.sentMessages(waA.phoneNumberId).filter((r) => r.body?.to === to && r.body?.text?.body === GOODBYE);
  const status = async (tenant: Tenant, id: string) => (await tenant.api.get(`/api/v1/conversations/${id}`)).body.status;

  it('lists a rule per channel and upserts one, naming bad fields', async () => {
    const list = await a.api.get('/api/v1/chat-expiration/rules');
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.data.map((r: any) => r.channel),
      ['whatsapp', 'messenger', 'instagram', 'email'],
    );
    assert.ok(list.body.data.every((r: any) => r.enabled === false && r.hours === 24 && r.configured === false));
    const put = await a.api.put('/api/v1/chat-expiration/rules/whatsapp', { enabled: true, hours: 2, closingMessage: GOODBYE });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(
      { ...put.body, updatedAt: undefined },
      { channel: 'whatsapp', enabled: true, hours: 2, closingMessage: GOODBYE, configured: true, updatedAt: undefined },
    );
    assert.equal((await a.api.get('/api/v1/chat-expiration/rules')).body.data[0].hours, 2);
    // Leaving closingMessage out keeps it.
    assert.equal((await a.api.put('/api/v1/chat-expiration/rules/whatsapp', { enabled: true, hours: 2 })).body.closingMessage, GOODBYE);

    assertProblem(await a.api.put('/api/v1/chat-expiration/rules/telegram', { enabled: true, hours: 2 }), 400, ['params.channel']);
    assertProblem(await a.api.put('/api/v1/chat-expiration/rules/whatsapp', { enabled: true, hours: 0 }), 400, ['hours']);
    assertProblem(await a.api.put('/api/v1/chat-expiration/rules/whatsapp', { hours: 1.5 }), 400, ['enabled', 'hours']);
    assertProblem(await a.api.put('/api/v1/chat-expiration/rules/whatsapp', { enabled: true, hours: 3, closingMessage: ' ' }), 400, [
      'closingMessage',
    ]);
    const { api: agentApi } = await createAgent(a.api);
    assertProblem(await agentApi.get('/api/v1/chat-expiration/rules'), 403);
    assertProblem(await agentApi.put('/api/v1/chat-expiration/rules/whatsapp', { enabled: false, hours: 2 }), 403);
  });

  it('"Expire stale conversations" resolves conversations idle past the rule and says goodbye once', async () => {
    const conv = await inbound();
    clock.advance(1 * HOUR);
    const early = await a.api.post('/api/v1/conversations/expire');
    assert.equal(early.status, 200);
    assert.ok(!early.body.resolvedConversationIds.includes(conv.id), 'idle only one hour');
    assert.equal(await status(a, conv.id), 'open');

    clock.advance(1 * HOUR + 1000);
    const res = await a.api.post('/api/v1/conversations/expire');
    assert.deepEqual(res.body.resolvedConversationIds, [conv.id]);
    assert.equal(res.body.resolved, 1);
    assert.equal(res.body.expired, 0, 'the 24-hour window is still open');
    const after = (await a.api.get(`/api/v1/conversations/${conv.id}`)).body;
    assert.equal(after.status, 'resolved');
    assert.equal(after.resolvedAt, clock.now().toISOString());
    await settle(server.appliance);
    assert.equal(goodbyes(conv.from).length, 1);
    const messages = (await a.api.get(`/api/v1/conversations/${conv.id}/messages`)).body.data;
    assert.equal(messages[0].senderType, 'system');
    assert.equal(messages[0].text, GOODBYE);

    const again = await a.api.post('/api/v1/conversations/expire');
    assert.deepEqual(again.body.resolvedConversationIds, []);
    await settle(server.appliance);
    assert.equal(goodbyes(conv.from).length, 1, 'sent once');
    const log = await a.api.get('/api/v1/activity-logs?action=conversation.expired_by_rule');
    assert.equal(log.body.data[0].details.count, 1);
  });

  it("the scheduled job applies the rules; no closing message once the channel's window has closed", async () => {
    await a.api.put('/api/v1/chat-expiration/rules/whatsapp', { enabled: true, hours: 30, closingMessage: GOODBYE });
    const conv = await inbound();
    const active = await inbound();
    clock.advance(29 * HOUR);
    // Activity resets the idle time.
    await postWebhook(
      server.url,
      waPayload('wa-text.json', waA.phoneNumberId, {
        from: active.from,
        message: { id: wamid('EX'), timestamp: String(Math.floor(clock.now().getTime() / 1000)) },
      }),
      waA.appSecret,
    );
    await settle(server.appliance);
    clock.advance(1 * HOUR + 1000);
    await runJob(server.appliance, 'chat-expiration.run');
    assert.equal(await status(a, conv.id), 'resolved');
    assert.equal(await status(a, active.id), 'open');
    assert.equal(goodbyes(conv.from).length, 0, "WhatsApp refuses free-form messages 24 hours after the customer's last one");

    // A disabled rule does nothing.
    await a.api.put('/api/v1/chat-expiration/rules/whatsapp', { enabled: false, hours: 1 });
    clock.advance(2 * HOUR);
    await runJob(server.appliance, 'chat-expiration.run');
    assert.equal(await status(a, active.id), 'open');
  });

  it("each tenant's rules apply only to its own conversations", async () => {
    await a.api.put('/api/v1/chat-expiration/rules/whatsapp', { enabled: false, hours: 24 });
    const mine = await inbound(a, waA);
    const theirs = await inbound(b, waB);
    await b.api.put('/api/v1/chat-expiration/rules/whatsapp', { enabled: true, hours: 1, closingMessage: null });
    assert.equal((await a.api.get('/api/v1/chat-expiration/rules')).body.data[0].enabled, false, "B's rule is not A's");
    clock.advance(2 * HOUR);
    const res = await b.api.post('/api/v1/conversations/expire');
    assert.deepEqual(res.body.resolvedConversationIds, [theirs.id]);
    await runJob(server.appliance, 'chat-expiration.run');
    assert.equal(await status(a, mine.id), 'open');
    assert.equal(await status(b, theirs.id), 'resolved');
    assert.equal(graph.sentMessages(waB.phoneNumberId).length, 0, 'no closing message configured');
    // Tenant A's expire does not reach B's conversations either.
    await b.api.put('/api/v1/chat-expiration/rules/whatsapp', { enabled: false, hours: 1 });
    const other = await inbound(b, waB);
    await a.api.put('/api/v1/chat-expiration/rules/whatsapp', { enabled: true, hours: 1 });
    clock.advance(2 * HOUR);
    const aRes = await a.api.post('/api/v1/conversations/expire');
    assert.ok(aRes.body.resolvedConversationIds.includes(mine.id));
    assert.ok(!aRes.body.resolvedConversationIds.includes(other.id));
    assert.equal(await status(b, other.id), 'open');
  });
});
