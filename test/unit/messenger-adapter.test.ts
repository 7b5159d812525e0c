import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { MessengerAdapter } from '../../server/channels/messenger/messenger.adapter.js';
import { signMetaBody } from '../../server/channels/meta-signature.js';
import { createAdapters, getAdapter } from '../../server/channels/index.js';
import { replyDecision, windowEnd } from '../../server/channels/policy.js';
import { ChannelSendError, type AccountCredentials, type OutboundMessage } from '../../server/channels/types.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { fixture } from '../support/whatsapp.js';
import { testOutbound } from '../support/outbound.js';

const PAGE_ID = '109876543210987';
const PSID = '7012345678901234';
const TOKEN = 'EAAB-page-token';
const account: AccountCredentials = { channel: 'messenger', externalId: PAGE_ID, config: { pageAccessToken: TOKEN } };
const parser = new MessengerAdapter({ graphUrl: 'http://127.0.0.1:9', graphVersion: 'v21.0' });
const HOUR = 3600_000;

function only(name: string) {
  const batches = parser.parseWebhook(fixture(name));
  assert.equal(batches.length, 1);
  assert.equal(batches[0].channel, 'messenger');
  assert.equal(batches[0].accountKey, PAGE_ID);
  return batches[0];
}

async function sendError(promise: Promise<unknown>): Promise<ChannelSendError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ChannelSendError, `expected a ChannelSendError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

describe('Messenger webhook parsing', () => {
  it('parses a text message, routed by the Page id, with its time in milliseconds', () => {
    const [message] = only('messenger-text.json').messages;
    assert.deepEqual(message, {
      externalId: 'm_AbCdEfGhIjKlMnOpQrStUv',
      from: PSID,
      timestamp: new Date(1732440000000),
      type: 'text',
      text: 'Kak, bisa COD ke Surabaya?',
      content: {},
    });
  });

  it('parses an image attachment; its URL is what the media job downloads', () => {
    const [message] = only('messenger-image.json').messages;
    assert.equal(message.type, 'image');
    assert.equal(message.text, null);
    const url = 'https://scontent.xx.fbcdn.net/v/t1.15752-9/example.jpg';
    assert.deepEqual(message.content.media, { externalId: url, url });
  });

  it('parses a quick reply and a postback as interactive replies', () => {
    const [quick] = only('messenger-quick-reply.json').messages;
    assert.equal(quick.type, 'interactive');
    assert.deepEqual(quick.content.interactive, { kind: 'quick_reply', id: 'CHECK_SHIPPING', title: 'Cek ongkir' });
    assert.equal(quick.text, 'Cek ongkir');
    const [postback] = only('messenger-postback.json').messages;
    assert.deepEqual([postback.externalId, postback.type, postback.text], ['m_Postback0001', 'interactive', 'Hubungi CS']);
    assert.deepEqual(postback.content.interactive, { kind: 'postback', id: 'CONTACT_CS', title: 'Hubungi CS' });
  });

  it("parses an echo as the business's own message, with the customer as `from`", () => {
    const [echo] = only('messenger-echo.json').messages;
    assert.equal(echo.echo, true);
    assert.equal(echo.from, PSID);
    assert.equal(echo.externalId, 'm_Echo0001');
    assert.equal(echo.text, 'Bisa kak, COD tersedia.');
  });

  it('parses deliveries (per message and watermark) and read watermarks', () => {
    const delivery = only('messenger-delivery.json');
    assert.deepEqual(delivery.messages, []);
    assert.deepEqual(delivery.statuses, [
      { externalId: 'm_Echo0001', status: 'delivered', timestamp: new Date(1732440005000), recipientId: PSID },
    ]);
    assert.deepEqual(delivery.watermarks, [{ recipientId: PSID, status: 'delivered', watermark: new Date(1732440004500) }]);
    const read = only('messenger-read.json');
    assert.deepEqual(read.statuses, []);
    assert.deepEqual(read.watermarks, [{ recipientId: PSID, status: 'read', watermark: new Date(1732440005500) }]);
  });

  it("parses a reaction like WhatsApp's (an unreact is an empty emoji), with a stable id of its own", () => {
    const [reaction] = only('messenger-reaction.json').messages;
    assert.equal(reaction.type, 'reaction');
    assert.deepEqual(reaction.content.reaction, { messageExternalId: 'm_Echo0001', emoji: '❤' });
    assert.equal(
      reaction.externalId,
      parser.parseWebhook(fixture('messenger-reaction.json'))[0].messages[0].externalId,
      'a redelivery has the same id',
    );
    const body = fixture('messenger-reaction.json');
    body.entry[0].messaging[0].reaction.action = 'unreact';
    const [removed] = parser.parseWebhook(body)[0].messages;
    assert.deepEqual([removed.content.reaction?.emoji, removed.text], ['', null]);
    assert.notEqual(removed.externalId, reaction.externalId);
  });

  it('keeps the quoted message of a reply, and splits a message with several files', () => {
    const body = fixture('messenger-image.json');
    const message = body.entry[0].messaging[0].message;
    message.reply_to = { mid: 'm_Earlier' };
    message.attachments.push(
      { type: 'file', payload: { url: 'https://cdn.example/invoice.pdf' } },
      { type: 'location', payload: { coordinates: { lat: -7.25, long: 112.75 } }, title: 'Surabaya' },
    );
    const messages = parser.parseWebhook(body)[0].messages;
    assert.deepEqual(
      messages.map((m) => [m.externalId, m.type, m.replyToExternalId]),
      [
        ['m_ImageMid0001', 'image', 'm_Earlier'],
        ['m_ImageMid0001#1', 'document', 'm_Earlier'],
        ['m_ImageMid0001#2', 'location', 'm_Earlier'],
      ],
    );
    assert.deepEqual(messages[2].content.location, { latitude: -7.25, longitude: 112.75, name: 'Surabaya' });
  });

  it('turns every messenger-*.json fixture into exactly one non-empty batch, and ignores Instagram bodies', () => {
    const names = readdirSync(new URL('../fixtures/meta/', import.meta.url)).filter((f) => f.startsWith('messenger-'));
    assert.equal(names.length, 8);
    for (const name of names) {
      const [batch] = parser.parseWebhook(fixture(name));
      assert.ok(batch.messages.length + batch.statuses.length + (batch.watermarks?.length ?? 0) > 0, name);
    }
    assert.deepEqual(parser.parseWebhook(fixture('instagram-text.json')), []);
  });

  it('returns [] for malformed bodies, skips malformed events beside good ones, and never throws', () => {
    for (const body of [
      null,
      1,
      'x',
      [],
      {},
      { object: 'page' },
      { object: 'page', entry: 'x' },
      { object: 'page', entry: [{ id: PAGE_ID, messaging: [null, 1, {}] }] },
    ]) {
      assert.deepEqual(parser.parseWebhook(body), []);
    }
    const body = fixture('messenger-text.json');
    body.entry[0].messaging.unshift(
      { sender: {}, timestamp: 'soon', message: { mid: 'x' } },
      { sender: { id: PSID }, timestamp: 1, message: { text: 'no mid' } },
    );
    assert.deepEqual(
      parser.parseWebhook(body)[0].messages.map((m) => m.externalId),
      ['m_AbCdEfGhIjKlMnOpQrStUv'],
    );
  });

  it('verifies X-Hub-Signature-256 over the exact raw body', () => {
    const raw = Buffer.from(JSON.stringify(fixture('messenger-text.json')));
    assert.equal(parser.verifySignature(raw, signMetaBody(raw, 'app-secret'), 'app-secret'), true);
    assert.equal(parser.verifySignature(raw, signMetaBody(raw, 'other'), 'app-secret'), false);
    assert.equal(parser.verifySignature(raw, undefined, 'app-secret'), false);
  });
});

describe('Messenger reply window (HUMAN_AGENT)', () => {
  const now = new Date('2026-01-10T12:00:00Z');
  const ago = (hours: number) => new Date(now.getTime() - hours * HOUR);

  it('answers with RESPONSE within 24 hours, with the HUMAN_AGENT tag up to 7 days, and refuses after', () => {
    assert.deepEqual(replyDecision('messenger', 'text', ago(23), now), { allowed: true });
    assert.deepEqual(replyDecision('messenger', 'text', ago(25), now), { allowed: true, messagingTag: 'HUMAN_AGENT' });
    assert.deepEqual(replyDecision('messenger', 'text', ago(7 * 24 - 1), now), { allowed: true, messagingTag: 'HUMAN_AGENT' });
    const closed = replyDecision('messenger', 'text', ago(7 * 24 + 1), now);
    assert.equal(closed.allowed, false);
    assert.match(!closed.allowed ? closed.reason : '', /7 days/);
    assert.equal(replyDecision('messenger', 'template', ago(1), now).allowed, false, 'templates are WhatsApp only');
    assert.deepEqual(windowEnd('messenger', ago(0)), new Date(now.getTime() + 7 * 24 * HOUR));
  });

  it("keeps WhatsApp's 24-hour rule (templates always) and gives email no window", () => {
    assert.equal(replyDecision('whatsapp', 'text', ago(25), now).allowed, false);
    assert.deepEqual(replyDecision('whatsapp', 'template', ago(25), now), { allowed: true });
    assert.deepEqual(replyDecision('email', 'text', ago(24 * 365), now), { allowed: true });
    assert.equal(windowEnd('email', ago(1)), null);
    assert.deepEqual(windowEnd('whatsapp', ago(0)), new Date(now.getTime() + 24 * HOUR));
  });
});

describe('Messenger sending (against the fake Graph API)', () => {
  let graph: FakeGraph;
  let adapter: MessengerAdapter;
  const text = (body: string, extra: Partial<OutboundMessage> = {}): OutboundMessage => ({
    to: PSID,
    type: 'text',
    text: body,
    content: {},
    ...extra,
  });

  before(async () => {
    graph = await startFakeGraph();
    adapter = new MessengerAdapter({ graphUrl: graph.url, graphVersion: 'v21.0', timeoutMs: 1000, outbound: testOutbound });
  });
  beforeEach(() => graph.reset());
  after(() => graph.stop());

  it('sends text to POST /{page-id}/messages with the Page token, as a RESPONSE', async () => {
    const { externalId } = await adapter.send(account, text('Halo kak'));
    assert.match(externalId, /^m_/);
    const [sent] = graph.sentMessages(PAGE_ID);
    assert.equal(sent.path, `/v21.0/${PAGE_ID}/messages`);
    assert.equal(sent.headers.authorization, `Bearer ${TOKEN}`);
    assert.deepEqual(sent.body, { recipient: { id: PSID }, messaging_type: 'RESPONSE', message: { text: 'Halo kak' } });
  });

  it("tags a human agent's late reply with HUMAN_AGENT", async () => {
    await adapter.send(account, text('Maaf telat', { messagingTag: 'HUMAN_AGENT' }));
    assert.deepEqual(graph.sentMessages(PAGE_ID)[0].body, {
      recipient: { id: PSID },
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
      message: { text: 'Maaf telat' },
    });
  });

  it('sends buttons as quick replies, and refuses invalid ones before calling Meta', async () => {
    await adapter.send(account, {
      to: PSID,
      type: 'interactive',
      text: 'Pilih',
      content: {
        buttons: [
          { id: 'A', title: 'Ambil sendiri' },
          { id: 'B', title: 'Kirim' },
        ],
      },
    });
    assert.deepEqual(graph.sentMessages(PAGE_ID)[0].body.message, {
      text: 'Pilih',
      quick_replies: [
        { content_type: 'text', title: 'Ambil sendiri', payload: 'A' },
        { content_type: 'text', title: 'Kirim', payload: 'B' },
      ],
    });
    const long = await sendError(
      adapter.send(account, { to: PSID, type: 'interactive', text: 'Pilih', content: { buttons: [{ id: 'A', title: 'x'.repeat(21) }] } }),
    );
    assert.equal(long.retryable, false);
    const tooLong = await sendError(adapter.send(account, text('x'.repeat(2001))));
    assert.match(tooLong.reason, /2000 characters/);
    const template = await sendError(
      adapter.send(account, { to: PSID, type: 'template', content: { template: { name: 'x', language: 'id' } } }),
    );
    assert.match(template.reason, /cannot be sent/);
    assert.equal(graph.requests.length, 1, 'only the valid message reached Meta');
  });

  it('uploads a file once (Attachment Upload API) and sends it by attachment_id, or by a public link', async () => {
    const { externalId } = await adapter.uploadMedia(account, {
      data: Buffer.from('png bytes'),
      mimeType: 'image/png',
      filename: 'foto.png',
    });
    const upload = graph.requests[0];
    assert.equal(upload.path, `/v21.0/${PAGE_ID}/message_attachments`);
    await adapter.send(account, { to: PSID, type: 'image', content: { media: { externalId } } });
    assert.deepEqual(graph.sentMessages(PAGE_ID)[0].body.message, {
      attachment: { type: 'image', payload: { attachment_id: externalId } },
    });
    await adapter.send(account, { to: PSID, type: 'document', content: { media: { url: 'https://toko.example/katalog.pdf' } } });
    assert.deepEqual(graph.sentMessages(PAGE_ID)[1].body.message, {
      attachment: { type: 'file', payload: { url: 'https://toko.example/katalog.pdf', is_reusable: true } },
    });
    const none = await sendError(adapter.send(account, { to: PSID, type: 'image', content: { media: { mediaId: 'local' } } }));
    assert.equal(none.retryable, false);
  });

  it('downloads an inbound attachment from its URL without sending the Page token', async () => {
    const url = graph.addCdnFile('photo.jpg', Buffer.from('jpeg bytes'), 'image/jpeg');
    const media = await adapter.fetchMedia(account, url);
    assert.deepEqual([media.data.toString(), media.mimeType], ['jpeg bytes', 'image/jpeg']);
    assert.equal(graph.requests[0].headers.authorization, undefined);
    const missing = await sendError(adapter.fetchMedia(account, `${graph.url}/cdn/none.jpg`));
    assert.equal(missing.retryable, false);
  });

  it('explains Messenger errors by subcode: outside the window, no such user; 5xx and refused connections are retryable', async () => {
    graph.failNext(1, {
      status: 400,
      body: {
        error: {
          message: '(#10) This message is sent outside of allowed window.',
          type: 'OAuthException',
          code: 10,
          error_subcode: 2018278,
        },
      },
    });
    const window = await sendError(adapter.send(account, text('Halo')));
    assert.deepEqual([window.retryable, window.code], [false, 10]);
    assert.match(window.reason, /More than 24 hours/);
    graph.failNext(1, { status: 400, body: { error: { message: '(#100) No matching user found', code: 100, error_subcode: 2018001 } } });
    assert.match((await sendError(adapter.send(account, text('Halo')))).reason, /No Messenger user matches/);
    graph.failNext(1, { status: 401, body: fixture('graph-error-190.json') });
    assert.match((await sendError(adapter.send(account, text('Halo')))).reason, /The Messenger access token has expired/);
    graph.failNext(1, { status: 503, body: 'unavailable' });
    assert.equal((await sendError(adapter.send(account, text('Halo')))).retryable, true);
    await graph.refuseConnections();
    const refused = await sendError(adapter.send(account, text('Halo')));
    assert.equal(refused.retryable, true);
    await graph.acceptConnections();
  });

  it('needs the Page token', async () => {
    const err = await sendError(adapter.send({ ...account, config: {} }, text('Halo')));
    assert.match(err.reason, /no access token/);
  });
});

describe('channel adapter registry', () => {
  it("builds every channel's adapter from configuration", () => {
    const adapters = createAdapters(
      {
        META_GRAPH_URL: 'https://graph.facebook.com',
        META_GRAPH_VERSION: 'v21.0',
        SMTP_URL: 'smtp://mail.example:587',
      },
      testOutbound,
    );
    assert.equal(getAdapter(adapters, 'messenger').channel, 'messenger');
    assert.equal(getAdapter(adapters, 'messenger').graph.product, 'Messenger');
    assert.equal(getAdapter(adapters, 'instagram').graph.product, 'Instagram');
    assert.equal(getAdapter(adapters, 'email').options.smtpUrl, 'smtp://mail.example:587');
  });
});
