// Analytics against a small fixture whose every number can be worked out by hand. The clock is
// injected; all times below are Asia/Jakarta (UTC+7, the organization's zone); working hours are
// Monday–Friday 08:00–17:00; an SLA policy asks for a first response within 60 working minutes.
//
//   C5  Sun 22 Nov 20:00 in, 20:05 owner reply (both before the period), resolved Mon 23 08:30
//   C1  Mon 23 09:00 in, 09:05 in, 09:10 owner reply, resolved 10:00; CSAT 5 at 10:05
//   C3  Wed 25 06:00 in (= Tue 24 23:00 UTC: the time-zone boundary), 08:30 Ani's reply,
//       Fri 27 10:00 Ani's template "promo_desember", 10:30 the customer answers; stays open
//   C4  Thu 26 14:00 in; never answered; stays open (its SLA breaches Thu 15:00)
//   C2  Fri 27 16:50 in, Sat 28 10:00 Ani's reply, resolved Mon 30 09:00
//
// Period [Mon 23 Nov, Tue 1 Dec): new C1 C2 C3 C4 = 4; resolved C5 C1 C2 = 3; open C3 C4 = 2;
// messages in 2+1+2+1 = 6, out 1+1+2 = 4 (C5's are before the period).
// First response (created in the period and answered):
//   C1 10 min (working 10), C3 150 min (working 08:00–08:30 = 30), C2 17 h 10 min = 1030 min
//   (working Fri 16:50–17:00 = 10): wall [600, 9000, 61800] s → median 9000, p90 9000 + 0.8 ×
//   52800 = 51240; working [600, 600, 1800] → median 600, p90 600 + 0.8 × 1200 = 1560.
// Resolution (resolved in the period):
//   C5 12 h 30 min = 45000 s (working Mon 08:00–08:30 = 1800), C1 60 min = 3600 (3600),
//   C2 2 d 16 h 10 min = 231000 s (working Fri 10 min + Mon 08:00–09:00 = 4200):
//   wall [3600, 45000, 231000] → median 45000, p90 45000 + 0.8 × 186000 = 193800;
//   working [1800, 3600, 4200] → median 3600, p90 3600 + 0.8 × 600 = 4080.
// SLA: C1, C2, C3 met, C4 breached → attainment 75 %.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, testClock, type TestClock, type TestServer } from '../support/server.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { Api, assertProblem, createAgent, registerTenant, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid, type WaAccount } from '../support/whatsapp.js';
import { runJob, settle } from '../support/settle.js';
import { connectMessenger, messagingPayload, mid, postSigned } from '../support/meta-channels.js';

/** An instant given as Jakarta wall-clock time "YYYY-MM-DDTHH:MM". */
const wib = (local: string) => new Date(`${local}:00+07:00`);
const PERIOD = 'from=2026-11-23&to=2026-12-01';

describe('Analytics', () => {
  let graph: FakeGraph;
  let clock: TestClock;
  let server: TestServer;
  let a: Tenant;
  let b: Tenant;
  let wa: WaAccount;
  let ani: { api: Api; agent: any };
  const conv: Record<string, any> = {};
  const phone = (n: number) => `6281300000${String(n).padStart(3, '0')}`;

  async function at(local: string) {
    await settle(server.appliance);
    clock.set(wib(local));
  }
  async function inbound(n: number, text = 'Halo kak') {
    const timestamp = String(Math.floor(clock.now().getTime() / 1000));
    const res = await postWebhook(
      server.url,
      waPayload('wa-text.json', wa.phoneNumberId, { from: phone(n), message: { id: wamid('AN'), timestamp, text: { body: text } } }),
      wa.appSecret,
    );
    assert.equal(res.status, 200);
    const found = await eventually(
      async () =>
        (await a.api.get('/api/v1/conversations?limit=200')).body.data.find(
          (c: any) => c.contact.phone === `+${phone(n)}` && ['open', 'pending'].includes(c.status),
        ),
      5000,
      'conversation',
    );
    await settle(server.appliance);
    return found;
  }
  async function reply(api: Api, c: any, body: Record<string, unknown> = { type: 'text', text: 'Baik kak' }) {
    const res = await api.post(`/api/v1/conversations/${c.id}/messages`, body);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    await settle(server.appliance);
    return res.body;
  }
  async function assign(c: any, userId: string) {
    assert.equal((await a.api.patch(`/api/v1/conversations/${c.id}/assign`, { assigneeId: userId })).status, 200);
  }
  async function resolve(c: any) {
    const res = await a.api.patch(`/api/v1/conversations/${c.id}/status`, { status: 'resolved' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }
  async function status(externalId: string, value: string, extra: Record<string, unknown> = {}) {
    const res = await postWebhook(
      server.url,
      waPayload('wa-status-sent.json', wa.phoneNumberId, {
        status: { id: externalId, status: value, timestamp: String(Math.floor(clock.now().getTime() / 1000)), ...extra },
      }),
      wa.appSecret,
    );
    assert.equal(res.status, 200);
    await settle(server.appliance);
  }
  const externalIdOf = async (messageId: string, c: any) =>
    eventually(
      async () =>
        (await a.api.get(`/api/v1/conversations/${c.id}/messages?limit=50`)).body.data.find((m: any) => m.id === messageId)?.externalId,
      5000,
      'message sent',
    );

  before(async () => {
    graph = await startFakeGraph();
    clock = testClock(wib('2026-11-22T19:00'));
    server = await startServer({ META_GRAPH_URL: graph.url }, { now: clock.now });
    const api = new Api(server.url);
    a = await registerTenant(api, 'Toko Analitik');
    b = await registerTenant(api, 'Toko Lain');
    wa = await connectWhatsApp(a.api, '610000000000061');
    ani = await createAgent(a.api, 'agent');
    const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];
    assert.equal(
      (await a.api.put('/api/v1/working-hours', { hours: weekdays.map((day) => ({ day, start: '08:00', end: '17:00' })) })).status,
      200,
    );
    const policy = await a.api.post('/api/v1/sla/policies', { name: 'Balas cepat', firstResponseMinutes: 60, workingHoursOnly: true });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));

    await at('2026-11-22T20:00');
    conv.c5 = await inbound(5);
    await assign(conv.c5, a.user.id);
    await at('2026-11-22T20:05');
    await reply(a.api, conv.c5);
    await at('2026-11-23T08:30');
    await resolve(conv.c5);

    await at('2026-11-23T09:00');
    conv.c1 = await inbound(1);
    await assign(conv.c1, a.user.id);
    await at('2026-11-23T09:05');
    await inbound(1, 'Ada warna merah?');
    await at('2026-11-23T09:10');
    conv.c1reply = await reply(a.api, conv.c1);
    await at('2026-11-23T10:00');
    await resolve(conv.c1);
    await at('2026-11-23T10:05');
    const survey = await a.api.post(`/api/v1/conversations/${conv.c1.id}/csat`, { delivery: 'none' });
    assert.equal(survey.status, 201, JSON.stringify(survey.body));
    assert.equal((await api.patch(`/api/v1/csat/${survey.body.url.split('/').pop()}`, { score: 5 })).status, 200);

    await at('2026-11-25T06:00');
    conv.c3 = await inbound(3);
    await assign(conv.c3, ani.agent.id);
    await at('2026-11-25T08:30');
    conv.c3reply = await reply(ani.api, conv.c3);

    await at('2026-11-26T14:00');
    conv.c4 = await inbound(4);

    await at('2026-11-27T10:00');
    await reply(ani.api, conv.c3, { type: 'template', template: { name: 'promo_desember', language: 'id' } });
    await at('2026-11-27T10:30');
    await inbound(3, 'Mau kak');

    await at('2026-11-27T16:50');
    conv.c2 = await inbound(2);
    await assign(conv.c2, ani.agent.id);
    await at('2026-11-28T10:00');
    conv.c2reply = await reply(ani.api, conv.c2);
    await at('2026-11-30T09:00');
    await resolve(conv.c2);

    // Tuesday: Meta's statuses arrive (with pricing), and the SLA evaluator runs.
    await at('2026-12-01T12:00');
    const c1wamid = await externalIdOf(conv.c1reply.id, conv.c1);
    await status(c1wamid, 'sent', {
      conversation: { id: 'CBP-CONV-1', expiration_timestamp: '1764000000', origin: { type: 'service' } },
      pricing: { billable: true, pricing_model: 'CBP', category: 'service' },
    });
    await status(c1wamid, 'delivered');
    await status(c1wamid, 'read');
    const c2wamid = await externalIdOf(conv.c2reply.id, conv.c2);
    await status(c2wamid, 'delivered', {
      conversation: undefined,
      pricing: { billable: false, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' },
    });
    await runJob(server.appliance, 'sla.evaluate');
  });
  after(async () => {
    await server.stop();
    await graph.stop();
  });

  it('overview: every KPI as worked out by hand', async () => {
    const res = await a.api.get(`/api/v1/analytics/overview?${PERIOD}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const o = res.body;
    assert.equal(o.from, '2026-11-22T17:00:00.000Z');
    assert.equal(o.to, '2026-11-30T17:00:00.000Z');
    assert.equal(o.timezone, 'Asia/Jakarta');
    assert.deepEqual(o.conversations, { new: 4, resolved: 3, open: 2 });
    assert.deepEqual(o.messages, { inbound: 6, outbound: 4 });
    assert.deepEqual(o.firstResponse, {
      count: 3,
      wallClock: { median: 9000, p90: 51240 },
      workingHours: { median: 600, p90: 1560 },
    });
    assert.deepEqual(o.resolution, {
      count: 3,
      wallClock: { median: 45000, p90: 193800 },
      workingHours: { median: 3600, p90: 4080 },
    });
    assert.deepEqual(o.sla, { met: 3, breached: 1, pending: 0, attainment: 75, breaches: { firstResponse: 1, resolution: 0 } });
    assert.equal(o.csat.sent, 1);
    assert.equal(o.csat.answered, 1);
    assert.equal(o.csat.average, 5);
    assert.equal(o.csat.csat, 100);
  });

  it('the period follows the time zone: Wednesday 06:00 in Jakarta is Tuesday in UTC', async () => {
    const jakarta = (await a.api.get('/api/v1/analytics/overview?from=2026-11-25&to=2026-11-26')).body;
    assert.equal(jakarta.conversations.new, 1, 'C3 on Wednesday in Jakarta');
    assert.deepEqual(jakarta.messages, { inbound: 1, outbound: 1 });
    const utc = (await a.api.get('/api/v1/analytics/overview?from=2026-11-25&to=2026-11-26&timezone=UTC')).body;
    assert.equal(utc.timezone, 'UTC');
    assert.equal(utc.conversations.new, 0, 'C3 began on Tuesday in UTC');
    assert.deepEqual(utc.messages, { inbound: 0, outbound: 1 }, "Ani's reply at 01:30 UTC Wednesday");
    const tuesdayUtc = (await a.api.get('/api/v1/analytics/overview?from=2026-11-24&to=2026-11-25&timezone=UTC')).body;
    assert.equal(tuesdayUtc.conversations.new, 1);
  });

  it('trends by day and week', async () => {
    const res = await a.api.get(`/api/v1/analytics/trends?${PERIOD}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const rows = res.body.buckets.map((b: any) => [
      b.label,
      b.newConversations,
      b.resolvedConversations,
      b.messagesIn,
      b.messagesOut,
      b.firstResponseMedian,
      b.firstResponseMedianWorking,
    ]);
    assert.deepEqual(rows, [
      ['2026-11-23', 1, 2, 2, 1, 600, 600],
      ['2026-11-24', 0, 0, 0, 0, null, null],
      ['2026-11-25', 1, 0, 1, 1, 9000, 1800],
      ['2026-11-26', 1, 0, 1, 0, null, null],
      ['2026-11-27', 1, 0, 2, 1, 61800, 600],
      ['2026-11-28', 0, 0, 0, 1, null, null],
      ['2026-11-29', 0, 0, 0, 0, null, null],
      ['2026-11-30', 0, 1, 0, 0, null, null],
    ]);
    assert.equal(res.body.buckets[0].start, '2026-11-22T17:00:00.000Z');
    assert.deepEqual(
      res.body.buckets.map((b: any) => [b.resolutionMedian, b.resolutionMedianWorking]).filter(([m]: any) => m !== null),
      [
        [(45000 + 3600) / 2, (1800 + 3600) / 2],
        [231000, 4200],
      ],
    );
    const utc = (await a.api.get(`/api/v1/analytics/trends?${PERIOD}&timezone=UTC`)).body.buckets;
    const day = (label: string) => utc.find((b: any) => b.label === label);
    assert.equal(day('2026-11-24').newConversations, 1, 'C3 counted on Tuesday in UTC');
    assert.equal(day('2026-11-25').newConversations, 0);
    assert.equal(day('2026-11-25').messagesOut, 1);
    const weeks = (await a.api.get(`/api/v1/analytics/trends?${PERIOD}&interval=week`)).body.buckets;
    assert.deepEqual(
      weeks.map((b: any) => [b.label, b.newConversations, b.resolvedConversations, b.messagesIn, b.messagesOut]),
      [
        ['2026-11-23', 4, 2, 6, 4],
        ['2026-11-30', 0, 1, 0, 0],
      ],
    );
  });

  it('per agent and per channel', async () => {
    const res = await a.api.get(`/api/v1/analytics/agents?${PERIOD}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const owner = res.body.agents.find((x: any) => x.agentId === a.user.id);
    const agent = res.body.agents.find((x: any) => x.agentId === ani.agent.id);
    assert.deepEqual([owner.newConversations, owner.resolved, owner.open, owner.messagesSent, owner.firstResponses], [1, 2, 0, 1, 1]);
    assert.deepEqual(owner.firstResponse.wallClock, { median: 600, p90: 600 });
    assert.deepEqual(owner.resolution.wallClock, { median: (3600 + 45000) / 2, p90: 3600 + 0.9 * 41400 });
    assert.deepEqual(owner.csat, { answered: 1, average: 5, csat: 100 });
    assert.deepEqual([agent.newConversations, agent.resolved, agent.open, agent.messagesSent, agent.firstResponses], [2, 1, 1, 3, 2]);
    assert.deepEqual(agent.firstResponse, {
      count: 2,
      wallClock: { median: (9000 + 61800) / 2, p90: 9000 + 0.9 * 52800 },
      workingHours: { median: 1200, p90: 600 + 0.9 * 1200 },
    });
    assert.deepEqual(agent.resolution.workingHours, { median: 4200, p90: 4200 });

    const channels = (await a.api.get(`/api/v1/analytics/channels?${PERIOD}`)).body.channels;
    const whatsapp = channels.find((c: any) => c.channel === 'whatsapp');
    assert.deepEqual(
      [whatsapp.newConversations, whatsapp.resolved, whatsapp.open, whatsapp.messagesIn, whatsapp.messagesOut],
      [4, 3, 2, 6, 4],
    );
    assert.deepEqual(whatsapp.firstResponse.workingHours, { median: 600, p90: 1560 });
    const email = channels.find((c: any) => c.channel === 'email');
    assert.deepEqual([email.newConversations, email.messagesIn, email.firstResponse.wallClock.median], [0, 0, null]);
  });

  it('filters by agent, channel and division', async () => {
    const mine = (await a.api.get(`/api/v1/analytics/overview?${PERIOD}&agentId=${ani.agent.id}`)).body;
    assert.deepEqual(mine.conversations, { new: 2, resolved: 1, open: 1 });
    assert.deepEqual(mine.messages, { inbound: 3, outbound: 3 });
    assert.deepEqual(mine.firstResponse.workingHours, { median: 1200, p90: 1680 });
    const agents = (await a.api.get(`/api/v1/analytics/agents?${PERIOD}&agentId=${ani.agent.id}`)).body.agents;
    assert.deepEqual(
      agents.map((x: any) => x.agentId),
      [ani.agent.id],
    );
    const email = (await a.api.get(`/api/v1/analytics/overview?${PERIOD}&channel=email`)).body;
    assert.deepEqual(
      [email.conversations, email.messages],
      [
        { new: 0, resolved: 0, open: 0 },
        { inbound: 0, outbound: 0 },
      ],
    );
    const division = await a.api.post('/api/v1/divisions', { name: 'Gudang' });
    assert.equal(division.status, 201, JSON.stringify(division.body));
    const none = (await a.api.get(`/api/v1/analytics/overview?${PERIOD}&divisionId=${division.body.id}`)).body;
    assert.equal(none.conversations.new, 0);
  });

  it('channels filtered: each channel counts its own messages only', async () => {
    const row = async (query: string, channel: string) => {
      const list = (await a.api.get(`/api/v1/analytics/channels?${PERIOD}&${query}`)).body.channels;
      const c = list.find((x: any) => x.channel === channel);
      return [list.length, c.newConversations, c.messagesIn, c.messagesOut];
    };
    assert.deepEqual(await row('channel=whatsapp', 'whatsapp'), [1, 4, 6, 4]);
    assert.deepEqual(await row('channel=email', 'email'), [1, 0, 0, 0]);
    assert.deepEqual(await row(`agentId=${ani.agent.id}`, 'whatsapp'), [4, 2, 3, 3]);
    assert.deepEqual(await row(`agentId=${ani.agent.id}`, 'email'), [4, 0, 0, 0]);
  });

  it('WhatsApp messages and conversations by pricing', async () => {
    const res = await a.api.get(`/api/v1/analytics/whatsapp/messages?${PERIOD}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.totals.outbound, 4);
    assert.equal(res.body.totals.delivered, 2, 'C1 and C2 replies');
    assert.equal(res.body.totals.read, 1, 'C1 reply');
    assert.equal(res.body.totals.failed, 0);
    assert.deepEqual(
      res.body.pricing.sort((x: any, y: any) => x.pricingModel.localeCompare(y.pricingModel)),
      [
        { pricingModel: 'CBP', category: 'service', pricingType: null, messages: 1, billable: 1 },
        { pricingModel: 'PMP', category: 'service', pricingType: 'free_customer_service', messages: 1, billable: 0 },
      ],
    );
    const conversations = (await a.api.get(`/api/v1/analytics/whatsapp/conversations?${PERIOD}`)).body;
    assert.deepEqual(conversations.totals, { conversations: 1, billable: 1 });
    assert.deepEqual(conversations.categories, [{ category: 'service', pricingModel: 'CBP', conversations: 1, billable: 1, messages: 1 }]);
    const other = (await a.api.get(`/api/v1/analytics/whatsapp/messages?${PERIOD}&channel=instagram`)).body;
    assert.deepEqual([other.totals.outbound, other.pricing], [0, []]);
  });

  it('WhatsApp templates: sent, delivered, read, replied', async () => {
    const res = await a.api.get(`/api/v1/analytics/whatsapp/templates?${PERIOD}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.templates.length, 1);
    const [t] = res.body.templates;
    assert.deepEqual(
      [t.name, t.languages, t.messages, t.sent, t.delivered, t.read, t.failed, t.replied, t.replyRate],
      ['promo_desember', ['id'], 1, 1, 0, 0, 0, 1, 100],
    );
  });

  it('CSAT at its analytics path and at the old one', async () => {
    const now = await a.api.get(`/api/v1/analytics/csat?${PERIOD}&groupBy=agent`);
    assert.equal(now.status, 200);
    assert.deepEqual(now.body.summary.distribution, { 1: 0, 2: 0, 3: 0, 4: 0, 5: 1 });
    const old = await a.api.get(`/api/v1/csat/analytics?${PERIOD}&groupBy=agent`);
    assert.deepEqual(old.body, now.body);
  });

  it('CSV export of each table', async () => {
    const csv = await a.api.get(`/api/v1/analytics/agents?${PERIOD}&format=csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
    assert.match(csv.headers.get('content-disposition') ?? '', /attachment; filename="agents-2026-11-22-2026-11-30.csv"/);
    const lines = String(csv.body)
      .replace(/^\ufeff/, '')
      .trim()
      .split('\n');
    assert.match(lines[0], /^agentId,name,email,status,newConversations,resolved,open,messagesSent,firstResponses,firstResponse\.count/);
    assert.equal(lines.length, 3, 'header and two agents');
    for (const path of ['overview', 'trends', 'channels', 'csat', 'whatsapp/messages', 'whatsapp/conversations', 'whatsapp/templates']) {
      const res = await a.api.get(`/api/v1/analytics/${path}?${PERIOD}&format=csv`);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', /text\/csv/, path);
    }
    const overview = String((await a.api.get(`/api/v1/analytics/overview?${PERIOD}&format=csv`)).body);
    assert.match(overview, /firstResponse\.workingHours\.p90,1560/);
  });

  it('channels: with two channels busy, each counts its own (the busiest is the total less the others)', async () => {
    // Its own organization, so the fixture above keeps its numbers: WhatsApp 2 conversations (3 in),
    // Messenger 1 (1 in, 1 agent reply). WhatsApp, the busier, is computed as all messages less Messenger's.
    const c = await registerTenant(new Api(server.url), 'Toko Dua Kanal');
    const wa2 = await connectWhatsApp(c.api, '610000000000062');
    const page = await connectMessenger(c.api, '620000000000062');
    const timestamp = () => String(Math.floor(clock.now().getTime() / 1000));
    for (const from of ['6281300000901', '6281300000902', '6281300000901']) {
      const res = await postWebhook(
        server.url,
        waPayload('wa-text.json', wa2.phoneNumberId, {
          from,
          message: { id: wamid('CH'), timestamp: timestamp(), text: { body: 'Halo' } },
        }),
        wa2.appSecret,
      );
      assert.equal(res.status, 200);
      await settle(server.appliance);
    }
    const body = messagingPayload('messenger-text.json', page.key, {
      customer: '7000000000901',
      at: clock.now().getTime(),
      message: { mid: mid('CH') },
    });
    assert.equal((await postSigned(server.url, '/api/v1/webhooks/messenger', body, page.appSecret)).status, 200);
    await settle(server.appliance);
    const list = async () => (await c.api.get('/api/v1/conversations?limit=50')).body.data;
    const messenger = await eventually(
      async () => (await list()).find((x: any) => x.channel === 'messenger'),
      5000,
      'messenger conversation',
    );
    assert.equal((await c.api.post(`/api/v1/conversations/${messenger.id}/messages`, { type: 'text', text: 'Baik kak' })).status, 202);
    await settle(server.appliance);
    assert.equal((await list()).length, 3);
    const channels = (await c.api.get('/api/v1/analytics/channels?from=2026-11-01&to=2027-01-01')).body.channels;
    const counts = (channel: string) => {
      const row = channels.find((x: any) => x.channel === channel);
      return [row.newConversations, row.messagesIn, row.messagesOut];
    };
    assert.deepEqual(counts('whatsapp'), [2, 3, 0]);
    assert.deepEqual(counts('messenger'), [1, 1, 1]);
    // The same numbers when each channel is counted alone (its own join, no subtraction).
    for (const [channel, expected] of [
      ['whatsapp', [2, 3, 0]],
      ['messenger', [1, 1, 1]],
    ] as const) {
      const alone = (await c.api.get(`/api/v1/analytics/channels?from=2026-11-01&to=2027-01-01&channel=${channel}`)).body.channels;
      const row = alone.find((x: any) => x.channel === channel);
      assert.deepEqual([row.newConversations, row.messagesIn, row.messagesOut], expected);
    }
  });

  it('refuses bad input with the field named', async () => {
    for (const path of [
      'overview',
      'trends',
      'agents',
      'channels',
      'csat',
      'whatsapp/messages',
      'whatsapp/conversations',
      'whatsapp/templates',
    ]) {
      assertProblem(await a.api.get(`/api/v1/analytics/${path}?from=yesterday`), 400, ['query.from']);
      assertProblem(await a.api.get(`/api/v1/analytics/${path}?from=2026-12-02&to=2026-12-01`), 400, ['query.from']);
      assertProblem(await a.api.get(`/api/v1/analytics/${path}?timezone=Mars/Olympus`), 400, ['query.timezone']);
      assertProblem(await a.api.get(`/api/v1/analytics/${path}?channel=fax`), 400, ['query.channel']);
      assertProblem(await a.api.get(`/api/v1/analytics/${path}?format=xml`), 400, ['query.format']);
      assertProblem(await a.api.get(`/api/v1/analytics/${path}?from=2024-01-01&to=2026-01-01`), 400, ['query.from']);
      assertProblem(await a.api.get(`/api/v1/analytics/${path}?agentId=nope`), 404);
    }
    assertProblem(await a.api.get('/api/v1/analytics/trends?interval=hour'), 400, ['query.interval']);
    assertProblem(await ani.api.get('/api/v1/analytics/overview'), 403);
    assertProblem(await new Api(server.url).get('/api/v1/analytics/overview'), 401);
  });

  it("another organization sees none of it, and the first one's ids answer 404", async () => {
    const o = (await b.api.get(`/api/v1/analytics/overview?${PERIOD}`)).body;
    assert.deepEqual(
      [o.conversations, o.messages, o.firstResponse.count],
      [{ new: 0, resolved: 0, open: 0 }, { inbound: 0, outbound: 0 }, 0],
    );
    const agents = (await b.api.get(`/api/v1/analytics/agents?${PERIOD}`)).body.agents;
    assert.deepEqual(
      agents.map((x: any) => x.agentId),
      [b.user.id],
    );
    assert.deepEqual((await b.api.get(`/api/v1/analytics/whatsapp/templates?${PERIOD}`)).body.templates, []);
    assert.deepEqual((await b.api.get(`/api/v1/analytics/whatsapp/messages?${PERIOD}`)).body.pricing, []);
    assert.equal((await b.api.get(`/api/v1/analytics/csat?${PERIOD}`)).body.summary.sent, 0);
    for (const path of [
      'overview',
      'trends',
      'agents',
      'channels',
      'csat',
      'whatsapp/messages',
      'whatsapp/conversations',
      'whatsapp/templates',
    ]) {
      assertProblem(await b.api.get(`/api/v1/analytics/${path}?${PERIOD}&agentId=${ani.agent.id}`), 404);
      const division = (await a.api.get('/api/v1/divisions')).body.data[0];
      assertProblem(await b.api.get(`/api/v1/analytics/${path}?${PERIOD}&divisionId=${division.id}`), 404);
    }
  });
});
