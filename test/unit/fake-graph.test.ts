import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';

const FIXTURES = new URL('../fixtures/meta/', import.meta.url);
const fixture = (name: string): any => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));

/** The JSON answer, loosely typed for assertions. */
const jsonOf = (res: Response): Promise<any> => res.json();

const auth = { authorization: 'Bearer test-token' };
const json = { ...auth, 'content-type': 'application/json' };

describe('fake Graph', () => {
  let graph: FakeGraph;
  const call = (path: string, init: RequestInit = {}) => fetch(`${graph.url}${path}`, { headers: auth, ...init });
  const send = (body: unknown, phoneNumberId = '111') =>
    call(`/v21.0/${phoneNumberId}/messages`, { method: 'POST', headers: json, body: JSON.stringify(body) });

  before(async () => {
    graph = await startFakeGraph();
  });
  beforeEach(() => graph.reset());
  after(() => graph.stop());

  it('listens on an ephemeral port of 127.0.0.1', () => {
    assert.match(graph.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(graph.port > 0);
    assert.equal(graph.url, `http://127.0.0.1:${graph.port}`);
  });

  it('answers sends in the shape of graph-send-success.json with a fresh wamid each time', async () => {
    const shape = fixture('graph-send-success.json');
    const body = { messaging_product: 'whatsapp', recipient_type: 'individual', to: '6281200000001', type: 'text', text: { body: 'hi' } };
    const first = await jsonOf(await send(body));
    const second = await jsonOf(await send(body));
    assert.deepEqual(Object.keys(first).sort(), Object.keys(shape).sort());
    assert.deepEqual(first.contacts, shape.contacts);
    assert.match(first.messages[0].id, /^wamid\./);
    assert.notEqual(first.messages[0].id, second.messages[0].id);
  });

  it('records every request and filters the sent messages', async () => {
    await send({ messaging_product: 'whatsapp', to: '1', type: 'text', text: { body: 'a' } }, '111');
    await send({ messaging_product: 'whatsapp', to: '2', type: 'text', text: { body: 'b' } }, '222');
    await send({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.X' }, '111');
    await call('/v21.0/123?fields=id,name');
    assert.equal(graph.requests.length, 4);
    const [first] = graph.requests;
    assert.equal(first.method, 'POST');
    assert.equal(first.path, '/v21.0/111/messages');
    assert.equal(first.headers.authorization, 'Bearer test-token');
    assert.deepEqual(first.body, { messaging_product: 'whatsapp', to: '1', type: 'text', text: { body: 'a' } });
    assert.equal(first.rawBody.toString('utf8'), JSON.stringify(first.body));
    assert.deepEqual(graph.requests[3].query, { fields: 'id,name' });
    assert.deepEqual(
      graph.sentMessages().map((r) => r.path),
      ['/v21.0/111/messages', '/v21.0/222/messages'],
    );
    assert.deepEqual(
      graph.sentMessages('222').map((r) => (r.body as { to: string }).to),
      ['2'],
    );
  });

  it('serves registered media: lookup, then download from itself', async () => {
    graph.addMedia('1234567890123456', Buffer.from('jpeg bytes'), 'image/jpeg');
    const info = await jsonOf(await call('/v21.0/1234567890123456'));
    assert.deepEqual(Object.keys(info).sort(), Object.keys(fixture('graph-media-get.json')).sort());
    assert.equal(info.url, `${graph.url}/media-download/1234567890123456`);
    assert.equal(info.mime_type, 'image/jpeg');
    assert.equal(info.file_size, 10);
    const download = await fetch(info.url, { headers: auth });
    assert.equal(download.headers.get('content-type'), 'image/jpeg');
    assert.equal(Buffer.from(await download.arrayBuffer()).toString(), 'jpeg bytes');
  });

  it('answers multipart uploads with a media id, and serves the upload back', async () => {
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', 'image/png');
    form.set('file', new Blob([Buffer.from('png bytes')], { type: 'image/png' }), 'logo.png');
    const res = await call('/v21.0/111/media', { method: 'POST', body: form });
    assert.equal(res.status, 200);
    const { id } = await jsonOf(res);
    assert.match(id, /^\d+$/);
    const info = await jsonOf(await call(`/v21.0/${id}`));
    assert.equal(info.mime_type, 'image/png');
    const download = await call(`/media-download/${id}`);
    assert.equal(Buffer.from(await download.arrayBuffer()).toString(), 'png bytes');
    assert.equal(download.headers.get('content-disposition'), 'attachment; filename="logo.png"');

    const notMultipart = await call('/v21.0/111/media', { method: 'POST', body: 'not multipart' });
    assert.equal(notMultipart.status, 400);
    assert.equal((await jsonOf(notMultipart)).error.code, 100);
  });

  it('answers Graph-style errors for unknown paths, unknown media and a missing token', async () => {
    const unknown = await call('/v21.0/111/nothing/here');
    assert.equal(unknown.status, 404);
    assert.equal((await jsonOf(unknown)).error.code, 100);
    const media = await call('/v21.0/999');
    assert.equal(media.status, 400);
    assert.equal((await jsonOf(media)).error.error_subcode, 33);
    const noToken = await fetch(`${graph.url}/v21.0/111/messages`, { method: 'POST', body: '{}' });
    assert.equal(noToken.status, 400);
    assert.equal((await jsonOf(noToken)).error.code, 2500);
  });

  it('fails the next requests on demand, optionally only on a path', async () => {
    const body = { messaging_product: 'whatsapp', to: '1', type: 'text', text: { body: 'a' } };
    graph.failNext(2, { status: 400, body: fixture('graph-error-131047.json') });
    for (let i = 0; i < 2; i++) {
      const res = await send(body);
      assert.equal(res.status, 400);
      assert.equal((await jsonOf(res)).error.code, 131047);
    }
    assert.equal((await send(body)).status, 200);

    graph.addMedia('5', Buffer.from('x'), 'image/png');
    graph.failNext(1, { status: 500, body: 'boom', path: /^\/media-download\// });
    assert.equal((await call('/v21.0/5')).status, 200, 'other paths are not affected');
    const failed = await call('/media-download/5');
    assert.equal(failed.status, 500);
    assert.equal(await failed.text(), 'boom');
    assert.equal((await call('/media-download/5')).status, 200);
    assert.equal(graph.requests.length, 6, 'failed requests are recorded too');
  });

  it('hangs requests until released, or for a while', async () => {
    graph.hang(true);
    let answered = false;
    const pending = call('/v21.0/111/nothing').then((res) => {
      answered = true;
      return res.status;
    });
    // Held, not lost: it is recorded (however busy the machine) and stays unanswered.
    for (const deadline = Date.now() + 5000; graph.requests.length === 0 && Date.now() < deadline; )
      await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(answered, false);
    assert.equal(graph.requests.length, 1, 'a held request is recorded');
    graph.release();
    assert.equal(await pending, 404);

    graph.hang(80);
    const started = Date.now();
    assert.equal((await call('/v21.0/111/nothing')).status, 404);
    assert.ok(Date.now() - started >= 70);
  });

  it('refuses connections on demand and accepts them again on the same port', async () => {
    const port = graph.port;
    // A first request leaves a keep-alive connection in fetch's pool: it must be cut too.
    assert.equal((await call('/v21.0/111/nothing')).status, 404);
    await graph.refuseConnections();
    await assert.rejects(call('/v21.0/111/nothing'), (err: Error & { cause?: { code?: string } }) => err.cause?.code === 'ECONNREFUSED');
    await graph.refuseConnections(); // idempotent
    await graph.acceptConnections();
    assert.equal(graph.port, port);
    assert.equal((await call('/v21.0/111/nothing')).status, 404);
    await graph.acceptConnections(); // idempotent
  });

  it('reset forgets requests, media, failures and hanging, and listens again', async () => {
    graph.addMedia('5', Buffer.from('x'), 'image/png');
    graph.failNext(5, { status: 500 });
    graph.hang(true);
    const held = call('/v21.0/5').then(
      () => 'answered',
      () => 'cut',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await graph.refuseConnections();
    assert.equal(await held, 'cut', 'held requests are cut when the server stops listening');
    await graph.reset();
    assert.equal(graph.requests.length, 0);
    const res = await call('/v21.0/5');
    assert.equal(res.status, 400, 'media and failures are gone');
  });

  it('answers Messenger and Instagram sends with {recipient_id, message_id} and serves CDN files without a token', async () => {
    const body = { recipient: { id: '7012345678901234' }, messaging_type: 'RESPONSE', message: { text: 'Halo' } };
    for (const id of ['109876543210987', 'me', '17841400000000001']) {
      const answer = await jsonOf(await send(body, id));
      assert.equal(answer.recipient_id, '7012345678901234');
      assert.match(answer.message_id, /^m_/);
    }
    assert.equal((await send({ ...body, messaging_type: 'MESSAGE_TAG' })).status, 400, 'a MESSAGE_TAG needs its tag');
    assert.equal((await send({ recipient: { id: '1' }, sender_action: 'typing_on' })).status, 200);
    assert.deepEqual(
      graph.sentMessages().map((r) => r.path),
      ['/v21.0/109876543210987/messages', '/v21.0/me/messages', '/v21.0/17841400000000001/messages', '/v21.0/111/messages'],
      'sender actions are not sent messages',
    );
    const url = graph.addCdnFile('a.jpg', 'jpeg', 'image/jpeg');
    const file = await fetch(url);
    assert.equal(file.status, 200);
    assert.equal(await file.text(), 'jpeg');
    assert.equal((await fetch(`${graph.url}/cdn/none.jpg`)).status, 404);
  });

  it('answers per token which assets it may read (WhatsApp numbers of a business account, Pages, Instagram accounts)', async () => {
    graph.assets.whatsapp('wa-owner', 'waba-1', ['5550001', '5550002']);
    graph.assets.page('page-owner', '7001', 'Toko Page');
    graph.assets.instagram('ig-owner', '1784001', 'toko');
    const as = (token: string, path: string) => fetch(`${graph.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

    const numbers = await jsonOf(await as('wa-owner', '/v21.0/waba-1/phone_numbers?fields=id'));
    assert.deepEqual(
      numbers.data.map((n: any) => n.id),
      ['5550001', '5550002'],
    );
    const refused = await as('someone-else', '/v21.0/waba-1/phone_numbers');
    assert.equal(refused.status, 400);
    assert.equal((await jsonOf(refused)).error.error_subcode, 33);

    assert.deepEqual(await jsonOf(await as('page-owner', '/v21.0/me?fields=id,name')), { id: '7001', name: 'Toko Page' });
    assert.equal((await as('someone-else', '/v21.0/me')).status, 400);

    assert.deepEqual(await jsonOf(await as('ig-owner', '/v21.0/1784001?fields=id,username')), { id: '1784001', username: 'toko' });
    assert.equal((await as('page-owner', '/v21.0/1784001')).status, 400);
    graph.assets.clear();
    assert.equal((await as('wa-owner', '/v21.0/waba-1/phone_numbers')).status, 400);
  });
});
