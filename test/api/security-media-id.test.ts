// Finding 11: messages with media carry a top-level `mediaId` (the media row's id, downloadable at
// /api/v1/media/{mediaId}) in every message response and event, as the messages contract says:
// inbound once downloaded (message.updated), outbound from the send on, email from the start.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { startServer, type TestServer } from '../support/server.js';
import { Api, registerTenant, type Tenant } from '../support/http.js';
import { connectEmail, postEmail } from '../support/meta-channels.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid, type WaAccount } from '../support/whatsapp.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { listen, type Listener } from '../support/realtime.js';
import { settle } from '../support/settle.js';

const PNG_1x1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

describe('messages carry a top-level mediaId', () => {
  let server: TestServer;
  let graph: FakeGraph;
  let owner: Tenant;
  let wa: WaAccount;
  let live: Listener;

  before(async () => {
    graph = await startFakeGraph();
    server = await startServer({ META_GRAPH_URL: graph.url });
    owner = await registerTenant(new Api(server.url), 'Toko Media');
    wa = await connectWhatsApp(owner.api, '900000000000009');
    live = await listen(server.url, owner.token);
  });
  after(async () => {
    live.socket.close();
    await server.stop();
    await graph.stop();
  });

  const download = (mediaId: string) =>
    fetch(`${server.url}/api/v1/media/${mediaId}`, { headers: { authorization: `Bearer ${owner.token}` } });

  it('inbound: the downloaded file is the message’s mediaId in the list, in message.updated, and downloadable', async () => {
    const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#123456' } })
      .png()
      .toBuffer();
    graph.addMedia('6600000000000001', png, 'image/png');
    const externalId = wamid('MID');
    const body = waPayload('wa-image.json', wa.phoneNumberId, { from: '6281600000001', message: { id: externalId } });
    body.entry[0].changes[0].value.messages[0].image.id = '6600000000000001';
    assert.equal((await postWebhook(server.url, body, wa.appSecret)).status, 200);
    await settle(server.appliance);

    const created = await eventually(async () =>
      live.events.find((e) => e.type === 'message.created' && e.payload.message.externalId === externalId),
    );
    assert.ok('mediaId' in created.payload.message, 'the field is there from the start');
    const updated = await eventually(async () =>
      live.events.find((e) => e.type === 'message.updated' && e.payload.message.externalId === externalId && e.payload.message.mediaId),
    );
    const mediaId = updated.payload.message.mediaId;
    assert.equal(updated.payload.message.mediaUrl, `/api/v1/media/${mediaId}`);
    assert.equal(updated.payload.message.content.media.mediaId, mediaId, 'the richer content agrees');

    const listed = (
      (await owner.api.get(`/api/v1/conversations/${updated.payload.message.conversationId}/messages`)).body.data as any[]
    ).find((m) => m.externalId === externalId);
    assert.equal(listed.mediaId, mediaId);
    const file = await download(mediaId);
    assert.equal(file.status, 200);
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), png);
  });

  it('outbound: the uploaded file is the mediaId of the send answer and of message.created', async () => {
    const conversation = ((await owner.api.get('/api/v1/conversations?limit=10')).body.data as any[])[0];
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(Buffer.from(PNG_1x1, 'base64'))], { type: 'image/png' }), 'dot.png');
    const upload = await fetch(`${server.url}/api/v1/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.token}` },
      body: form,
    });
    const media = (await upload.json()) as { id: string };
    const sent = await owner.api.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'image', mediaId: media.id });
    assert.equal(sent.status, 202);
    assert.equal(sent.body.mediaId, media.id);
    const event = await eventually(async () =>
      live.events.find((e) => e.type === 'message.created' && e.payload.message.id === sent.body.id),
    );
    assert.equal(event.payload.message.mediaId, media.id);
    assert.equal((await download(media.id)).status, 200);
  });

  it('email: the first attachment is the mediaId as soon as the message exists', async () => {
    const mailbox = await connectEmail(owner.api, 'cs@media.example');
    const res = await postEmail(
      server.url,
      {
        from: 'Pelanggan <p@example.com>',
        to: mailbox.address,
        subject: 'Bukti transfer',
        text: 'Terlampir',
        messageId: '<media-id-test@example.com>',
        attachments: [{ filename: 'bukti.png', contentType: 'image/png', contentBase64: PNG_1x1 }],
      },
      mailbox.inboundSecret,
    );
    assert.equal(res.status, 200);
    const event = await eventually(async () =>
      live.events.find((e) => e.type === 'message.created' && e.payload.message.externalId === '<media-id-test@example.com>'),
    );
    const message = event.payload.message;
    assert.ok(message.mediaId);
    assert.equal(message.mediaId, message.content.email.attachments[0].mediaId);
    assert.equal((await download(message.mediaId)).status, 200);
  });
});
