// Messenger, Instagram and email on the same inbox, end to end: against the fake Graph API and a
// real local SMTP server. Mirrors the WhatsApp tests in messaging.test.ts.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { startServer, type TestServer } from '../support/server.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { startFakeSmtp, type FakeSmtp } from '../support/smtp-server.js';
import { Api, assertProblem, registerTenant, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, fixture, postWebhook, waPayload, wamid } from '../support/whatsapp.js';
import {
  connectEmail,
  connectInstagram,
  connectMessenger,
  emlFixture,
  messagingPayload,
  mid,
  postEmail,
  postSigned,
  type EmailAccount,
  type MetaAccount,
} from '../support/meta-channels.js';
import { WebhookEventEntity } from '../../server/modules/webhooks/webhook-event.entity.js';
import { MessageEntity } from '../../server/modules/messages/message.entity.js';

const PAGE_ID = '109876543210987';
const PSID = '7012345678901234';
const IG_ID = '17841400000000001';
const IGSID = '1234567890123457';
const HOUR = 3600_000;
const PNG_1x1 = 'iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAEElEQVR4nGM4IScHRwzEcQCxYxBBO0tjggAAAABJRU5ErkJggg==';

describe('Messenger, Instagram and email channels', () => {
  let graph: FakeGraph;
  let smtp: FakeSmtp;
  let server: TestServer;
  let a: Tenant;
  let b: Tenant;
  let fb: MetaAccount;
  let ig: MetaAccount;
  let mail: EmailAccount;
  let fbB: MetaAccount;
  let n = 0;

  const db = () => server.appliance.db;
  const messagesOf = async (tenant: Tenant, conversationId: string) =>
    (await tenant.api.get(`/api/v1/conversations/${conversationId}/messages?limit=100`)).body.data as any[];
  const conversationWith = (tenant: Tenant, test: (c: any) => boolean, what = 'conversation') =>
    eventually(async () => (await tenant.api.get('/api/v1/conversations?limit=200')).body.data.find(test), 5000, what);
  const byIdentity = async (tenant: Tenant, channel: string, externalId: string) => {
    const contacts = (await tenant.api.get('/api/v1/contacts?limit=200')).body.data as any[];
    return contacts.find((c) => c.identities.some((i: any) => i.channel === channel && i.externalId === externalId));
  };
  const conversationOf = async (tenant: Tenant, channel: string, externalId: string) => {
    const contact = await eventually(() => byIdentity(tenant, channel, externalId), 5000, `${channel} contact ${externalId}`);
    return conversationWith(tenant, (c) => c.contact.id === contact.id && c.channel === channel);
  };
  const settled = () =>
    eventually(
      async () =>
        (await db()
          .getRepository(WebhookEventEntity)
          .count({ where: { status: 'received' } })) === 0,
      10000,
      'webhooks processed',
    );
  const messageWhere = async (tenant: Tenant, conversationId: string, test: (m: any) => boolean, what = 'message') =>
    eventually(async () => (await messagesOf(tenant, conversationId)).find(test), 8000, what);

  before(async () => {
    graph = await startFakeGraph();
    smtp = await startFakeSmtp();
    server = await startServer({ META_GRAPH_URL: graph.url });
    const api = new Api(server.url);
    a = await registerTenant(api, 'Batik Sari');
    b = await registerTenant(api, 'Kopi Kita');
    fb = await connectMessenger(a.api, PAGE_ID);
    ig = await connectInstagram(a.api, IG_ID);
    mail = await connectEmail(a.api, 'cs@toko.example', { smtpUrl: smtp.url, name: 'CS Toko Batik' });
    fbB = await connectMessenger(b.api, '555000000000555');
  });
  after(async () => {
    await server.stop();
    await graph.stop();
    await smtp.stop();
  });

  /** A fresh customer on Messenger or Instagram who has just written (or `ageMs` ago). */
  async function customerWrites(account: MetaAccount, channel: 'messenger' | 'instagram', ageMs = 0) {
    const customer = `${channel === 'messenger' ? '70' : '12'}${Date.now().toString().slice(-9)}${String(++n).padStart(4, '0')}`;
    const body = messagingPayload(channel === 'messenger' ? 'messenger-text.json' : 'instagram-text.json', account.key, {
      customer,
      at: Date.now() - ageMs,
      message: { mid: mid(channel) },
    });
    const res = await postSigned(server.url, `/api/v1/webhooks/${channel}`, body, account.appSecret);
    assert.equal(res.status, 200);
    return { customer, conversation: await conversationOf(a, channel, customer) };
  }

  it('accounts for each channel are created with their secrets encrypted and masked', async () => {
    const accounts = (await a.api.get('/api/v1/integration-accounts?limit=50')).body.data as any[];
    const page = accounts.find((x) => x.id === fb.id);
    assert.equal(page.channel, 'messenger');
    assert.equal(page.externalId, PAGE_ID);
    assert.match(page.config.pageAccessToken, /^•+/);
    const box = accounts.find((x) => x.id === mail.id);
    assert.equal(box.externalId, 'cs@toko.example');
    assert.match(box.config.inboundSecret, /^•+/);
    assert.match(box.config.smtpUrl, /^•+/);
    const insta = accounts.find((x) => x.id === ig.id);
    assert.equal(insta.externalId, IG_ID);
    assertProblem(
      await a.api.post('/api/v1/integration-accounts', {
        channel: 'email',
        name: 'x',
        config: { address: 'not-an-address', inboundSecret: 'short' },
      }),
      400,
      ['config.address', 'config.inboundSecret'],
    );
  });

  it('every Messenger fixture lands in one conversation as the right message type', async () => {
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#2e86de' } })
      .png()
      .toBuffer();
    const imageUrl = graph.addCdnFile('messenger-image.png', png, 'image/png');
    const post = async (name: string, body: any = fixture(name)) =>
      assert.equal((await postSigned(server.url, '/api/v1/webhooks/messenger', body, fb.appSecret)).status, 200, name);
    await post('messenger-text.json');
    const image = fixture('messenger-image.json');
    image.entry[0].messaging[0].message.attachments[0].payload.url = imageUrl;
    await post('messenger-image.json', image);
    for (const name of [
      'messenger-quick-reply.json',
      'messenger-postback.json',
      'messenger-echo.json',
      'messenger-delivery.json',
      'messenger-read.json',
      'messenger-reaction.json',
    ])
      await post(name);
    await settled();

    const conversation = await conversationOf(a, 'messenger', PSID);
    assert.equal(conversation.channel, 'messenger');
    assert.equal(conversation.accountId, fb.id);
    const list = await messagesOf(a, conversation.id);
    const by = (externalId: string) => list.find((m) => m.externalId === externalId);
    assert.deepEqual([by('m_AbCdEfGhIjKlMnOpQrStUv').type, by('m_AbCdEfGhIjKlMnOpQrStUv').text], ['text', 'Kak, bisa COD ke Surabaya?']);
    assert.equal(by('m_ImageMid0001').type, 'image');
    assert.deepEqual(by('m_QuickReply0001').content.interactive, { kind: 'quick_reply', id: 'CHECK_SHIPPING', title: 'Cek ongkir' });
    assert.equal(by('m_QuickReply0001').type, 'interactive');
    assert.deepEqual(by('m_Postback0001').content.interactive, { kind: 'postback', id: 'CONTACT_CS', title: 'Hubungi CS' });
    // The echo of a message the Page sent from Meta's inbox keeps the history whole, as outbound;
    // the delivery and read watermarks then move it forward.
    const echo = by('m_Echo0001');
    assert.deepEqual([echo.direction, echo.senderType, echo.senderId, echo.text], ['outbound', 'agent', null, 'Bisa kak, COD tersedia.']);
    assert.equal(echo.status, 'read');
    assert.ok(echo.deliveredAt && echo.readAt);
    const reaction = list.find((m) => m.type === 'reaction');
    assert.deepEqual(reaction.content.reaction, { messageExternalId: 'm_Echo0001', emoji: '❤' });
    assert.equal(reaction.replyToId, echo.id);
    assert.equal(list.length, 6, 'text, image, quick reply, postback, echo, reaction');
    // The customer's last message counts as unread; the echo does not.
    assert.equal((await a.api.get(`/api/v1/conversations/${conversation.id}`)).body.unreadCount, 5);
    const stored = await messageWhere(a, conversation.id, (m) => m.externalId === 'm_ImageMid0001' && m.mediaId, 'image downloaded');
    const file = await fetch(`${server.url}${stored.mediaUrl}`, { headers: { authorization: `Bearer ${a.token}` } });
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), png);
    const cdnHit = graph.requests.find((r) => r.path === '/cdn/messenger-image.png');
    assert.equal(cdnHit?.headers.authorization, undefined, 'the Page token is not sent to the CDN');
  });

  it('Messenger: duplicates make one message; bad or missing signatures store nothing', async () => {
    const id = mid('DUP');
    const body = messagingPayload('messenger-text.json', PAGE_ID, {
      customer: '7099000000000001',
      message: { mid: id, text: 'sekali saja' },
    });
    for (let i = 0; i < 3; i++) assert.equal((await postSigned(server.url, '/api/v1/webhooks/messenger', body, fb.appSecret)).status, 200);
    const events = db().getRepository(WebhookEventEntity);
    const before = await events.count();
    const forged = messagingPayload('messenger-text.json', PAGE_ID, { customer: '7099000000000001', message: { mid: mid('FORGED') } });
    assert.equal((await postSigned(server.url, '/api/v1/webhooks/messenger', forged, 'not-the-secret')).status, 401);
    const unsigned = await fetch(`${server.url}/api/v1/webhooks/messenger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(forged),
    });
    assert.equal(unsigned.status, 401);
    assert.equal(await events.count(), before, 'nothing stored for bad signatures');
    await settled();
    assert.equal(
      await db()
        .getRepository(MessageEntity)
        .count({ where: { externalId: id } }),
      1,
    );
    assert.equal(
      await db()
        .getRepository(MessageEntity)
        .count({ where: { externalId: forged.entry[0].messaging[0].message.mid } }),
      0,
    );
  });

  it('every Instagram fixture lands as the right message type, at /webhooks/instagram and at /webhooks/meta', async () => {
    const story = graph.addCdnFile(
      'story-mention.jpg',
      await sharp({ create: { width: 40, height: 70, channels: 3, background: '#8e44ad' } })
        .jpeg()
        .toBuffer(),
      'image/jpeg',
    );
    const post = async (path: string, name: string, body: any = fixture(name)) =>
      assert.equal((await postSigned(server.url, path, body, ig.appSecret)).status, 200, name);
    await post('/api/v1/webhooks/instagram', 'instagram-text.json');
    await post('/api/v1/webhooks/meta', 'instagram-story-reply.json');
    const mention = fixture('instagram-story-mention.json');
    mention.entry[0].messaging[0].message.attachments[0].payload.url = story;
    await post('/api/v1/webhooks/instagram', 'instagram-story-mention.json', mention);
    await post('/api/v1/webhooks/meta', 'instagram-echo.json');
    await post('/api/v1/webhooks/instagram', 'instagram-reaction.json');
    await settled();

    const conversation = await conversationOf(a, 'instagram', IGSID);
    assert.equal(conversation.channel, 'instagram');
    const list = await messagesOf(a, conversation.id);
    const text = list.find((m) => m.text === 'Harga hijab segi empat berapa kak?');
    assert.equal(text.type, 'text');
    const reply = list.find((m) => m.externalId === 'aWdfStoryReply0001');
    assert.equal(reply.type, 'text');
    assert.deepEqual(reply.content.story, {
      kind: 'reply',
      id: '17890000000000001',
      url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17890000000000001',
    });
    const storyMention = list.find((m) => m.externalId === 'aWdfMention0001');
    assert.equal(storyMention.type, 'image');
    assert.equal(storyMention.content.story.kind, 'mention');
    const echo = list.find((m) => m.externalId === 'aWdfEcho0001');
    assert.deepEqual([echo.direction, echo.senderType, echo.text], ['outbound', 'agent', 'Rp45.000 kak']);
    const reaction = list.find((m) => m.type === 'reaction');
    assert.equal(reaction.replyToId, echo.id);
    assert.equal(reaction.content.reaction.emoji, '❤️');
    assert.equal(list.length, 5);
    await messageWhere(a, conversation.id, (m) => m.externalId === 'aWdfMention0001' && m.mediaId, 'story downloaded');

    // Instagram: duplicates and bad signatures too.
    const events = db().getRepository(WebhookEventEntity);
    const before = await events.count();
    assert.equal((await postSigned(server.url, '/api/v1/webhooks/instagram', fixture('instagram-text.json'), 'wrong')).status, 401);
    assert.equal(await events.count(), before);
    await post('/api/v1/webhooks/instagram', 'instagram-text.json');
    await settled();
    assert.equal((await messagesOf(a, conversation.id)).length, 5);
  });

  it('email: the .eml fixture lands with sanitised HTML, its attachment as media, and once only', async () => {
    const eml = emlFixture();
    const events = db().getRepository(WebhookEventEntity);
    const before = await events.count();
    assert.equal((await postEmail(server.url, eml, undefined)).status, 401);
    assert.equal((await postEmail(server.url, eml, 'not-the-secret-at-all')).status, 401);
    assert.equal(await events.count(), before, 'nothing stored without the right secret');
    for (let i = 0; i < 2; i++) {
      const res = await postEmail(server.url, eml, mail.inboundSecret);
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as any).received, true);
    }
    await settled();
    const conversation = await conversationOf(a, 'email', 'andi@customer.example');
    assert.equal(conversation.channel, 'email');
    assert.equal(conversation.subject, 'Pesanan #1042 belum sampai');
    assert.equal(conversation.windowExpiresAt, null, 'email has no window');
    assert.deepEqual(conversation.contact, {
      id: conversation.contact.id,
      name: 'Andi Wijaya',
      phone: null,
      email: 'andi@customer.example',
    });
    const [message, ...rest] = await messagesOf(a, conversation.id);
    assert.equal(rest.length, 0, 'the second delivery made no second message');
    assert.equal(message.type, 'text');
    assert.equal(message.externalId, '<CAF1042-second@mail.customer.example>');
    assert.equal(message.text, 'Terima kasih, tapi paketnya masih belum sampai. Ini foto resinya.');
    assert.equal(message.content.email.subject, 'Re: Pesanan #1042 belum sampai');
    assert.equal(message.content.email.inReplyTo, '<reply-1042@toko.example>');
    assert.deepEqual(message.content.email.references, ['<CAF1042-first@mail.customer.example>', '<reply-1042@toko.example>']);
    assert.match(message.content.email.html, /<b>masih belum sampai<\/b>/);
    assert.doesNotMatch(message.content.email.html, /script|alert/);
    assert.equal(message.content.email.attachments.length, 1);
    assert.equal(message.content.email.attachments[0].filename, 'resi.png');
    const file = await fetch(`${server.url}${message.mediaUrl}`, { headers: { authorization: `Bearer ${a.token}` } });
    assert.equal(file.status, 200);
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), Buffer.from(PNG_1x1, 'base64'));
    assert.equal((await fetch(`${server.url}${message.mediaUrl}`, { headers: { authorization: `Bearer ${b.token}` } })).status, 404);
    assert.equal((await b.api.get(`/api/v1/conversations/${conversation.id}/messages`)).status, 404);
  });

  it('email: the JSON shape works too; bad input is a 400 naming the field, an unknown content type 415', async () => {
    const res = await postEmail(
      server.url,
      {
        from: 'Rina <rina@customer.example>',
        to: 'cs@toko.example',
        subject: 'Tanya stok',
        text: 'Kain sutra masih ada?',
        html: '<p onclick="steal()">Kain <i>sutra</i> masih ada?</p><iframe src="https://evil.example"></iframe>',
        messageId: 'rina-1@customer.example',
        attachments: [{ filename: 'foto.png', contentType: 'image/png', contentBase64: PNG_1x1 }],
      },
      mail.inboundSecret,
    );
    assert.equal(res.status, 200);
    const conversation = await conversationOf(a, 'email', 'rina@customer.example');
    const [message] = await messagesOf(a, conversation.id);
    assert.equal(message.externalId, '<rina-1@customer.example>');
    assert.equal(message.content.email.html, '<p>Kain <i>sutra</i> masih ada?</p>');
    assert.ok(message.mediaId);
    const bad = await fetch(`${server.url}/api/v1/webhooks/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-webhook-secret': mail.inboundSecret },
      body: JSON.stringify({ to: 'x' }),
    });
    assert.equal(bad.status, 400);
    assert.ok(((await bad.json()) as any).errors.some((e: any) => e.path === 'from'));
    const notMail = await postEmail(server.url, 'this is not an email', mail.inboundSecret);
    assert.equal(notMail.status, 400);
    const form = await fetch(`${server.url}/api/v1/webhooks/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-webhook-secret': mail.inboundSecret },
      body: 'a=b',
    });
    assert.equal(form.status, 415);
  });

  it('a Messenger reply reaches the Send API as documented; echoes of it make no second row', async () => {
    const { customer, conversation } = await customerWrites(fb, 'messenger');
    graph.requests.length = 0;
    const res = await a.api.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text: 'Bisa kak, COD tersedia.' });
    assert.equal(res.status, 202);
    const sent = await eventually(async () => graph.sentMessages(PAGE_ID)[0], 5000, 'Send API call');
    assert.deepEqual(sent.body, { recipient: { id: customer }, messaging_type: 'RESPONSE', message: { text: 'Bisa kak, COD tersedia.' } });
    assert.equal(sent.headers.authorization, `Bearer ${fb.token}`);
    const message = await messageWhere(a, conversation.id, (m) => m.id === res.body.id && m.status === 'sent', 'sent');
    assert.match(message.externalId, /^m_/);
    // Meta echoes our own message back: it is the same message, not a new one.
    const echo = messagingPayload('messenger-echo.json', PAGE_ID, {
      customer,
      message: { mid: message.externalId, text: 'Bisa kak, COD tersedia.' },
    });
    await postSigned(server.url, '/api/v1/webhooks/messenger', echo, fb.appSecret);
    await settled();
    const list = await messagesOf(a, conversation.id);
    assert.equal(list.filter((m) => m.externalId === message.externalId).length, 1);
    assert.equal(list.length, 2);
    // A message the Page sends from Meta's inbox after the conversation was resolved joins it without reopening it.
    await a.api.patch(`/api/v1/conversations/${conversation.id}/status`, { status: 'resolved' });
    const later = messagingPayload('messenger-echo.json', PAGE_ID, { customer, message: { mid: mid('LATER'), text: 'Terima kasih kak!' } });
    await postSigned(server.url, '/api/v1/webhooks/messenger', later, fb.appSecret);
    await messageWhere(a, conversation.id, (m) => m.text === 'Terima kasih kak!' && m.direction === 'outbound', 'echo after resolve');
    const after = (await a.api.get(`/api/v1/conversations/${conversation.id}`)).body;
    assert.deepEqual([after.status, after.unreadCount], ['resolved', 0]);
    await a.api.patch(`/api/v1/conversations/${conversation.id}/status`, { status: 'open' });
    // Delivery names the message; the read watermark covers everything sent before it.
    const delivery = messagingPayload('messenger-delivery.json', PAGE_ID, {
      customer,
      event: { delivery: { mids: [message.externalId], watermark: Date.now() } },
    });
    await postSigned(server.url, '/api/v1/webhooks/messenger', delivery, fb.appSecret);
    await messageWhere(a, conversation.id, (m) => m.id === res.body.id && m.status === 'delivered', 'delivered');
    const read = messagingPayload('messenger-read.json', PAGE_ID, { customer, event: { read: { watermark: Date.now() + 1000 } } });
    await postSigned(server.url, '/api/v1/webhooks/messenger', read, fb.appSecret);
    await messageWhere(a, conversation.id, (m) => m.id === res.body.id && m.status === 'read' && m.readAt, 'read');
  });

  it('an echo stored before the Send API answered is merged into the sent message', async () => {
    const { customer, conversation } = await customerWrites(fb, 'messenger');
    const raceMid = mid('RACE');
    // Meta's echo of our reply is processed first…
    const echo = messagingPayload('messenger-echo.json', PAGE_ID, { customer, message: { mid: raceMid, text: 'Siap kak' } });
    await postSigned(server.url, '/api/v1/webhooks/messenger', echo, fb.appSecret);
    await messageWhere(a, conversation.id, (m) => m.externalId === raceMid, 'early echo');
    // …then the Send API's answer names the same message.
    graph.stub('POST', `/${PAGE_ID}/messages`, { status: 200, body: { recipient_id: customer, message_id: raceMid } });
    const res = await a.api.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text: 'Siap kak' });
    await messageWhere(
      a,
      conversation.id,
      (m) => m.id === res.body.id && m.status === 'sent' && m.externalId === raceMid,
      'sent with the echoed id',
    );
    const list = await messagesOf(a, conversation.id);
    assert.deepEqual(list.map((m) => [m.direction, m.senderType]).sort(), [
      ['inbound', 'contact'],
      ['outbound', 'agent'],
    ]);
    assert.equal(list.find((m) => m.direction === 'outbound').senderId, a.user.id, "the agent's message is the one kept");
    await graph.reset();
  });

  it('Messenger outside 24 hours replies with HUMAN_AGENT; after 7 days it is refused clearly', async () => {
    const { customer, conversation } = await customerWrites(fb, 'messenger', 30 * HOUR);
    assert.ok(Date.parse(conversation.windowExpiresAt) > Date.now() + 5 * 24 * HOUR, 'the human-agent window runs 7 days');
    const res = await a.api.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text: 'Maaf baru balas kak' });
    assert.equal(res.status, 202);
    const sent = await eventually(
      async () => graph.sentMessages(PAGE_ID).find((r) => r.body.message?.text === 'Maaf baru balas kak'),
      5000,
      'tagged send',
    );
    assert.deepEqual(sent.body, {
      recipient: { id: customer },
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
      message: { text: 'Maaf baru balas kak' },
    });

    const old = await customerWrites(fb, 'messenger', 8 * 24 * HOUR);
    const refused = await a.api.post(`/api/v1/conversations/${old.conversation.id}/messages`, { type: 'text', text: 'Halo?' });
    assertProblem(refused, 422, ['type']);
    assert.match(refused.body.detail, /7 days/);
    assert.match(refused.body.detail, /HUMAN_AGENT/);
    assertProblem(
      await a.api.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'template', template: { name: 'x', language: 'id' } }),
      422,
      ['type'],
    );
  });

  it('an Instagram reply reaches POST /{ig-user-id}/messages; outside 24 hours it is refused clearly', async () => {
    const { customer, conversation } = await customerWrites(ig, 'instagram');
    const res = await a.api.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text: 'Rp45.000 kak' });
    assert.equal(res.status, 202);
    const sent = await eventually(
      async () => graph.sentMessages(IG_ID).find((r) => r.body.message?.text === 'Rp45.000 kak'),
      5000,
      'Instagram send',
    );
    assert.equal(sent.path, `/v21.0/${IG_ID}/messages`);
    assert.deepEqual(sent.body, { recipient: { id: customer }, message: { text: 'Rp45.000 kak' } });
    assert.equal(sent.headers.authorization, `Bearer ${ig.token}`);
    await messageWhere(a, conversation.id, (m) => m.id === res.body.id && m.status === 'sent', 'sent');

    const old = await customerWrites(ig, 'instagram', 25 * HOUR);
    const refused = await a.api.post(`/api/v1/conversations/${old.conversation.id}/messages`, { type: 'text', text: 'Halo?' });
    assertProblem(refused, 422, ['type']);
    assert.match(refused.body.detail, /24-hour messaging window on Instagram has closed/);
  });

  it("an email reply reaches the SMTP server threaded under the customer's message, and the answer to it threads back", async () => {
    const conversation = await conversationOf(a, 'email', 'andi@customer.example');
    smtp.messages.length = 0;
    const res = await a.api.post(`/api/v1/conversations/${conversation.id}/messages`, {
      type: 'text',
      text: 'Mohon maaf kak, kami cek ke kurir dulu.',
    });
    assert.equal(res.status, 202);
    const [received] = await eventually(async () => smtp.messages.length > 0 && smtp.messages, 8000, 'SMTP delivery');
    assert.equal(received.header('Subject'), 'Re: Pesanan #1042 belum sampai');
    assert.equal(received.header('In-Reply-To'), '<CAF1042-second@mail.customer.example>');
    assert.equal(
      received.header('References'),
      '<CAF1042-first@mail.customer.example> <reply-1042@toko.example> <CAF1042-second@mail.customer.example>',
    );
    assert.match(received.header('Message-ID') ?? '', /^<omnistream\.[0-9a-f-]+@toko\.example>$/);
    assert.equal(received.parsed.from?.value[0].address, 'cs@toko.example');
    assert.equal(received.parsed.from?.value[0].name, 'CS Toko Batik');
    assert.deepEqual(
      (Array.isArray(received.parsed.to) ? received.parsed.to[0] : received.parsed.to)?.value.map((v) => v.address),
      ['andi@customer.example'],
    );
    assert.deepEqual(received.envelope, { from: 'cs@toko.example', to: ['andi@customer.example'] });
    assert.equal(received.parsed.text?.trim(), 'Mohon maaf kak, kami cek ke kurir dulu.');
    const sent = await messageWhere(a, conversation.id, (m) => m.id === res.body.id && m.status === 'sent', 'sent');
    assert.equal(sent.externalId, received.header('Message-ID'));

    // The customer answers from their mail client: In-Reply-To our Message-ID, a changed subject.
    const answer = emlFixture({
      messageId: '<CAF1042-third@mail.customer.example>',
      inReplyTo: sent.externalId,
      subject: 'Sudah dicek?',
      references: `<CAF1042-first@mail.customer.example> <CAF1042-second@mail.customer.example> ${sent.externalId}`,
    });
    assert.equal((await postEmail(server.url, answer, mail.inboundSecret)).status, 200);
    await messageWhere(a, conversation.id, (m) => m.externalId === '<CAF1042-third@mail.customer.example>', 'threaded answer');
    // Without threading headers, the same subject (Re: stripped) still finds the thread…
    const noHeaders = emlFixture({
      messageId: '<CAF1042-fourth@mail.customer.example>',
      inReplyTo: null,
      references: null,
      subject: 'RE: Re: Pesanan #1042 belum sampai',
    });
    assert.equal((await postEmail(server.url, noHeaders, mail.inboundSecret)).status, 200);
    await messageWhere(a, conversation.id, (m) => m.externalId === '<CAF1042-fourth@mail.customer.example>', 'threaded by subject');
    // A reply to a resolved thread reopens it.
    assert.equal((await a.api.patch(`/api/v1/conversations/${conversation.id}/status`, { status: 'resolved' })).body.status, 'resolved');
    const late = emlFixture({
      messageId: '<CAF1042-fifth@mail.customer.example>',
      inReplyTo: sent.externalId,
      references: null,
      subject: 'Re: Pesanan #1042 belum sampai',
    });
    assert.equal((await postEmail(server.url, late, mail.inboundSecret)).status, 200);
    await messageWhere(
      a,
      conversation.id,
      (m) => m.externalId === '<CAF1042-fifth@mail.customer.example>',
      'threaded into the resolved conversation',
    );
    assert.equal((await a.api.get(`/api/v1/conversations/${conversation.id}`)).body.status, 'open');
    // …and a new subject starts a new conversation.
    const fresh = emlFixture({ messageId: '<andi-new@mail.customer.example>', inReplyTo: null, references: null, subject: 'Pesanan baru' });
    assert.equal((await postEmail(server.url, fresh, mail.inboundSecret)).status, 200);
    await settled();
    const conversations = (await a.api.get(`/api/v1/contacts/${conversation.contact.id}/conversations`)).body.data as any[];
    assert.equal(conversations.length, 2);
    assert.deepEqual(conversations.map((c) => c.subject).sort(), ['Pesanan #1042 belum sampai', 'Pesanan baru']);
  });

  it('email replies fail clearly when the mail server refuses them or none is configured; 4xx is retried', async () => {
    const conversation = await conversationOf(a, 'email', 'rina@customer.example');
    smtp.failNext(1, { code: 451, message: 'Try again later' });
    const deferred = await a.api.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text: 'Ada kak' });
    await messageWhere(a, conversation.id, (m) => m.id === deferred.body.id && m.status === 'sent', 'sent after a retry');
    smtp.failNext(1, { code: 550, message: 'No such user here' });
    const refused = await a.api.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text: 'Halo?' });
    const failed = await messageWhere(a, conversation.id, (m) => m.id === refused.body.id && m.status === 'failed', 'failed');
    assert.match(failed.error.reason, /refused the message.*550/);

    const noSmtp = await connectEmail(a.api, 'sales@toko.example');
    await postEmail(
      server.url,
      { from: 'budi@customer.example', subject: 'Halo', text: 'Halo', messageId: 'budi-1@customer.example' },
      noSmtp.inboundSecret,
    );
    const other = await conversationOf(a, 'email', 'budi@customer.example');
    assert.equal(other.accountId, noSmtp.id);
    const res = await a.api.post(`/api/v1/conversations/${other.id}/messages`, { type: 'text', text: 'Halo juga' });
    const failedNoSmtp = await messageWhere(a, other.id, (m) => m.id === res.body.id && m.status === 'failed', 'failed without SMTP');
    assert.match(failedNoSmtp.error.reason, /No SMTP server is configured/);
  });

  it('with Graph and the SMTP server unreachable, ten Messenger and ten email replies stay queued, then after a restart arrive in order, each once', async () => {
    const { conversation: fbConversation } = await customerWrites(fb, 'messenger');
    await postEmail(
      server.url,
      { from: 'Dewi <dewi@customer.example>', subject: 'Banyak pertanyaan', text: 'Halo', messageId: 'dewi-1@customer.example' },
      mail.inboundSecret,
    );
    const mailConversation = await conversationOf(a, 'email', 'dewi@customer.example');
    await graph.refuseConnections();
    await smtp.refuseConnections();
    const fbIds: string[] = [];
    const mailIds: string[] = [];
    for (let i = 1; i <= 10; i++) {
      const r1 = await a.api.post(`/api/v1/conversations/${fbConversation.id}/messages`, { type: 'text', text: `Balasan FB ${i}` });
      const r2 = await a.api.post(`/api/v1/conversations/${mailConversation.id}/messages`, { type: 'text', text: `Balasan email ${i}` });
      assert.equal(r1.status, 202);
      assert.equal(r2.status, 202);
      fbIds.push(r1.body.id);
      mailIds.push(r2.body.id);
    }
    await new Promise((r) => setTimeout(r, 600));
    for (const [id, ids] of [
      [fbConversation.id, fbIds],
      [mailConversation.id, mailIds],
    ] as const) {
      const queued = (await messagesOf(a, id)).filter((m) => ids.includes(m.id));
      assert.equal(queued.length, 10);
      assert.ok(
        queued.every((m) => m.status === 'queued'),
        'still queued while offline',
      );
    }
    await server.restart();
    graph.requests.length = 0;
    smtp.messages.length = 0;
    await graph.acceptConnections();
    await smtp.acceptConnections();
    a.api = new Api(server.url, { token: a.token });
    b.api = new Api(server.url, { token: b.token });
    await eventually(
      async () =>
        graph.sentMessages(PAGE_ID).filter((r) => String(r.body.message?.text).startsWith('Balasan FB')).length >= 10 &&
        smtp.messages.filter((m) => m.parsed.text?.startsWith('Balasan email')).length >= 10,
      20000,
      'all twenty delivered',
    );
    await new Promise((r) => setTimeout(r, 300));
    const fbTexts = graph
      .sentMessages(PAGE_ID)
      .map((r) => r.body.message?.text)
      .filter((t) => String(t).startsWith('Balasan FB'));
    assert.deepEqual(
      fbTexts,
      Array.from({ length: 10 }, (_, i) => `Balasan FB ${i + 1}`),
      'Messenger: in order, each exactly once',
    );
    const mailTexts = smtp.messages.map((m) => m.parsed.text?.trim()).filter((t) => String(t).startsWith('Balasan email'));
    assert.deepEqual(
      mailTexts,
      Array.from({ length: 10 }, (_, i) => `Balasan email ${i + 1}`),
      'email: in order, each exactly once',
    );
    assert.equal(new Set(smtp.messages.map((m) => m.header('Message-ID'))).size, smtp.messages.length, 'each with its own Message-ID');
    for (const [id, ids] of [
      [fbConversation.id, fbIds],
      [mailConversation.id, mailIds],
    ] as const) {
      const after = (await messagesOf(a, id)).filter((m) => ids.includes(m.id));
      assert.ok(after.every((m) => m.status === 'sent'));
    }
  });

  it('an agent merges the same person on WhatsApp and Instagram; the contact then lists both conversations', async () => {
    const wa = await connectWhatsApp(a.api, '100000000000777');
    const phone = '6281277700001';
    await postWebhook(
      server.url,
      waPayload('wa-text.json', wa.phoneNumberId, { from: phone, message: { id: wamid('MERGE') } }),
      wa.appSecret,
    );
    const waConversation = await conversationWith(a, (c) => c.contact.phone === `+${phone}`);
    const { customer, conversation: igConversation } = await customerWrites(ig, 'instagram');
    const keep = waConversation.contact.id;
    const other = igConversation.contact.id;
    await a.api.patch(`/api/v1/contacts/${other}`, { email: 'siti@customer.example', attributes: { instagram: '@siti', kota: 'Solo' } });
    await a.api.patch(`/api/v1/contacts/${keep}`, { attributes: { kota: 'Yogyakarta' } });

    // Another tenant can neither merge these nor merge into them.
    assertProblem(await b.api.post(`/api/v1/contacts/${keep}/merge`, { contactId: other }), 404);
    const { conversation: bConversation } = await (async () => {
      const body = messagingPayload('messenger-text.json', fbB.key, { customer: '7000000000000999', message: { mid: mid('B') } });
      await postSigned(server.url, '/api/v1/webhooks/messenger', body, fbB.appSecret);
      return { conversation: await conversationOf(b, 'messenger', '7000000000000999') };
    })();
    assertProblem(await a.api.post(`/api/v1/contacts/${keep}/merge`, { contactId: bConversation.contact.id }), 404);
    assertProblem(await a.api.post(`/api/v1/contacts/${keep}/merge`, { contactId: keep }), 422, ['contactId']);
    assertProblem(await a.api.post(`/api/v1/contacts/${keep}/merge`, {}), 400, ['contactId']);

    const merged = await a.api.post(`/api/v1/contacts/${keep}/merge`, { contactId: other });
    assert.equal(merged.status, 200, JSON.stringify(merged.body));
    assert.deepEqual(merged.body.identities.map((i: any) => i.channel).sort(), ['instagram', 'whatsapp']);
    assert.equal(merged.body.email, 'siti@customer.example', 'an empty field is filled');
    assert.equal(merged.body.phone, `+${phone}`);
    assert.deepEqual(merged.body.attributes, { instagram: '@siti', kota: 'Yogyakarta' }, "the kept contact's attributes win");
    assertProblem(await a.api.get(`/api/v1/contacts/${other}`), 404);
    const conversations = (await a.api.get(`/api/v1/contacts/${keep}/conversations`)).body.data as any[];
    assert.deepEqual(conversations.map((c) => c.channel).sort(), ['instagram', 'whatsapp']);
    assert.ok(conversations.some((c) => c.id === igConversation.id));
    const igMessages = await messagesOf(a, igConversation.id);
    assert.ok(igMessages.filter((m) => m.direction === 'inbound').every((m) => m.senderId === keep));
    const log = (await a.api.get('/api/v1/activity-logs?action=contact.merged')).body.data as any[];
    assert.equal(log[0].targetId, keep);
    assert.equal(log[0].details.mergedContactId, other);
    assert.ok((await b.api.get('/api/v1/activity-logs?action=contact.merged')).body.data.length === 0);
    // The customer writes again on Instagram: it lands on the merged contact.
    const again = messagingPayload('instagram-text.json', IG_ID, { customer, message: { mid: mid('AGAIN'), text: 'Saya lagi' } });
    await postSigned(server.url, '/api/v1/webhooks/instagram', again, ig.appSecret);
    await messageWhere(a, igConversation.id, (m) => m.text === 'Saya lagi', 'message on the merged contact');
    // And the merged contact's conversations are not the other tenant's business.
    assertProblem(await b.api.get(`/api/v1/contacts/${keep}/conversations`), 404);
  });

  it('every Webhooks operation refuses anonymous calls (401/403) and bad handshakes (400/403)', async () => {
    for (const path of ['meta', 'messenger', 'instagram', 'email']) {
      const res = await fetch(`${server.url}/api/v1/webhooks/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      assert.ok([401, 403].includes(res.status), `POST ${path}: ${res.status}`);
    }
    for (const path of ['meta', 'messenger', 'instagram']) {
      assert.equal((await fetch(`${server.url}/api/v1/webhooks/${path}`)).status, 400);
      assert.equal(
        (await fetch(`${server.url}/api/v1/webhooks/${path}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`)).status,
        403,
      );
    }
    await a.api.patch(`/api/v1/integration-accounts/${fb.id}`, { config: { verifyToken: 'messenger-verify-token' } });
    const ok = await fetch(
      `${server.url}/api/v1/webhooks/messenger?hub.mode=subscribe&hub.verify_token=messenger-verify-token&hub.challenge=4242`,
    );
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), '4242');
    assert.equal(
      (await fetch(`${server.url}/api/v1/webhooks/instagram?hub.mode=subscribe&hub.verify_token=messenger-verify-token&hub.challenge=1`))
        .status,
      403,
      'a Messenger token does not verify Instagram',
    );
  });
});
