// Campaigns: drafts, recipients (CSV, contacts by id and by filter) with E.164 numbers and skips,
// sending through durable jobs with rate-limit backoff and offline waiting, per-recipient statuses
// from Meta's webhooks, replies attributed to the campaign, opt-out keywords, scheduling on the
// organization's clock, cancel, the 4xx errors, permissions and tenancy.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { Api, assertProblem, createAgent, registerTenant, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, fixture, postWebhook, waPayload, wamid, type WaAccount } from '../support/whatsapp.js';
import { settle } from '../support/settle.js';
import { DomainEventEntity } from '../../server/core/events/event.entity.js';

const PHONE = '600000000000016';
const WABA = `waba-${PHONE}`;

describe('Campaigns', () => {
  let graph: FakeGraph;
  let server: TestServer;
  let a: Tenant;
  let b: Tenant;
  let wa: WaAccount;
  let promo: any;
  let pending: any;
  let seq = 0;

  /** A number nobody else in this file uses: +62812 2xxx xxxx. */
  const number = () => `62812${String(20000000 + ++seq)}`;
  const campaign = async (extra: Record<string, unknown> = {}) => {
    const res = await a.api.post('/api/v1/campaigns', {
      name: `Promo ${++seq}`,
      templateId: promo.id,
      variables: { 'body.1': '{{name | Kak}}', 'body.2': '20%' },
      ...extra,
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  };
  const csvOf = (numbers: string[]) => `nama,nomor\n${numbers.map((n, i) => `Pelanggan ${i},0${n.slice(2)}`).join('\n')}\n`;
  const recipients = async (id: string) => (await a.api.get(`/api/v1/campaigns/${id}/recipients?limit=200`)).body.data;
  const sentTo = (to: string) => graph.sentMessages(PHONE).filter((r) => r.body.to === to);
  const finished = async (id: string, timeoutMs = 15_000) =>
    eventually(
      async () => {
        const c = (await a.api.get(`/api/v1/campaigns/${id}`)).body;
        return ['completed', 'failed', 'cancelled'].includes(c.status) && c;
      },
      timeoutMs,
      'campaign to finish',
    );
  const inbound = (from: string, text: string, profileName = 'Pelanggan') =>
    postWebhook(
      server.url,
      waPayload('wa-text.json', PHONE, { from, profileName, message: { id: wamid('C'), text: { body: text } } }),
      wa.appSecret,
    );

  before(async () => {
    graph = await startFakeGraph();
    server = await startServer({ META_GRAPH_URL: graph.url });
    a = await registerTenant(new Api(server.url), 'Toko Siaran');
    b = await registerTenant(new Api(server.url), 'Toko Lain');
    wa = await connectWhatsApp(a.api, PHONE);
    graph.setTemplates(WABA, [
      {
        id: '1700000000000001',
        name: 'promo_sederhana',
        language: 'id',
        status: 'APPROVED',
        category: 'MARKETING',
        components: [{ type: 'BODY', text: 'Halo {{1}}, diskon {{2}} hari ini!', example: { body_text: [['Budi', '20%']] } }],
      },
      ...fixture('graph-templates-list.json').data,
    ]);
    assert.equal((await a.api.post('/api/v1/wa-templates/sync')).status, 200);
    const list = (await a.api.get('/api/v1/wa-templates')).body.data;
    promo = list.find((t: any) => t.name === 'promo_sederhana');
    pending = list.find((t: any) => t.name === 'sapaan_pelanggan');
  });
  after(async () => {
    await server.stop();
    await graph.stop();
  });

  it('creates a draft; variables must match the template', async () => {
    const c = await campaign();
    assert.equal(c.status, 'draft');
    assert.equal(c.ratePerSecond, 20);
    assert.equal(c.defaultCountry, 'ID');
    assert.equal(c.accountId, wa.id);
    assert.equal(c.template.name, 'promo_sederhana');
    assertProblem(await a.api.post('/api/v1/campaigns', { name: 'X', templateId: promo.id, variables: { 'body.1': 'a' } }), 400, [
      'variables.body.2',
    ]);
    assertProblem(
      await a.api.post('/api/v1/campaigns', {
        name: 'X',
        templateId: promo.id,
        variables: { 'body.1': 'a', 'body.2': 'b', 'body.9': 'c' },
      }),
      400,
      ['variables.body.9'],
    );
    assertProblem(await a.api.post('/api/v1/campaigns', { name: 'X', templateId: '0190a0a0-0000-7000-8000-000000000000' }), 422, [
      'templateId',
    ]);
    assertProblem(await a.api.post('/api/v1/campaigns', { name: '' }), 400, ['name']);
    const patched = await a.api.patch(`/api/v1/campaigns/${c.id}`, { name: 'Promo Desember', ratePerSecond: 50 });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.name, 'Promo Desember');
    assert.equal(patched.body.ratePerSecond, 50);
    assertProblem(await a.api.patch(`/api/v1/campaigns/${c.id}`, { variables: { 'body.1': 'x' } }), 400, ['variables.body.2']);
  });

  it('an opt-out keyword marks the contact opted out, with a confirmation in both languages; START opts back in', async () => {
    const from = number();
    await inbound(from, 'Halo');
    await settle(server.appliance);
    const contact = (await a.api.get(`/api/v1/contacts?search=${from}`)).body.data[0];
    assert.equal(contact.optedOut, false);
    await inbound(from, '  berhenti ');
    await settle(server.appliance);
    const after = (await a.api.get(`/api/v1/contacts/${contact.id}`)).body;
    assert.equal(after.optedOut, true);
    assert.equal(after.optOutSource, 'keyword:BERHENTI');
    const confirmation = graph.sentMessages(PHONE).find((r) => r.body.to === from && r.body.type === 'text');
    assert.match(confirmation?.body.text.body, /tidak akan menerima pesan siaran[\s\S]*no longer receive broadcast/);
    await inbound(from, 'START');
    await settle(server.appliance);
    assert.equal((await a.api.get(`/api/v1/contacts/${contact.id}`)).body.optedOut, false);
    // Configurable keywords (WhatsApp channel settings) and an agent's switch.
    assert.equal(
      (await a.api.put('/api/v1/integrations/whatsapp', { settings: { optOutKeywords: ['STOP', 'JANGAN KIRIM'] } })).status,
      200,
    );
    await inbound(from, 'jangan kirim');
    await settle(server.appliance);
    assert.equal((await a.api.get(`/api/v1/contacts/${contact.id}`)).body.optedOut, true);
    const optIn = await a.api.patch(`/api/v1/contacts/${contact.id}`, { optedOut: false });
    assert.equal(optIn.body.optedOut, false);
    assert.equal((await a.api.patch(`/api/v1/contacts/${contact.id}`, { optedOut: true })).body.optOutSource, 'agent');
  });

  it('adds recipients from a CSV: E.164 numbers, duplicates, opted-out and invalid rows skipped and reported by line', async () => {
    const optedOut = number();
    await inbound(optedOut, 'Halo');
    await inbound(optedOut, 'STOP');
    await settle(server.appliance);
    const c = await campaign();
    const csv = [
      'Nama,Nomor,Kota',
      'Budi,0812-3000-0001,Bandung',
      'Siti,+62 812 3000 0002,Jakarta',
      'Budi lagi,6281230000001,Bandung',
      'Rusak,12345,Bogor',
      'Kosong,,Depok',
      `Berhenti,0${optedOut.slice(2)},Solo`,
    ].join('\n');
    const res = await a.api.post(`/api/v1/campaigns/${c.id}/recipients`, { csv });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.added, 2);
    assert.deepEqual(res.body.skipped, { duplicates: 1, optedOut: 1, invalid: 1 });
    assert.deepEqual(
      res.body.errors.map((e: any) => e.line),
      [5, 6],
    );
    assert.equal(res.body.total, 2);
    const rows = await recipients(c.id);
    assert.deepEqual(rows.map((r: any) => r.phone).sort(), ['+6281230000001', '+6281230000002']);
    assert.ok(rows.every((r: any) => r.status === 'queued'));
    // Adding the same file again only counts duplicates.
    const again = await a.api.post(`/api/v1/campaigns/${c.id}/recipients`, { csv });
    assert.equal(again.body.added, 0);
    assert.equal(again.body.skipped.duplicates, 3);
    const view = (await a.api.get(`/api/v1/campaigns/${c.id}`)).body;
    assert.equal(view.stats.total, 2);
    assert.equal(view.skipped.optedOut, 2);
    assertProblem(await a.api.post(`/api/v1/campaigns/${c.id}/recipients`, { csv: 'nama,kota\nBudi,Bandung\n' }), 400, ['csv']);
    assertProblem(await a.api.post(`/api/v1/campaigns/${c.id}/recipients`, {}), 400, ['contactIds']);
    assert.equal((await a.api.delete(`/api/v1/campaigns/${c.id}/recipients`)).status, 204);
    assert.equal((await recipients(c.id)).length, 0);
  });

  it('adds contacts by id and by filter (conversation tag, attribute, segment)', async () => {
    const [n1, n2, n3] = [number(), number(), number()];
    for (const n of [n1, n2, n3]) await inbound(n, 'Halo kak');
    await settle(server.appliance);
    const contactOf = async (n: string) => (await a.api.get(`/api/v1/contacts?search=${n}`)).body.data[0];
    const [c1, c2, c3] = [await contactOf(n1), await contactOf(n2), await contactOf(n3)];
    await a.api.patch(`/api/v1/contacts/${c2.id}`, { attributes: { kota: 'Bandung' } });
    const conv3 = (await a.api.get(`/api/v1/contacts/${c3.id}/conversations`)).body.data[0];
    assert.equal((await a.api.patch(`/api/v1/conversations/${conv3.id}/tags`, { add: ['vip'] })).status, 200);

    const byId = await campaign();
    const res = await a.api.post(`/api/v1/campaigns/${byId.id}/recipients`, {
      contactIds: [c1.id, c1.id, '0190a0a0-0000-7000-8000-000000000000'],
    });
    assert.equal(res.body.added, 1);
    assert.equal(res.body.skipped.invalid, 1, 'an unknown contact is counted');
    assert.equal((await recipients(byId.id))[0].contactId, c1.id);

    const byFilter = await campaign();
    const tagged = await a.api.post(`/api/v1/campaigns/${byFilter.id}/recipients`, { filter: { tags: ['vip'] } });
    assert.equal(tagged.body.added, 1);
    const attr = await a.api.post(`/api/v1/campaigns/${byFilter.id}/recipients`, { filter: { attributes: { kota: 'bandung' } } });
    assert.equal(attr.body.added, 1);
    const phones = (await recipients(byFilter.id)).map((r: any) => r.phone).sort();
    assert.deepEqual(phones, [`+${n2}`, `+${n3}`].sort());
    const segment = await campaign();
    const active = await a.api.post(`/api/v1/campaigns/${segment.id}/recipients`, { filter: { segment: 'active_30d' } });
    assert.ok(active.body.added >= 3, `active contacts: ${active.body.added}`);
    assert.ok(active.body.skipped.optedOut >= 1, 'opted-out contacts are skipped');
  });

  it('sends to every recipient once, with their values, then takes statuses, a reply and a failure from Meta', async () => {
    const [n1, n2, n3] = [number(), number(), number()];
    const c = await campaign();
    await a.api.post(`/api/v1/campaigns/${c.id}/recipients`, {
      csv: `name,phone\nBudi,0${n1.slice(2)}\n,0${n2.slice(2)}\nAni,0${n3.slice(2)}\n`,
    });
    graph.failNext(1, { status: 400, path: `/v21.0/${PHONE}/messages`, body: fixture('graph-error-131047.json') });
    const sent = await a.api.post(`/api/v1/campaigns/${c.id}/send`);
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    assert.equal(sent.body.status, 'sending');
    const done = await finished(c.id);
    assert.equal(done.status, 'completed');
    assert.equal(done.stats.failed, 1);
    assert.equal(done.stats.sent, 2);
    for (const n of [n1, n2, n3]) assert.equal(sentTo(n).length, 1, `one request for ${n}`);
    const budi = sentTo(n1)[0].body;
    assert.equal(budi.type, 'template');
    assert.deepEqual(budi.template, {
      name: 'promo_sederhana',
      language: { code: 'id' },
      components: [
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Budi' },
            { type: 'text', text: '20%' },
          ],
        },
      ],
    });
    assert.match(budi.biz_opaque_callback_data, /^cr:/);
    assert.equal(sentTo(n2)[0].body.template.components[0].parameters[0].text, 'Kak', 'the fallback for an empty name');
    const rows = await recipients(c.id);
    const failed = rows.find((r: any) => r.status === 'failed');
    assert.equal(failed.error.code, 131047);
    const ok = rows.filter((r: any) => r.status === 'sent');
    assert.ok(ok.every((r: any) => r.externalId?.startsWith('wamid.')));

    // Delivered and read from Meta's status webhooks.
    const [first, second] = ok;
    const status = (id: string, s: string, to: string) =>
      postWebhook(server.url, waPayload('wa-status-delivered.json', PHONE, { status: { id, status: s, recipient_id: to } }), wa.appSecret);
    await status(first.externalId, 'delivered', first.phone.slice(1));
    await status(first.externalId, 'read', first.phone.slice(1));
    await status(second.externalId, 'delivered', second.phone.slice(1));
    await status(second.externalId, 'sent', second.phone.slice(1)); // late: never backwards
    await settle(server.appliance);
    const after = (await a.api.get(`/api/v1/campaigns/${c.id}`)).body;
    assert.equal(after.stats.read, 1);
    assert.equal(after.stats.delivered, 1);
    assert.deepEqual(after.reached, { sent: 2, delivered: 2, read: 1, replied: 0 });

    // A reply opens a normal conversation, attributed to the campaign.
    await inbound(first.phone.slice(1), 'Mau pesan yang diskon');
    await settle(server.appliance);
    const replied = (await recipients(c.id)).find((r: any) => r.id === first.id);
    assert.equal(replied.status, 'replied');
    assert.ok(replied.conversationId);
    const conversation = (await a.api.get(`/api/v1/conversations/${replied.conversationId}`)).body;
    assert.equal(conversation.status, 'open');
    assert.ok(conversation.tags.includes(`campaign:${c.name}`), JSON.stringify(conversation.tags));
    assert.equal((await a.api.get(`/api/v1/campaigns/${c.id}`)).body.reached.replied, 1);
    const events = await server.appliance.db.getRepository(DomainEventEntity).find({ where: { type: 'campaign.finished' } });
    assert.ok(events.some((e) => (e.payload as any).campaignId === c.id));
    // A failed status from Meta (after sending) carries Meta's code.
    await status(second.externalId, 'failed', second.phone.slice(1));
    await settle(server.appliance);
    assert.equal((await recipients(c.id)).find((r: any) => r.id === second.id).status, 'delivered', 'a failure never overrides a delivery');
  });

  it('backs off on 131056 (pair rate) and 130429 (throughput) and still sends each recipient once', async () => {
    const numbers = [number(), number(), number(), number()];
    const c = await campaign();
    await a.api.post(`/api/v1/campaigns/${c.id}/recipients`, { csv: csvOf(numbers) });
    graph.failNext(1, { status: 400, path: `/v21.0/${PHONE}/messages`, body: fixture('graph-error-131056.json') });
    graph.failNext(2, { status: 400, path: `/v21.0/${PHONE}/messages`, body: fixture('graph-error-130429.json') });
    await a.api.post(`/api/v1/campaigns/${c.id}/send`);
    const done = await finished(c.id);
    assert.equal(done.status, 'completed');
    assert.equal(done.stats.sent, 4, JSON.stringify(done.stats));
    const rows = await recipients(c.id);
    assert.equal(
      rows.reduce((n: number, r: any) => n + r.attempts, 0),
      7,
      'three attempts were refused and retried',
    );
    // Each number got exactly one accepted message (the refused requests were answered with errors).
    for (const n of numbers) assert.equal(sentTo(n).length - rows.find((r: any) => r.phone === `+${n}`).attempts + 1, 1);
  });

  it('waits while the internet is down and resumes when it is back', async () => {
    const numbers = [number(), number(), number()];
    const c = await campaign();
    await a.api.post(`/api/v1/campaigns/${c.id}/recipients`, { csv: csvOf(numbers) });
    await graph.refuseConnections();
    try {
      assert.equal((await a.api.post(`/api/v1/campaigns/${c.id}/send`)).status, 200);
      await new Promise((r) => setTimeout(r, 1200));
      const waiting = (await a.api.get(`/api/v1/campaigns/${c.id}`)).body;
      assert.equal(waiting.status, 'sending');
      assert.equal(waiting.stats.queued, 3);
    } finally {
      await graph.acceptConnections();
    }
    const done = await finished(c.id, 30_000);
    assert.equal(done.stats.sent, 3);
    for (const n of numbers) assert.equal(sentTo(n).length, 1);
  });

  it("schedules on the organization's clock; refuses past and malformed times", async () => {
    const c = await campaign();
    await a.api.post(`/api/v1/campaigns/${c.id}/recipients`, { csv: csvOf([number()]) });
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const res = await a.api.post(`/api/v1/campaigns/${c.id}/send`, { scheduledLocal: `${tomorrow}T09:00` });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, 'scheduled');
    assert.equal(res.body.timezone, 'Asia/Jakarta');
    assert.equal(res.body.scheduledAt, `${tomorrow}T02:00:00.000Z`, '09:00 in Jakarta is 02:00 UTC');
    assert.equal(res.body.scheduledLocal, `${tomorrow}T09:00`);
    assertProblem(await a.api.post(`/api/v1/campaigns/${c.id}/send`, { scheduledLocal: '2020-01-01T09:00' }), 422, ['scheduledLocal']);
    assertProblem(await a.api.post(`/api/v1/campaigns/${c.id}/send`, { scheduledLocal: 'besok pagi' }), 400, ['scheduledLocal']);
    // Rescheduled to a moment from now: it starts by itself.
    const soon = new Date(Date.now() + 1500).toISOString();
    assert.equal((await a.api.post(`/api/v1/campaigns/${c.id}/send`, { scheduledAt: soon })).body.status, 'scheduled');
    const done = await finished(c.id);
    assert.equal(done.status, 'completed');
    assert.ok(new Date(done.startedAt).getTime() >= new Date(soon).getTime());
  });

  it('refuses to send an unapproved template, an empty list, or a cancelled campaign; cancel stops what has not left', async () => {
    const unapproved = await a.api.post('/api/v1/campaigns', {
      name: 'Belum disetujui',
      templateId: pending.id,
      variables: { 'body.nama': '{{name}}' },
    });
    assert.equal(unapproved.status, 201, JSON.stringify(unapproved.body));
    await a.api.post(`/api/v1/campaigns/${unapproved.body.id}/recipients`, { csv: csvOf([number()]) });
    assertProblem(await a.api.post(`/api/v1/campaigns/${unapproved.body.id}/send`), 422, ['templateId']);

    const empty = await campaign();
    assertProblem(await a.api.post(`/api/v1/campaigns/${empty.id}/send`), 422, ['recipients']);
    const noValues = (await a.api.post('/api/v1/campaigns', { name: 'Tanpa nilai', templateId: promo.id })).body;
    await a.api.post(`/api/v1/campaigns/${noValues.id}/recipients`, { csv: csvOf([number()]) });
    assertProblem(await a.api.post(`/api/v1/campaigns/${noValues.id}/send`), 422, ['variables.body.1']);

    const numbers = Array.from({ length: 12 }, number);
    const slow = await campaign({ ratePerSecond: 2 });
    await a.api.post(`/api/v1/campaigns/${slow.id}/recipients`, { csv: csvOf(numbers) });
    await a.api.post(`/api/v1/campaigns/${slow.id}/send`);
    await eventually(async () => (await a.api.get(`/api/v1/campaigns/${slow.id}`)).body.reached.sent >= 1);
    const cancelled = await a.api.post(`/api/v1/campaigns/${slow.id}/cancel`);
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.status, 'cancelled');
    await settle(server.appliance);
    const view = (await a.api.get(`/api/v1/campaigns/${slow.id}`)).body;
    assert.ok(view.stats.cancelled > 0, JSON.stringify(view.stats));
    assert.equal(view.stats.queued, 0);
    const reachedGraph = numbers.filter((n) => sentTo(n).length > 0).length;
    assert.equal(reachedGraph, view.reached.sent, 'only the ones sent before the cancel left');
    assertProblem(await a.api.post(`/api/v1/campaigns/${slow.id}/send`), 409, ['status']);
    assertProblem(await a.api.post(`/api/v1/campaigns/${slow.id}/cancel`), 409);
    assertProblem(await a.api.patch(`/api/v1/campaigns/${slow.id}`, { name: 'x' }), 409);
    assertProblem(await a.api.delete(`/api/v1/campaigns/${slow.id}`), 409);
    assertProblem(await a.api.post(`/api/v1/campaigns/${slow.id}/recipients`, { csv: csvOf([number()]) }), 409);

    assert.equal((await a.api.delete(`/api/v1/campaigns/${empty.id}`)).status, 204);
    assertProblem(await a.api.get(`/api/v1/campaigns/${empty.id}`), 404);
    const list = await a.api.get('/api/v1/campaigns?status=cancelled');
    assert.ok(list.body.data.some((x: any) => x.id === slow.id));
    assert.equal((await a.api.get(`/api/v1/campaigns/${slow.id}/recipients?status=cancelled`)).body.data.length, view.stats.cancelled);
  });

  it('keeps tenants apart and needs campaigns.manage', async () => {
    const c = await campaign();
    await a.api.post(`/api/v1/campaigns/${c.id}/recipients`, { csv: csvOf([number()]) });
    for (const res of [
      await b.api.get(`/api/v1/campaigns/${c.id}`),
      await b.api.patch(`/api/v1/campaigns/${c.id}`, { name: 'milik saya' }),
      await b.api.get(`/api/v1/campaigns/${c.id}/recipients`),
      await b.api.post(`/api/v1/campaigns/${c.id}/recipients`, { csv: csvOf([number()]) }),
      await b.api.delete(`/api/v1/campaigns/${c.id}/recipients`),
      await b.api.post(`/api/v1/campaigns/${c.id}/send`),
      await b.api.post(`/api/v1/campaigns/${c.id}/cancel`),
      await b.api.delete(`/api/v1/campaigns/${c.id}`),
    ])
      assertProblem(res, 404);
    assertProblem(await b.api.post('/api/v1/campaigns', { name: 'Curang', templateId: promo.id }), 422, ['templateId']);
    const mine = (await a.api.get(`/api/v1/campaigns/${c.id}`)).body;
    assert.equal(mine.status, 'draft');
    assert.equal(mine.name, c.name);
    assert.equal(mine.stats.total, 1);
    assert.equal((await b.api.get('/api/v1/campaigns')).body.data.length, 0);
    const agent = await createAgent(a.api, 'agent');
    assertProblem(await agent.api.get('/api/v1/campaigns'), 403);
    assertProblem(await agent.api.post(`/api/v1/campaigns/${c.id}/send`), 403);
  });
});
