import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { WhatsAppAdapter } from '../../server/channels/whatsapp/whatsapp.adapter.js';
import { signMetaBody, verifyMetaSignature } from '../../server/channels/meta-signature.js';
import { graphErrorReason, graphErrorSentence, isRetryableGraphCode } from '../../server/channels/graph-client.js';
import { createAdapters, getAdapter } from '../../server/channels/index.js';
import { ChannelSendError, type AccountCredentials, type OutboundMessage, type ParsedWebhook } from '../../server/channels/types.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { testOutbound } from '../support/outbound.js';

const FIXTURES = new URL('../fixtures/meta/', import.meta.url);
const rawFixture = (name: string) => readFileSync(new URL(name, FIXTURES));
const fixture = (name: string): any => JSON.parse(rawFixture(name).toString('utf8'));

const PHONE_NUMBER_ID = '106540352242922';
const WABA_ID = '102290129340398';
const CUSTOMER = '6281200000001';
const AT = new Date(1732440000 * 1000);
const TOKEN = 'EAAG-test-token';
const account: AccountCredentials = { channel: 'whatsapp', externalId: PHONE_NUMBER_ID, config: { accessToken: TOKEN } };

const parser = new WhatsAppAdapter({ graphUrl: 'http://127.0.0.1:9', graphVersion: 'v21.0' });

/** Parses a fixture that holds a single message and returns it, checking the batch around it. */
function onlyMessage(body: unknown) {
  const batches = parser.parseWebhook(body);
  assert.equal(batches.length, 1);
  const [batch] = batches;
  assert.equal(batch.channel, 'whatsapp');
  assert.equal(batch.accountKey, PHONE_NUMBER_ID);
  assert.deepEqual(batch.statuses, []);
  assert.deepEqual(batch.templateStatuses, []);
  assert.equal(batch.messages.length, 1);
  return batch.messages[0];
}

/** A copy of wa-text.json whose single message is replaced by `message`. */
function withMessage(message: Record<string, unknown>) {
  const body = fixture('wa-text.json');
  body.entry[0].changes[0].value.messages = [{ from: CUSTOMER, id: 'wamid.CUSTOM', timestamp: '1732440000', ...message }];
  return body;
}

/** Asserts that `promise` rejects with a ChannelSendError and returns it. */
async function sendError(promise: Promise<unknown>): Promise<ChannelSendError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ChannelSendError, `expected a ChannelSendError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

describe('WhatsApp webhook parsing', () => {
  it('parses a text message with the profile name and routes by phone_number_id', () => {
    const message = onlyMessage(fixture('wa-text.json'));
    assert.deepEqual(message, {
      externalId: 'wamid.HBgNNjI4MTIwMDAwMDAwMRUCABIYFjNFQjBDMEE1RTk3OTlBRTBGMUQ0AA==',
      from: CUSTOMER,
      profileName: 'Siti Rahma',
      timestamp: AT,
      type: 'text',
      text: 'Halo kak, apakah batik tulis motif parang masih ada?',
      content: {},
    });
  });

  it('keeps the quoted message of a reply (context.id)', () => {
    const message = onlyMessage(fixture('wa-text-reply-context.json'));
    assert.equal(message.type, 'text');
    assert.equal(message.text, 'Yang ukuran L ya');
    assert.equal(message.replyToExternalId, 'wamid.HBgNOUTBOUND0001');
  });

  it('parses an image with its caption as text', () => {
    const message = onlyMessage(fixture('wa-image.json'));
    assert.equal(message.type, 'image');
    assert.equal(message.text, 'Seperti ini');
    assert.deepEqual(message.content, {
      media: {
        externalId: '1234567890123456',
        mimeType: 'image/jpeg',
        sha256: '3a1f0c8b2d5e4f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c',
        caption: 'Seperti ini',
      },
    });
    assert.equal(message.replyToExternalId, undefined);
  });

  it('parses a document with its filename and no caption', () => {
    const message = onlyMessage(fixture('wa-document.json'));
    assert.equal(message.type, 'document');
    assert.equal(message.text, null);
    assert.deepEqual(message.content, {
      media: {
        externalId: '2234567890123456',
        mimeType: 'application/pdf',
        sha256: '9f8e7d6c5b4a39281706f5e4d3c2b1a0998877665544332211ffeeddccbbaa00',
        filename: 'bukti-transfer.pdf',
      },
    });
  });

  it('parses a voice note', () => {
    const message = onlyMessage(fixture('wa-audio-voice.json'));
    assert.equal(message.type, 'audio');
    assert.equal(message.text, null);
    assert.deepEqual(message.content, {
      media: {
        externalId: '3234567890123456',
        mimeType: 'audio/ogg; codecs=opus',
        sha256: 'aa11bb22cc33dd44ee55ff6600778899aabbccddeeff00112233445566778899',
        voice: true,
      },
    });
  });

  it('parses video and sticker messages like other media', () => {
    const video = onlyMessage(withMessage({ type: 'video', video: { id: '55', mime_type: 'video/mp4', sha256: 'ab', caption: 'Lihat' } }));
    assert.equal(video.type, 'video');
    assert.equal(video.text, 'Lihat');
    assert.deepEqual(video.content, { media: { externalId: '55', mimeType: 'video/mp4', sha256: 'ab', caption: 'Lihat' } });
    const sticker = onlyMessage(
      withMessage({ type: 'sticker', sticker: { id: '66', mime_type: 'image/webp', sha256: 'cd', animated: false } }),
    );
    assert.equal(sticker.type, 'sticker');
    assert.equal(sticker.text, null);
    assert.deepEqual(sticker.content, { media: { externalId: '66', mimeType: 'image/webp', sha256: 'cd' } });
  });

  it('parses a location; the text is its name and address, else the coordinates', () => {
    const message = onlyMessage(fixture('wa-location.json'));
    assert.equal(message.type, 'location');
    assert.equal(message.text, 'Toko Batik Sari, Jl. Thamrin No. 1, Jakarta');
    assert.deepEqual(message.content, {
      location: { latitude: -6.2, longitude: 106.8166, name: 'Toko Batik Sari', address: 'Jl. Thamrin No. 1, Jakarta' },
    });
    const bare = onlyMessage(withMessage({ type: 'location', location: { latitude: -6.2, longitude: 106.8166 } }));
    assert.equal(bare.text, '-6.2,106.8166');
    assert.deepEqual(bare.content, { location: { latitude: -6.2, longitude: 106.8166 } });
  });

  it('parses shared contact cards; the text lists the names', () => {
    const message = onlyMessage(fixture('wa-contacts.json'));
    assert.equal(message.type, 'contacts');
    assert.equal(message.text, 'Budi Santoso');
    assert.deepEqual(message.content, { contacts: [{ name: 'Budi Santoso', phones: ['+62 812-0000-0002'] }] });
    const two = onlyMessage(
      withMessage({
        type: 'contacts',
        contacts: [
          { name: { formatted_name: 'Budi Santoso' }, phones: [{ phone: '+62 812' }], emails: [{ email: 'budi@example.com' }] },
          { name: { first_name: 'Ani', last_name: 'Wijaya' }, phones: [] },
        ],
      }),
    );
    assert.equal(two.text, 'Budi Santoso, Ani Wijaya');
    assert.deepEqual(two.content.contacts, [
      { name: 'Budi Santoso', phones: ['+62 812'], emails: ['budi@example.com'] },
      { name: 'Ani Wijaya', phones: [] },
    ]);
  });

  it('parses an interactive button reply, with the message it answers', () => {
    const message = onlyMessage(fixture('wa-interactive-button-reply.json'));
    assert.equal(message.type, 'interactive');
    assert.equal(message.text, 'Sangat puas');
    assert.deepEqual(message.content, { interactive: { kind: 'button_reply', id: 'csat_5', title: 'Sangat puas' } });
    assert.equal(message.replyToExternalId, 'wamid.HBgNOUTBOUND0002');
  });

  it('parses an interactive list reply with its description', () => {
    const message = onlyMessage(fixture('wa-interactive-list-reply.json'));
    assert.equal(message.type, 'interactive');
    assert.equal(message.text, 'Penjualan');
    assert.deepEqual(message.content, {
      interactive: { kind: 'list_reply', id: 'dept_sales', title: 'Penjualan', description: 'Tanya produk dan harga' },
    });
  });

  it('parses a template quick-reply button (type button) as a quick_reply', () => {
    const message = onlyMessage(fixture('wa-template-button.json'));
    assert.equal(message.type, 'button');
    assert.equal(message.text, 'Berhenti promo');
    assert.deepEqual(message.content, { interactive: { kind: 'quick_reply', id: 'STOP_PROMO', title: 'Berhenti promo' } });
    assert.equal(message.replyToExternalId, 'wamid.HBgNOUTBOUND0003');
  });

  it('parses a reaction, and an empty emoji as a removed reaction', () => {
    const message = onlyMessage(fixture('wa-reaction.json'));
    assert.equal(message.type, 'reaction');
    assert.equal(message.text, '👍');
    assert.deepEqual(message.content, { reaction: { messageExternalId: 'wamid.HBgNOUTBOUND0001', emoji: '👍' } });
    const removed = onlyMessage(withMessage({ type: 'reaction', reaction: { message_id: 'wamid.HBgNOUTBOUND0001', emoji: '' } }));
    assert.equal(removed.text, null);
    assert.deepEqual(removed.content, { reaction: { messageExternalId: 'wamid.HBgNOUTBOUND0001', emoji: '' } });
  });

  it('parses an unsupported message with the reason from errors[0]', () => {
    const message = onlyMessage(
      withMessage({
        type: 'unsupported',
        errors: [
          {
            code: 131051,
            title: 'Message type unknown',
            message: 'Message type unknown',
            error_data: { details: 'Message type is currently not supported.' },
          },
        ],
      }),
    );
    assert.equal(message.type, 'unsupported');
    assert.equal(message.text, null);
    assert.deepEqual(message.content, { unsupported: { reason: 'This message type is not supported by WhatsApp.' } });
    const unknownCode = onlyMessage(
      withMessage({ type: 'unsupported', errors: [{ code: 1, title: 'x', error_data: { details: 'Polls are not supported.' } }] }),
    );
    assert.equal(typeof unknownCode.content.unsupported?.reason, 'string');
  });

  it('keeps a message of a type it does not know as unsupported rather than losing it', () => {
    const message = onlyMessage(withMessage({ type: 'order', order: { catalog_id: '1', product_items: [] } }));
    assert.equal(message.type, 'unsupported');
    assert.deepEqual(message.content, { unsupported: { reason: 'WhatsApp message type "order" is not supported yet.' } });
  });

  it('parses sent/delivered/read statuses', () => {
    for (const status of ['sent', 'delivered', 'read'] as const) {
      const batches = parser.parseWebhook(fixture(`wa-status-${status}.json`));
      assert.deepEqual(batches, [
        {
          channel: 'whatsapp',
          accountKey: PHONE_NUMBER_ID,
          messages: [],
          statuses: [
            {
              externalId: 'wamid.HBgNOUTBOUND0001',
              status,
              timestamp: AT,
              recipientId: CUSTOMER,
              // The sent status carries the conversation and its pricing (kept for analytics).
              ...(status === 'sent'
                ? {
                    conversation: { id: 'c0f1e2d3b4a5968778695a4b3c2d1e0f', originType: 'service', expiresAt: new Date(1732526400_000) },
                    pricing: { billable: true, pricingModel: 'CBP', category: 'service', type: null },
                  }
                : {}),
            },
          ],
          templateStatuses: [],
        },
      ] satisfies ParsedWebhook[]);
    }
  });

  it('parses per-message pricing (category and type) from a status', () => {
    const body = JSON.parse(readFileSync(new URL('../fixtures/meta/wa-status-delivered.json', import.meta.url), 'utf8'));
    body.entry[0].changes[0].value.statuses[0].pricing = {
      billable: false,
      pricing_model: 'PMP',
      category: 'UTILITY',
      type: 'free_entry_point',
    };
    const [batch] = parser.parseWebhook(body);
    assert.deepEqual(batch.statuses[0].pricing, { billable: false, pricingModel: 'PMP', category: 'utility', type: 'free_entry_point' });
    assert.equal(batch.statuses[0].conversation, undefined);
  });

  it('parses a failed status with a readable reason for its error code', () => {
    const [batch] = parser.parseWebhook(fixture('wa-status-failed-131047.json'));
    assert.deepEqual(batch.statuses, [
      {
        externalId: 'wamid.HBgNOUTBOUND0001',
        status: 'failed',
        timestamp: AT,
        recipientId: CUSTOMER,
        error: {
          code: 131047,
          title: 'Re-engagement message',
          reason: 'More than 24 hours have passed since the customer last wrote; send an approved template instead.',
        },
      },
    ]);
  });

  it("falls back to Meta's own words for an error code it cannot explain", () => {
    const body = fixture('wa-status-failed-131047.json');
    body.entry[0].changes[0].value.statuses[0].errors = [
      { code: 135999, title: 'Odd failure', message: 'Odd failure', error_data: { details: 'Something specific happened.' } },
    ];
    const [batch] = parser.parseWebhook(body);
    assert.deepEqual(batch.statuses[0].error, { code: 135999, title: 'Odd failure', reason: 'Something specific happened.' });
    body.entry[0].changes[0].value.statuses[0].errors = [{ code: 135999, title: 'Odd failure' }];
    assert.equal(parser.parseWebhook(body)[0].statuses[0].error?.reason, 'Odd failure');
  });

  it('parses a template status update, keyed by the WhatsApp Business Account id', () => {
    const batches = parser.parseWebhook(fixture('wa-template-status-update.json'));
    assert.deepEqual(batches, [
      {
        channel: 'whatsapp',
        accountKey: WABA_ID,
        messages: [],
        statuses: [],
        // Meta's reason "NONE" means there is none.
        templateStatuses: [{ templateExternalId: '987654321012345', name: 'promo_lebaran', language: 'id', event: 'APPROVED' }],
      },
    ] satisfies ParsedWebhook[]);
    const rejected = fixture('wa-template-status-update.json');
    Object.assign(rejected.entry[0].changes[0].value, { event: 'REJECTED', reason: 'INCORRECT_CATEGORY' });
    assert.deepEqual(parser.parseWebhook(rejected)[0].templateStatuses, [
      { templateExternalId: '987654321012345', name: 'promo_lebaran', language: 'id', event: 'REJECTED', reason: 'INCORRECT_CATEGORY' },
    ]);
  });

  it('turns every wa-*.json fixture into exactly one non-empty batch', () => {
    const names = readdirSync(FIXTURES).filter((n) => /^wa-.*\.json$/.test(n));
    assert.ok(names.length >= 16, `found only ${names.length} fixtures`);
    for (const name of names) {
      const batches = parser.parseWebhook(fixture(name));
      assert.equal(batches.length, 1, name);
      const [b] = batches;
      assert.equal(b.messages.length + b.statuses.length + b.templateStatuses.length, 1, name);
    }
  });

  it('groups a batched body per phone number across entries and changes, in order', () => {
    const text = fixture('wa-text.json').entry[0].changes[0].value;
    const status = fixture('wa-status-read.json').entry[0].changes[0].value.statuses[0];
    const other = { display_phone_number: '15550002222', phone_number_id: '200000000000002' };
    const msg = (id: string, body: string, from = CUSTOMER) => ({ from, id, timestamp: '1732440001', type: 'text', text: { body } });
    const body = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: WABA_ID,
          changes: [
            { field: 'messages', value: { ...text, messages: [msg('wamid.A1', 'one'), msg('wamid.A2', 'two')], statuses: [status] } },
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: other,
                contacts: [{ profile: { name: 'Budi' }, wa_id: '6281200000002' }],
                messages: [msg('wamid.B1', 'halo', '6281200000002')],
              },
            },
          ],
        },
        fixture('wa-template-status-update.json').entry[0],
        { id: WABA_ID, changes: [{ field: 'messages', value: { ...text, messages: [msg('wamid.A3', 'three', '6281299999999')] } }] },
      ],
    };
    const batches = parser.parseWebhook(body);
    assert.deepEqual(
      batches.map((b) => b.accountKey),
      [PHONE_NUMBER_ID, '200000000000002', WABA_ID],
    );
    const [a, b, waba] = batches;
    assert.deepEqual(
      a.messages.map((m) => m.externalId),
      ['wamid.A1', 'wamid.A2', 'wamid.A3'],
    );
    assert.deepEqual(
      a.messages.map((m) => m.profileName),
      ['Siti Rahma', 'Siti Rahma', undefined],
      'the profile name is matched by wa_id',
    );
    assert.deepEqual(
      a.statuses.map((s) => s.status),
      ['read'],
    );
    assert.deepEqual(
      b.messages.map((m) => [m.externalId, m.profileName, m.text]),
      [['wamid.B1', 'Budi', 'halo']],
    );
    assert.equal(waba.templateStatuses.length, 1);
  });

  it('returns [] for malformed or foreign bodies and never throws', () => {
    const bodies: unknown[] = [
      null,
      undefined,
      'text',
      42,
      [],
      {},
      { object: 'page', entry: [] },
      { object: 'instagram' },
      { object: 'whatsapp_business_account' },
      { object: 'whatsapp_business_account', entry: 'nope' },
      {
        object: 'whatsapp_business_account',
        entry: [null, 1, 'x', { changes: 'x' }, { changes: [null, {}, { field: 'messages' }, { field: 'messages', value: [] }] }],
      },
      {
        object: 'whatsapp_business_account',
        entry: [
          {
            changes: [
              {
                field: 'messages',
                value: { metadata: {}, messages: [{ id: 'wamid.X', from: '1', timestamp: '1', type: 'text', text: { body: 'no route' } }] },
              },
            ],
          },
        ],
      },
      {
        object: 'whatsapp_business_account',
        entry: [{ changes: [{ field: 'message_template_status_update', value: { event: 'APPROVED' } }] }],
      },
    ];
    for (const body of bodies) assert.deepEqual(parser.parseWebhook(body), [], JSON.stringify(body));
  });

  it('skips malformed messages and statuses but keeps the good ones beside them', () => {
    const body = fixture('wa-text.json');
    const value = body.entry[0].changes[0].value;
    const good = value.messages[0];
    value.messages = [
      null,
      { ...good, id: undefined },
      { ...good, from: '' },
      { ...good, timestamp: 'yesterday' },
      { ...good, type: undefined },
      { ...good, text: undefined },
      { ...good, type: 'image', image: { caption: 'no id' } },
      { ...good, type: 'location', location: { latitude: 'north' } },
      { ...good, type: 'contacts', contacts: [] },
      { ...good, type: 'interactive', interactive: { type: 'button_reply' } },
      { ...good, type: 'reaction', reaction: { emoji: '👍' } },
      { ...good, type: 'button', button: {} },
      good,
    ];
    value.statuses = [
      { id: 'wamid.S', status: 'deleted', timestamp: '1732440000', recipient_id: CUSTOMER },
      { id: 'wamid.S', status: 'read', timestamp: 'soon', recipient_id: CUSTOMER },
      { status: 'read', timestamp: '1732440000', recipient_id: CUSTOMER },
      'read',
    ];
    const message = onlyMessage(body);
    assert.equal(message.externalId, good.id);
  });
});

describe('Meta webhook signature', () => {
  const secret = 'app-secret-for-tests';
  const raw = rawFixture('wa-text.json');

  it('accepts the HMAC of the exact raw body', () => {
    const header = signMetaBody(raw, secret);
    assert.match(header, /^sha256=[0-9a-f]{64}$/);
    assert.equal(verifyMetaSignature(raw, header, secret), true);
    assert.equal(parser.verifySignature(raw, header, secret), true);
    assert.equal(verifyMetaSignature(raw, header.toUpperCase().replace('SHA256=', 'sha256='), secret), true, 'hex case does not matter');
    assert.equal(signMetaBody(raw.toString('utf8'), secret), header, 'a string body signs like its bytes');
  });

  it('rejects another body, a re-serialised body or another secret', () => {
    const header = signMetaBody(raw, secret);
    assert.equal(verifyMetaSignature(Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8')))), header, secret), false);
    assert.equal(verifyMetaSignature(Buffer.concat([raw, Buffer.from(' ')]), header, secret), false);
    assert.equal(verifyMetaSignature(raw, header, 'another-secret'), false);
  });

  it('is false for a missing or malformed header, or an empty secret', () => {
    const header = signMetaBody(raw, secret);
    const hex = header.slice('sha256='.length);
    for (const bad of [
      undefined,
      '',
      'sha256=',
      hex,
      `sha1=${hex}`,
      `sha256=${hex.slice(2)}`,
      `sha256=${hex}00`,
      `sha256=${'z'.repeat(64)}`,
      `sha256 ${hex}`,
    ]) {
      assert.equal(verifyMetaSignature(raw, bad, secret), false, String(bad));
    }
    assert.equal(verifyMetaSignature(raw, signMetaBody(raw, ''), ''), false);
    assert.equal(verifyMetaSignature('not a buffer' as unknown as Buffer, header, secret), false);
  });
});

describe('Graph error mapping', () => {
  it('explains codes in plain sentences and knows which are temporary', () => {
    assert.equal(
      graphErrorSentence(131047),
      'More than 24 hours have passed since the customer last wrote; send an approved template instead.',
    );
    assert.equal(graphErrorSentence(190), 'The WhatsApp access token has expired or is invalid; reconnect the account.');
    assert.equal(
      graphErrorSentence(190, 'Facebook Page'),
      'The Facebook Page access token has expired or is invalid; reconnect the account.',
    );
    for (const code of [130429, 131056, 4, 80007, 368, 131048]) assert.equal(isRetryableGraphCode(code), true, String(code));
    for (const code of [131047, 131026, 131051, 131052, 131053, 132000, 132001, 132009, 132015, 190, 100, 999999]) {
      assert.equal(isRetryableGraphCode(code), false, String(code));
    }
    for (const code of [131026, 131051, 131052, 131053, 132000, 132009, 132015, 100, 130429, 131056, 4, 80007, 368, 131048]) {
      assert.match(graphErrorSentence(code) ?? '', /^[A-Z].+\.$/, String(code));
    }
    assert.equal(graphErrorReason(999999, 'Odd.'), 'Meta reported error 999999: Odd.');
    assert.equal(
      graphErrorReason(131047, 'Details.'),
      'More than 24 hours have passed since the customer last wrote; send an approved template instead. (Meta: Details.)',
    );
  });
});

describe('WhatsApp sending against a fake Graph', () => {
  let graph: FakeGraph;
  let adapter: WhatsAppAdapter;

  before(async () => {
    graph = await startFakeGraph();
    adapter = new WhatsAppAdapter({ graphUrl: graph.url, graphVersion: 'v21.0', timeoutMs: 2000, outbound: testOutbound });
  });
  beforeEach(() => graph.reset());
  after(() => graph.stop());

  /** Sends and returns the body Graph received, checking the call around it. */
  async function sent(message: OutboundMessage): Promise<unknown> {
    const result = await adapter.send(account, message);
    const requests = graph.sentMessages();
    assert.equal(requests.length, 1);
    const [req] = requests;
    assert.equal(req.method, 'POST');
    assert.equal(req.path, `/v21.0/${PHONE_NUMBER_ID}/messages`);
    assert.equal(req.headers.authorization, `Bearer ${TOKEN}`);
    assert.match(String(req.headers['content-type']), /^application\/json/);
    assert.deepEqual(JSON.parse(req.rawBody.toString('utf8')), req.body, 'the body is plain JSON');
    assert.match(result.externalId, /^wamid\./);
    graph.requests.length = 0;
    return req.body;
  }

  const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to: CUSTOMER };

  it('sends text, asking for a link preview only when there is a URL', async () => {
    assert.deepEqual(await sent({ to: CUSTOMER, type: 'text', text: 'Halo, stok masih ada.', content: {} }), {
      ...base,
      type: 'text',
      text: { body: 'Halo, stok masih ada.' },
    });
    assert.deepEqual(await sent({ to: CUSTOMER, type: 'text', text: 'Katalog: https://example.com/batik', content: {} }), {
      ...base,
      type: 'text',
      text: { body: 'Katalog: https://example.com/batik', preview_url: true },
    });
  });

  it('returns a fresh wamid for every message', async () => {
    const first = await adapter.send(account, { to: CUSTOMER, type: 'text', text: 'satu', content: {} });
    const second = await adapter.send(account, { to: CUSTOMER, type: 'text', text: 'dua', content: {} });
    assert.notEqual(first.externalId, second.externalId);
  });

  it('quotes the replied-to message with context', async () => {
    assert.deepEqual(
      await sent({ to: CUSTOMER, type: 'text', text: 'Ada kak', content: {}, replyToExternalId: 'wamid.HBgNCTXREPLY0001' }),
      {
        ...base,
        type: 'text',
        text: { body: 'Ada kak' },
        context: { message_id: 'wamid.HBgNCTXREPLY0001' },
      },
    );
  });

  it('sends media by uploaded id or by link, with caption and filename where they apply', async () => {
    assert.deepEqual(
      await sent({
        to: CUSTOMER,
        type: 'image',
        text: null,
        content: { media: { externalId: '4000000000000001', caption: 'Motif parang' } },
      }),
      {
        ...base,
        type: 'image',
        image: { id: '4000000000000001', caption: 'Motif parang' },
      },
    );
    assert.deepEqual(
      await sent({ to: CUSTOMER, type: 'image', text: 'Dari teks', content: { media: { url: 'https://cdn.example.com/a.jpg' } } }),
      {
        ...base,
        type: 'image',
        image: { link: 'https://cdn.example.com/a.jpg', caption: 'Dari teks' },
      },
    );
    assert.deepEqual(
      await sent({ to: CUSTOMER, type: 'document', text: 'Invoice', content: { media: { externalId: '77', filename: 'invoice-42.pdf' } } }),
      {
        ...base,
        type: 'document',
        document: { id: '77', caption: 'Invoice', filename: 'invoice-42.pdf' },
      },
    );
    assert.deepEqual(
      await sent({ to: CUSTOMER, type: 'audio', text: 'ignored', content: { media: { externalId: '88', caption: 'ignored' } } }),
      {
        ...base,
        type: 'audio',
        audio: { id: '88' },
      },
    );
  });

  it('sends a template with its components', async () => {
    const components = [{ type: 'body', parameters: [{ type: 'text', text: 'Siti' }] }];
    assert.deepEqual(
      await sent({ to: CUSTOMER, type: 'template', content: { template: { name: 'promo_lebaran', language: 'id', components } } }),
      {
        ...base,
        type: 'template',
        template: { name: 'promo_lebaran', language: { code: 'id' }, components },
      },
    );
    assert.deepEqual(await sent({ to: CUSTOMER, type: 'template', content: { template: { name: 'hello_world', language: 'en_US' } } }), {
      ...base,
      type: 'template',
      template: { name: 'hello_world', language: { code: 'en_US' } },
    });
  });

  it('sends interactive reply buttons', async () => {
    const buttons = [
      { id: 'csat_1', title: 'Kurang' },
      { id: 'csat_3', title: 'Cukup' },
      { id: 'csat_5', title: 'Sangat puas' },
    ];
    assert.deepEqual(await sent({ to: CUSTOMER, type: 'interactive', text: 'Bagaimana layanan kami?', content: { buttons } }), {
      ...base,
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'Bagaimana layanan kami?' },
        action: { buttons: buttons.map((b) => ({ type: 'reply', reply: b })) },
      },
    });
  });

  it('refuses invalid interactive messages before calling Meta', async () => {
    const four = [1, 2, 3, 4].map((n) => ({ id: `b${n}`, title: `Pilihan ${n}` }));
    const tooMany = await sendError(
      adapter.send(account, { to: CUSTOMER, type: 'interactive', text: 'Pilih', content: { buttons: four } }),
    );
    assert.equal(tooMany.retryable, false);
    assert.match(tooMany.reason, /at most 3 reply buttons/);
    const long = await sendError(
      adapter.send(account, {
        to: CUSTOMER,
        type: 'interactive',
        text: 'Pilih',
        content: { buttons: [{ id: 'x', title: 'A title that is too long' }] },
      }),
    );
    assert.equal(long.retryable, false);
    assert.match(long.reason, /longer than WhatsApp's limit of 20 characters/);
    const none = await sendError(adapter.send(account, { to: CUSTOMER, type: 'interactive', text: 'Pilih', content: {} }));
    assert.equal(none.retryable, false);
    assert.equal(graph.requests.length, 0);
  });

  it('sends reactions (and never a reply context on them)', async () => {
    assert.deepEqual(
      await sent({
        to: CUSTOMER,
        type: 'reaction',
        content: { reaction: { messageExternalId: 'wamid.HBgNNjI4', emoji: '❤️' } },
        replyToExternalId: 'wamid.HBgNNjI4',
      }),
      {
        ...base,
        type: 'reaction',
        reaction: { message_id: 'wamid.HBgNNjI4', emoji: '❤️' },
      },
    );
  });

  it('marks a message read', async () => {
    await adapter.markRead(account, 'wamid.HBgNIMAGE0001');
    assert.equal(graph.sentMessages().length, 0, 'a read receipt is not a sent message');
    const [req] = graph.requests;
    assert.equal(req.path, `/v21.0/${PHONE_NUMBER_ID}/messages`);
    assert.equal(req.headers.authorization, `Bearer ${TOKEN}`);
    assert.deepEqual(req.body, { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.HBgNIMAGE0001' });
  });

  it('needs an access token', async () => {
    const err = await sendError(adapter.send({ ...account, config: {} }, { to: CUSTOMER, type: 'text', text: 'x', content: {} }));
    assert.equal(err.retryable, false);
    assert.match(err.reason, /no access token/);
  });

  const text: OutboundMessage = { to: CUSTOMER, type: 'text', text: 'Halo', content: {} };

  it('maps 131047 to a readable, non-retryable error', async () => {
    graph.failNext(1, { status: 400, body: fixture('graph-error-131047.json') });
    const err = await sendError(adapter.send(account, text));
    assert.equal(err.retryable, false);
    assert.equal(err.code, 131047);
    assert.equal(err.httpStatus, 400);
    assert.equal(
      err.reason,
      'More than 24 hours have passed since the customer last wrote; send an approved template instead. (Meta: Message failed to send because more than 24 hours have passed since the customer last replied to this number.)',
    );
    assert.equal(err.message, err.reason);
  });

  it('maps 130429 (throughput) to a retryable error, whatever the HTTP status', async () => {
    graph.failNext(1, { status: 400, body: fixture('graph-error-130429.json') });
    const err = await sendError(adapter.send(account, text));
    assert.equal(err.retryable, true);
    assert.equal(err.code, 130429);
    assert.match(err.reason, /^The WhatsApp throughput limit for this phone number was reached/);
  });

  it('maps 190 to a reconnect message', async () => {
    graph.failNext(1, { status: 401, body: fixture('graph-error-190.json') });
    const err = await sendError(adapter.send(account, text));
    assert.equal(err.retryable, false);
    assert.equal(err.code, 190);
    assert.equal(err.httpStatus, 401);
    assert.match(
      err.reason,
      /^The WhatsApp access token has expired or is invalid; reconnect the account\. \(Meta: Error validating access token/,
    );
  });

  it('treats HTTP 5xx and 429 as retryable and other 4xx without a known code as not', async () => {
    graph.failNext(1, { status: 503, body: 'Service Unavailable' });
    let err = await sendError(adapter.send(account, text));
    assert.deepEqual([err.retryable, err.httpStatus, err.code], [true, 503, undefined]);
    assert.match(err.reason, /HTTP 503/);

    graph.failNext(1, {
      status: 500,
      body: { error: { message: 'An unexpected error has occurred.', type: 'OAuthException', code: 12345 } },
    });
    err = await sendError(adapter.send(account, text));
    assert.deepEqual([err.retryable, err.httpStatus, err.code], [true, 500, 12345]);

    graph.failNext(1, { status: 429, body: '' });
    err = await sendError(adapter.send(account, text));
    assert.deepEqual([err.retryable, err.httpStatus], [true, 429]);

    graph.failNext(1, { status: 400, body: { error: { message: '(#131026) Message undeliverable', code: 131026 } } });
    err = await sendError(adapter.send(account, text));
    assert.deepEqual([err.retryable, err.code], [false, 131026]);
    assert.match(err.reason, /could not be delivered/);

    graph.failNext(1, { status: 400, body: { error: { message: 'Weird', code: 987654 } } });
    err = await sendError(adapter.send(account, text));
    assert.deepEqual([err.retryable, err.code, err.reason], [false, 987654, 'Meta reported error 987654: Weird']);
  });

  it('treats a refused connection as retryable, and works again on the same port', async () => {
    const port = graph.port;
    await graph.refuseConnections();
    const err = await sendError(adapter.send(account, text));
    assert.equal(err.retryable, true);
    assert.match(err.reason, /connection refused/);
    await graph.acceptConnections();
    assert.equal(graph.port, port);
    const ok = await adapter.send(account, text);
    assert.match(ok.externalId, /^wamid\./);
  });

  it('waits for a slow answer but gives up after the timeout, as retryable', async () => {
    const quick = new WhatsAppAdapter({ graphUrl: graph.url, graphVersion: 'v21.0', timeoutMs: 300 });
    graph.hang(50);
    assert.match((await quick.send(account, text)).externalId, /^wamid\./);

    graph.hang(true);
    const started = Date.now();
    const err = await sendError(quick.send(account, text));
    const elapsed = Date.now() - started;
    assert.equal(err.retryable, true);
    assert.match(err.reason, /did not answer within 300 ms/);
    assert.ok(elapsed >= 250 && elapsed < 2000, `gave up after ${elapsed} ms`);
    graph.release();
  });

  it('gives up on a media lookup that hangs, as retryable', async () => {
    const quick = new WhatsAppAdapter({ graphUrl: graph.url, graphVersion: 'v21.0', timeoutMs: 200, outbound: testOutbound });
    graph.addMedia('1234567890123456', Buffer.from('x'), 'image/jpeg');
    graph.hang(true);
    const err = await sendError(quick.fetchMedia(account, '1234567890123456'));
    assert.equal(err.retryable, true);
    assert.match(err.reason, /did not answer within 200 ms/);
    graph.release();
  });

  it('fetches media: GET /{media-id}, then the URL with the same token', async () => {
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);
    graph.addMedia('1234567890123456', bytes, 'image/jpeg');
    const media = await adapter.fetchMedia(account, '1234567890123456');
    assert.deepEqual(media, { data: bytes, mimeType: 'image/jpeg' });
    assert.deepEqual(
      graph.requests.map((r) => [r.method, r.path, r.headers.authorization]),
      [
        ['GET', '/v21.0/1234567890123456', `Bearer ${TOKEN}`],
        ['GET', '/media-download/1234567890123456', `Bearer ${TOKEN}`],
      ],
    );

    graph.addMedia('2234567890123456', 'PDF bytes', 'application/pdf', 'bukti-transfer.pdf');
    const doc = await adapter.fetchMedia(account, '2234567890123456');
    assert.deepEqual(doc, { data: Buffer.from('PDF bytes'), mimeType: 'application/pdf', filename: 'bukti-transfer.pdf' });
  });

  it('uploads media as multipart and the id can be sent and fetched back', async () => {
    const bytes = Buffer.from('%PDF-1.7 invoice');
    const { externalId } = await adapter.uploadMedia(account, { data: bytes, mimeType: 'application/pdf', filename: 'invoice-42.pdf' });
    assert.match(externalId, /^\d+$/);
    const [upload] = graph.requests;
    assert.equal(upload.method, 'POST');
    assert.equal(upload.path, `/v21.0/${PHONE_NUMBER_ID}/media`);
    assert.equal(upload.headers.authorization, `Bearer ${TOKEN}`);
    assert.match(String(upload.headers['content-type']), /^multipart\/form-data; boundary=/);
    const fetched = await adapter.fetchMedia(account, externalId);
    assert.deepEqual(fetched, { data: bytes, mimeType: 'application/pdf', filename: 'invoice-42.pdf' });
  });

  it('maps media errors like send errors', async () => {
    const missing = await sendError(adapter.fetchMedia(account, '999'));
    assert.deepEqual([missing.retryable, missing.code, missing.httpStatus], [false, 100, 400]);
    graph.requests.length = 0;

    graph.addMedia('1234567890123456', Buffer.from('x'), 'image/jpeg');
    graph.failNext(1, { status: 502, body: 'Bad Gateway', path: /^\/media-download\// });
    const download = await sendError(adapter.fetchMedia(account, '1234567890123456'));
    assert.deepEqual([download.retryable, download.httpStatus], [true, 502]);
    assert.equal(graph.requests.length, 2, 'the lookup succeeded, the download failed');

    graph.failNext(1, { status: 401, body: fixture('graph-error-190.json') });
    const expired = await sendError(adapter.fetchMedia(account, '1234567890123456'));
    assert.deepEqual([expired.retryable, expired.code], [false, 190]);
  });
});

describe('channel adapter registry', () => {
  it('builds the WhatsApp adapter from configuration', () => {
    const adapters = createAdapters({ META_GRAPH_URL: 'https://graph.facebook.com/', META_GRAPH_VERSION: 'v21.0' }, testOutbound);
    const whatsapp = getAdapter(adapters, 'whatsapp');
    assert.ok(whatsapp instanceof WhatsAppAdapter);
    assert.equal(whatsapp.channel, 'whatsapp');
    assert.equal(whatsapp.graph.baseUrl, 'https://graph.facebook.com/v21.0');
    assert.equal(whatsapp.graph.timeoutMs, 15_000);
    assert.equal(whatsapp.graph.downloadTimeoutMs, 120_000);
    assert.throws(() => getAdapter(adapters, 'sms' as never), /No adapter for the sms channel yet/);
  });
});
