// WhatsApp specifics: outbound media, template events, account health, Embedded Signup, typing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { startServer, type TestServer } from '../support/server.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { Api, assertProblem, registerTenant, superAdmin, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid, type WaAccount } from '../support/whatsapp.js';
import { DomainEventEntity } from '../../server/core/events/event.entity.js';

describe('WhatsApp integration extras', () => {
  let graph: FakeGraph;
  let server: TestServer;
  let a: Tenant;
  let wa: WaAccount;

  before(async () => {
    graph = await startFakeGraph();
    server = await startServer({
      META_GRAPH_URL: graph.url,
      META_APP_ID: 'app-123',
      META_APP_SECRET: 'app-secret-xyz',
      META_EMBEDDED_SIGNUP_CONFIG_ID: 'cfg-9',
    });
    a = await registerTenant(new Api(server.url), 'Toko Foto');
    wa = await connectWhatsApp(a.api, '500000000000005');
  });
  after(async () => {
    await server.stop();
    await graph.stop();
  });

  it('sends an uploaded image: the file is uploaded to Graph once, then sent by its media id', async () => {
    await postWebhook(
      server.url,
      waPayload('wa-text.json', wa.phoneNumberId, { from: '6281300000001', message: { id: wamid('I') } }),
      wa.appSecret,
    );
    const conv = await eventually(async () => (await a.api.get('/api/v1/conversations')).body.data[0], 5000, 'conversation');
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#2980b9' } })
      .png()
      .toBuffer();
    const form = new FormData();
    form.append('file', new Blob([png], { type: 'image/png' }), 'katalog.png');
    const uploaded = await fetch(`${server.url}/api/v1/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.token}` },
      body: form,
    });
    assert.equal(uploaded.status, 201);
    const media = (await uploaded.json()) as { id: string };
    const sent = await a.api.post(`/api/v1/conversations/${conv.id}/messages`, {
      type: 'image',
      mediaId: media.id,
      caption: 'Katalog terbaru',
    });
    assert.equal(sent.status, 202);
    const request = await eventually(
      async () => graph.sentMessages(wa.phoneNumberId).find((r: any) => r.body.type === 'image'),
      5000,
      'image sent',
    );
    const uploads = graph.requests.filter((r) => r.path.endsWith(`/${wa.phoneNumberId}/media`));
    assert.equal(uploads.length, 1);
    assert.equal(request.body.image.caption, 'Katalog terbaru');
    assert.ok(request.body.image.id, 'sent by media id');
    assertProblem(await a.api.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'image' }), 400, ['mediaId']);
  });

  it('routes a template status event to the account by its WABA id', async () => {
    const body = waPayload('wa-template-status-update.json', wa.phoneNumberId);
    body.entry[0].id = `waba-${wa.phoneNumberId}`;
    const res = await postWebhook(server.url, body, wa.appSecret);
    assert.equal(res.status, 200);
    const event = await eventually(
      async () => server.appliance.db.getRepository(DomainEventEntity).findOne({ where: { type: 'template.status_changed' } }),
      5000,
      'template event',
    );
    assert.equal(event.tenantId, a.tenant.id);
    assert.equal(event.payload.event, 'APPROVED');
  });

  it('reports the account health from Graph, and says clearly when Graph refuses', async () => {
    graph.stub('GET', `/${wa.phoneNumberId}`, {
      status: 200,
      body: {
        display_phone_number: '+62 811 000 5',
        verified_name: 'Toko Foto',
        quality_rating: 'GREEN',
        messaging_limit_tier: 'TIER_1K',
        throughput: { level: 'STANDARD' },
        id: wa.phoneNumberId,
      },
    });
    graph.stub('GET', `/waba-${wa.phoneNumberId}`, {
      status: 200,
      body: { health_status: { can_send_message: 'AVAILABLE' }, id: `waba-${wa.phoneNumberId}` },
    });
    const res = await a.api.get('/api/v1/integrations/whatsapp/health');
    assert.equal(res.status, 200);
    assert.equal(res.body.phoneNumber.qualityRating, 'GREEN');
    assert.equal(res.body.phoneNumber.throughput, 'STANDARD');
    assert.equal(res.body.canSendMessage, 'AVAILABLE');
    const fields = graph.requests.find((r) => r.path.endsWith(`/${wa.phoneNumberId}`) && r.method === 'GET');
    assert.match(fields!.query.fields, /quality_rating/);
    graph.stub('GET', `/${wa.phoneNumberId}`, {
      status: 401,
      body: { error: { message: 'Error validating access token', type: 'OAuthException', code: 190 } },
    });
    const expired = await a.api.get('/api/v1/integrations/whatsapp/health');
    assertProblem(expired, 502);
    assert.match(expired.body.detail, /reconnect/i);
  });

  it('completes Embedded Signup: code exchanged, app subscribed, number registered and connected', async () => {
    const config = await a.api.get('/api/v1/integrations/whatsapp/embedded-signup/config');
    assert.deepEqual(config.body, { available: true, appId: 'app-123', configId: 'cfg-9', graphVersion: 'v21.0', missing: [] });
    graph.stub('GET', '/oauth/access_token', (req) =>
      req.query.code === 'good-code'
        ? { status: 200, body: { access_token: 'EAAG-business-token', token_type: 'bearer' } }
        : { status: 400, body: { error: { message: 'Invalid verification code format.', type: 'OAuthException', code: 100 } } },
    );
    graph.stub('POST', '/waba-777/subscribed_apps', { status: 200, body: { success: true } });
    graph.stub('POST', '/777000/register', { status: 200, body: { success: true } });
    const res = await a.api.post('/api/v1/integrations/whatsapp/embedded-signup', {
      code: 'good-code',
      wabaId: 'waba-777',
      phoneNumberId: '777000',
      pin: '123456',
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.externalId, '777000');
    const exchange = graph.requests.find((r) => r.path.endsWith('/oauth/access_token'))!;
    assert.deepEqual(
      [exchange.query.client_id, exchange.query.client_secret, exchange.query.code],
      ['app-123', 'app-secret-xyz', 'good-code'],
    );
    const register = graph.requests.find((r) => r.path.endsWith('/777000/register'))!;
    assert.deepEqual(register.body, { messaging_product: 'whatsapp', pin: '123456' });
    assert.equal(register.headers.authorization, 'Bearer EAAG-business-token');
    assertProblem(await a.api.post('/api/v1/integrations/whatsapp/embedded-signup', { code: 'bad', wabaId: 'w', phoneNumberId: '1' }), 502);
    assertProblem(
      await a.api.post('/api/v1/integrations/whatsapp/embedded-signup', { code: 'x', wabaId: 'w', phoneNumberId: '1', pin: '12' }),
      400,
      ['pin'],
    );
  });

  it("accepts Meta's handshake with the verify token the tunnel settings show", async () => {
    const tunnel = await (await superAdmin(a.api)).get('/api/v1/appliance/tunnel');
    assert.equal(tunnel.status, 200);
    const token = tunnel.body.verifyToken;
    assert.ok(token);
    const res = await fetch(
      `${server.url}/api/v1/webhooks/meta?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=987`,
    );
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '987');
  });

  it('relays agents typing to the rest of the tenant who may see the conversation', async () => {
    const other = await registerTenant(new Api(server.url), 'Lain');
    await postWebhook(
      server.url,
      waPayload('wa-text.json', wa.phoneNumberId, { from: '6281300000077', message: { id: wamid('TY') } }),
      wa.appSecret,
    );
    const conversationId = await eventually(
      async () =>
        (await a.api.get('/api/v1/conversations?limit=50')).body.data.find((c: any) => c.contact.phone?.endsWith('6281300000077'))?.id,
      5000,
      'conversation',
    );
    const connect = (token: string) =>
      new Promise<Socket>((resolve, reject) => {
        const s = connectSocket(server.url, { auth: { token }, transports: ['websocket'], reconnection: false });
        s.once('connect', () => resolve(s));
        s.once('connect_error', reject);
      });
    const me = await connect(a.token);
    const login = await a.api.post('/api/v1/agents', {
      name: 'Rekan',
      email: `rekan.${Date.now()}@example.test`,
      password: 'password123',
      roleId: (await a.api.get('/api/v1/roles')).body.data.find((r: any) => r.name === 'agent').id,
    });
    const mate = await connect(
      (await new Api(server.url).post('/api/v1/auth/login', { email: login.body.email, password: 'password123' })).body.token,
    );
    const outsider = await connect(other.token);
    const heard: any[] = [];
    const outsiderHeard: any[] = [];
    mate.on('typing', (e) => heard.push(e));
    outsider.on('typing', (e) => outsiderHeard.push(e));
    // About a conversation that does not exist (or that the others may not see): nobody hears it.
    me.emit('typing', { conversationId: 'c-1', typing: true });
    me.emit('typing', { conversationId, typing: true });
    await eventually(async () => heard.length > 0, 2000, 'typing relayed');
    assert.deepEqual(heard, [{ conversationId, typing: true, user: { id: a.user.id, name: a.user.name } }]);
    assert.equal(outsiderHeard.length, 0);
    await assert.rejects(connect('bogus-token'));
    for (const s of [me, mate, outsider]) s.close();
  });
});
