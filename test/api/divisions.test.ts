// Divisions and transfers through the API: CRUD and membership, who sees which conversations,
// round-robin assignment, transfer history and the live notification, and cross-tenant 404s.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { listen } from '../support/realtime.js';
import { startServer, type TestServer } from '../support/server.js';
import { Api, assertProblem, createAgent, registerTenant, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid, type WaAccount } from '../support/whatsapp.js';
import { settle } from '../support/settle.js';

describe('Divisions and transfers', () => {
  let server: TestServer;
  let a: Tenant;
  let b: Tenant;
  let waA: WaAccount;
  let waB: WaAccount;
  let n = 0;

  before(async () => {
    server = await startServer();
    const api = new Api(server.url);
    a = await registerTenant(api, 'Toko Divisi A');
    b = await registerTenant(api, 'Toko Divisi B');
    waA = await connectWhatsApp(a.api, '500000000000005');
    waB = await connectWhatsApp(b.api, '600000000000006');
  });
  after(() => server.stop());

  async function newConversation(tenant: Tenant = a, wa: WaAccount = waA) {
    const from = `62814${String(++n).padStart(8, '0')}`;
    await postWebhook(
      server.url,
      waPayload('wa-text.json', wa.phoneNumberId, { from, message: { id: wamid('D'), text: { body: 'Halo' } } }),
      wa.appSecret,
    );
    const conv = await eventually(
      async () => (await tenant.api.get('/api/v1/conversations?limit=200')).body.data.find((c: any) => c.contact.phone === `+${from}`),
      5000,
      'conversation',
    );
    await settle(server.appliance);
    return (await tenant.api.get(`/api/v1/conversations/${conv.id}`)).body;
  }

  async function onlineAgent(tenant: Tenant, role = 'agent') {
    const created = await createAgent(tenant.api, role);
    const res = await created.api.patch(`/api/v1/agents/${created.agent.id}/status`, { online: true });
    assert.equal(res.body.online, true);
    return created;
  }

  it('creates, lists, gets, updates and deletes divisions, naming bad fields', async () => {
    const { agent } = await createAgent(a.api);
    const created = await a.api.post('/api/v1/divisions', {
      name: 'Penjualan',
      description: 'Sales team',
      autoAssign: true,
      agentIds: [agent.id],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.name, 'Penjualan');
    assert.equal(created.body.autoAssign, true);
    assert.equal(created.body.isDefault, false);
    assert.deepEqual(
      created.body.agents.map((x: any) => x.id),
      [agent.id],
    );
    assert.equal(created.body.agents[0].openConversations, 0);

    assertProblem(await a.api.post('/api/v1/divisions', { name: 'penjualan' }), 409, ['name']);
    assertProblem(await a.api.post('/api/v1/divisions', { name: ' ' }), 400, ['name']);
    assertProblem(await a.api.post('/api/v1/divisions', { name: 'X', autoAssign: 'yes' }), 400, ['autoAssign']);
    assertProblem(await a.api.post('/api/v1/divisions', { name: 'X', agentIds: [agent.id, b.user.id, 'nope'] }), 422, [
      'agentIds.1',
      'agentIds.2',
    ]);

    const list = await a.api.get('/api/v1/divisions');
    const row = list.body.data.find((d: any) => d.id === created.body.id);
    assert.equal(row.agentCount, 1);
    assert.deepEqual(
      (await a.api.get('/api/v1/divisions?search=Penj')).body.data.map((d: any) => d.id),
      [created.body.id],
    );

    const patched = await a.api.patch(`/api/v1/divisions/${created.body.id}`, { name: 'Sales', autoAssign: false });
    assert.equal(patched.body.name, 'Sales');
    assert.equal(patched.body.autoAssign, false);
    assertProblem(await a.api.patch(`/api/v1/divisions/${created.body.id}`, { colour: 'red' }), 400);

    // Agents read divisions (for filters) but do not manage them.
    const { api: agentApi } = await createAgent(a.api);
    assert.equal((await agentApi.get('/api/v1/divisions')).status, 200);
    assertProblem(await agentApi.post('/api/v1/divisions', { name: 'Mine' }), 403);

    // Deleting a division takes its conversations out of it.
    const conv = await newConversation();
    await a.api.post(`/api/v1/conversations/${conv.id}/transfer`, { toDivisionId: created.body.id, reason: 'Sales question' });
    assert.equal((await a.api.get(`/api/v1/conversations/${conv.id}`)).body.divisionId, created.body.id);
    assert.equal((await a.api.delete(`/api/v1/divisions/${created.body.id}`)).status, 204);
    assertProblem(await a.api.get(`/api/v1/divisions/${created.body.id}`), 404);
    assert.equal((await a.api.get(`/api/v1/conversations/${conv.id}`)).body.divisionId, null);
    const log = await a.api.get('/api/v1/activity-logs?action=division.deleted');
    assert.equal(log.body.data[0].targetId, created.body.id);
  });

  it('assigns and removes agents (body or query string)', async () => {
    const div = (await a.api.post('/api/v1/divisions', { name: 'Gudang' })).body;
    const x = await createAgent(a.api);
    const y = await createAgent(a.api);
    const added = await a.api.post(`/api/v1/divisions/${div.id}/agents`, { agentIds: [x.agent.id, y.agent.id, x.agent.id] });
    assert.equal(added.status, 200);
    assert.deepEqual(added.body.data.map((m: any) => m.id).sort(), [x.agent.id, y.agent.id].sort());
    assertProblem(await a.api.post(`/api/v1/divisions/${div.id}/agents`, { agentIds: [] }), 400, ['agentIds']);
    assertProblem(await a.api.post(`/api/v1/divisions/${div.id}/agents`, { agentIds: [b.user.id] }), 422, ['agentIds.0']);
    const removed = await a.api.request('DELETE', `/api/v1/divisions/${div.id}/agents`, { agentIds: [x.agent.id] });
    assert.deepEqual(
      removed.body.data.map((m: any) => m.id),
      [y.agent.id],
    );
    const viaQuery = await a.api.delete(`/api/v1/divisions/${div.id}/agents?agentIds=${y.agent.id}`);
    assert.deepEqual(viaQuery.body.data, []);
    assertProblem(await a.api.delete(`/api/v1/divisions/${div.id}/agents`), 400, ['agentIds']);
    assert.equal((await a.api.get(`/api/v1/divisions/${div.id}/agents`)).body.data.length, 0);
  });

  it("agents see their divisions' conversations, their own and those in no division; managers see all", async () => {
    const support = (await a.api.post('/api/v1/divisions', { name: 'Support' })).body;
    const billing = (await a.api.post('/api/v1/divisions', { name: 'Billing' })).body;
    const member = await createAgent(a.api);
    await a.api.post(`/api/v1/divisions/${support.id}/agents`, { agentIds: [member.agent.id] });
    const inSupport = await newConversation();
    const inBilling = await newConversation();
    const nowhere = await newConversation();
    await a.api.post(`/api/v1/conversations/${inSupport.id}/transfer`, { toDivisionId: support.id, reason: 'Support' });
    await a.api.post(`/api/v1/conversations/${inBilling.id}/transfer`, { toDivisionId: billing.id, reason: 'Billing' });

    const seen = (await member.api.get('/api/v1/conversations?limit=200')).body.data.map((c: any) => c.id);
    assert.ok(seen.includes(inSupport.id));
    assert.ok(seen.includes(nowhere.id));
    assert.ok(!seen.includes(inBilling.id));
    assertProblem(await member.api.get(`/api/v1/conversations/${inBilling.id}`), 404);
    assertProblem(await member.api.get(`/api/v1/conversations/${inBilling.id}/transfers`), 404);
    assertProblem(await member.api.get(`/api/v1/conversations/${inBilling.id}/sla`), 404);
    assert.deepEqual((await member.api.get(`/api/v1/conversations?divisionId=${billing.id}`)).body.data, []);
    const all = (await a.api.get('/api/v1/conversations?limit=200')).body.data.map((c: any) => c.id);
    assert.ok(all.includes(inBilling.id), 'the owner (conversations.manage) sees every division');

    // Nor its messages, notes, search hits or live events.
    assertProblem(await member.api.get(`/api/v1/conversations/${inBilling.id}/messages`), 404);
    assertProblem(await member.api.get(`/api/v1/conversations/${inBilling.id}/notes`), 404);
    assertProblem(await member.api.post(`/api/v1/conversations/${inBilling.id}/messages`, { type: 'text', text: 'hi' }), 404);
    const hits = (await member.api.get('/api/v1/messages/search?q=Halo&limit=100')).body.data.map((h: any) => h.conversationId);
    assert.ok(!hits.includes(inBilling.id));
    const live = await listen(server.url, member.api.options.token!);
    try {
      await a.api.post(`/api/v1/conversations/${inBilling.id}/notes`, { body: 'billing only' });
      await a.api.post(`/api/v1/conversations/${inSupport.id}/notes`, { body: 'support note' });
      await eventually(
        async () => live.events.some((e) => e.type === 'note.created' && e.payload.note.conversationId === inSupport.id),
        3000,
        'the support note pushed',
      );
      await settle(server.appliance);
      assert.ok(
        !live.events.some((e) => JSON.stringify(e.payload).includes(inBilling.id)),
        'nothing about the billing conversation is pushed',
      );
    } finally {
      live.socket.close();
    }

    // Assigned to them: visible even in another division.
    await a.api.patch(`/api/v1/conversations/${inBilling.id}/assign`, { assigneeId: member.agent.id });
    assert.equal((await member.api.get(`/api/v1/conversations/${inBilling.id}`)).status, 200);
  });

  it('transfers to a division pick the online agent with the fewest open conversations, keep history and notify the receiver live', async () => {
    const sales = (await a.api.post('/api/v1/divisions', { name: 'Sales RR', autoAssign: true })).body;
    const a1 = await onlineAgent(a);
    const a2 = await onlineAgent(a);
    const a3 = await createAgent(a.api); // offline
    await a.api.post(`/api/v1/divisions/${sales.id}/agents`, { agentIds: [a1.agent.id, a2.agent.id, a3.agent.id] });
    const busy = await newConversation();
    await a.api.patch(`/api/v1/conversations/${busy.id}/assign`, { assigneeId: a1.agent.id });

    const l1 = await listen(server.url, a1.api.options.token!);
    const l2 = await listen(server.url, a2.api.options.token!);
    try {
      const x = await newConversation();
      const tx = await a.api.post(`/api/v1/conversations/${x.id}/transfer`, { toDivisionId: sales.id, reason: 'Wants a quote' });
      assert.equal(tx.status, 200, JSON.stringify(tx.body));
      assert.equal(tx.body.conversation.assignee.id, a2.agent.id, 'a2 has no open conversations');
      assert.equal(tx.body.conversation.divisionId, sales.id);
      assert.equal(tx.body.transfer.autoAssigned, true);
      assert.equal(tx.body.transfer.to.division.name, 'Sales RR');
      const note = await eventually(
        async () => l2.events.find((e) => e.type === 'notification' && e.payload.conversation?.id === x.id),
        3000,
        'notification to a2',
      );
      assert.equal(note.payload.type, 'conversation.transferred');
      assert.equal(note.payload.transfer.reason, 'Wants a quote');
      assert.ok(
        l1.events.every((e) => e.type !== 'notification'),
        'a1 is not notified',
      );
      assert.ok(
        l1.events.some((e) => e.type === 'conversation.transferred'),
        'the team sees the transfer',
      );

      const y = await newConversation();
      const ty = await a.api.post(`/api/v1/conversations/${y.id}/transfer`, { toDivisionId: sales.id, reason: 'Quote' });
      assert.equal(ty.body.conversation.assignee.id, a1.agent.id, 'equal load: whoever was picked longest ago');
      const z = await newConversation();
      const tz = await a.api.post(`/api/v1/conversations/${z.id}/transfer`, { toDivisionId: sales.id, reason: 'Quote' });
      assert.equal(tz.body.conversation.assignee.id, a2.agent.id);
      const members = (await a.api.get(`/api/v1/divisions/${sales.id}`)).body.agents;
      assert.deepEqual(Object.fromEntries(members.map((m: any) => [m.id, m.openConversations])), {
        [a1.agent.id]: 2,
        [a2.agent.id]: 2,
        [a3.agent.id]: 0,
      });

      // To an agent, with a reason; the history lists both, newest first.
      const direct = await a.api.post(`/api/v1/conversations/${x.id}/transfer`, { toAgentId: a1.agent.id, reason: 'Knows this customer' });
      assert.equal(direct.body.conversation.assignee.id, a1.agent.id);
      const history = await a.api.get(`/api/v1/conversations/${x.id}/transfers`);
      assert.deepEqual(
        history.body.data.map((t: any) => t.reason),
        ['Knows this customer', 'Wants a quote'],
      );
      assert.equal(history.body.data[0].from.agent.id, a2.agent.id);
      assert.equal(history.body.data[0].to.agent.id, a1.agent.id);
      assert.equal(history.body.data[0].by.id, a.user.id);
      await eventually(
        async () => l1.events.find((e) => e.type === 'notification' && e.payload.transfer?.reason === 'Knows this customer'),
        3000,
        'notification to a1',
      );
      const log = await a.api.get('/api/v1/activity-logs?action=conversation.transferred');
      assert.equal(log.body.data[0].details.reason, 'Knows this customer');
    } finally {
      l1.socket.close();
      l2.socket.close();
    }
  });

  it('validates transfers and limits them for agents without conversations.manage', async () => {
    const conv = await newConversation();
    const div = (await a.api.post('/api/v1/divisions', { name: 'Retur' })).body;
    const outsider = await createAgent(a.api);
    assertProblem(await a.api.post(`/api/v1/conversations/${conv.id}/transfer`, { reason: 'x' }), 400, ['toAgentId']);
    assertProblem(await a.api.post(`/api/v1/conversations/${conv.id}/transfer`, { toDivisionId: div.id }), 400, ['reason']);
    assertProblem(await a.api.post(`/api/v1/conversations/${conv.id}/transfer`, { toDivisionId: div.id, reason: '  ' }), 400, ['reason']);
    assertProblem(await a.api.post(`/api/v1/conversations/${conv.id}/transfer`, { toDivisionId: b.user.id, reason: 'x' }), 422, [
      'toDivisionId',
    ]);
    assertProblem(await a.api.post(`/api/v1/conversations/${conv.id}/transfer`, { toAgentId: b.user.id, reason: 'x' }), 422, ['toAgentId']);
    assertProblem(
      await a.api.post(`/api/v1/conversations/${conv.id}/transfer`, { toAgentId: outsider.agent.id, toDivisionId: div.id, reason: 'x' }),
      422,
      ['toAgentId'],
    );

    // An agent hands over their own conversation, but not someone else's.
    const mine = await createAgent(a.api);
    await a.api.patch(`/api/v1/conversations/${conv.id}/assign`, { assigneeId: mine.agent.id });
    assertProblem(
      await outsider.api.post(`/api/v1/conversations/${conv.id}/transfer`, { toAgentId: outsider.agent.id, reason: 'mine now' }),
      403,
    );
    const handed = await mine.api.post(`/api/v1/conversations/${conv.id}/transfer`, { toAgentId: outsider.agent.id, reason: 'Shift ends' });
    assert.equal(handed.status, 200);
    assert.equal(handed.body.conversation.assignee.id, outsider.agent.id);
    assertProblem(await a.api.post(`/api/v1/conversations/${conv.id}/transfer`, { toAgentId: outsider.agent.id, reason: 'again' }), 409, [
      'toAgentId',
    ]);
  });

  it('new conversations join the default division and are auto-assigned', async () => {
    const front = (await a.api.post('/api/v1/divisions', { name: 'Front desk', autoAssign: true, isDefault: true })).body;
    const other = (await a.api.post('/api/v1/divisions', { name: 'Old default', isDefault: true })).body;
    await a.api.patch(`/api/v1/divisions/${front.id}`, { isDefault: true });
    assert.equal((await a.api.get(`/api/v1/divisions/${other.id}`)).body.isDefault, false, 'one default at a time');
    const agent = await onlineAgent(a);
    await a.api.post(`/api/v1/divisions/${front.id}/agents`, { agentIds: [agent.agent.id] });
    const conv = await newConversation();
    assert.equal(conv.divisionId, front.id);
    assert.equal(conv.assignee?.id, agent.agent.id);
    await a.api.patch(`/api/v1/divisions/${front.id}`, { isDefault: false });
    assert.equal((await newConversation()).divisionId, null);
  });

  it('another tenant gets 404 for every division and conversation id, and cannot use them', async () => {
    const div = (await a.api.post('/api/v1/divisions', { name: 'Rahasia' })).body;
    const conv = await newConversation();
    await a.api.post(`/api/v1/conversations/${conv.id}/transfer`, { toDivisionId: div.id, reason: 'x' });
    const d = `/api/v1/divisions/${div.id}`;
    for (const res of [
      await b.api.get(d),
      await b.api.patch(d, { name: 'stolen' }),
      await b.api.delete(d),
      await b.api.get(`${d}/agents`),
      await b.api.post(`${d}/agents`, { agentIds: [b.user.id] }),
      await b.api.request('DELETE', `${d}/agents`, { agentIds: [a.user.id] }),
      await b.api.get(`${d}/working-hours`),
      await b.api.put(`${d}/working-hours`, { hours: [] }),
      await b.api.delete(`${d}/working-hours`),
      await b.api.post(`/api/v1/conversations/${conv.id}/transfer`, { toAgentId: b.user.id, reason: 'x' }),
      await b.api.get(`/api/v1/conversations/${conv.id}/transfers`),
    ])
      assertProblem(res, 404);
    assert.ok(!(await b.api.get('/api/v1/divisions?limit=200')).body.data.some((x: any) => x.id === div.id));
    const own = await newConversation(b, waB);
    assertProblem(await b.api.post(`/api/v1/conversations/${own.id}/transfer`, { toDivisionId: div.id, reason: 'x' }), 422, [
      'toDivisionId',
    ]);
    assertProblem(await b.api.post(`/api/v1/conversations/${own.id}/transfer`, { toAgentId: a.user.id, reason: 'x' }), 422, ['toAgentId']);
    assertProblem(await b.api.post('/api/v1/divisions', { name: 'B team', agentIds: [a.user.id] }), 422, ['agentIds.0']);
    const still = (await a.api.get(d)).body;
    assert.equal(still.name, 'Rahasia');
    assert.equal((await a.api.get(`/api/v1/conversations/${conv.id}/transfers`)).body.data.length, 1);
  });
});
