import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { InstagramAdapter } from '../../server/channels/instagram/instagram.adapter.js';
import { replyDecision, windowEnd } from '../../server/channels/policy.js';
import { ChannelSendError, type AccountCredentials } from '../../server/channels/types.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { fixture } from '../support/whatsapp.js';
import { testOutbound } from '../support/outbound.js';

const IG_ID = '17841400000000001';
const IGSID = '1234567890123457';
const TOKEN = 'IGQ-test-token';
const account: AccountCredentials = { channel: 'instagram', externalId: IG_ID, config: { accessToken: TOKEN } };
const parser = new InstagramAdapter({ graphUrl: 'http://127.0.0.1:9', graphVersion: 'v21.0' });

function only(name: string) {
  const batches = parser.parseWebhook(fixture(name));
  assert.equal(batches.length, 1);
  assert.equal(batches[0].channel, 'instagram');
  assert.equal(batches[0].accountKey, IG_ID);
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

describe('Instagram webhook parsing', () => {
  it('parses a direct message, routed by the Instagram account id', () => {
    const [message] = only('instagram-text.json').messages;
    assert.equal(message.from, IGSID);
    assert.equal(message.type, 'text');
    assert.equal(message.text, 'Harga hijab segi empat berapa kak?');
    assert.match(message.externalId, /^aWdf/);
  });

  it('parses a story reply as text that names the story', () => {
    const [message] = only('instagram-story-reply.json').messages;
    assert.deepEqual([message.type, message.text], ['text', 'Yang warna sage masih ada?']);
    assert.deepEqual(message.content.story, {
      kind: 'reply',
      id: '17890000000000001',
      url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17890000000000001',
    });
    assert.equal(message.replyToExternalId, undefined);
  });

  it('parses a story mention as an image to download, marked as a mention', () => {
    const [message] = only('instagram-story-mention.json').messages;
    const url = 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17890000000000002';
    assert.equal(message.type, 'image');
    assert.deepEqual(message.content, { story: { kind: 'mention', url }, media: { externalId: url, url } });
  });

  it('parses an echo and a reaction to it', () => {
    const [echo] = only('instagram-echo.json').messages;
    assert.deepEqual([echo.echo, echo.from, echo.externalId, echo.text], [true, IGSID, 'aWdfEcho0001', 'Rp45.000 kak']);
    const [reaction] = only('instagram-reaction.json').messages;
    assert.deepEqual(reaction.content.reaction, { messageExternalId: 'aWdfEcho0001', emoji: '❤️' });
  });

  it('parses a read of one message as its status plus a watermark at the read time', () => {
    const body = fixture('instagram-reaction.json');
    const event = body.entry[0].messaging[0];
    delete event.reaction;
    event.read = { mid: 'aWdfEcho0001' };
    const [batch] = parser.parseWebhook(body);
    assert.deepEqual(batch.statuses, [
      { externalId: 'aWdfEcho0001', status: 'read', timestamp: new Date(1732440004000), recipientId: IGSID },
    ]);
    assert.deepEqual(batch.watermarks, [{ recipientId: IGSID, status: 'read', watermark: new Date(1732440004000) }]);
  });

  it('skips deleted messages, keeps shared posts readable, and ignores Messenger bodies', () => {
    const deleted = fixture('instagram-text.json');
    deleted.entry[0].messaging[0].message.is_deleted = true;
    assert.deepEqual(parser.parseWebhook(deleted), []);
    const share = fixture('instagram-story-mention.json');
    share.entry[0].messaging[0].message.attachments = [{ type: 'share', payload: { url: 'https://www.instagram.com/p/abc/' } }];
    const [message] = parser.parseWebhook(share)[0].messages;
    assert.deepEqual([message.type, message.text], ['text', 'https://www.instagram.com/p/abc/']);
    assert.deepEqual(parser.parseWebhook(fixture('messenger-text.json')), []);
  });

  it('turns every instagram-*.json fixture into exactly one batch with one message', () => {
    const names = readdirSync(new URL('../fixtures/meta/', import.meta.url)).filter((f) => f.startsWith('instagram-'));
    assert.equal(names.length, 5);
    for (const name of names) assert.equal(only(name).messages.length, 1, name);
  });
});

describe('Instagram reply window', () => {
  it('allows replies within 24 hours only (no template, no files), and says why', () => {
    const now = new Date('2026-01-10T12:00:00Z');
    const at = (hours: number) => new Date(now.getTime() - hours * 3600_000);
    assert.deepEqual(replyDecision('instagram', 'text', at(23), now), { allowed: true });
    const closed = replyDecision('instagram', 'text', at(25), now);
    assert.equal(closed.allowed, false);
    assert.match(!closed.allowed ? closed.reason : '', /24-hour messaging window on Instagram has closed/);
    assert.equal(replyDecision('instagram', 'image', at(1), now).allowed, false);
    assert.deepEqual(windowEnd('instagram', at(0)), new Date(now.getTime() + 24 * 3600_000));
  });
});

describe('Instagram sending (against the fake Graph API)', () => {
  let graph: FakeGraph;
  let adapter: InstagramAdapter;

  before(async () => {
    graph = await startFakeGraph();
    adapter = new InstagramAdapter({ graphUrl: graph.url, graphVersion: 'v21.0', timeoutMs: 1000, outbound: testOutbound });
  });
  beforeEach(() => graph.reset());
  after(() => graph.stop());

  it('sends text to POST /{ig-user-id}/messages with the account token', async () => {
    const { externalId } = await adapter.send(account, { to: IGSID, type: 'text', text: 'Rp45.000 kak', content: {} });
    assert.match(externalId, /^m_/);
    const [sent] = graph.sentMessages(IG_ID);
    assert.equal(sent.path, `/v21.0/${IG_ID}/messages`);
    assert.equal(sent.headers.authorization, `Bearer ${TOKEN}`);
    assert.deepEqual(sent.body, { recipient: { id: IGSID }, message: { text: 'Rp45.000 kak' } });
  });

  it('refuses text over 1000 bytes and a missing token before calling Meta', async () => {
    const long = await sendError(adapter.send(account, { to: IGSID, type: 'text', text: 'é'.repeat(501), content: {} }));
    assert.match(long.reason, /1000 bytes/);
    const noToken = await sendError(adapter.send({ ...account, config: {} }, { to: IGSID, type: 'text', text: 'x', content: {} }));
    assert.match(noToken.reason, /no access token/);
    assert.equal(graph.requests.length, 0);
  });

  it('explains Instagram errors: window closed, expired token', async () => {
    graph.failNext(1, {
      status: 400,
      body: { error: { message: 'This message is sent outside of allowed window.', code: 10, error_subcode: 2534022 } },
    });
    const window = await sendError(adapter.send(account, { to: IGSID, type: 'text', text: 'x', content: {} }));
    assert.deepEqual([window.retryable, window.code], [false, 10]);
    assert.match(window.reason, /24-hour messaging window on Instagram/);
    graph.failNext(1, { status: 401, body: fixture('graph-error-190.json') });
    assert.match(
      (await sendError(adapter.send(account, { to: IGSID, type: 'text', text: 'x', content: {} }))).reason,
      /The Instagram access token has expired/,
    );
  });
});
