// Conversations, contacts, notes, integrations and search through the API, with cross-tenant checks.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.js';
import { Api, assertProblem, createAgent, registerTenant, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid, type WaAccount } from '../support/whatsapp.js';
import { MessageEntity, type Message } from '../../server/modules/messages/message.entity.js';
import { newId } from '../../server/core/ids.js';
import { IntegrationAccountEntity } from '../../server/modules/integrations/integration.entity.js';

describe('Inbox API', () => {
  let server: TestServer;
  let a: Tenant;
  let b: Tenant;
  let waA: WaAccount;
  let waB: WaAccount;
  let n = 0;

  before(async () => {
    server = await startServer();
    const api = new Api(server.url);
    a = await registerTenant(api, 'Toko A');
    b = await registerTenant(api, 'Toko B');
    waA = await connectWhatsApp(a.api, '300000000000003');
    waB = await connectWhatsApp(b.api, '400000000000004');
  });
  after(() => server.stop());

  async function newConversation(tenant: Tenant = a, wa: WaAccount = waA, text = 'Halo') {
    const from = `62813${String(++n).padStart(8, '0')}`;
    await postWebhook(
      server.url,
      waPayload('wa-text.json', wa.phoneNumberId, {
        from,
        profileName: `Pelanggan ${n}`,
        message: { id: wamid('C'), text: { body: text } },
      }),
      wa.appSecret,
    );
    return eventually(
      async () => (await tenant.api.get('/api/v1/conversations?limit=200')).body.data.find((c: any) => c.contact.phone === `+${from}`),
      5000,
      'conversation',
    );
  }

  it('assigns, changes status, tags, marks read and takes over; filters follow', async () => {
    const conv = await newConversation();
    const { api: agentApi, agent } = await createAgent(a.api, 'agent');
    const assigned = await a.api.patch(`/api/v1/conversations/${conv.id}/assign`, { assigneeId: agent.id });
    assert.equal(assigned.body.assignee.id, agent.id);
    assert.ok((await agentApi.get('/api/v1/conversations?assignee=me')).body.data.some((c: any) => c.id === conv.id));
    assert.ok(!(await a.api.get('/api/v1/conversations?assignee=unassigned')).body.data.some((c: any) => c.id === conv.id));
    assertProblem(await a.api.patch(`/api/v1/conversations/${conv.id}/assign`, { assigneeId: b.user.id }), 422, ['assigneeId']);

    const tagged = await a.api.patch(`/api/v1/conversations/${conv.id}/tags`, { add: ['vip', 'batik'] });
    assert.deepEqual(tagged.body.tags, ['batik', 'vip']);
    assert.deepEqual((await a.api.patch(`/api/v1/conversations/${conv.id}/tags`, { remove: ['batik'] })).body.tags, ['vip']);
    assert.ok((await a.api.get('/api/v1/conversations?tag=vip')).body.data.some((c: any) => c.id === conv.id));

    assert.equal((await a.api.post(`/api/v1/conversations/${conv.id}/read`)).body.unreadCount, 0);
    const pending = await a.api.patch(`/api/v1/conversations/${conv.id}/status`, { status: 'pending' });
    assert.equal(pending.body.status, 'pending');
    assert.ok((await a.api.get('/api/v1/conversations?status=pending,resolved')).body.data.some((c: any) => c.id === conv.id));
    assertProblem(await a.api.get('/api/v1/conversations?status=closed'), 400, ['query.status']);
    const resolved = await a.api.patch(`/api/v1/conversations/${conv.id}/status`, { status: 'resolved' });
    assert.ok(resolved.body.resolvedAt);

    // An agent cannot reassign (conversations.manage) but can take over.
    assertProblem(await agentApi.patch(`/api/v1/conversations/${conv.id}/assign`, { assigneeId: null }), 403);
    const { api: other, agent: otherAgent } = await createAgent(a.api, 'agent');
    const taken = await other.post(`/api/v1/conversations/${conv.id}/takeover`, { reason: 'Customer asked for me' });
    assert.equal(taken.body.assignee.id, otherAgent.id);
    assert.equal(taken.body.status, 'open');
    const log = await a.api.get('/api/v1/activity-logs?action=conversation.takeover');
    assert.equal(log.body.data[0].details.assigneeId, agent.id);
    assert.equal(log.body.data[0].details.reason, 'Customer asked for me');
  });

  it('bulk actions apply to up to 500 conversations and report unknown ids', async () => {
    const c1 = await newConversation();
    const c2 = await newConversation();
    const foreign = await newConversation(b, waB);
    const res = await a.api.post('/api/v1/conversations/bulk', {
      conversationIds: [c1.id, c2.id, foreign.id, 'nope'],
      action: 'tag',
      tags: ['promo'],
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.updated, 2);
    assert.deepEqual(res.body.notFound.sort(), [foreign.id, 'nope'].sort());
    assert.deepEqual((await b.api.get(`/api/v1/conversations/${foreign.id}`)).body.tags, []);
    const status = await a.api.post('/api/v1/conversations/bulk', {
      conversationIds: [c1.id, c2.id],
      action: 'status',
      status: 'resolved',
    });
    assert.equal(status.body.updated, 2);
    assert.equal((await a.api.get(`/api/v1/conversations/${c1.id}`)).body.status, 'resolved');
    assertProblem(await a.api.post('/api/v1/conversations/bulk', { conversationIds: [c1.id], action: 'status' }), 400, ['status']);
    const tooMany = Array.from({ length: 501 }, () => newId());
    assertProblem(await a.api.post('/api/v1/conversations/bulk', { conversationIds: tooMany, action: 'mark_read' }), 400, [
      'conversationIds',
    ]);
    const many = await a.api.post('/api/v1/conversations/bulk', { conversationIds: tooMany.slice(0, 500), action: 'mark_read' });
    assert.equal(many.body.updated, 0);
  });

  it('expires conversations whose window has closed', async () => {
    const from = '6281999000001';
    await postWebhook(
      server.url,
      waPayload('wa-text.json', waA.phoneNumberId, {
        from,
        message: { id: wamid('OLD'), timestamp: String(Math.floor(Date.now() / 1000) - 30 * 3600) },
      }),
      waA.appSecret,
    );
    const old = await eventually(
      async () => (await a.api.get('/api/v1/conversations')).body.data.find((c: any) => c.contact.phone === `+${from}`),
      5000,
      'old conversation',
    );
    const fresh = await newConversation();
    const res = await a.api.post('/api/v1/conversations/expire');
    assert.ok(res.body.conversationIds.includes(old.id));
    assert.ok(!res.body.conversationIds.includes(fresh.id));
    assert.equal((await a.api.get(`/api/v1/conversations/${old.id}`)).body.status, 'expired');
  });

  it('paginates the inbox by latest activity', async () => {
    for (let i = 0; i < 3; i++) await newConversation();
    const first = await a.api.get('/api/v1/conversations?limit=2');
    const second = await a.api.get(`/api/v1/conversations?limit=2&cursor=${first.body.nextCursor}`);
    assert.equal(first.body.data.length, 2);
    const ids = new Set(first.body.data.map((c: any) => c.id));
    assert.ok(second.body.data.every((c: any) => !ids.has(c.id)));
    assert.ok(Date.parse(first.body.data[1].lastMessageAt) >= Date.parse(second.body.data[0].lastMessageAt));
    assertProblem(await a.api.get('/api/v1/conversations?cursor=garbage'), 400, ['query.cursor']);
    // The list is read as raw rows: each conversation shows exactly as its own GET does (times, tags, contact, SLA).
    for (const c of [...first.body.data, ...second.body.data]) assert.deepEqual(c, (await a.api.get(`/api/v1/conversations/${c.id}`)).body);
  });

  it('notes: create, list, edit by the author only, delete', async () => {
    const conv = await newConversation();
    const { api: agentApi } = await createAgent(a.api, 'agent');
    const note = await agentApi.post(`/api/v1/conversations/${conv.id}/notes`, { body: 'Pelanggan lama, beri diskon' });
    assert.equal(note.status, 201);
    assert.equal(note.body.author.name, 'An agent');
    assertProblem(await agentApi.post(`/api/v1/conversations/${conv.id}/notes`, { body: ' ' }), 400, ['body']);
    const { api: otherAgent } = await createAgent(a.api, 'agent');
    assertProblem(await otherAgent.patch(`/api/v1/conversations/${conv.id}/notes/${note.body.id}`, { body: 'hacked' }), 403);
    const edited = await agentApi.patch(`/api/v1/conversations/${conv.id}/notes/${note.body.id}`, { body: 'Diskon 10%' });
    assert.equal(edited.body.body, 'Diskon 10%');
    assert.deepEqual(
      (await a.api.get(`/api/v1/conversations/${conv.id}/notes`)).body.data.map((x: any) => x.body),
      ['Diskon 10%'],
    );
    assert.equal((await a.api.delete(`/api/v1/conversations/${conv.id}/notes/${note.body.id}`)).status, 204);
    assert.equal((await a.api.get(`/api/v1/conversations/${conv.id}/notes`)).body.data.length, 0);
  });

  it('contacts: list, search, update, and their conversations', async () => {
    const conv = await newConversation();
    const found = await a.api.get(`/api/v1/contacts?search=${encodeURIComponent(conv.contact.phone)}`);
    assert.deepEqual(
      found.body.data.map((c: any) => c.id),
      [conv.contact.id],
    );
    const updated = await a.api.patch(`/api/v1/contacts/${conv.contact.id}`, {
      name: 'Ibu Siti',
      email: 'SITI@example.test',
      attributes: { kota: 'Solo' },
    });
    assert.equal(updated.body.name, 'Ibu Siti');
    assert.equal(updated.body.email, 'siti@example.test');
    assert.deepEqual(updated.body.attributes, { kota: 'Solo' });
    assertProblem(await a.api.patch(`/api/v1/contacts/${conv.contact.id}`, { phone: 'call me' }), 400, ['phone']);
    const convs = await a.api.get(`/api/v1/contacts/${conv.contact.id}/conversations`);
    assert.deepEqual(
      convs.body.data.map((c: any) => c.id),
      [conv.id],
    );
    assert.equal(convs.body.data[0].contact.name, 'Ibu Siti');
  });

  it('integration accounts: credentials encrypted at rest, shown masked, default per channel', async () => {
    const acc = await a.api.get(`/api/v1/integration-accounts/${waA.id}`);
    assert.equal(acc.body.config.phoneNumberId, waA.phoneNumberId);
    assert.match(acc.body.config.accessToken, /^••••/);
    assert.ok(!JSON.stringify(acc.body).includes('token-300000000000003-abcdef'));
    assert.equal(acc.body.isDefault, true);
    const row = await server.appliance.db.getRepository(IntegrationAccountEntity).findOneByOrFail({ id: waA.id });
    assert.ok(!row.secrets.includes('token-300000000000003'), 'stored encrypted');
    const second = await connectWhatsApp(a.api, '300000000000099');
    assert.equal((await a.api.get(`/api/v1/integration-accounts/${second.id}`)).body.isDefault, false);
    await a.api.post(`/api/v1/integration-accounts/${second.id}/default`);
    assert.equal((await a.api.get(`/api/v1/integration-accounts/${waA.id}`)).body.isDefault, false);
    const integ = await a.api.get('/api/v1/integrations/whatsapp');
    assert.equal(integ.body.defaultAccountId, second.id);
    assert.equal(integ.body.accountCount, 2);
    const put = await a.api.request('PUT', '/api/v1/integrations/whatsapp', { enabled: true, settings: { greeting: 'Halo!' } });
    assert.equal(put.body.settings.greeting, 'Halo!');
    assertProblem(
      await a.api.post('/api/v1/integration-accounts', { channel: 'whatsapp', name: 'x', config: { phoneNumberId: '1' } }),
      400,
      ['config.wabaId', 'config.accessToken'],
    );
    // Another tenant's number: without a token that owns it, refused before anything is said about it
    // (test/api/security-channel-squatting.test.ts has the rest).
    assertProblem(
      await b.api.post('/api/v1/integration-accounts', {
        channel: 'whatsapp',
        name: 'steal',
        config: { phoneNumberId: waA.phoneNumberId, wabaId: 'w', accessToken: 't' },
      }),
      422,
      ['config.accessToken'],
    );
    assertProblem(await a.api.get('/api/v1/integrations/telegram'), 400, ['params.channel']);
    assert.equal((await a.api.delete(`/api/v1/integration-accounts/${second.id}`)).status, 204);
    assertProblem(await a.api.get(`/api/v1/integration-accounts/${second.id}`), 404);
    assert.equal(
      (await a.api.get(`/api/v1/integration-accounts/${waA.id}`)).body.isDefault,
      true,
      'the remaining account becomes the default',
    );
  });

  it('another tenant gets 404 for every conversation, message, note, contact and account id', async () => {
    const conv = await newConversation();
    const note = await a.api.post(`/api/v1/conversations/${conv.id}/notes`, { body: 'rahasia' });
    const c = `/api/v1/conversations/${conv.id}`;
    for (const res of [
      await b.api.get(c),
      await b.api.patch(`${c}/assign`, { assigneeId: null }),
      await b.api.patch(`${c}/status`, { status: 'resolved' }),
      await b.api.post(`${c}/read`),
      await b.api.patch(`${c}/tags`, { add: ['x'] }),
      await b.api.post(`${c}/takeover`, {}),
      await b.api.get(`${c}/messages`),
      await b.api.post(`${c}/messages`, { type: 'text', text: 'hi' }),
      await b.api.get(`${c}/notes`),
      await b.api.post(`${c}/notes`, { body: 'x' }),
      await b.api.patch(`${c}/notes/${note.body.id}`, { body: 'x' }),
      await b.api.delete(`${c}/notes/${note.body.id}`),
      await b.api.get(`/api/v1/contacts/${conv.contact.id}`),
      await b.api.patch(`/api/v1/contacts/${conv.contact.id}`, { name: 'x' }),
      await b.api.get(`/api/v1/contacts/${conv.contact.id}/conversations`),
      await b.api.get(`/api/v1/integration-accounts/${waA.id}`),
      await b.api.patch(`/api/v1/integration-accounts/${waA.id}`, { name: 'x' }),
      await b.api.delete(`/api/v1/integration-accounts/${waA.id}`),
      await b.api.post(`/api/v1/integration-accounts/${waA.id}/default`),
    ])
      assertProblem(res, 404);
    assert.ok(!(await b.api.get('/api/v1/contacts?limit=200')).body.data.some((x: any) => x.id === conv.contact.id));
    assert.ok(!(await b.api.get('/api/v1/integration-accounts')).body.data.some((x: any) => x.id === waA.id));
    assert.equal((await a.api.get(c)).body.tags.includes('x'), false);
  });

  it('search finds a word among 10,000 messages, with a snippet, only in its tenant', async () => {
    const conv = await newConversation(a, waA, 'pembuka');
    const convB = await newConversation(b, waB, 'pembuka');
    const repo = server.appliance.db.getRepository(MessageEntity);
    const now = new Date();
    const words = ['batik', 'kain', 'harga', 'ongkir', 'warna', 'ukuran', 'stok', 'diskon', 'kirim', 'bayar'];
    const row = (tenantId: string, conversationId: string, text: string): Message => ({
      id: newId(),
      tenantId,
      conversationId,
      direction: 'inbound',
      type: 'text',
      text,
      content: {},
      status: 'delivered',
      externalId: null,
      clientMessageId: null,
      replyToId: null,
      senderType: 'contact',
      senderId: null,
      mediaId: null,
      errorCode: null,
      errorReason: null,
      sentAt: now,
      deliveredAt: now,
      readAt: null,
      sendAttemptedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    const rows: Message[] = [];
    for (let i = 0; i < 10_000; i++) rows.push(row(a.tenant.id, conv.id, `pesan ${i} ${words[i % 10]} ${words[(i * 7) % 10]}`));
    rows[4321] = row(a.tenant.id, conv.id, 'Apakah motif <Kawung> tersedia dalam warna indigo?');
    await server.appliance.services.transaction(async (m) => {
      for (let i = 0; i < rows.length; i += 500) await m.getRepository(MessageEntity).insert(rows.slice(i, i + 500) as never);
    });
    await repo.insert(row(b.tenant.id, convB.id, 'kawung juga ada di toko B') as never);

    const res = await a.api.get('/api/v1/messages/search?q=kawung');
    assert.equal(res.status, 200);
    assert.equal(res.body.data.length, 1);
    assert.equal(res.body.data[0].messageId, rows[4321].id);
    assert.equal(res.body.data[0].conversationId, conv.id);
    assert.match(res.body.data[0].snippet, /&lt;<mark>Kawung<\/mark>&gt;/);
    const common = await a.api.get('/api/v1/messages/search?q=batik&limit=20');
    assert.equal(common.body.data.length, 20);
    assert.ok(common.body.nextCursor);
    const next = await a.api.get(`/api/v1/messages/search?q=batik&limit=20&cursor=${common.body.nextCursor}`);
    assert.ok(next.body.data.every((r: any) => !common.body.data.some((x: any) => x.messageId === r.messageId)));
    // Newest first: the last message written with "batik" leads; paging reaches every one exactly once.
    const batik = rows
      .filter((r) => /\bbatik\b/.test(r.text!))
      .map((r) => r.id)
      .reverse();
    assert.equal(common.body.data[0].messageId, batik[0]);
    const seen: string[] = [];
    for (let cursor: string | null = ''; cursor !== null; ) {
      const page: any = await a.api.get(`/api/v1/messages/search?q=batik&limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.status, 200);
      seen.push(...page.body.data.map((h: any) => h.messageId));
      cursor = page.body.nextCursor;
    }
    const written = new Set(rows.map((r) => r.id));
    assert.deepEqual(
      seen.filter((id) => written.has(id)),
      batik,
      'every "batik" message of the 10,000, newest first',
    );
    assert.equal(new Set(seen).size, seen.length);
    assertProblem(await a.api.get('/api/v1/messages/search?q=batik&cursor=bm90LWEtbnVtYmVy'), 400, ['query.cursor']);
    // One conversation only.
    assert.equal((await a.api.get(`/api/v1/messages/search?q=pembuka&conversationId=${conv.id}`)).body.data.length, 1);
    assert.equal(
      (await a.api.get(`/api/v1/messages/search?q=kawung&conversationId=${convB.id}`)).body.data.length,
      0,
      "another tenant's conversation finds nothing",
    );
    const inB = await b.api.get('/api/v1/messages/search?q=kawung');
    assert.equal(inB.body.data.length, 1);
    assert.equal(inB.body.data[0].conversationId, convB.id);
    const byName = await a.api.get(`/api/v1/messages/search?q=${encodeURIComponent('Pelanggan')}`);
    assert.ok(byName.body.data.length > 0, 'contact names are searchable');
    assertProblem(await a.api.get('/api/v1/messages/search?q=%22%2A%28'), 400, ['query.q']);
  });

  it('the search index follows the messages: indexed in the background, a deleted one never, names as they are when indexed', async () => {
    const db = server.appliance.db;
    const pending = async () => ((await db.query('SELECT count(*) AS n FROM messages_fts_pending')) as { n: number }[])[0].n;
    const indexed = async (id: string) =>
      ((await db.query('SELECT count(*) AS n FROM messages_fts WHERE message_id = ?', [id])) as { n: number }[])[0].n;
    const conv = await newConversation(a, waA, 'sarimbit');
    // The webhook's message was noted, then indexed without any search asking for it.
    await eventually(async () => (await pending()) === 0 || undefined, 5000, 'the indexer to run');
    const [first] = (await db.query('SELECT id FROM messages WHERE conversationId = ?', [conv.id])) as { id: string }[];
    assert.equal(await indexed(first.id), 1);
    // Stored and deleted before the indexer ran: nothing pending is left of it, and it is never indexed.
    const now = new Date();
    const message = (text: string) =>
      ({
        id: newId(),
        tenantId: a.tenant.id,
        conversationId: conv.id,
        direction: 'inbound',
        type: 'text',
        text,
        content: {},
        status: 'delivered',
        senderType: 'contact',
        createdAt: now,
        updatedAt: now,
      }) as never;
    const gone = message('tenun ikat dihapus');
    const kept = message('tenun ikat tetap');
    const reaction = { ...(message('👍') as object), type: 'reaction' } as never;
    await server.appliance.services.transaction(async (m) => {
      await m.getRepository(MessageEntity).insert([gone, kept, reaction]);
      assert.equal(
        ((await m.query('SELECT count(*) AS n FROM messages_fts_pending')) as { n: number }[])[0].n,
        2,
        'reactions are not noted',
      );
      await m.getRepository(MessageEntity).delete({ id: (gone as Message).id });
      assert.equal(((await m.query('SELECT count(*) AS n FROM messages_fts_pending')) as { n: number }[])[0].n, 1);
      // The contact is renamed before the indexer runs: the index gets the name as it is then.
      await m.query('UPDATE contacts SET name = ? WHERE id = ?', ['Ibu Sekar Jagad', conv.contact.id]);
    });
    const found = await a.api.get('/api/v1/messages/search?q=tenun');
    assert.deepEqual(
      found.body.data.map((h: any) => h.messageId),
      [(kept as Message).id],
    );
    assert.equal(await pending(), 0, 'the search indexed what was pending first');
    assert.equal(await indexed((gone as Message).id), 0);
    const byName = await a.api.get(`/api/v1/messages/search?q=${encodeURIComponent('Sekar Jagad')}`);
    assert.ok(byName.body.data.some((h: any) => h.messageId === (kept as Message).id));
  });
});
