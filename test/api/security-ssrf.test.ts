// Security finding 3: SSRF with a readable response. A Messenger attachment URL of
// http://127.0.0.1:<port>/secret in a webhook was downloaded with no host check and no size cap
// and served back at /api/v1/media/{id}. Every server-side fetch of a URL that came from outside now
// goes through services.outbound: media links in payloads, media URLs Graph hands out, the tunnel
// reachability test, an email account's own SMTP server. Loopback is reachable only when the
// operator allows it (OUTBOUND_ALLOWED_HOSTS), as the other tests' fakes are.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startServer, type TestServer } from '../support/server.js';
import { Api, registerTenant, superAdmin, type Tenant } from '../support/http.js';
import {
  connectEmail,
  connectMessenger,
  messagingPayload,
  mid,
  postEmail,
  postSigned,
  type MetaAccount,
} from '../support/meta-channels.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid } from '../support/whatsapp.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { startFakeSmtp, type FakeSmtp } from '../support/smtp-server.js';
import { settle } from '../support/settle.js';
import { MediaEntity } from '../../server/modules/media/media.entity.js';

const SECRET = 'internal-admin-panel: root password is hunter2';

/** Something on this machine that must not be readable from outside: it records every hit. */
async function startSecretService(): Promise<{ url: string; hits: string[]; close(): void }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'image/png' });
    res.end(SECRET);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, close: () => server.close() };
}

const PAGE_ID = '100000000000777';

async function attachmentMessage(server: TestServer, tenant: Tenant, page: MetaAccount, url: string) {
  const customer = `70${Date.now().toString().slice(-10)}`;
  const body = messagingPayload('messenger-image.json', page.key, { customer, message: { mid: mid('SSRF') } });
  body.entry[0].messaging[0].message.attachments[0].payload.url = url;
  const res = await postSigned(server.url, '/api/v1/webhooks/messenger', body, page.appSecret);
  assert.equal(res.status, 200);
  await settle(server.appliance);
  const conversation = await eventually(async () => {
    const list = (await tenant.api.get('/api/v1/conversations?limit=50')).body.data as any[];
    return list.find((c) => c.channel === 'messenger');
  });
  const messages = (await tenant.api.get(`/api/v1/conversations/${conversation.id}/messages`)).body.data as any[];
  return messages.find((m) => m.type === 'image');
}

describe('SSRF: fetches of URLs from outside, on a server that does not allow loopback', () => {
  let server: TestServer;
  let secret: Awaited<ReturnType<typeof startSecretService>>;
  let graph: FakeGraph;
  let smtp: FakeSmtp;
  let tenant: Tenant;
  let page: MetaAccount;

  before(async () => {
    secret = await startSecretService();
    graph = await startFakeGraph();
    smtp = await startFakeSmtp();
    // The Graph API base URL is the operator's own configuration (trusted); loopback is NOT allowed for URLs from outside.
    server = await startServer({ META_GRAPH_URL: graph.url, OUTBOUND_ALLOWED_HOSTS: '' });
    tenant = await registerTenant(new Api(server.url), 'Penyerang');
    page = await connectMessenger(tenant.api, PAGE_ID);
  });
  after(async () => {
    await server.stop();
    await graph.stop();
    await smtp.stop();
    secret.close();
  });

  it('does not fetch a Messenger attachment URL on loopback; the message shows the media as unavailable and nothing is served', async () => {
    const message = await attachmentMessage(server, tenant, page, `${secret.url}/secret`);
    assert.deepEqual(secret.hits, [], 'nothing was fetched from the internal service');
    assert.equal(message.mediaId, null);
    assert.equal(message.mediaUrl, null);
    assert.match(message.content.media.unavailable, /private, loopback or link-local/);
    assert.equal(await server.appliance.db.getRepository(MediaEntity).count(), 0, 'no media row holds its bytes');
    const res = await tenant.api.get(`/api/v1/media/${message.id}`);
    assert.equal(res.status, 404);
    assert.ok(!JSON.stringify(res.body).includes('hunter2'));
  });

  it('refuses other schemes and private ranges the same way', async () => {
    for (const url of ['file:///etc/passwd', 'http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/x']) {
      const message = await attachmentMessage(server, tenant, page, url);
      assert.equal(message.mediaId, null, url);
      assert.ok(message.content.media.unavailable, url);
    }
  });

  it("does not download a WhatsApp media URL that Graph's answer points at loopback", async () => {
    const wa = await connectWhatsApp(tenant.api, '700000000000777');
    // The fake Graph hands out download URLs on itself (127.0.0.1): from outside, as far as the guard knows.
    graph.addMedia('9900000000000001', Buffer.from('jpeg bytes'), 'image/jpeg');
    const body = waPayload('wa-image.json', wa.phoneNumberId, { from: '6281300000777', message: { id: wamid('SSRF') } });
    body.entry[0].changes[0].value.messages[0].image.id = '9900000000000001';
    assert.equal((await postWebhook(server.url, body, wa.appSecret)).status, 200);
    await settle(server.appliance);
    assert.ok(
      graph.requests.some((r) => r.path.endsWith('/9900000000000001')),
      'the media lookup went to the configured Graph API',
    );
    assert.ok(!graph.requests.some((r) => r.path.startsWith('/media-download/')), 'the download URL was not fetched');
  });

  it("refuses the tunnel reachability test's fetch of a loopback public URL", async () => {
    const op = await superAdmin(new Api(server.url));
    assert.equal((await op.put('/api/v1/appliance/tunnel', { provider: 'public-url', publicUrl: secret.url })).status, 200);
    await eventually(async () => (await op.get('/api/v1/appliance/tunnel')).body.status.state === 'up');
    const res = await op.post('/api/v1/appliance/tunnel/test');
    const appliance = res.body.checks.find((c: any) => c.id === 'appliance');
    assert.equal(appliance.ok, false);
    assert.match(appliance.detail, /private, loopback or link-local/);
    assert.deepEqual(secret.hits, []);
    await op.put('/api/v1/appliance/tunnel', { provider: 'none' });
  });

  it("does not connect to an email account's own SMTP server on loopback", async () => {
    const mail = await connectEmail(tenant.api, 'cs@penyerang.example', { smtpUrl: smtp.url });
    const received = await postEmail(
      server.url,
      {
        from: 'Pelanggan <pelanggan@example.com>',
        to: mail.address,
        subject: 'Halo',
        text: 'Tolong dibalas',
        messageId: '<q1@example.com>',
      },
      mail.inboundSecret,
    );
    assert.equal(received.status, 200);
    await settle(server.appliance);
    const conversation = ((await tenant.api.get('/api/v1/conversations?limit=50')).body.data as any[]).find((c) => c.channel === 'email');
    const sent = await tenant.api.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text: 'Baik kak' });
    assert.equal(sent.status, 202);
    await settle(server.appliance);
    const reply = ((await tenant.api.get(`/api/v1/conversations/${conversation.id}/messages`)).body.data as any[]).find(
      (m) => m.id === sent.body.id,
    );
    assert.equal(reply.status, 'failed');
    assert.match(reply.error.reason, /SMTP server was refused/);
    assert.equal(smtp.messages.length, 0, 'nothing reached the SMTP server');
  });
});

describe("SSRF: the operator's allowance", () => {
  let server: TestServer;
  let secret: Awaited<ReturnType<typeof startSecretService>>;

  before(async () => {
    secret = await startSecretService();
    server = await startServer({ OUTBOUND_ALLOWED_HOSTS: '127.0.0.1' });
  });
  after(async () => {
    await server.stop();
    secret.close();
  });

  it('downloads from a host the operator allowed, and serves it at /api/v1/media/{mediaId}', async () => {
    const tenant = await registerTenant(new Api(server.url), 'Toko LAN');
    const page = await connectMessenger(tenant.api, PAGE_ID);
    const message = await attachmentMessage(server, tenant, page, `${secret.url}/lan-file.png`);
    assert.deepEqual(secret.hits, ['/lan-file.png']);
    assert.ok(message.mediaId);
    const file = await fetch(`${server.url}/api/v1/media/${message.mediaId}`, { headers: { authorization: `Bearer ${tenant.token}` } });
    assert.equal(file.status, 200);
    assert.equal(await file.text(), SECRET);
  });
});
