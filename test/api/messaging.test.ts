// The WhatsApp messaging core end to end, against the fake Graph API.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { listen } from '../support/realtime.js';
import sharp from 'sharp';
import { startServer, type TestServer } from '../support/server.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { Api, assertProblem, registerTenant, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, fixture, postWebhook, waPayload, wamid, type WaAccount } from '../support/whatsapp.js';
import { WebhookEventEntity } from '../../server/modules/webhooks/webhook-event.entity.js';
import { MessageEntity } from '../../server/modules/messages/message.entity.js';

describe('WhatsApp messaging core', () => {
  let graph: FakeGraph;
  let server: TestServer;
  let a: Tenant;
  let b: Tenant;
  let waA: WaAccount;
  let _waB: WaAccount;

  before(async () => {
    graph = await startFakeGraph();
    server = await startServer({ META_GRAPH_URL: graph.url });
    const api = new Api(server.url);
    a = await registerTenant(api, 'Batik Sari');
    b = await registerTenant(api, 'Kopi Kita');
    waA = await connectWhatsApp(a.api, '100000000000001');
    _waB = await connectWhatsApp(b.api, '200000000000002');
  });
  after(async () => {
    await server.stop();
    await graph.stop();
  });

  async function inbound(tenant: Tenant, wa: WaAccount, from: string, text: string) {
    const id = wamid('IN');
    const res = await postWebhook(
      server.url,
      waPayload('wa-text.json', wa.phoneNumberId, { from, message: { id, text: { body: text } } }),
      wa.appSecret,
    );
    assert.equal(res.status, 200);
    const conv = await eventually(
      async () => {
        const list = await tenant.api.get('/api/v1/conversations');
        return list.body.data.find((c: any) => c.contact.phone === `+${from}`);
      },
      5000,
      'conversation',
    );
    return { conversation: conv, externalId: id };
  }

  it('a signed text webhook creates contact, conversation and message, pushed live to the same tenant only', async () => {
    const listenerA = await listen(server.url, a.token);
    const listenerB = await listen(server.url, b.token);
    try {
      const sentAt = Date.now();
      const id = wamid('TXT');
      const res = await postWebhook(
        server.url,
        waPayload('wa-text.json', waA.phoneNumberId, { from: '6281200000001', message: { id } }),
        waA.appSecret,
      );
      assert.equal(res.status, 200);
      const pushed = await eventually(
        async () => listenerA.events.find((e) => e.type === 'message.created' && e.payload.message.externalId === id),
        1000,
        'push within a second',
      );
      assert.ok(pushed.at - sentAt < 1000);
      assert.equal(pushed.payload.message.text, 'Halo kak, apakah batik tulis motif parang masih ada?');
      assert.equal(pushed.payload.conversation.contact.name, 'Siti Rahma');
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(
        listenerB.events.filter((e) => e.type.startsWith('message') || e.type.startsWith('conversation')).length,
        0,
        'the other tenant hears nothing',
      );

      const list = await a.api.get('/api/v1/conversations');
      const conv = list.body.data.find((c: any) => c.id === pushed.payload.conversation.id);
      assert.equal(conv.channel, 'whatsapp');
      assert.equal(conv.status, 'open');
      assert.equal(conv.unreadCount, 1);
      assert.equal(conv.contact.phone, '+6281200000001');
      assert.ok(Date.parse(conv.windowExpiresAt) > Date.now() + 23 * 3600_000);
      const messages = await a.api.get(`/api/v1/conversations/${conv.id}/messages`);
      assert.deepEqual(
        messages.body.data.map((m: any) => [m.direction, m.type, m.externalId]),
        [['inbound', 'text', id]],
      );
      const contact = await a.api.get(`/api/v1/contacts/${conv.contact.id}`);
      assert.deepEqual(contact.body.identities, [{ channel: 'whatsapp', externalId: '6281200000001' }]);
      assert.equal((await b.api.get('/api/v1/conversations')).body.data.length, 0);
    } finally {
      listenerA.socket.close();
      listenerB.socket.close();
    }
  });

  it('the same webhook three times makes one message; a wrongly signed one makes none', async () => {
    const id = wamid('DUP');
    const body = waPayload('wa-text.json', waA.phoneNumberId, { from: '6281200000002', message: { id, text: { body: 'sekali saja' } } });
    for (let i = 0; i < 3; i++) assert.equal((await postWebhook(server.url, body, waA.appSecret)).status, 200);
    const events = server.appliance.db.getRepository(WebhookEventEntity);
    const before = await events.count();
    const forged = waPayload('wa-text.json', waA.phoneNumberId, { from: '6281200000002', message: { id: wamid('FORGED') } });
    const bad = await postWebhook(server.url, forged, 'not-the-secret');
    assert.equal(bad.status, 401);
    const unsigned = await fetch(`${server.url}/api/v1/webhooks/meta`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(forged),
    });
    assert.equal(unsigned.status, 401);
    assert.equal(await events.count(), before, 'nothing stored for bad signatures');
    await eventually(
      async () => (await server.appliance.db.getRepository(WebhookEventEntity).count({ where: { status: 'received' } })) === 0,
      5000,
      'processing',
    );
    const rows = await server.appliance.db.getRepository(MessageEntity).find({ where: { externalId: id } });
    assert.equal(rows.length, 1);
    assert.equal(
      await server.appliance.db
        .getRepository(MessageEntity)
        .count({ where: { externalId: forged.entry[0].changes[0].value.messages[0].id } }),
      0,
    );
  });

  it('acknowledges a webhook for an unknown phone number id without storing it', async () => {
    const events = server.appliance.db.getRepository(WebhookEventEntity);
    const before = await events.count();
    const res = await postWebhook(server.url, waPayload('wa-text.json', '999999999', { message: { id: wamid('UNK') } }), 'whatever');
    assert.equal(res.status, 200);
    assert.equal(await events.count(), before);
  });

  it('answers the verification handshake only with a known verify token', async () => {
    await a.api.patch(`/api/v1/integration-accounts/${waA.id}`, { config: { verifyToken: 'verify-me-please' } });
    const ok = await fetch(`${server.url}/api/v1/webhooks/meta?hub.mode=subscribe&hub.verify_token=verify-me-please&hub.challenge=12345`);
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), '12345');
    assert.equal((await fetch(`${server.url}/api/v1/webhooks/meta?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`)).status, 403);
    assert.equal((await fetch(`${server.url}/api/v1/webhooks/meta`)).status, 400);
  });

  it("the agent's reply reaches Graph as Meta documents it; statuses move it to delivered and read", async () => {
    const { conversation } = await inbound(a, waA, '6281200000003', 'Ada ukuran L?');
    graph.requests.length = 0;
    const res = await a.api.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text: 'Ada kak, silakan dipesan.' });
    assert.equal(res.status, 202);
    assert.equal(res.body.status, 'queued');
    const sent = await eventually(async () => graph.sentMessages(waA.phoneNumberId)[0], 5000, 'Graph request');
    assert.deepEqual(sent.body, {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '6281200000003',
      type: 'text',
      text: { body: 'Ada kak, silakan dipesan.' },
      // Names the message in Meta's status webhooks, so a send whose answer is lost is still matched.
      biz_opaque_callback_data: `m:${res.body.id}`,
    });
    assert.equal(sent.headers.authorization, `Bearer token-${waA.phoneNumberId}-abcdef`);
    const message = await eventually(
      async () => {
        const m = (await a.api.get(`/api/v1/conversations/${conversation.id}/messages`)).body.data.find((x: any) => x.id === res.body.id);
        return m.status === 'sent' && m;
      },
      5000,
      'sent',
    );
    assert.match(message.externalId, /^wamid\./);
    for (const [file, expected] of [
      ['wa-status-read.json', 'read'],
      ['wa-status-delivered.json', 'read'],
      ['wa-status-sent.json', 'read'],
    ] as const) {
      // Read arrives first: later, older statuses never move the message backwards.
      await postWebhook(server.url, waPayload(file, waA.phoneNumberId, { status: { id: message.externalId } }), waA.appSecret);
      await eventually(
        async () => {
          const m = (await a.api.get(`/api/v1/conversations/${conversation.id}/messages`)).body.data.find((x: any) => x.id === res.body.id);
          return m.status === expected && m.readAt && m;
        },
        5000,
        expected,
      );
    }
  });

  it('a resent reply with the same clientMessageId is stored and sent once', async () => {
    const { conversation } = await inbound(a, waA, '6281200000009', 'Halo');
    const body = { type: 'text', text: 'Sekali saja ya', clientMessageId: 'browser-outbox-0001' };
    const first = await a.api.post(`/api/v1/conversations/${conversation.id}/messages`, body);
    const again = await a.api.post(`/api/v1/conversations/${conversation.id}/messages`, body);
    assert.equal(again.body.id, first.body.id);
    await eventually(
      async () => graph.sentMessages(waA.phoneNumberId).some((r: any) => r.body.text?.body === 'Sekali saja ya'),
      5000,
      'sent',
    );
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(graph.sentMessages(waA.phoneNumberId).filter((r: any) => r.body.text?.body === 'Sekali saja ya').length, 1);
  });

  it('a failed status with 131047 marks the message failed with a readable reason', async () => {
    const { conversation } = await inbound(a, waA, '6281200000004', 'Halo');
    const res = await a.api.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text: 'Promo hari ini!' });
    const sentMsg = await eventually(
      async () => {
        const m = (await a.api.get(`/api/v1/conversations/${conversation.id}/messages`)).body.data.find((x: any) => x.id === res.body.id);
        return m.externalId && m;
      },
      5000,
      'sent',
    );
    await postWebhook(
      server.url,
      waPayload('wa-status-failed-131047.json', waA.phoneNumberId, { status: { id: sentMsg.externalId } }),
      waA.appSecret,
    );
    const failed = await eventually(
      async () => {
        const m = (await a.api.get(`/api/v1/conversations/${conversation.id}/messages`)).body.data.find((x: any) => x.id === res.body.id);
        return m.status === 'failed' && m;
      },
      5000,
      'failed',
    );
    assert.equal(failed.error.code, 131047);
    assert.match(failed.error.reason, /24 hours/);
  });

  it('a Graph error that retrying cannot fix fails the message at once with the reason', async () => {
    const { conversation } = await inbound(a, waA, '6281200000005', 'Halo');
    graph.failNext(1, { status: 400, body: fixture('graph-error-131047.json') });
    const res = await a.api.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text: 'Hai' });
    const failed = await eventually(
      async () => {
        const m = (await a.api.get(`/api/v1/conversations/${conversation.id}/messages`)).body.data.find((x: any) => x.id === res.body.id);
        return m.status === 'failed' && m;
      },
      5000,
      'failed',
    );
    assert.equal(failed.error.code, 131047);
    assert.match(failed.error.reason, /template/);
  });

  it('refuses a free-form reply outside the 24-hour window with a 422 that says to use a template', async () => {
    const id = wamid('OLD');
    const body = waPayload('wa-text.json', waA.phoneNumberId, {
      from: '6281200000006',
      message: { id, timestamp: String(Math.floor(Date.now() / 1000) - 25 * 3600) },
    });
    await postWebhook(server.url, body, waA.appSecret);
    const conv = await eventually(
      async () => (await a.api.get('/api/v1/conversations')).body.data.find((c: any) => c.contact.phone === '+6281200000006'),
      5000,
      'conversation',
    );
    const res = await a.api.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'text', text: 'Halo?' });
    assertProblem(res, 422, ['type']);
    assert.match(res.body.detail, /template/);
    assert.equal(res.body.code, 'window_closed');
    assert.equal(res.body.errors[0].code, 'window_closed');
    const template = await a.api.post(`/api/v1/conversations/${conv.id}/messages`, {
      type: 'template',
      template: { name: 'follow_up', language: 'id' },
    });
    assert.equal(template.status, 202);
    const sent = await eventually(
      async () => graph.sentMessages(waA.phoneNumberId).find((r: any) => r.body.type === 'template'),
      5000,
      'template sent',
    );
    assert.deepEqual(sent.body.template, { name: 'follow_up', language: { code: 'id' } });
  });

  it('with Graph refusing connections, ten replies stay queued, then after a restart arrive in order, each once', async () => {
    const { conversation } = await inbound(a, waA, '6281200000007', 'Pesan banyak');
    await graph.refuseConnections();
    const ids: string[] = [];
    for (let i = 1; i <= 10; i++) {
      const res = await a.api.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text: `Balasan ${i}` });
      assert.equal(res.status, 202);
      ids.push(res.body.id);
    }
    await new Promise((r) => setTimeout(r, 600));
    const queued = (await a.api.get(`/api/v1/conversations/${conversation.id}/messages?limit=50`)).body.data.filter((m: any) =>
      ids.includes(m.id),
    );
    assert.ok(
      queued.every((m: any) => m.status === 'queued'),
      'still queued while Graph is unreachable',
    );
    await server.restart();
    graph.requests.length = 0;
    await graph.acceptConnections();
    // The restarted server listens on a new port: clients follow it.
    a.api = new Api(server.url, { token: a.token });
    b.api = new Api(server.url, { token: b.token });
    await eventually(
      async () => graph.sentMessages(waA.phoneNumberId).filter((r: any) => String(r.body.text?.body).startsWith('Balasan')).length >= 10,
      15000,
      'all ten delivered',
    );
    await new Promise((r) => setTimeout(r, 300));
    const bodies = graph
      .sentMessages(waA.phoneNumberId)
      .map((r: any) => r.body.text?.body)
      .filter((t: any) => String(t).startsWith('Balasan'));
    assert.deepEqual(
      bodies,
      Array.from({ length: 10 }, (_, i) => `Balasan ${i + 1}`),
      'in order, each exactly once',
    );
    const after = (await a.api.get(`/api/v1/conversations/${conversation.id}/messages?limit=50`)).body.data.filter((m: any) =>
      ids.includes(m.id),
    );
    assert.ok(after.every((m: any) => m.status === 'sent'));
  });

  it('an inbound image is fetched, stored, thumbnailed and served only to its tenant', async () => {
    const png = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#c0392b' } })
      .png()
      .toBuffer();
    const payload = waPayload('wa-image.json', waA.phoneNumberId, { from: '6281200000008', message: { id: wamid('IMG') } });
    const mediaExternalId = payload.entry[0].changes[0].value.messages[0].image.id;
    graph.addMedia(mediaExternalId, png, 'image/png');
    await postWebhook(server.url, payload, waA.appSecret);
    const conv = await eventually(
      async () => (await a.api.get('/api/v1/conversations')).body.data.find((c: any) => c.contact.phone === '+6281200000008'),
      5000,
      'conversation',
    );
    const message = await eventually(
      async () => (await a.api.get(`/api/v1/conversations/${conv.id}/messages`)).body.data.find((m: any) => m.mediaId),
      5000,
      'media stored',
    );
    assert.equal(message.type, 'image');
    const file = await fetch(`${server.url}${message.mediaUrl}`, { headers: { authorization: `Bearer ${a.token}` } });
    assert.equal(file.status, 200);
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), png);
    const thumb = await fetch(`${server.url}${message.mediaUrl}?thumbnail=true`, { headers: { authorization: `Bearer ${a.token}` } });
    assert.equal(thumb.status, 200);
    const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    assert.ok(meta.width! <= 320);
    assert.equal((await fetch(`${server.url}${message.mediaUrl}`, { headers: { authorization: `Bearer ${b.token}` } })).status, 404);
    assert.equal((await fetch(`${server.url}${message.mediaUrl}`)).status, 401);
  });
});
