// Browser tests of Settings → Channels against the fake Graph API and a real local SMTP server:
// WhatsApp by hand (state, quality, webhook details, test message, off and on, token expired,
// delete) and by Embedded Signup (Facebook's SDK replaced by a stand-in); Messenger by the
// Facebook Login return page, and a page's persistent menu (set, shown again, refused, deleted);
// Instagram and email by hand at phone width in Bahasa Indonesia.
// Requires a prior `vite build renderer`. Skips (or fails with REQUIRE_BROWSER=1) when Chromium is missing.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from '../support/server.js';
import { graphAssets, startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { startFakeSmtp, type FakeSmtp } from '../support/smtp-server.js';
import { startFakeImap, type FakeImap } from '../support/imap-server.js';
import { emlFixture } from '../support/meta-channels.js';
import { Api, registerTenant, type Tenant } from '../support/http.js';
import { eventually } from '../support/whatsapp.js';
import { browserSkipReason, launchBrowser, withPage } from '../support/browser.js';

const skip = browserSkipReason();
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

describe('web UI: Settings → Channels', { skip }, () => {
  let server: TestServer;
  let graph: FakeGraph;
  let smtp: FakeSmtp;
  let imap: FakeImap;
  let browser: Browser;
  let owner: Tenant;

  before(async () => {
    assert.ok(
      existsSync(join(process.cwd(), 'renderer', 'dist', 'index.html')),
      'renderer/dist/index.html is missing; run `npx vite build renderer` first',
    );
    graph = await startFakeGraph();
    // What each token of these tests really manages: connecting proves ownership through the Graph API.
    graphAssets.whatsapp('EAAG-token-for-the-test-1234', '102290129340398', ['106540352242922']);
    graphAssets.whatsapp('EAAG-business-token', 'waba-777', ['777000']);
    graphAssets.page('PAGE-TOKEN-AAA', '9001', 'Toko Page');
    graphAssets.page('PAGE-TOKEN-BBB', '9002', 'Toko Outlet');
    graphAssets.instagram('IGAA-token-5678', '17841400000000777');
    smtp = await startFakeSmtp();
    imap = await startFakeImap({ user: 'toko@imap.example', password: 'imap-secret-pw' });
    server = await startServer({
      IMAP_POLL_INTERVAL_MS: '500',
      IMAP_REFRESH_MS: '200',
      META_GRAPH_URL: graph.url,
      META_APP_ID: 'app-123',
      META_APP_SECRET: 'app-secret-xyz',
      META_EMBEDDED_SIGNUP_CONFIG_ID: 'cfg-9',
      META_OAUTH_REDIRECT_URI: 'https://crm.example.test/channels/oauth',
      PUBLIC_URL: 'https://crm.example.test',
    });
    owner = await registerTenant(new Api(server.url), 'Toko Saluran');
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await graph?.stop();
    await smtp?.stop();
    await imap?.stop();
  });

  async function login(page: Page) {
    await page.goto(`${server.url}/login`);
    await page.getByTestId('login-email').fill(owner.email);
    await page.getByTestId('login-password').fill(owner.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${server.url}/inbox`);
  }

  async function openChannels(page: Page) {
    await page.goto(`${server.url}/settings/channels`);
    await page.getByTestId('settings-page-channels').waitFor();
    await page.getByTestId('channel-whatsapp').waitFor();
  }

  const accounts = async (channel: string) =>
    ((await owner.api.get(`/api/v1/integration-accounts?channel=${channel}&limit=100`)).body.data as any[]).filter(
      (a) => a.status === 'active',
    );

  function stubHealth(phoneNumberId: string, wabaId: string, rating = 'GREEN') {
    graph.stub('GET', `/${phoneNumberId}`, {
      status: 200,
      body: {
        display_phone_number: '+62 812-0000-1111',
        verified_name: 'Toko Saluran',
        quality_rating: rating,
        messaging_limit_tier: 'TIER_1K',
        id: phoneNumberId,
      },
    });
    graph.stub('GET', `/${wabaId}`, { status: 200, body: { health_status: { can_send_message: 'AVAILABLE' }, id: wabaId } });
  }

  test('WhatsApp by hand: state, quality, webhook details, test message, off and on, expired token, delete (desktop, en)', {
    timeout: 90_000,
  }, async () => {
    stubHealth('106540352242922', '102290129340398');
    await withPage(browser, 'channels-whatsapp-desktop', { locale: 'en-US', viewport: DESKTOP }, async (page) => {
      page.on('dialog', (dialog) => void dialog.accept());
      await login(page);
      await page.getByTestId('nav-settings').click();
      await page.getByTestId('settings-nav-channels').click();
      await page.waitForURL(`${server.url}/settings/channels`);
      const wa = page.getByTestId('channel-whatsapp');
      await wa.getByText('No account connected yet.').waitFor();
      // Embedded Signup is configured on this server, so its button shows beside the manual way.
      await page.getByTestId('connect-signup').waitFor();

      await page.getByTestId('connect-manual-whatsapp').click();
      const dialog = page.getByTestId('connect-dialog');
      await dialog.getByRole('heading', { name: 'Connect a WhatsApp number' }).waitFor();
      await page.getByTestId('connect-save').click();
      assert.ok((await dialog.getByText('This field is required.').count()) >= 3);
      await page.getByTestId('connect-name').fill('CS Toko');
      await page.getByTestId('connect-phoneNumberId').fill('106540352242922');
      await page.getByTestId('connect-wabaId').fill('102290129340398');
      await page.getByTestId('connect-accessToken').fill('EAAG-token-for-the-test-1234');
      await page.getByTestId('connect-save').click();
      await dialog.waitFor({ state: 'detached' });

      const row = wa.locator('[data-testid="account-row"][data-external="106540352242922"]');
      await row.locator('[data-testid="account-state"][data-state="connected"]').waitFor();
      await row.getByText('Connected').waitFor();
      await row.locator('[data-testid="account-quality"][data-rating="GREEN"]').waitFor();
      await row.getByText('Limit: TIER_1K').waitFor();
      assert.equal(await row.getByTestId('account-callback-url').textContent(), 'https://crm.example.test/api/v1/webhooks/meta');
      const [account] = await accounts('whatsapp');
      assert.equal(account.name, 'CS Toko');
      assert.match(account.config.accessToken, /1234$/);
      const status = (await owner.api.get(`/api/v1/integration-accounts/${account.id}/status`)).body;
      assert.ok(status.webhook.verifyToken.length >= 16);
      assert.equal(await row.getByTestId('account-verify-token').textContent(), status.webhook.verifyToken);
      assert.equal(status.webhook.reaching, 'not_yet');
      await row.locator('[data-testid="account-webhook"][data-reaching="not_yet"]').waitFor();

      // Send test message: Meta's hello_world template to the number given.
      await row.getByTestId('account-test').click();
      const testDialog = page.getByTestId('test-dialog');
      await page.getByTestId('test-to').fill('+62 812 3456 7890');
      await page.getByTestId('test-send').click();
      await testDialog.getByTestId('test-sent').waitFor();
      const sent = graph.sentMessages('106540352242922').at(-1)!;
      assert.equal(sent.body.to, '6281234567890');
      assert.equal(sent.body.template.name, 'hello_world');
      // Meta refusing shows its reason in the dialog.
      graph.failNext(1, {
        status: 400,
        body: { error: { message: '(#131030) Recipient phone number not in allowed list', code: 131030 } },
        path: /messages$/,
      });
      await page.getByTestId('test-send').click();
      await testDialog.getByText(/not in allowed list/).waitFor();
      await page.keyboard.press('Escape');
      await testDialog.waitFor({ state: 'detached' });

      // Turn the channel off: the API says so, the page explains it, the account shows "Channel off".
      await page.getByTestId('channel-enabled-whatsapp').click({ force: true });
      await page.getByTestId('channel-off-whatsapp').waitFor();
      await eventually(async () => (await owner.api.get('/api/v1/integrations/whatsapp')).body.enabled === false);
      await row.locator('[data-testid="account-state"][data-state="disabled"]').waitFor();
      // A test message on a channel that is off is refused, with the reason.
      await row.getByTestId('account-test').click();
      await page.getByTestId('test-to').fill('6281234567890');
      await page.getByTestId('test-send').click();
      await testDialog.getByText(/turned off/).waitFor();
      await page.keyboard.press('Escape');
      await page.getByTestId('channel-enabled-whatsapp').click({ force: true });
      await page.getByTestId('channel-off-whatsapp').waitFor({ state: 'detached' });
      assert.equal((await owner.api.get('/api/v1/integrations/whatsapp')).body.enabled, true);

      // Meta refuses the token as expired: the account says so after "Check again".
      graph.stub('GET', '/106540352242922', {
        status: 401,
        body: { error: { message: 'Error validating access token: Session has expired', type: 'OAuthException', code: 190 } },
      });
      await row.getByTestId('account-check').click();
      await row.locator('[data-testid="account-state"][data-state="token_expired"]').waitFor();
      await row.getByText('Token expired: reconnect').waitFor();

      // Delete after confirmation.
      await row.getByRole('button', { name: 'Delete' }).click();
      await row.waitFor({ state: 'detached' });
      assert.equal((await accounts('whatsapp')).length, 0);
    });
  });

  test('WhatsApp by Embedded Signup: the SDK session and code complete the connection (desktop, en)', { timeout: 60_000 }, async () => {
    graph.stub('GET', '/oauth/access_token', (req) =>
      req.query.code === 'signup-code'
        ? { status: 200, body: { access_token: 'EAAG-business-token', token_type: 'bearer' } }
        : { status: 400, body: { error: { message: 'Invalid verification code format.', type: 'OAuthException', code: 100 } } },
    );
    graph.stub('POST', '/waba-777/subscribed_apps', { status: 200, body: { success: true } });
    graph.stub('POST', '/777000/register', { status: 200, body: { success: true } });
    stubHealth('777000', 'waba-777', 'YELLOW');
    await withPage(browser, 'channels-signup-desktop', { locale: 'en-US', viewport: DESKTOP }, async (page) => {
      // Facebook's SDK stand-in: the login returns a code and the session message names the WABA and number.
      await page.addInitScript(() => {
        (globalThis as any).FB = {
          init() {},
          login(callback: (r: unknown) => void, options: { config_id?: string }) {
            (globalThis as any).__fbConfigId = options.config_id;
            (globalThis as any).postMessage(
              JSON.stringify({ type: 'WA_EMBEDDED_SIGNUP', event: 'FINISH', data: { phone_number_id: '777000', waba_id: 'waba-777' } }),
              '*',
            );
            setTimeout(() => callback({ authResponse: { code: 'signup-code' } }), 50);
          },
        };
      });
      await login(page);
      await openChannels(page);
      await page.getByTestId('connect-signup').click();
      const row = page.locator('[data-testid="account-row"][data-external="777000"]');
      await row.locator('[data-testid="account-quality"][data-rating="YELLOW"]').waitFor();
      assert.equal(await page.evaluate(() => (globalThis as any).__fbConfigId), 'cfg-9');
      // Facebook's SDK may load on this server (it is configured for Embedded Signup).
      const csp = (await fetch(`${server.url}/settings/channels`)).headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self' https:\/\/connect\.facebook\.net/);
    });
    const [account] = await accounts('whatsapp');
    assert.equal(account.externalId, '777000');
    assert.equal(account.config.wabaId, 'waba-777');
    assert.ok(graph.requests.some((r) => r.method === 'POST' && r.path.endsWith('/777000/register')));
  });

  test('Messenger by Facebook Login: the return page lists the pages and connects the chosen one (phone, en)', {
    timeout: 60_000,
  }, async () => {
    graph.stub('GET', '/oauth/access_token', (req) => {
      if (req.query.grant_type === 'fb_exchange_token')
        return { status: 200, body: { access_token: 'LONG-USER-TOKEN', token_type: 'bearer' } };
      return req.query.code === 'fb-good-code'
        ? { status: 200, body: { access_token: 'short-user-token', token_type: 'bearer' } }
        : { status: 400, body: { error: { message: 'Invalid verification code format.', type: 'OAuthException', code: 100 } } };
    });
    graph.stub('GET', '/me/accounts', {
      status: 200,
      body: {
        data: [
          { id: '9001', name: 'Toko Page', access_token: 'PAGE-TOKEN-AAA', tasks: ['MESSAGING'] },
          { id: '9002', name: 'Toko Outlet', access_token: 'PAGE-TOKEN-BBB', tasks: ['MESSAGING'] },
        ],
      },
    });
    graph.stub('POST', '/9002/subscribed_apps', { status: 200, body: { success: true } });
    graph.stub('GET', '/9002', { status: 200, body: { id: '9002' } });
    await withPage(browser, 'channels-messenger-phone', { locale: 'en-US', viewport: PHONE }, async (page) => {
      await login(page);
      await openChannels(page);
      const href = await page.getByTestId('connect-login-messenger').getAttribute('href');
      assert.match(href!, /^https:\/\/www\.facebook\.com\/v\d+\.\d+\/dialog\/oauth\?/);
      assert.match(href!, /redirect_uri=https%3A%2F%2Fcrm\.example\.test%2Fchannels%2Foauth/);
      assert.match(href!, /state=messenger/);
      // Facebook sends the person back with a code.
      await page.goto(`${server.url}/channels/oauth?code=fb-good-code&state=messenger`);
      await page.locator('[data-testid="oauth-page"][data-page="9001"]').uncheck();
      await page.getByTestId('oauth-subscribe').click();
      await page.getByTestId('oauth-done').getByText('Toko Outlet').waitFor();
      await page.getByTestId('oauth-back').click();
      const row = page.getByTestId('channel-messenger').locator('[data-testid="account-row"][data-external="9002"]');
      await row.locator('[data-testid="account-state"][data-state="connected"]').waitFor();
      assert.equal(await row.getByTestId('account-callback-url').textContent(), 'https://crm.example.test/api/v1/webhooks/messenger');
    });
    const pages = await accounts('messenger');
    assert.deepEqual(
      pages.map((p) => p.externalId),
      ['9002'],
    );
  });

  test('Messenger persistent menu: set in the dialog, sent to Meta, shown after reload, refused, deleted (desktop, en)', {
    timeout: 60_000,
  }, async () => {
    // Meta's messenger_profile, as Meta keeps it: what was posted is what GET answers, until deleted.
    let profile: unknown[] = [];
    graph.stub('GET', '/me/messenger_profile', () => ({
      status: 200,
      body: { data: profile.length ? [{ persistent_menu: profile }] : [] },
    }));
    graph.stub('POST', '/me/messenger_profile', (req) => {
      profile = req.body.persistent_menu;
      return { status: 200, body: { result: 'success' } };
    });
    graph.stub('DELETE', '/me/messenger_profile', () => {
      profile = [];
      return { status: 200, body: { result: 'success' } };
    });
    const profileRequests = (method: string) =>
      graph.requests.filter((r) => r.method === method && r.path.endsWith('/me/messenger_profile'));
    await withPage(browser, 'channels-messenger-menu-desktop', { locale: 'en-US', viewport: DESKTOP }, async (page) => {
      page.on('dialog', (dialog) => void dialog.accept());
      await login(page);
      await openChannels(page);
      await page.getByTestId('connect-manual-messenger').click();
      await page.getByTestId('connect-name').fill('Toko Page');
      await page.getByTestId('connect-pageId').fill('9001');
      await page.getByTestId('connect-pageAccessToken').fill('PAGE-TOKEN-AAA');
      await page.getByTestId('connect-save').click();
      await page.getByTestId('connect-dialog').waitFor({ state: 'detached' });
      const row = () => page.getByTestId('channel-messenger').locator('[data-testid="account-row"][data-external="9001"]');
      // Only Messenger pages have a menu.
      assert.equal(await page.getByTestId('channel-whatsapp').getByTestId('account-menu').count(), 0);

      await row().getByTestId('account-menu').click();
      const dialog = page.getByTestId('menu-dialog');
      await dialog.getByRole('heading', { name: 'Persistent menu of Toko Page' }).waitFor();
      await dialog.getByTestId('menu-none').waitFor();
      assert.equal(await dialog.getByTestId('menu-delete').count(), 0);
      // Checked before sending: a title and a payload are needed, a link needs a web address.
      await page.getByTestId('menu-save').click();
      await dialog.locator('.field--invalid #menu-0-0-title').waitFor();
      await dialog.locator('.field--invalid #menu-0-0-payload').waitFor();
      await page.getByTestId('menu-0-0-title').fill('Order status');
      await page.getByTestId('menu-0-0-payload').fill('ORDER_STATUS');
      await page.getByTestId('menu-0-add-item').click();
      await page.getByTestId('menu-0-1-type').selectOption('web_url');
      await page.getByTestId('menu-0-1-title').fill('Catalogue');
      await page.getByTestId('menu-0-1-url').fill('shop.example.test');
      await page.getByTestId('menu-save').click();
      await dialog
        .locator('.field--invalid:has(#menu-0-1-url)')
        .getByText(/http:\/\/ or https:\/\//)
        .waitFor();
      await page.getByTestId('menu-0-1-url').fill('https://shop.example.test/catalogue');
      await page.getByTestId('menu-0-composer').click({ force: true });
      assert.equal(profileRequests('POST').length, 0);
      await page.getByTestId('menu-save').click();
      await dialog.waitFor({ state: 'detached' });

      const [post] = profileRequests('POST');
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

      // After a reload the dialog shows the menu as Meta has it.
      await page.reload();
      await row().getByTestId('account-menu').click();
      await dialog.getByTestId('menu-0-0-title').waitFor();
      assert.equal(await dialog.getByTestId('menu-none').count(), 0);
      assert.equal(await dialog.getByTestId('menu-0-locale').inputValue(), 'default');
      assert.equal(await dialog.getByTestId('menu-0-0-type').inputValue(), 'postback');
      assert.equal(await dialog.getByTestId('menu-0-0-title').inputValue(), 'Order status');
      assert.equal(await dialog.getByTestId('menu-0-0-payload').inputValue(), 'ORDER_STATUS');
      assert.equal(await dialog.getByTestId('menu-0-1-type').inputValue(), 'web_url');
      assert.equal(await dialog.getByTestId('menu-0-1-title').inputValue(), 'Catalogue');
      assert.equal(await dialog.getByTestId('menu-0-1-url').inputValue(), 'https://shop.example.test/catalogue');
      assert.equal(await dialog.getByTestId('menu-0-composer').isChecked(), true);

      // Meta refusing a change shows its reason; the dialog stays open.
      graph.failNext(1, {
        status: 400,
        body: { error: { message: '(#100) Invalid persistent menu item', type: 'OAuthException', code: 100 } },
        path: /messenger_profile$/,
      });
      await page.getByTestId('menu-0-1-title').fill('Shop');
      await page.getByTestId('menu-save').click();
      await dialog.locator('.form-error').getByText('(#100) Invalid persistent menu item').waitFor();

      // Delete (after confirmation): Meta is asked to remove the menu, and the page has none again.
      await page.getByTestId('menu-delete').click();
      await dialog.waitFor({ state: 'detached' });
      const [deleted] = profileRequests('DELETE');
      assert.deepEqual(deleted.body, { fields: ['persistent_menu'] });
      assert.equal(deleted.headers.authorization, 'Bearer PAGE-TOKEN-AAA');
      await row().getByTestId('account-menu').click();
      await dialog.getByTestId('menu-none').waitFor();
    });
  });

  test('Instagram and email by hand, email test message over SMTP, delete (phone, id)', { timeout: 60_000 }, async () => {
    graph.stub('GET', '/17841400000000777', { status: 200, body: { id: '17841400000000777' } });
    await withPage(browser, 'channels-ig-email-phone', { locale: 'id-ID', viewport: PHONE }, async (page) => {
      page.on('dialog', (dialog) => void dialog.accept());
      await login(page);
      await openChannels(page);
      await page.getByTestId('settings-page-channels').getByRole('heading', { name: 'Saluran' }).waitFor();

      await page.getByTestId('connect-manual-instagram').click();
      await page.getByTestId('connect-dialog').getByRole('heading', { name: 'Hubungkan akun Instagram' }).waitFor();
      await page.getByTestId('connect-name').fill('IG Toko');
      await page.getByTestId('connect-instagramAccountId').fill('17841400000000777');
      await page.getByTestId('connect-accessToken').fill('IGAA-token-5678');
      await page.getByTestId('connect-save').click();
      const ig = page.getByTestId('channel-instagram').locator('[data-testid="account-row"][data-external="17841400000000777"]');
      await ig.locator('[data-testid="account-state"][data-state="connected"]').waitFor();
      await ig.getByText('Terhubung').waitFor();

      await page.getByTestId('connect-manual-email').click();
      const dialog = page.getByTestId('connect-dialog');
      await dialog.getByRole('heading', { name: 'Tambah kotak surat' }).waitFor();
      await page.getByTestId('connect-name').fill('CS Email');
      await page.getByTestId('connect-address').fill('bukan-email');
      await page.getByTestId('connect-smtpUrl').fill(smtp.url);
      await page.getByTestId('connect-save').click();
      // The server's field error shows under the address.
      await dialog.locator('.field--invalid #connect-address').waitFor();
      await page.getByTestId('connect-address').fill('cs@toko-saluran.example');
      await page.getByTestId('connect-save').click();
      await dialog.waitFor({ state: 'detached' });
      const mail = page.getByTestId('channel-email').locator('[data-testid="account-row"][data-external="cs@toko-saluran.example"]');
      await mail.locator('[data-testid="account-state"][data-state="connected"]').waitFor();
      assert.equal(await mail.getByTestId('account-callback-url').textContent(), 'https://crm.example.test/api/v1/webhooks/email');

      await mail.getByTestId('account-test').click();
      await page.getByTestId('test-to').fill('pemilik@customer.example');
      await page.getByTestId('test-send').click();
      await page.getByTestId('test-sent').waitFor();
      const received = await eventually(async () => smtp.messages.find((m) => m.envelope.to.includes('pemilik@customer.example')));
      assert.equal(received.envelope.from, 'cs@toko-saluran.example');
      await page.keyboard.press('Escape');

      await ig.getByRole('button', { name: 'Hapus' }).click();
      await ig.waitFor({ state: 'detached' });
    });
    assert.equal((await accounts('instagram')).length, 0);
    const [mailbox] = await accounts('email');
    assert.equal(mailbox.name, 'CS Email');
    assert.match(mailbox.config.inboundSecret, /^•+/);
  });

  test('email by IMAP: the mailbox is added with its IMAP server and new mail arrives in the inbox (desktop, en)', {
    timeout: 60_000,
  }, async () => {
    await withPage(browser, 'channels-imap-desktop', { locale: 'en-US', viewport: DESKTOP }, async (page) => {
      await login(page);
      await openChannels(page);
      await page.getByTestId('connect-manual-email').click();
      await page.getByTestId('connect-name').fill('Toko by IMAP');
      await page.getByTestId('connect-address').fill('toko@imap.example');
      await page.getByTestId('connect-imapHost').fill(imap.host);
      await page.getByTestId('connect-imapPort').fill(String(imap.port));
      await page.getByTestId('connect-imapTls').click({ force: true });
      await page.getByTestId('connect-imapUser').fill(imap.user);
      // The dialog's own check: a password is needed with an IMAP server.
      await page.getByTestId('connect-save').click();
      await page.getByTestId('connect-dialog').locator('.field--invalid #connect-imapPassword').waitFor();
      await page.getByTestId('connect-imapPassword').fill(imap.password);
      await page.getByTestId('connect-save').click();
      await page.getByTestId('connect-dialog').waitFor({ state: 'detached' });
      const row = page.getByTestId('channel-email').locator('[data-testid="account-row"][data-external="toko@imap.example"]');
      await row.waitFor();

      const messageId = `<imap-ui-${Date.now()}@customer.example>`;
      imap.append(
        emlFixture({ to: 'toko@imap.example', from: 'Dewi <dewi@customer.example>', messageId, inReplyTo: null, references: null }),
      );
      const conversation = await eventually(
        async () =>
          ((await owner.api.get('/api/v1/conversations?limit=200')).body.data as any[]).find(
            (c) => c.channel === 'email' && c.contact.email === 'dewi@customer.example',
          ),
        10_000,
        'the IMAP mail in the inbox',
      );
      const messages = (await owner.api.get(`/api/v1/conversations/${conversation.id}/messages`)).body.data as any[];
      assert.equal(messages.filter((m) => m.externalId === messageId).length, 1);
      await row.getByTestId('account-check').click();
      await row.locator('[data-testid="account-imap"][data-idle="true"]').getByText('Watching INBOX').waitFor();
    });
    const [mailbox] = (await accounts('email')).filter((a) => a.externalId === 'toko@imap.example');
    assert.equal(mailbox.config.imapTls, 'false');
    assert.match(mailbox.config.imapPassword, /^•+/);
  });
});
