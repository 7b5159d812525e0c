// Working hours, the tenant timezone, the public status, the out-of-hours auto-reply and SLA, with
// an injected clock: a conversation at 16:55 on a Friday with a 10-working-minute target breaches
// at 08:05 on Monday and not before.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { listen } from '../support/realtime.js';
import { startServer, testClock, type TestClock, type TestServer } from '../support/server.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { Api, assertProblem, createAgent, registerTenant, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid, type WaAccount } from '../support/whatsapp.js';
import { runJob, settle } from '../support/settle.js';

const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];
const officeHours = weekdays.map((day) => ({ day, start: '08:00', end: '17:00' }));
// Instants in Asia/Jakarta (UTC+7, no DST).
const FRI_1655 = '2026-11-27T09:55:00.000Z';
const SAT_1000 = '2026-11-28T03:00:00.000Z';
const MON_0800 = '2026-11-30T01:00:00.000Z';
const MON_0804_59 = '2026-11-30T01:04:59.000Z';
const MON_0805 = '2026-11-30T01:05:00.000Z';
const MON_0900 = '2026-11-30T02:00:00.000Z';
const MON_1800 = '2026-11-30T11:00:00.000Z';
const CLOSED_TEXT = 'Terima kasih! Kami buka Senin–Jumat 08.00–17.00 WIB.';

describe('Working hours, auto-reply and SLA', () => {
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
    clock = testClock(FRI_1655);
    server = await startServer({ META_GRAPH_URL: graph.url }, { now: clock.now });
    const api = new Api(server.url);
    a = await registerTenant(api, 'Batik Jam Kerja');
    b = await registerTenant(api, 'Kopi Jam Kerja');
    waA = await connectWhatsApp(a.api, '700000000000007');
    waB = await connectWhatsApp(b.api, '800000000000008');
  });
  after(async () => {
    await server.stop();
    await graph.stop();
  });

  const newFrom = () => `62815${String(++n).padStart(8, '0')}`;
  /** A customer message stamped with the injected clock; resolves with its conversation once the work it causes has settled. */
  async function inbound(from: string, tenant: Tenant = a, wa: WaAccount = waA, text = 'Halo, masih buka?') {
    const timestamp = String(Math.floor(clock.now().getTime() / 1000));
    const res = await postWebhook(
      server.url,
      waPayload('wa-text.json', wa.phoneNumberId, { from, message: { id: wamid('WH'), timestamp, text: { body: text } } }),
      wa.appSecret,
    );
    assert.equal(res.status, 200);
    const conv = await eventually(
      async () =>
        (await tenant.api.get('/api/v1/conversations?limit=200')).body.data.find(
          (c: any) => c.contact.phone === `+${from}` && c.status === 'open',
        ),
      5000,
      'conversation',
    );
    await settle(server.appliance);
    return (await tenant.api.get(`/api/v1/conversations/${conv.id}`)).body;
  }
  const autoReplies = (to: string, wa: WaAccount = waA) =>
    graph.sentMessages(wa.phoneNumberId).filter((r) => r.body?.to === to && r.body?.text?.body === CLOSED_TEXT);

  it('stores global working hours and validates them field by field', async () => {
    const empty = await a.api.get('/api/v1/working-hours');
    assert.equal(empty.status, 200);
    assert.equal(empty.body.configured, false);
    assert.equal(empty.body.openNow, true, 'nothing set: always open');
    assert.equal(empty.body.timezone, 'Asia/Jakarta');

    const put = await a.api.put('/api/v1/working-hours', {
      hours: [...officeHours].reverse(),
      holidays: [{ date: '2026-12-25', name: 'Natal' }],
      autoReplies: [{ channel: 'whatsapp', enabled: true, message: CLOSED_TEXT }],
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.configured, true);
    assert.deepEqual(
      put.body.hours.map((h: any) => h.day),
      weekdays,
      'sorted Monday first',
    );
    assert.deepEqual(put.body.holidays, [{ date: '2026-12-25', name: 'Natal' }]);
    assert.equal(put.body.openNow, true, 'Friday 16:55 WIB');
    // Leaving a field out keeps it.
    const again = await a.api.put('/api/v1/working-hours', { holidays: [] });
    assert.equal(again.body.hours.length, 5);
    assert.equal(again.body.autoReplies[0].message, CLOSED_TEXT);

    assertProblem(await a.api.put('/api/v1/working-hours', { hours: [{ day: 'monday', start: '8:00', end: '17:00' }] }), 400, [
      'hours.0.start',
    ]);
    assertProblem(await a.api.put('/api/v1/working-hours', { hours: [{ day: 'monday', start: '17:00', end: '08:00' }] }), 400, [
      'hours.0.end',
    ]);
    assertProblem(await a.api.put('/api/v1/working-hours', { hours: [{ day: 'funday', start: '08:00', end: '09:00' }] }), 400, [
      'hours.0.day',
    ]);
    assertProblem(
      await a.api.put('/api/v1/working-hours', {
        hours: [
          { day: 'monday', start: '08:00', end: '12:00' },
          { day: 'monday', start: '11:00', end: '13:00' },
        ],
      }),
      400,
      ['hours.1.start'],
    );
    assertProblem(await a.api.put('/api/v1/working-hours', { holidays: [{ date: '2026-02-30' }] }), 400, ['holidays.0.date']);
    assertProblem(
      await a.api.put('/api/v1/working-hours', {
        autoReplies: [
          { channel: 'whatsapp', enabled: true, message: 'a' },
          { channel: 'whatsapp', enabled: false, message: 'b' },
        ],
      }),
      400,
      ['autoReplies.1.channel'],
    );
    assertProblem(await a.api.put('/api/v1/working-hours', { autoReplies: [{ channel: 'fax', enabled: true, message: '' }] }), 400, [
      'autoReplies.0.channel',
      'autoReplies.0.message',
    ]);
    const { api: agentApi } = await createAgent(a.api);
    assert.equal((await agentApi.get('/api/v1/working-hours')).status, 200);
    assertProblem(await agentApi.put('/api/v1/working-hours', { hours: [] }), 403);
  });

  it('gets and updates the tenant timezone', async () => {
    const tz = await b.api.get('/api/v1/tenant/timezone');
    assert.deepEqual(tz.body, { timezone: 'Asia/Jakarta', utcOffset: '+07:00', localTime: '2026-11-27T16:55' });
    const updated = await b.api.put('/api/v1/tenant/timezone', { timezone: 'asia/makassar' });
    assert.deepEqual(updated.body, { timezone: 'Asia/Makassar', utcOffset: '+08:00', localTime: '2026-11-27T17:55' });
    assertProblem(await b.api.put('/api/v1/tenant/timezone', { timezone: 'Mars/Olympus' }), 422, ['timezone']);
    assertProblem(await b.api.put('/api/v1/tenant/timezone', {}), 400, ['timezone']);
    assert.equal((await a.api.get('/api/v1/tenant/timezone')).body.timezone, 'Asia/Jakarta', 'other tenants keep theirs');
    // Working hours follow the timezone: 08:00–17:00 WITA is closed at 17:55 WITA.
    await b.api.put('/api/v1/working-hours', { hours: officeHours });
    assert.equal((await b.api.get('/api/v1/working-hours')).body.openNow, false);
    await b.api.put('/api/v1/tenant/timezone', { timezone: 'Asia/Jakarta' });
    assert.equal((await b.api.get('/api/v1/working-hours')).body.openNow, true);
  });

  it('divisions override the hours; the public status tells open or closed', async () => {
    const weekend = (await a.api.post('/api/v1/divisions', { name: 'Weekend desk' })).body;
    const inherited = await a.api.get(`/api/v1/divisions/${weekend.id}/working-hours`);
    assert.equal(inherited.body.override, false);
    assert.equal(inherited.body.hours.length, 5);
    assertProblem(await a.api.put(`/api/v1/divisions/${weekend.id}/working-hours`, { holidays: [] }), 422, ['hours']);
    assertProblem(
      await a.api.put(`/api/v1/divisions/${weekend.id}/working-hours`, { hours: [{ day: 'saturday', start: '09:00', end: '25:00' }] }),
      400,
      ['hours.0.end'],
    );
    assertProblem(await a.api.put(`/api/v1/divisions/${weekend.id}/working-hours`, { hours: [], autoReplies: [] }), 400);
    const own = await a.api.put(`/api/v1/divisions/${weekend.id}/working-hours`, {
      hours: [
        { day: 'saturday', start: '09:00', end: '15:00' },
        { day: 'sunday', start: '09:00', end: '15:00' },
      ],
    });
    assert.equal(own.body.override, true);
    assert.equal(own.body.hours.length, 2);

    const slug = a.tenant.slug;
    const anon = new Api(server.url);
    clock.set(SAT_1000);
    const closed = await anon.get(`/api/v1/public/working-hours/${slug}/status`);
    assert.equal(closed.status, 200);
    assert.equal(closed.body.open, false);
    assert.equal(closed.body.nextOpenAt, MON_0800);
    assert.equal(closed.body.localTime, '2026-11-28T10:00');
    assert.equal(closed.body.organization.name, 'Batik Jam Kerja');
    const desk = await anon.get(`/api/v1/public/working-hours/${slug}/status?divisionId=${weekend.id}`);
    assert.equal(desk.body.open, true);
    assert.equal(desk.body.closesAt, '2026-11-28T08:00:00.000Z');
    clock.set(MON_0900);
    const open = await anon.get(`/api/v1/public/working-hours/${slug}/status`);
    assert.equal(open.body.open, true);
    assert.equal(open.body.closesAt, '2026-11-30T10:00:00.000Z');
    assertProblem(await anon.get('/api/v1/public/working-hours/no-such-shop/status'), 404);
    // Another tenant's division is not found under this slug.
    const bDivision = (await b.api.post('/api/v1/divisions', { name: 'B desk' })).body;
    assertProblem(await anon.get(`/api/v1/public/working-hours/${slug}/status?divisionId=${bDivision.id}`), 404);

    assert.equal((await a.api.delete(`/api/v1/divisions/${weekend.id}/working-hours`)).status, 204);
    assert.equal((await a.api.get(`/api/v1/divisions/${weekend.id}/working-hours`)).body.override, false);
    clock.set(FRI_1655);
  });

  it('a conversation arriving outside working hours gets the auto-reply once per closed period; inside, none', async () => {
    const night = newFrom();
    clock.set(SAT_1000);
    const conv = await inbound(night);
    await eventually(async () => autoReplies(night).length === 1, 5000, 'auto-reply sent');
    const messages = (await a.api.get(`/api/v1/conversations/${conv.id}/messages`)).body.data;
    const reply = messages.find((m: any) => m.direction === 'outbound');
    assert.equal(reply.senderType, 'system');
    assert.equal(reply.text, CLOSED_TEXT);
    // Writing again in the same closed period: no second reply.
    clock.set('2026-11-29T05:00:00Z'); // Sunday
    await inbound(night, a, waA, 'Halo?');
    assert.equal(autoReplies(night).length, 1);

    // Inside working hours: none, for a new conversation or the old one.
    clock.set(MON_0900);
    const day = newFrom();
    await inbound(day);
    await inbound(night, a, waA, 'Sudah buka?');
    assert.equal(autoReplies(day).length, 0);
    assert.equal(autoReplies(night).length, 1);

    // The next closed period (Monday 18:00) answers once more.
    clock.set(MON_1800);
    await inbound(night, a, waA, 'Masih ada?');
    await eventually(async () => autoReplies(night).length === 2, 5000, 'second period reply');
    await inbound(night, a, waA, 'Halo lagi');
    assert.equal(autoReplies(night).length, 2);

    // Another tenant without replies configured gets none, even when closed.
    const bCustomer = newFrom();
    await inbound(bCustomer, b, waB);
    assert.equal(graph.sentMessages(waB.phoneNumberId).length, 0);
    clock.set(FRI_1655);
  });

  it('manages SLA policies and validates them', async () => {
    const created = await b.api.post('/api/v1/sla/policies', {
      name: 'VIP',
      priority: 'urgent',
      firstResponseMinutes: 5,
      resolutionMinutes: 60,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.atRiskPercent, 80);
    assert.equal(created.body.workingHoursOnly, true);
    assert.equal(created.body.enabled, true);
    assertProblem(await b.api.post('/api/v1/sla/policies', { name: 'Empty' }), 400, ['firstResponseMinutes']);
    assertProblem(
      await b.api.post('/api/v1/sla/policies', { name: 'Bad', firstResponseMinutes: 0, priority: 'asap', channel: 'fax' }),
      400,
      ['firstResponseMinutes', 'priority', 'channel'],
    );
    assertProblem(await b.api.post('/api/v1/sla/policies', { name: 'Elsewhere', firstResponseMinutes: 5, divisionId: a.user.id }), 422, [
      'divisionId',
    ]);
    const patched = await b.api.patch(`/api/v1/sla/policies/${created.body.id}`, { enabled: false, resolutionMinutes: null });
    assert.equal(patched.body.enabled, false);
    assert.equal(patched.body.resolutionMinutes, null);
    assertProblem(await b.api.patch(`/api/v1/sla/policies/${created.body.id}`, { firstResponseMinutes: null }), 400, [
      'firstResponseMinutes',
    ]);
    assert.deepEqual(
      (await b.api.get('/api/v1/sla/policies')).body.data.map((p: any) => p.id),
      [created.body.id],
    );
    const { api: agentApi } = await createAgent(b.api);
    assert.equal((await agentApi.get('/api/v1/sla/policies')).status, 200);
    assertProblem(await agentApi.post('/api/v1/sla/policies', { name: 'x', firstResponseMinutes: 1 }), 403);
    // A division with a policy cannot be deleted until the policy moves.
    const div = (await b.api.post('/api/v1/divisions', { name: 'SLA division' })).body;
    const scoped = await b.api.post('/api/v1/sla/policies', { name: 'Div', divisionId: div.id, resolutionMinutes: 30 });
    assertProblem(await b.api.delete(`/api/v1/divisions/${div.id}`), 409);
    assert.equal((await b.api.delete(`/api/v1/sla/policies/${scoped.body.id}`)).status, 204);
    assert.equal((await b.api.delete(`/api/v1/divisions/${div.id}`)).status, 204);
    assert.equal((await b.api.delete(`/api/v1/sla/policies/${created.body.id}`)).status, 204);
    assertProblem(await b.api.patch(`/api/v1/sla/policies/${created.body.id}`, { enabled: true }), 404);
  });

  it('10 working minutes from Friday 16:55 (hours 08:00–17:00) breach at Monday 08:05, not before', async () => {
    // Tenant A works 08:00–17:00 Monday to Friday (set above); the out-of-hours reply is a system message and stops no clock.
    const policy = (await a.api.post('/api/v1/sla/policies', { name: 'First reply in 10', firstResponseMinutes: 10 })).body;
    const listener = await listen(server.url, a.token);
    try {
      clock.set(FRI_1655);
      const conv = await inbound(newFrom());
      assert.equal(conv.createdAt, FRI_1655);
      const first = await a.api.get(`/api/v1/conversations/${conv.id}/sla`);
      assert.equal(first.status, 200);
      assert.equal(first.body.policy.id, policy.id);
      assert.equal(first.body.calendar, 'tenant');
      assert.equal(first.body.status, 'on_track');
      assert.equal(first.body.firstResponse.dueAt, MON_0805);
      assert.equal(conv.sla.status, 'on_track', 'the inbox payload carries the SLA state');
      assert.equal(conv.sla.nextDueAt, MON_0805);

      clock.set(SAT_1000);
      await runJob(server.appliance, 'sla.evaluate');
      assert.equal(
        (await a.api.get(`/api/v1/conversations/${conv.id}/sla`)).body.firstResponse.elapsedMinutes,
        5,
        'the weekend does not count',
      );

      clock.set(MON_0804_59);
      await runJob(server.appliance, 'sla.evaluate');
      const almost = await a.api.get(`/api/v1/conversations/${conv.id}/sla`);
      assert.equal(almost.body.status, 'at_risk');
      assert.deepEqual(almost.body.breaches, []);
      const policyBreaches = async () =>
        (await a.api.get(`/api/v1/sla/policies/${policy.id}/breaches`)).body.data.filter((x: any) => x.conversationId === conv.id);
      assert.deepEqual(await policyBreaches(), []);
      assert.equal((await a.api.get(`/api/v1/conversations/${conv.id}`)).body.sla.status, 'at_risk');
      assert.ok(
        listener.events.some((e) => e.type === 'sla.updated' && e.payload.conversationId === conv.id && e.payload.sla.status === 'at_risk'),
      );
      assert.ok(!listener.events.some((e) => e.type === 'sla.breached'));

      clock.set(MON_0805);
      await runJob(server.appliance, 'sla.evaluate');
      const breached = await a.api.get(`/api/v1/conversations/${conv.id}/sla`);
      assert.equal(breached.body.status, 'breached');
      assert.equal(breached.body.breaches.length, 1);
      const list = await policyBreaches();
      assert.equal(list.length, 1);
      assert.equal(list[0].metric, 'first_response');
      assert.equal(list[0].targetMinutes, 10);
      assert.equal(list[0].dueAt, MON_0805);
      assert.equal(list[0].breachedAt, MON_0805);
      assert.equal(list[0].conversation.status, 'open');
      const pushed = await eventually(
        async () => listener.events.find((e) => e.type === 'sla.breached' && e.payload.conversationId === conv.id),
        3000,
        'sla.breached pushed',
      );
      assert.equal(pushed.payload.breach.policyName, 'First reply in 10');
      assert.equal((await a.api.get(`/api/v1/conversations/${conv.id}`)).body.sla.status, 'breached');

      // Recorded once, however often it is evaluated.
      clock.set(MON_0900);
      await runJob(server.appliance, 'sla.evaluate');
      // (Conversations left open by the auto-reply test breach too by now: only this one is looked at.)
      assert.equal((await policyBreaches()).length, 1);
      assert.equal(listener.events.filter((e) => e.type === 'sla.breached' && e.payload.conversationId === conv.id).length, 1);
    } finally {
      listener.socket.close();
      await a.api.delete(`/api/v1/sla/policies/${policy.id}`);
    }
  });

  it('the first agent reply stops the first-response clock; the most specific policy applies', async () => {
    clock.set(MON_0900);
    const general = (await a.api.post('/api/v1/sla/policies', { name: 'General', firstResponseMinutes: 10, resolutionMinutes: 120 })).body;
    const whatsapp = (await a.api.post('/api/v1/sla/policies', { name: 'WhatsApp', channel: 'whatsapp', firstResponseMinutes: 5 })).body;
    try {
      const conv = await inbound(newFrom());
      const sla = await a.api.get(`/api/v1/conversations/${conv.id}/sla`);
      assert.equal(sla.body.policy.id, whatsapp.id, 'the channel policy is more specific');
      assert.equal(sla.body.resolution, null);
      clock.advance(3 * 60_000);
      const sent = await a.api.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'text', text: 'Halo kak, bisa dibantu?' });
      assert.equal(sent.status, 202, JSON.stringify(sent.body));
      await settle(server.appliance);
      const met = await a.api.get(`/api/v1/conversations/${conv.id}/sla`);
      assert.equal(met.body.status, 'met');
      assert.equal(met.body.firstResponse.completedAt, new Date(clock.now()).toISOString());
      assert.equal((await a.api.get(`/api/v1/conversations/${conv.id}`)).body.sla.status, 'met');
      clock.advance(60 * 60_000);
      await runJob(server.appliance, 'sla.evaluate');
      assert.equal((await a.api.get(`/api/v1/conversations/${conv.id}/sla`)).body.breaches.length, 0);

      // Without the channel policy the general one applies, with its resolution target.
      await a.api.patch(`/api/v1/sla/policies/${whatsapp.id}`, { enabled: false });
      const general2 = await a.api.get(`/api/v1/conversations/${conv.id}/sla`);
      assert.equal(general2.body.policy.id, general.id);
      assert.equal(general2.body.firstResponse.status, 'met');
      assert.equal(general2.body.resolution.status, 'on_track');
      await a.api.patch(`/api/v1/conversations/${conv.id}/status`, { status: 'resolved' });
      await settle(server.appliance);
      assert.equal((await a.api.get(`/api/v1/conversations/${conv.id}/sla`)).body.status, 'met');
    } finally {
      await a.api.delete(`/api/v1/sla/policies/${general.id}`);
      await a.api.delete(`/api/v1/sla/policies/${whatsapp.id}`);
    }
  });

  it('another tenant gets 404 for every policy, conversation and division id', async () => {
    clock.set(MON_0900);
    const policy = (await a.api.post('/api/v1/sla/policies', { name: 'Private', resolutionMinutes: 60 })).body;
    const conv = await inbound(newFrom());
    const div = (await a.api.post('/api/v1/divisions', { name: 'Private hours' })).body;
    await a.api.put(`/api/v1/divisions/${div.id}/working-hours`, { hours: officeHours });
    for (const res of [
      await b.api.patch(`/api/v1/sla/policies/${policy.id}`, { name: 'mine' }),
      await b.api.delete(`/api/v1/sla/policies/${policy.id}`),
      await b.api.get(`/api/v1/sla/policies/${policy.id}/breaches`),
      await b.api.get(`/api/v1/conversations/${conv.id}/sla`),
      await b.api.get(`/api/v1/divisions/${div.id}/working-hours`),
      await b.api.put(`/api/v1/divisions/${div.id}/working-hours`, { hours: [] }),
      await b.api.delete(`/api/v1/divisions/${div.id}/working-hours`),
    ])
      assertProblem(res, 404);
    assert.ok(!(await b.api.get('/api/v1/sla/policies')).body.data.some((p: any) => p.id === policy.id));
    assertProblem(await b.api.post('/api/v1/sla/policies', { name: 'Borrowed', divisionId: div.id, firstResponseMinutes: 5 }), 422, [
      'divisionId',
    ]);
    const aHours = (await a.api.get('/api/v1/working-hours')).body;
    await b.api.put('/api/v1/working-hours', {
      hours: [{ day: 'sunday', start: '10:00', end: '11:00' }],
      holidays: [{ date: '2026-12-31' }],
    });
    assert.deepEqual((await a.api.get('/api/v1/working-hours')).body, aHours, "B's hours are its own");
    assert.equal((await b.api.get('/api/v1/working-hours')).body.autoReplies.length, 0, "tenant A's replies are its own");
    assert.equal((await a.api.get(`/api/v1/divisions/${div.id}/working-hours`)).body.override, true);
    assert.equal((await a.api.get(`/api/v1/sla/policies`)).body.data[0].name, 'Private');
  });
});
