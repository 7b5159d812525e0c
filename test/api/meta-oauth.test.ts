// Messenger (Facebook Login, page subscription, persistent menu) and Instagram Login, against fake Graph stubs.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.js';
import { startFakeGraph, type FakeGraph, type RecordedRequest } from '../support/fake-graph.js';
import { Api, assertProblem, registerTenant, type ApiResponse, type Tenant } from '../support/http.js';

const SECRETS = [
  'short-user-token',
  'LONG-USER-TOKEN',
  'PAGE-TOKEN-AAA',
  'PAGE-TOKEN-BBB',
  'ig-short-token',
  'IG-LONG-TOKEN',
  'app-secret-xyz',
  'ig-secret-123',
];
const FIELDS = 'messages,messaging_postbacks,message_deliveries,message_reads,message_echoes,message_reactions';

function assertNoTokens(res: ApiResponse) {
  const text = JSON.stringify(res.body);
  for (const s of SECRETS) assert.ok(!text.includes(s), `response leaks ${s}: ${text}`);
}

const graphError = (message: string, code = 100) => ({ status: 400, body: { error: { message, type: 'OAuthException', code } } });

describe('Meta OAuth: Messenger pages and Instagram Login', () => {
  let graph: FakeGraph;
  let server: TestServer;
  let bare: TestServer;
  let a: Tenant;
  let b: Tenant;
  const find = (method: string, suffix: string): RecordedRequest[] =>
    graph.requests.filter((r) => r.method === method && r.path.endsWith(suffix));

  before(async () => {
    graph = await startFakeGraph();
    server = await startServer({
      META_GRAPH_URL: graph.url,
      META_APP_ID: 'app-123',
      META_APP_SECRET: 'app-secret-xyz',
      META_OAUTH_REDIRECT_URI: 'https://crm.example.test/oauth/callback',
      INSTAGRAM_APP_ID: 'ig-app-9',
      INSTAGRAM_APP_SECRET: 'ig-secret-123',
      INSTAGRAM_API_URL: graph.url,
      INSTAGRAM_GRAPH_URL: graph.url,
    });
    bare = await startServer({ META_GRAPH_URL: graph.url });
    a = await registerTenant(new Api(server.url), 'Toko Meta');
    b = await registerTenant(new Api(server.url), 'Toko Lain');
  });
  after(async () => {
    await server.stop();
    await bare.stop();
    await graph.stop();
  });

  function stubFacebookLogin() {
    // The Page tokens read their own Pages (connecting proves ownership with GET /me).
    graph.assets.page('PAGE-TOKEN-AAA', '9001', 'Toko Meta Page');
    graph.assets.page('PAGE-TOKEN-BBB', '9002', 'Toko Meta Outlet');
    graph.stub('GET', '/oauth/access_token', (req) => {
      if (req.query.grant_type === 'fb_exchange_token') {
        return req.query.fb_exchange_token === 'short-user-token'
          ? { status: 200, body: { access_token: 'LONG-USER-TOKEN', token_type: 'bearer', expires_in: 5183944 } }
          : graphError('Invalid token');
      }
      return req.query.code === 'fb-good-code'
        ? { status: 200, body: { access_token: 'short-user-token', token_type: 'bearer', expires_in: 3600 } }
        : graphError('Invalid verification code format.');
    });
    graph.stub('GET', '/me/accounts', (req) =>
      req.headers.authorization === 'Bearer LONG-USER-TOKEN'
        ? {
            status: 200,
            body: {
              data: [
                { id: '9001', name: 'Toko Meta Page', access_token: 'PAGE-TOKEN-AAA', category: 'Shopping', tasks: ['MESSAGING'] },
                { id: '9002', name: 'Toko Meta Outlet', access_token: 'PAGE-TOKEN-BBB', category: 'Shopping', tasks: ['MESSAGING'] },
              ],
            },
          }
        : graphError('Error validating access token', 190),
    );
  }

  it('reports the OAuth app config, and what is missing on a server without it', async () => {
    const messenger = await a.api.get('/api/v1/integrations/messenger/oauth/config');
    assert.equal(messenger.status, 200);
    assert.equal(messenger.body.available, true);
    assert.equal(messenger.body.appId, 'app-123');
    assert.equal(messenger.body.redirectUri, 'https://crm.example.test/oauth/callback');
    assert.equal(messenger.body.graphVersion, 'v21.0');
    assert.ok(messenger.body.scopes.includes('pages_messaging'));
    assert.deepEqual(messenger.body.missing, []);
    const instagram = await a.api.get('/api/v1/integrations/instagram/oauth/config');
    assert.equal(instagram.body.available, true);
    assert.equal(instagram.body.appId, 'ig-app-9');
    assert.ok(instagram.body.scopes.includes('instagram_business_manage_messages'));
    for (const res of [messenger, instagram]) assertNoTokens(res);

    const c = await registerTenant(new Api(bare.url), 'Tanpa Config');
    const m = await c.api.get('/api/v1/integrations/messenger/oauth/config');
    assert.deepEqual(
      { available: m.body.available, appId: m.body.appId, redirectUri: m.body.redirectUri, missing: m.body.missing },
      { available: false, appId: null, redirectUri: null, missing: ['META_APP_ID', 'META_APP_SECRET'] },
    );
    const i = await c.api.get('/api/v1/integrations/instagram/oauth/config');
    assert.deepEqual(i.body.missing, ['INSTAGRAM_APP_ID', 'INSTAGRAM_APP_SECRET']);
    const before = graph.requests.length;
    const m503 = await c.api.post('/api/v1/integrations/messenger/oauth', { code: 'x' });
    assertProblem(m503, 503);
    assert.match(m503.body.detail, /META_APP_ID/);
    assertProblem(await c.api.post('/api/v1/integrations/messenger/pages/subscribe', { pageIds: ['1'] }), 503);
    const i503 = await c.api.post('/api/v1/integrations/instagram/oauth', { code: 'x', redirectUri: 'https://x.test/cb' });
    assertProblem(i503, 503);
    assert.match(i503.body.detail, /INSTAGRAM_APP_SECRET/);
    assert.equal(graph.requests.length, before, 'nothing sent to Meta without config');
  });

  it('Facebook Login: code → long-lived user token → pages, tokens kept server-side', async () => {
    stubFacebookLogin();
    const res = await a.api.post('/api/v1/integrations/messenger/oauth', { code: 'fb-good-code' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, {
      pages: [
        { id: '9001', name: 'Toko Meta Page', connected: false },
        { id: '9002', name: 'Toko Meta Outlet', connected: false },
      ],
    });
    assertNoTokens(res);
    const [exchange, extend] = find('GET', '/oauth/access_token');
    assert.match(exchange.path, /^\/v21\.0\//);
    assert.deepEqual(exchange.query, {
      client_id: 'app-123',
      client_secret: 'app-secret-xyz',
      redirect_uri: 'https://crm.example.test/oauth/callback',
      code: 'fb-good-code',
    });
    assert.deepEqual(extend.query, {
      grant_type: 'fb_exchange_token',
      client_id: 'app-123',
      client_secret: 'app-secret-xyz',
      fb_exchange_token: 'short-user-token',
    });
    const accounts = find('GET', '/me/accounts')[0];
    assert.equal(accounts.headers.authorization, 'Bearer LONG-USER-TOKEN');
    assert.match(accounts.query.fields, /access_token/);
    // A redirectUri in the request wins over the configured one.
    await a.api.post('/api/v1/integrations/messenger/oauth', { code: 'fb-good-code', redirectUri: 'https://other.example.test/cb' });
    assert.equal(find('GET', '/oauth/access_token').at(-2)!.query.redirect_uri, 'https://other.example.test/cb');
    // The stored page tokens do not show in the integration's settings.
    const integration = await a.api.get('/api/v1/integrations/messenger');
    assert.deepEqual(integration.body.settings, {});
    assertNoTokens(integration);
    const stored = JSON.stringify(await server.appliance.db.query('SELECT settings FROM integrations'));
    assert.ok(!stored.includes('PAGE-TOKEN-AAA'), 'page tokens encrypted at rest');
  });

  it('a refused code is a 502 with a readable detail', async () => {
    stubFacebookLogin();
    const res = await a.api.post('/api/v1/integrations/messenger/oauth', { code: 'expired-code' });
    assertProblem(res, 502);
    assert.match(res.body.detail, /Invalid verification code format/);
    assertProblem(await a.api.post('/api/v1/integrations/messenger/oauth', {}), 400, ['code']);
  });

  it('subscribes chosen pages to webhooks and connects them; unknown pages are 422', async () => {
    stubFacebookLogin();
    assert.equal((await a.api.post('/api/v1/integrations/messenger/oauth', { code: 'fb-good-code' })).status, 200);
    graph.stub('POST', '/9001/subscribed_apps', { status: 200, body: { success: true } });
    assertProblem(await a.api.post('/api/v1/integrations/messenger/pages/subscribe', { pageIds: ['9001', '7777'] }), 422, ['pageIds']);
    assert.equal(find('POST', '/subscribed_apps').length, 0, 'nothing subscribed when a page is unknown');
    assertProblem(await b.api.post('/api/v1/integrations/messenger/pages/subscribe', { pageIds: ['9001'] }), 422, ['pageIds']);
    assertProblem(await a.api.post('/api/v1/integrations/messenger/pages/subscribe', { pageIds: [] }), 400, ['pageIds']);

    const res = await a.api.post('/api/v1/integrations/messenger/pages/subscribe', { pageIds: ['9001'] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assertNoTokens(res);
    assert.equal(res.body.data.length, 1);
    assert.equal(res.body.data[0].externalId, '9001');
    assert.equal(res.body.data[0].channel, 'messenger');
    assert.equal(res.body.data[0].name, 'Toko Meta Page');
    assert.equal(res.body.data[0].status, 'active');
    const sub = find('POST', '/9001/subscribed_apps')[0];
    assert.equal(sub.headers.authorization, 'Bearer PAGE-TOKEN-AAA');
    assert.equal(sub.query.subscribed_fields, FIELDS);
    // The account holds the page token and the app secret (for webhook signatures).
    const creds = await server.appliance.db.query("SELECT secrets FROM integration_accounts WHERE externalId = '9001'");
    assert.ok(!String(creds[0].secrets).includes('PAGE-TOKEN-AAA'), 'encrypted at rest');
    const secrets = server.appliance.services.vault.decrypt<Record<string, string>>(creds[0].secrets);
    assert.deepEqual([secrets.pageAccessToken, secrets.appSecret], ['PAGE-TOKEN-AAA', 'app-secret-xyz']);
    // A second login lists the page as connected.
    const again = await a.api.post('/api/v1/integrations/messenger/oauth', { code: 'fb-good-code' });
    assert.deepEqual(
      again.body.pages.map((p: any) => p.connected),
      [true, false],
    );
    // Subscribing it again refreshes rather than failing.
    const twice = await a.api.post('/api/v1/integrations/messenger/pages/subscribe', { pageIds: ['9001'] });
    assert.equal(twice.status, 200, JSON.stringify(twice.body));
    assert.equal(twice.body.data[0].id, res.body.data[0].id);
    // Graph refusing the subscription is a 502.
    graph.stub('POST', '/9002/subscribed_apps', graphError('(#200) Requires pages_manage_metadata permission', 200));
    const refused = await a.api.post('/api/v1/integrations/messenger/pages/subscribe', { pageIds: ['9002'] });
    assertProblem(refused, 502);
    assert.match(refused.body.detail, /permission/);
  });

  it("gets, sets and deletes the persistent menu with the page token in Meta's shape", async () => {
    graph.stub('GET', '/me/messenger_profile', {
      status: 200,
      body: {
        data: [
          {
            persistent_menu: [
              {
                locale: 'default',
                composer_input_disabled: false,
                call_to_actions: [
                  { type: 'postback', title: 'Talk to an agent', payload: 'AGENT' },
                  { type: 'web_url', title: 'Shop', url: 'https://shop.example.test/', webview_height_ratio: 'full' },
                ],
              },
            ],
          },
        ],
      },
    });
    graph.stub('POST', '/me/messenger_profile', { status: 200, body: { result: 'success' } });
    graph.stub('DELETE', '/me/messenger_profile', { status: 200, body: { result: 'success' } });
    const got = await a.api.get('/api/v1/integrations/messenger/persistent-menu');
    assert.equal(got.status, 200, JSON.stringify(got.body));
    assert.deepEqual(got.body.menu, [
      {
        locale: 'default',
        composerInputDisabled: false,
        callToActions: [
          { type: 'postback', title: 'Talk to an agent', payload: 'AGENT' },
          { type: 'web_url', title: 'Shop', url: 'https://shop.example.test/' },
        ],
      },
    ]);
    const get = find('GET', '/me/messenger_profile')[0];
    assert.equal(get.query.fields, 'persistent_menu');
    assert.equal(get.headers.authorization, 'Bearer PAGE-TOKEN-AAA');
    assertNoTokens(got);

    const menu = [
      {
        locale: 'default',
        composerInputDisabled: true,
        callToActions: [
          { type: 'postback', title: 'Order status', payload: 'ORDER_STATUS' },
          { type: 'web_url', title: 'Catalogue', url: 'https://shop.example.test/catalogue' },
        ],
      },
    ];
    const set = await a.api.post(`/api/v1/integrations/messenger/persistent-menu?accountId=${got.body.accountId}`, {
      persistentMenu: menu,
    });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal(set.body.deleted, false);
    const post = find('POST', '/me/messenger_profile')[0];
    assert.equal(post.headers.authorization, 'Bearer PAGE-TOKEN-AAA');
    assert.deepEqual(post.body, {
      persistent_menu: [
        {
          locale: 'default',
          composer_input_disabled: true,
          call_to_actions: [
            { type: 'postback', title: 'Order status', payload: 'ORDER_STATUS' },
            { type: 'web_url', title: 'Catalogue', url: 'https://shop.example.test/catalogue' },
          ],
        },
      ],
    });

    const del = await a.api.post('/api/v1/integrations/messenger/persistent-menu', { delete: true });
    assert.equal(del.status, 200);
    assert.equal(del.body.deleted, true);
    const deleted = find('DELETE', '/me/messenger_profile')[0];
    assert.deepEqual(deleted.body, { fields: ['persistent_menu'] });
    assert.equal(deleted.headers.authorization, 'Bearer PAGE-TOKEN-AAA');

    // Validation names the fields.
    const long = { locale: 'default', callToActions: [{ type: 'postback', title: 'x'.repeat(31), payload: 'P' }] };
    assertProblem(await a.api.post('/api/v1/integrations/messenger/persistent-menu', { persistentMenu: [long] }), 400, [
      'persistentMenu.0.callToActions.0.title',
    ]);
    const many = {
      locale: 'default',
      callToActions: Array.from({ length: 21 }, (_, i) => ({ type: 'postback', title: `Item ${i}`, payload: `P${i}` })),
    };
    assertProblem(await a.api.post('/api/v1/integrations/messenger/persistent-menu', { persistentMenu: [many] }), 400, [
      'persistentMenu.0.callToActions',
    ]);
    assertProblem(
      await a.api.post('/api/v1/integrations/messenger/persistent-menu', {
        persistentMenu: [{ locale: 'default', callToActions: [{ type: 'web_url', title: 'Bad', url: 'not a url' }] }],
      }),
      400,
      ['persistentMenu.0.callToActions.0.url'],
    );
    assertProblem(await a.api.post('/api/v1/integrations/messenger/persistent-menu', {}), 400, ['persistentMenu']);
    // Another tenant has no Messenger account; a foreign account id is not found.
    assertProblem(await b.api.get('/api/v1/integrations/messenger/persistent-menu'), 404);
    assertProblem(await b.api.get(`/api/v1/integrations/messenger/persistent-menu?accountId=${got.body.accountId}`), 404);
  });

  it('disconnects a page: unsubscribed on Meta, or reported when Meta refuses; foreign pages are 404', async () => {
    assertProblem(await b.api.post('/api/v1/integrations/messenger/pages/9001/disconnect'), 404);
    graph.stub('DELETE', '/9001/subscribed_apps', { status: 200, body: { success: true } });
    const res = await a.api.post('/api/v1/integrations/messenger/pages/9001/disconnect');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.disconnected, true);
    assert.equal(res.body.unsubscribed, true);
    assert.equal(res.body.warning, null);
    assert.equal(find('DELETE', '/9001/subscribed_apps')[0].headers.authorization, 'Bearer PAGE-TOKEN-AAA');
    assert.equal((await a.api.get('/api/v1/integrations/messenger')).body.accountCount, 0);
    assertProblem(await a.api.post('/api/v1/integrations/messenger/pages/9001/disconnect'), 404);

    // Reconnect, then Meta refuses the unsubscription: still disconnected here, and said so.
    assert.equal((await a.api.post('/api/v1/integrations/messenger/pages/subscribe', { pageIds: ['9001'] })).status, 200);
    graph.stub('DELETE', '/9001/subscribed_apps', {
      status: 401,
      body: { error: { message: 'Error validating access token', type: 'OAuthException', code: 190 } },
    });
    const refused = await a.api.post('/api/v1/integrations/messenger/pages/9001/disconnect');
    assert.equal(refused.status, 200);
    assert.equal(refused.body.disconnected, true);
    assert.equal(refused.body.unsubscribed, false);
    assert.match(refused.body.warning, /disconnected here anyway/);
    assertNoTokens(refused);
    assert.equal((await a.api.get('/api/v1/integrations/messenger')).body.accountCount, 0);
  });

  it('Instagram Login: code → short-lived → long-lived token, account connected', async () => {
    // The long-lived token reads the account it was issued for (connecting proves ownership).
    graph.assets.instagram('IG-LONG-TOKEN', '17841400000000001');
    graph.stub('POST', '/oauth/access_token', (req) => {
      const form = new URLSearchParams(req.rawBody.toString('utf8'));
      return form.get('code') === 'ig-good-code'
        ? // Raw text: the id is a JSON number beyond 2^53, as Instagram sends it.
          { status: 200, body: '{"access_token":"ig-short-token","user_id":17841400000000001,"permissions":"instagram_business_basic"}' }
        : { status: 400, body: { error_type: 'OAuthException', code: 400, error_message: 'Invalid authorization code' } };
    });
    graph.stub('GET', '/access_token', (req) =>
      req.query.access_token === 'ig-short-token'
        ? { status: 200, body: { access_token: 'IG-LONG-TOKEN', token_type: 'bearer', expires_in: 5183944 } }
        : graphError('Invalid OAuth access token', 190),
    );
    const res = await a.api.post('/api/v1/integrations/instagram/oauth', { code: 'ig-good-code', name: 'Toko IG' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assertNoTokens(res);
    assert.equal(res.body.channel, 'instagram');
    assert.equal(res.body.externalId, '17841400000000001', 'the id keeps all its digits');
    assert.equal(res.body.name, 'Toko IG');
    const exchange = find('POST', '/oauth/access_token').at(-1)!;
    assert.equal(exchange.path, '/oauth/access_token');
    assert.match(String(exchange.headers['content-type']), /application\/x-www-form-urlencoded/);
    assert.deepEqual(Object.fromEntries(new URLSearchParams(exchange.rawBody.toString('utf8'))), {
      client_id: 'ig-app-9',
      client_secret: 'ig-secret-123',
      grant_type: 'authorization_code',
      redirect_uri: 'https://crm.example.test/oauth/callback',
      code: 'ig-good-code',
    });
    const extend = find('GET', '/access_token')
      .filter((r) => !r.path.includes('oauth'))
      .at(-1)!;
    assert.deepEqual(extend.query, { grant_type: 'ig_exchange_token', client_secret: 'ig-secret-123', access_token: 'ig-short-token' });
    // Connecting again refreshes the same account.
    const again = await a.api.post('/api/v1/integrations/instagram/oauth', {
      code: 'ig-good-code',
      redirectUri: 'https://other.example.test/cb',
    });
    assert.equal(again.status, 201, JSON.stringify(again.body));
    assert.equal(again.body.id, res.body.id);
    assert.equal(
      new URLSearchParams(find('POST', '/oauth/access_token').at(-1)!.rawBody.toString('utf8')).get('redirect_uri'),
      'https://other.example.test/cb',
    );

    const bad = await a.api.post('/api/v1/integrations/instagram/oauth', { code: 'bad-code' });
    assertProblem(bad, 502);
    assert.match(bad.body.detail, /Invalid authorization code/);
    assertProblem(await a.api.post('/api/v1/integrations/instagram/oauth', { code: 'x', redirectUri: 'not-a-url' }), 400, ['redirectUri']);
  });

  it('needs a signed-in user with integrations.manage', async () => {
    const anon = new Api(server.url);
    for (const [method, path] of [
      ['GET', '/api/v1/integrations/instagram/oauth/config'],
      ['POST', '/api/v1/integrations/instagram/oauth'],
      ['GET', '/api/v1/integrations/messenger/oauth/config'],
      ['POST', '/api/v1/integrations/messenger/oauth'],
      ['POST', '/api/v1/integrations/messenger/pages/subscribe'],
      ['POST', '/api/v1/integrations/messenger/pages/9001/disconnect'],
      ['GET', '/api/v1/integrations/messenger/persistent-menu'],
      ['POST', '/api/v1/integrations/messenger/persistent-menu'],
    ]) {
      assertProblem(await anon.request(method, path, method === 'POST' ? {} : undefined), 401);
    }
  });
});
