// Issue 12, finding 5: a WhatsApp phone number id, a Page id or an Instagram account could be
// connected by a tenant that does not own it, which then received another business's customers.
// Now connecting (by hand, Embedded Signup or OAuth) proves ownership: the access token given must
// read that number (in that business account) / Page / account from the Graph API. A second tenant
// connecting an asset that is already connected gets a 409 that names no other tenant.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Api, assertProblem, registerTenant, type Tenant } from '../support/http.js';
import { startServer, type TestServer } from '../support/server.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { postWebhook, waPayload, wamid } from '../support/whatsapp.js';
import { IntegrationAccountEntity } from '../../server/modules/integrations/integration.entity.js';
import { WebhookEventEntity } from '../../server/modules/webhooks/webhook-event.entity.js';

const wa = (phoneNumberId: string, wabaId: string, accessToken: string, appSecret = 'squat-app-secret') => ({
  channel: 'whatsapp',
  name: 'WhatsApp',
  config: { phoneNumberId, wabaId, accessToken, appSecret },
});

describe('channel squatting', () => {
  let server: TestServer;
  let graph: FakeGraph;
  let victim: Tenant;
  let squatter: Tenant;

  before(async () => {
    graph = await startFakeGraph();
    server = await startServer({
      META_GRAPH_URL: graph.url,
      META_APP_ID: 'app-123',
      META_APP_SECRET: 'app-secret-xyz',
      META_EMBEDDED_SIGNUP_CONFIG_ID: 'cfg-9',
      INSTAGRAM_APP_ID: 'ig-app-9',
      INSTAGRAM_APP_SECRET: 'ig-secret-123',
      INSTAGRAM_API_URL: graph.url,
      INSTAGRAM_GRAPH_URL: graph.url,
    });
    const api = new Api(server.url);
    victim = await registerTenant(api, 'Toko Asli');
    squatter = await registerTenant(api, 'Toko Penyerobot');
    // What Meta knows: the victim's token manages its business account and number, Page and
    // Instagram account; the squatter's token only its own.
    graph.assets.whatsapp('victim-wa-token', 'victim-waba', ['6200000000001']);
    graph.assets.whatsapp('squatter-wa-token', 'squatter-waba', ['6200000000009']);
    graph.assets.page('victim-page-token', '4000000000001', 'Toko Asli');
    graph.assets.page('squatter-page-token', '4000000000009', 'Toko Penyerobot');
    graph.assets.instagram('victim-ig-token', '17840000000000001', 'tokoasli');
    graph.assets.instagram('squatter-ig-token', '17840000000000009', 'penyerobot');
  });
  after(async () => {
    await server.stop();
    await graph.stop();
  });

  const accountsFor = (externalId: string) => server.appliance.db.getRepository(IntegrationAccountEntity).countBy({ externalId });
  const noTenantNamed = (body: unknown) => {
    const text = JSON.stringify(body);
    for (const s of [victim.tenant.id, victim.tenant.name, victim.tenant.slug, victim.email]) assert.ok(!text.includes(s), `names ${s}`);
  };

  it("WhatsApp: the squatter cannot connect the victim's number with a token that does not own it", async () => {
    // The attack as found: connect the number first, with any token, and receive its customers.
    const squat = await squatter.api.post('/api/v1/integration-accounts', wa('6200000000001', 'victim-waba', 'squatter-wa-token'));
    assertProblem(squat, 422, ['config.accessToken']);
    // Its own business account does not hold the victim's number either.
    assertProblem(await squatter.api.post('/api/v1/integration-accounts', wa('6200000000001', 'squatter-waba', 'squatter-wa-token')), 422, [
      'config.phoneNumberId',
    ]);
    assert.equal(await accountsFor('6200000000001'), 0, 'nothing connected');
    // So the victim's customers' messages go nowhere near the squatter.
    const message = wamid('squat');
    const body = waPayload('wa-text.json', '6200000000001', { message: { id: message } });
    // (Unknown number, not signed with the appliance's app secret: refused, and never stored.)
    assert.equal((await postWebhook(server.url, body, 'squat-app-secret')).status, 401);
    const stored = await server.appliance.db
      .getRepository(WebhookEventEntity)
      .createQueryBuilder('e')
      .where('e.payload LIKE :p', { p: `%${message}%` })
      .getCount();
    assert.equal(stored, 0);
    // The owner connects it.
    const mine = await victim.api.post('/api/v1/integration-accounts', wa('6200000000001', 'victim-waba', 'victim-wa-token'));
    assert.equal(mine.status, 201, JSON.stringify(mine.body));
    const check = graph.requests.filter((r) => r.path.endsWith('/victim-waba/phone_numbers'));
    assert.equal(check.at(-1)?.headers.authorization, 'Bearer victim-wa-token');
  });

  it('a second tenant gets a 409 naming no tenant, and only once it proved it owns the number', async () => {
    // Holding a genuine token (e.g. a shared system-user token), the second tenant learns only that it is taken.
    const second = await squatter.api.post('/api/v1/integration-accounts', wa('6200000000001', 'victim-waba', 'victim-wa-token'));
    assertProblem(second, 409, ['config.phoneNumberId']);
    assert.match(second.body.detail, /another organization/);
    noTenantNamed(second.body);
    // Without a token that owns it, not even that: the same 422 as for any number.
    assertProblem(await squatter.api.post('/api/v1/integration-accounts', wa('6200000000001', 'victim-waba', 'squatter-wa-token')), 422);
    assert.equal(await accountsFor('6200000000001'), 1);
  });

  it("a connected account cannot be pointed at someone else's business account or given a token that does not own it", async () => {
    const own = await squatter.api.post('/api/v1/integration-accounts', wa('6200000000009', 'squatter-waba', 'squatter-wa-token'));
    assert.equal(own.status, 201, JSON.stringify(own.body));
    // Template events are routed by business account id: claiming the victim's would route them here.
    assertProblem(await squatter.api.patch(`/api/v1/integration-accounts/${own.body.id}`, { config: { wabaId: 'victim-waba' } }), 422);
    assertProblem(
      await squatter.api.patch(`/api/v1/integration-accounts/${own.body.id}`, { config: { accessToken: 'victim-wa-token' } }),
      422,
      ['config.accessToken'],
    );
    // Changing what needs no proof (a name, the app secret) asks Meta nothing.
    const before = graph.requests.length;
    const renamed = await squatter.api.patch(`/api/v1/integration-accounts/${own.body.id}`, {
      name: 'Renamed',
      config: { appSecret: 'new-secret' },
    });
    assert.equal(renamed.status, 200);
    assert.equal(graph.requests.length, before);
  });

  it('Messenger: a Page is connected only with its own Page token', async () => {
    const page = (pageId: string, pageAccessToken: string) => ({ channel: 'messenger', name: 'Page', config: { pageId, pageAccessToken } });
    assertProblem(await squatter.api.post('/api/v1/integration-accounts', page('4000000000001', 'squatter-page-token')), 422, [
      'config.pageAccessToken',
    ]);
    assertProblem(await squatter.api.post('/api/v1/integration-accounts', page('4000000000001', 'made-up-token')), 422);
    assert.equal(await accountsFor('4000000000001'), 0);
    assert.equal((await victim.api.post('/api/v1/integration-accounts', page('4000000000001', 'victim-page-token'))).status, 201);
    const second = await squatter.api.post('/api/v1/integration-accounts', page('4000000000001', 'victim-page-token'));
    assertProblem(second, 409);
    noTenantNamed(second.body);
  });

  it('Instagram: an account is connected only with a token that may read it', async () => {
    const ig = (instagramAccountId: string, accessToken: string) => ({
      channel: 'instagram',
      name: 'IG',
      config: { instagramAccountId, accessToken },
    });
    assertProblem(await squatter.api.post('/api/v1/integration-accounts', ig('17840000000000001', 'squatter-ig-token')), 422, [
      'config.accessToken',
    ]);
    assert.equal(await accountsFor('17840000000000001'), 0);
    assert.equal((await victim.api.post('/api/v1/integration-accounts', ig('17840000000000001', 'victim-ig-token'))).status, 201);
    const second = await squatter.api.post('/api/v1/integration-accounts', ig('17840000000000001', 'victim-ig-token'));
    assertProblem(second, 409);
    noTenantNamed(second.body);
  });

  it("Embedded Signup: a token for the squatter's own business cannot claim the victim's number, and nothing is registered", async () => {
    graph.stub('GET', '/oauth/access_token', { status: 200, body: { access_token: 'squatter-wa-token', token_type: 'bearer' } });
    graph.stub('POST', /\/subscribed_apps$/, { status: 200, body: { success: true } });
    graph.stub('POST', /\/register$/, { status: 200, body: { success: true } });
    const from = graph.requests.length;
    const res = await squatter.api.post('/api/v1/integrations/whatsapp/embedded-signup', {
      code: 'squatter-code',
      wabaId: 'victim-waba',
      phoneNumberId: '6200000000001',
      pin: '123456',
    });
    assertProblem(res, 422);
    const sent = graph.requests.slice(from).filter((r) => r.method === 'POST');
    assert.deepEqual(sent, [], 'no subscription and no registration were attempted');
  });

  it('Instagram Login: an account is connected only if the token it yields reads that account', async () => {
    // An authorization code whose exchange names the victim's account id, but whose token reads only the squatter's.
    graph.stub('POST', '/oauth/access_token', {
      status: 200,
      body: { access_token: 'squatter-short', user_id: '17840000000000001', permissions: 'instagram_business_basic' },
    });
    graph.stub('GET', '/access_token', {
      status: 200,
      body: { access_token: 'squatter-ig-token', token_type: 'bearer', expires_in: 5183944 },
    });
    const before = await accountsFor('17840000000000001');
    const res = await squatter.api.post('/api/v1/integrations/instagram/oauth', { code: 'x', redirectUri: 'https://crm.example.test/cb' });
    assertProblem(res, 422);
    assert.equal(await accountsFor('17840000000000001'), before);
  });

  it('Meta unreachable: 502, nothing connected', async () => {
    graph.assets.whatsapp('later-token', 'later-waba', ['6200000000077']);
    await graph.refuseConnections();
    try {
      assertProblem(await victim.api.post('/api/v1/integration-accounts', wa('6200000000077', 'later-waba', 'later-token')), 502);
    } finally {
      await graph.acceptConnections();
    }
    assert.equal(await accountsFor('6200000000077'), 0);
    assert.equal((await victim.api.post('/api/v1/integration-accounts', wa('6200000000077', 'later-waba', 'later-token'))).status, 201);
  });
});
