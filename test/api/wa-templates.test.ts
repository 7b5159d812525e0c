// WhatsApp templates: sync from Meta (paged), create and submit, Meta's status, quality and pause
// webhooks stored, header media, local delete, errors, permissions and tenancy.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.js';
import { startFakeGraph, type FakeGraph, type FakeTemplate } from '../support/fake-graph.js';
import { Api, assertProblem, createAgent, registerTenant, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, fixture, postWebhook, type WaAccount } from '../support/whatsapp.js';
import { settle } from '../support/settle.js';
import { sendTemplate } from '../../server/modules/wa-templates/wa-templates.service.js';

const templateEvent = (wabaId: string, value: Record<string, unknown>, field = 'message_template_status_update') => ({
  object: 'whatsapp_business_account',
  entry: [{ id: wabaId, time: Math.floor(Date.now() / 1000), changes: [{ field, value }] }],
});

describe('WhatsApp templates', () => {
  let graph: FakeGraph;
  let server: TestServer;
  let a: Tenant;
  let b: Tenant;
  let wa: WaAccount;
  const waba = 'waba-600000000000006';

  before(async () => {
    graph = await startFakeGraph();
    server = await startServer({ META_GRAPH_URL: graph.url });
    a = await registerTenant(new Api(server.url), 'Toko Template');
    b = await registerTenant(new Api(server.url), 'Toko Lain');
    wa = await connectWhatsApp(a.api, '600000000000006');
    await connectWhatsApp(b.api, '600000000000007');
  });
  after(async () => {
    await server.stop();
    await graph.stop();
  });

  it('syncs every page of the WABA templates from Meta, with their status and placeholders', async () => {
    const listed: FakeTemplate[] = fixture('graph-templates-list.json').data;
    const many = Array.from({ length: 130 }, (_, i) => ({
      id: String(1_600_000_000_000_000 + i),
      name: `promo_${String(i).padStart(3, '0')}`,
      language: 'id',
      status: 'APPROVED',
      category: 'MARKETING',
      components: [{ type: 'BODY', text: 'Halo {{1}}', example: { body_text: [['Budi']] } }],
    }));
    graph.setTemplates(waba, [...listed, ...many]);
    const res = await a.api.post('/api/v1/wa-templates/sync', {});
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.templates, 133);
    assert.equal(res.body.created, 133);
    const pages = graph.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/${waba}/message_templates`));
    assert.equal(pages.length, 2, 'read page by page');
    assert.equal(pages[1].query.after !== undefined, true);

    const again = await a.api.post('/api/v1/wa-templates/sync');
    assert.equal(again.body.created, 0);
    assert.equal(again.body.updated, 133);

    const approved = await a.api.get('/api/v1/wa-templates?status=APPROVED&search=status_pesanan');
    assert.equal(approved.body.data.length, 1);
    const t = approved.body.data[0];
    assert.equal(t.category, 'UTILITY');
    assert.equal(t.externalId, '1500000000000301');
    assert.deepEqual(
      t.variables.map((v: any) => v.key),
      ['header.1', 'body.1', 'body.2', 'body.3', 'button.1'],
    );
    assert.equal(t.variables[1].example, 'Budi');
    assert.equal(t.footer, 'Toko Batik Contoh');
    const named = (await a.api.get('/api/v1/wa-templates?search=sapaan')).body.data[0];
    assert.equal(named.parameterFormat, 'NAMED');
    assert.deepEqual(
      named.variables.map((v: any) => v.key),
      ['body.nama'],
    );
    const all = await a.api.get('/api/v1/wa-templates?limit=200');
    assert.equal(all.body.data.length, 133);
    const page1 = await a.api.get('/api/v1/wa-templates?limit=100');
    const page2 = await a.api.get(`/api/v1/wa-templates?limit=100&cursor=${page1.body.nextCursor}`);
    assert.equal(page2.body.data.length, 33);
  });

  it('creates a template: stored PENDING, submitted to Meta by a job, then approved by the webhook', async () => {
    const res = await a.api.post('/api/v1/wa-templates', {
      name: 'status_pesanan_baru',
      language: 'id',
      category: 'UTILITY',
      header: { format: 'TEXT', text: 'Pesanan {{1}}', example: '#1042' },
      body: { text: 'Halo {{1}}, pesanan {{2}} sudah dikirim lewat {{3}}.', examples: ['Budi', '#1042', 'JNE'] },
      footer: 'Toko Batik Contoh',
      buttons: [
        { type: 'QUICK_REPLY', text: 'Lacak pesanan' },
        { type: 'URL', text: 'Lihat detail', url: 'https://toko.example/pesanan/{{1}}', example: 'https://toko.example/pesanan/1042' },
      ],
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.status, 'PENDING');
    assert.equal(res.body.submission, 'queued');
    await settle(server.appliance);
    const submitted = graph.requests.find((r) => r.method === 'POST' && r.path.endsWith(`/${waba}/message_templates`));
    assert.ok(submitted, 'submitted to Meta');
    const expected = fixture('req-wa-template-create.json');
    assert.deepEqual(submitted.body, { ...expected, name: 'status_pesanan_baru' });
    const stored = (await a.api.get(`/api/v1/wa-templates/${res.body.id}`)).body;
    assert.equal(stored.submission, 'submitted');
    assert.ok(stored.externalId);
    assert.equal(stored.status, 'PENDING');

    const approve = fixture('wa-template-status-update.json');
    approve.entry[0].id = waba;
    Object.assign(approve.entry[0].changes[0].value, {
      message_template_id: Number(stored.externalId),
      message_template_name: 'status_pesanan_baru',
    });
    assert.equal((await postWebhook(server.url, approve, wa.appSecret)).status, 200);
    const approved = await eventually(async () => {
      const t = (await a.api.get(`/api/v1/wa-templates/${res.body.id}`)).body;
      return t.status === 'APPROVED' && t;
    });
    assert.equal(approved.statusReason, null);
    assert.equal(approved.statusHistory[0].event, 'APPROVED');

    // Quality drops, then Meta pauses it, then unpauses.
    await postWebhook(
      server.url,
      templateEvent(
        waba,
        {
          previous_quality_score: 'GREEN',
          new_quality_score: 'YELLOW',
          message_template_id: Number(stored.externalId),
          message_template_name: 'status_pesanan_baru',
          message_template_language: 'id',
        },
        'message_template_quality_update',
      ),
      wa.appSecret,
    );
    await eventually(async () => (await a.api.get(`/api/v1/wa-templates/${res.body.id}`)).body.qualityScore === 'YELLOW');
    await postWebhook(
      server.url,
      templateEvent(waba, {
        event: 'PAUSED',
        message_template_id: Number(stored.externalId),
        message_template_name: 'status_pesanan_baru',
        message_template_language: 'id',
        reason: 'NONE',
        other_info: { title: 'FIRST_PAUSE', description: 'Your template has been paused for 3 hours due to low quality.' },
      }),
      wa.appSecret,
    );
    const paused = await eventually(async () => {
      const t = (await a.api.get(`/api/v1/wa-templates/${res.body.id}`)).body;
      return t.paused && t;
    });
    assert.equal(paused.status, 'PAUSED');
    assert.equal(paused.pause.title, 'FIRST_PAUSE');
    assert.match(paused.statusReason, /paused for 3 hours/);
    assert.equal(paused.qualityScore, 'YELLOW');
  });

  it('sendTemplate() (for automation rules) sends an approved template to a contact, outside the 24-hour window', async () => {
    const template = (await a.api.get('/api/v1/wa-templates?search=status_pesanan')).body.data.find(
      (t: any) => t.name === 'status_pesanan',
    );
    await postWebhook(
      server.url,
      {
        ...fixture('wa-text.json'),
        entry: fixture('wa-text.json').entry.map((e: any) => ({
          ...e,
          changes: e.changes.map((c: any) => ({
            ...c,
            value: {
              ...c.value,
              metadata: { ...c.value.metadata, phone_number_id: wa.phoneNumberId },
              messages: c.value.messages.map((m: any) => ({ ...m, from: '6281288880001', id: 'wamid.TPLSEND1', timestamp: '1600000000' })),
              contacts: [{ wa_id: '6281288880001', profile: { name: 'Dewi' } }],
            },
          })),
        })),
      },
      wa.appSecret,
    );
    const contact = await eventually(async () => (await a.api.get('/api/v1/contacts?search=6281288880001')).body.data[0]);
    const values = { 'header.1': '#77', 'body.1': 'Dewi', 'body.2': '#77', 'body.3': 'SiCepat', 'button.1': '77' };
    await assert.rejects(
      sendTemplate(server.appliance.services, {
        tenantId: a.tenant.id,
        templateId: template.id,
        contactId: contact.id,
        values: { 'body.1': 'x' },
      }),
      (err: any) => err.status === 422,
    );
    const sent = await sendTemplate(server.appliance.services, {
      tenantId: a.tenant.id,
      templateId: template.id,
      contactId: contact.id,
      values,
    });
    await settle(server.appliance);
    const request = graph.sentMessages(wa.phoneNumberId).find((r) => r.body.to === '6281288880001' && r.body.type === 'template');
    assert.equal(request?.body.template.name, 'status_pesanan');
    assert.equal(request?.body.template.components[1].parameters[0].text, 'Dewi');
    const messages = (await a.api.get(`/api/v1/conversations/${sent.conversationId}/messages`)).body.data;
    const message = messages.find((m: any) => m.id === sent.messageId);
    assert.equal(message.status, 'sent');
    assert.equal(message.text, 'Halo Dewi, pesanan #77 sudah dikirim lewat SiCepat.');
  });

  it('an agent sends a template from the inbox: the sendable list, to a contact or into a conversation, with clear errors', async () => {
    const sendable = (await a.api.get('/api/v1/wa-templates/sendable')).body.data;
    assert.ok(sendable.length > 0);
    assert.ok(sendable.every((t: any) => t.status === 'APPROVED' && !t.paused));
    const template = sendable.find((t: any) => t.name === 'status_pesanan');
    assert.ok(template, 'the approved template is offered');
    const contact = (await a.api.get('/api/v1/contacts?search=6281288880001')).body.data[0];
    const values = { 'header.1': '#78', 'body.1': 'Dewi', 'body.2': '#78', 'body.3': 'JNE', 'button.1': '78' };

    const toContact = await a.api.post(`/api/v1/wa-templates/${template.id}/send`, { contactId: contact.id, values });
    assert.equal(toContact.status, 201, JSON.stringify(toContact.body));
    assert.equal(toContact.body.created, true);
    const conversationId = toContact.body.conversationId;
    const forConversation = (await a.api.get(`/api/v1/wa-templates/sendable?conversationId=${conversationId}`)).body.data;
    assert.ok(forConversation.some((t: any) => t.id === template.id));

    const body = { conversationId, values: { ...values, 'body.2': '#79' }, clientMessageId: 'tpl-send-0001' };
    const first = await a.api.post(`/api/v1/wa-templates/${template.id}/send`, body);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(first.body.conversationId, conversationId);
    const again = await a.api.post(`/api/v1/wa-templates/${template.id}/send`, body);
    assert.deepEqual(again.body, { ...first.body, created: false }, 'the same clientMessageId answers the first message');
    await settle(server.appliance);
    const sent = graph.sentMessages(wa.phoneNumberId).filter((r) => r.body.type === 'template' && r.body.to === '6281288880001');
    assert.ok(sent.some((r) => r.body.template.components[1].parameters[1].text === '#79'));
    assert.equal(sent.filter((r) => r.body.template.components[1].parameters[1].text === '#79').length, 1, 'sent once');
    const messages = (await a.api.get(`/api/v1/conversations/${conversationId}/messages`)).body.data;
    const message = messages.find((m: any) => m.id === first.body.messageId);
    assert.equal(message.senderType, 'agent');
    assert.equal(message.text, 'Halo Dewi, pesanan #79 sudah dikirim lewat JNE.');

    const url = `/api/v1/wa-templates/${template.id}/send`;
    assertProblem(await a.api.post(url, { conversationId, values: { 'body.1': 'Dewi' } }), 422, ['values.body.2']);
    assertProblem(await a.api.post(url, { conversationId, values: { ...values, 'body.9': 'x' } }), 422, ['values.body.9']);
    assertProblem(await a.api.post(url, { values }), 400, ['conversationId']);
    assertProblem(await a.api.post(url, { contactId: '01900000-0000-7000-8000-000000000000', values }), 404);
    assertProblem(await a.api.post(url, { conversationId: '01900000-0000-7000-8000-000000000000', values }), 404);
    const pending = (await a.api.get('/api/v1/wa-templates?limit=100')).body.data.find((t: any) => t.status !== 'APPROVED' || t.paused);
    assert.ok(pending, 'a template not approved (or paused)');
    assert.ok(!sendable.some((t: any) => t.id === pending.id), 'not offered');
    assertProblem(await a.api.post(`/api/v1/wa-templates/${pending.id}/send`, { conversationId, values: {} }), 422, ['templateId']);

    // Another organization: neither the template, nor the conversation, nor the contact.
    assertProblem(await b.api.post(url, { conversationId, values }), 404);
    assertProblem(await b.api.get(`/api/v1/wa-templates/sendable?conversationId=${conversationId}`), 404);
    assert.equal((await b.api.get('/api/v1/wa-templates/sendable')).body.data.length, 0);
    const count = (await a.api.get(`/api/v1/conversations/${conversationId}/messages`)).body.data.length;
    assert.equal(count, messages.length, 'nothing sent by the refused calls');
    // Agents may send (messages.send) without managing templates.
    const agent = await createAgent(a.api, 'agent');
    assert.equal((await agent.api.get('/api/v1/wa-templates/sendable')).status, 200);
  });

  it('stores a rejection with its reason', async () => {
    const rejected = fixture('wa-template-status-rejected.json');
    rejected.entry[0].id = waba;
    await postWebhook(server.url, rejected, wa.appSecret);
    const t = await eventually(async () => {
      const row = (await a.api.get('/api/v1/wa-templates?search=promo_akhir_tahun')).body.data[0];
      return row?.statusReason === 'INVALID_FORMAT' && row;
    });
    assert.equal(t.status, 'REJECTED');
  });

  it('marks a submission Meta refuses as rejected with Meta’s reason', async () => {
    graph.failNext(1, {
      status: 400,
      path: `/v21.0/${waba}/message_templates`,
      body: {
        error: { message: 'Invalid parameter', type: 'OAuthException', code: 100, error_data: { details: 'Body has too many variables' } },
      },
    });
    const res = await a.api.post('/api/v1/wa-templates', {
      name: 'ditolak',
      language: 'id',
      category: 'MARKETING',
      body: { text: 'Halo semua' },
    });
    assert.equal(res.status, 201);
    await settle(server.appliance);
    const t = (await a.api.get(`/api/v1/wa-templates/${res.body.id}`)).body;
    assert.equal(t.submission, 'failed');
    assert.equal(t.status, 'REJECTED');
    assert.match(t.submissionError, /too many variables/);
  });

  it('refuses invalid templates, naming the field', async () => {
    assertProblem(
      await a.api.post('/api/v1/wa-templates', { name: 'Bad Name', language: 'id', category: 'UTILITY', body: { text: 'x' } }),
      400,
      ['name'],
    );
    assertProblem(
      await a.api.post('/api/v1/wa-templates', {
        name: 'urutan',
        language: 'id',
        category: 'UTILITY',
        body: { text: 'Halo {{2}}', examples: ['a'] },
      }),
      400,
      ['body.text'],
    );
    assertProblem(
      await a.api.post('/api/v1/wa-templates', {
        name: 'contoh',
        language: 'id',
        category: 'UTILITY',
        body: { text: 'Halo {{1}} {{2}}', examples: ['a'] },
      }),
      400,
      ['body.examples'],
    );
    assertProblem(
      await a.api.post('/api/v1/wa-templates', { name: 'kategori', language: 'id', category: 'PROMO', body: { text: 'x' } }),
      400,
      ['category'],
    );
    assertProblem(
      await a.api.post('/api/v1/wa-templates', { name: 'status_pesanan', language: 'id', category: 'UTILITY', body: { text: 'Halo' } }),
      409,
      ['name'],
    );
  });

  it('sets the header media link of a media template, refuses it for a text one', async () => {
    const res = await a.api.post('/api/v1/wa-templates', {
      name: 'katalog_baru',
      language: 'id',
      category: 'MARKETING',
      header: { format: 'IMAGE' },
      body: { text: 'Katalog terbaru untuk {{1}}', examples: ['Budi'] },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const set = await a.api.patch(`/api/v1/wa-templates/${res.body.id}/header-media`, { url: 'https://cdn.toko.example/katalog.jpg' });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal(set.body.headerMediaUrl, 'https://cdn.toko.example/katalog.jpg');
    assert.equal(set.body.header.format, 'IMAGE');
    assertProblem(await a.api.patch(`/api/v1/wa-templates/${res.body.id}/header-media`, { url: 'ftp://x.example/a.jpg' }), 400, ['url']);
    const text = (await a.api.get('/api/v1/wa-templates?search=sapaan_pelanggan')).body.data[0];
    assertProblem(await a.api.patch(`/api/v1/wa-templates/${text.id}/header-media`, { url: 'https://cdn.toko.example/a.jpg' }), 422, [
      'url',
    ]);
  });

  it('deletes the local copy only', async () => {
    const t = (await a.api.get('/api/v1/wa-templates?search=promo_000')).body.data[0];
    const before = graph.requests.length;
    assert.equal((await a.api.delete(`/api/v1/wa-templates/${t.id}`)).status, 204);
    assertProblem(await a.api.get(`/api/v1/wa-templates/${t.id}`), 404);
    assert.equal(graph.requests.length, before, 'nothing was asked of Meta');
    assertProblem(await a.api.delete(`/api/v1/wa-templates/${t.id}`), 404);
  });

  it('answers 502 when Meta cannot be reached for a sync, and 422 without a WhatsApp account', async () => {
    graph.failNext(1, { status: 500, path: `/v21.0/${waba}/message_templates`, body: { error: { message: 'down', code: 2 } } });
    assertProblem(await a.api.post('/api/v1/wa-templates/sync'), 502);
    const c = await registerTenant(new Api(server.url), 'Toko Kosong');
    assertProblem(await c.api.post('/api/v1/wa-templates/sync'), 422, ['accountId']);
    assertProblem(await c.api.post('/api/v1/wa-templates', { name: 'x', language: 'id', category: 'UTILITY', body: { text: 'x' } }), 422, [
      'accountId',
    ]);
  });

  it('keeps tenants apart and needs templates.manage', async () => {
    const t = (await a.api.get('/api/v1/wa-templates?search=status_pesanan')).body.data[0];
    assertProblem(await b.api.get(`/api/v1/wa-templates/${t.id}`), 404);
    assertProblem(await b.api.delete(`/api/v1/wa-templates/${t.id}`), 404);
    assertProblem(await b.api.patch(`/api/v1/wa-templates/${t.id}/header-media`, { url: 'https://x.example/a.jpg' }), 404);
    assert.equal((await b.api.get('/api/v1/wa-templates')).body.data.length, 0);
    assert.equal((await a.api.get(`/api/v1/wa-templates/${t.id}`)).status, 200, 'unchanged for its owner');
    const agent = await createAgent(a.api, 'agent');
    assertProblem(await agent.api.get('/api/v1/wa-templates'), 403);
    assertProblem(await agent.api.post('/api/v1/wa-templates/sync'), 403);
  });
});
