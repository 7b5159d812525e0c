// PUT /api/v1/integrations/{channel} with enabled: false really stops the channel: replies are
// refused (409, naming the channel) rather than held, a reply queued before the switch is not sent,
// and what arrives on it is still stored, flagged receivedWhileDisabled. Per tenant.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { startFakeSmtp, type FakeSmtp } from '../support/smtp-server.js';
import { Api, assertProblem, registerTenant, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid, type WaAccount } from '../support/whatsapp.js';
import { connectEmail, emlFixture, postEmail, type EmailAccount } from '../support/meta-channels.js';

describe('turning a channel off', () => {
  let graph: FakeGraph;
  let smtp: FakeSmtp;
  let server: TestServer;
  let a: Tenant;
  let b: Tenant;
  let waA: WaAccount;
  let waB: WaAccount;
  let mail: EmailAccount;
  let n = 0;

  before(async () => {
    graph = await startFakeGraph();
    smtp = await startFakeSmtp();
    server = await startServer({ META_GRAPH_URL: graph.url });
    const api = new Api(server.url);
    a = await registerTenant(api, 'Toko Mati Lampu');
    b = await registerTenant(api, 'Toko Tetangga');
    waA = await connectWhatsApp(a.api, '100000000000101');
    waB = await connectWhatsApp(b.api, '100000000000202');
    mail = await connectEmail(a.api, 'halo@toko-mati.example', { smtpUrl: smtp.url });
  });
  after(async () => {
    await server.stop();
    await graph.stop();
    await smtp.stop();
  });

  const messagesOf = async (tenant: Tenant, conversationId: string) =>
    (await tenant.api.get(`/api/v1/conversations/${conversationId}/messages?limit=100`)).body.data as any[];

  /** A WhatsApp customer writes to `account`; returns the conversation and the stored message. */
  async function customerWrites(tenant: Tenant, account: WaAccount, text = 'Halo kak') {
    const from = `62812${String(Date.now()).slice(-6)}${String(++n).padStart(2, '0')}`;
    const id = wamid('off');
    const res = await postWebhook(
      server.url,
      waPayload('wa-text.json', account.phoneNumberId, { from, message: { id, text: { body: text } } }),
      account.appSecret,
    );
    assert.equal(res.status, 200);
    const conversation = await eventually(
      async () => (await tenant.api.get('/api/v1/conversations?limit=200')).body.data.find((c: any) => c.contact.phone === `+${from}`),
      5000,
      'conversation',
    );
    const message = await eventually(async () => (await messagesOf(tenant, conversation.id)).find((m) => m.externalId === id));
    return { conversation, message, from };
  }

  const setEnabled = (tenant: Tenant, channel: string, enabled: boolean) => tenant.api.put(`/api/v1/integrations/${channel}`, { enabled });

  it('WhatsApp turned off: replies are refused, nothing reaches Graph, inbound is kept and flagged; on again, it sends', async () => {
    const before = await customerWrites(a, waA);
    assert.equal(before.message.content.receivedWhileDisabled, undefined);

    const off = await setEnabled(a, 'whatsapp', false);
    assert.equal(off.status, 200);
    assert.equal(off.body.enabled, false);
    assert.equal((await a.api.get('/api/v1/integrations/whatsapp')).body.enabled, false);

    const sentBefore = graph.sentMessages(waA.phoneNumberId).length;
    const refused = await a.api.post(`/api/v1/conversations/${before.conversation.id}/messages`, { type: 'text', text: 'Siap kak' });
    assertProblem(refused, 409, ['channel']);
    assert.match(refused.body.detail, /WhatsApp channel is turned off/);
    // Nothing was stored as queued either: the agent sees at once that it did not leave.
    assert.equal((await messagesOf(a, before.conversation.id)).filter((m) => m.direction === 'outbound').length, 0);

    const during = await customerWrites(a, waA, 'Masih buka?');
    assert.equal(during.message.content.receivedWhileDisabled, true);
    assert.equal(during.message.text, 'Masih buka?');
    assert.equal(graph.sentMessages(waA.phoneNumberId).length, sentBefore);

    assert.equal((await setEnabled(a, 'whatsapp', true)).body.enabled, true);
    const sent = await a.api.post(`/api/v1/conversations/${during.conversation.id}/messages`, { type: 'text', text: 'Buka kak' });
    assert.equal(sent.status, 202);
    await eventually(async () => (await messagesOf(a, during.conversation.id)).find((m) => m.id === sent.body.id && m.status === 'sent'));
    assert.equal(graph.sentMessages(waA.phoneNumberId).length, sentBefore + 1);
  });

  it('a reply queued before the channel was turned off is not sent, and says why', async () => {
    const { conversation } = await customerWrites(a, waA);
    // Graph answers 500 (retryable) so the reply waits in the queue while the channel is turned off.
    graph.failNext(6, { status: 500, body: { error: { message: 'temporarily down', code: 2 } }, path: /messages$/ });
    const queued = await a.api.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text: 'Sebentar ya' });
    assert.equal(queued.status, 202);
    await eventually(async () => graph.requests.some((r) => r.method === 'POST' && r.body?.text?.body === 'Sebentar ya'));
    await setEnabled(a, 'whatsapp', false);
    const failed = await eventually(
      async () => (await messagesOf(a, conversation.id)).find((m) => m.id === queued.body.id && m.status === 'failed'),
      10000,
      'the queued reply failed',
    );
    assert.equal(failed.error.reason, 'channel_off');
    // (Had any attempt gone through, the message would be 'sent'.)
    await setEnabled(a, 'whatsapp', true);
    await graph.reset();
  });

  it('one tenant turning its channel off does not touch another tenant', async () => {
    assert.equal((await setEnabled(b, 'whatsapp', false)).body.enabled, false);
    assert.equal((await a.api.get('/api/v1/integrations/whatsapp')).body.enabled, true);
    const { conversation } = await customerWrites(a, waA);
    assert.equal((await a.api.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text: 'Ok' })).status, 202);
    const inB = await customerWrites(b, waB);
    assert.equal(inB.message.content.receivedWhileDisabled, true);
    assertProblem(await b.api.post(`/api/v1/conversations/${inB.conversation.id}/messages`, { type: 'text', text: 'x' }), 409, ['channel']);
    await setEnabled(b, 'whatsapp', true);
  });

  it('email turned off: mail is still received and flagged, replies are refused and no SMTP happens', async () => {
    assert.equal((await setEnabled(a, 'email', false)).body.enabled, false);
    const messageId = `<off-${Date.now()}@customer.example>`;
    const res = await postEmail(
      server.url,
      emlFixture({ to: mail.address, from: 'Budi <budi@customer.example>', messageId, inReplyTo: null, references: null }),
      mail.inboundSecret,
    );
    assert.equal(res.status, 200);
    const conversation = await eventually(
      async () =>
        (await a.api.get('/api/v1/conversations?limit=200')).body.data.find(
          (c: any) => c.channel === 'email' && c.contact.email === 'budi@customer.example',
        ),
      5000,
      'email conversation',
    );
    const message = await eventually(async () => (await messagesOf(a, conversation.id)).find((m) => m.externalId === messageId));
    assert.equal(message.content.receivedWhileDisabled, true);
    const refused = await a.api.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text: 'Terima kasih' });
    assertProblem(refused, 409, ['channel']);
    assert.match(refused.body.detail, /email channel is turned off/);
    assert.equal(smtp.messages.length, 0);
    await setEnabled(a, 'email', true);
  });

  it('bad input is a 400 naming the field; an unknown channel is a 400 too', async () => {
    assertProblem(await a.api.put('/api/v1/integrations/whatsapp', { enabled: 'no' }), 400, ['enabled']);
    assertProblem(await a.api.put('/api/v1/integrations/fax', { enabled: false }), 400);
  });
});
