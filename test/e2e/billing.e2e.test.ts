// Browser tests of billing: the operator creates a plan in the console's Billing tab and sees the
// revenue; an organization (in Indonesian) sees the banner of a limit reached on the default plan,
// subscribes on its billing page, pays on Midtrans's (fake) hosted page, and after the signed
// notification sees an active subscription and a paid invoice whose PDF downloads.
// Requires a prior `vite build renderer`.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from '../support/server.js';
import { Api, registerTenant, superAdmin, type Tenant } from '../support/http.js';
import { startFakeMidtrans, type FakeMidtrans } from '../support/fake-midtrans.js';
import { browserSkipReason, launchBrowser, withPage } from '../support/browser.js';
import { settle } from '../support/settle.js';

const skip = browserSkipReason();
const SERVER_KEY = 'SB-Mid-server-E2EKEY000000001';

describe('web UI: billing', { skip }, () => {
  let midtrans: FakeMidtrans;
  let server: TestServer;
  let browser: Browser;
  let owner: Tenant;
  let operator: Api;

  before(async () => {
    assert.ok(existsSync(join(process.cwd(), 'renderer', 'dist', 'index.html')), 'run `npm run build` first');
    midtrans = await startFakeMidtrans(SERVER_KEY);
    server = await startServer({ MIDTRANS_SNAP_URL: midtrans.url, MIDTRANS_API_URL: midtrans.url });
    const api = new Api(server.url);
    operator = await superAdmin(api);
    const settings = await operator.put('/api/v1/billing-admin/settings', {
      midtrans: { enabled: true, serverKey: SERVER_KEY },
      seller: { name: 'PT OmniStream Indonesia' },
    });
    assert.equal(settings.status, 200);
    owner = await registerTenant(api, 'Toko Berlangganan');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await midtrans?.stop();
  });

  async function signIn(page: Page, email: string, password: string) {
    await page.goto(`${server.url}/login`);
    await page.getByTestId('login-email').fill(email);
    await page.getByTestId('login-password').fill(password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('app-shell').waitFor();
  }

  test("the operator creates a plan in the console's billing tab and sees revenue", async () => {
    await withPage(browser, 'billing-operator', { locale: 'en-US' }, async (page) => {
      await page.goto(`${server.url}/operator`);
      const login = page.getByTestId('operator-login');
      await login.getByLabel('Email').fill('root@omnistream.test');
      await login.getByLabel('Password').fill('super-secret-password');
      await login.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('tab-billing').click();
      await page.getByTestId('billing-admin').waitFor();
      await page.getByTestId('plan-code').fill('starter');
      await page.getByTestId('plan-name').fill('Starter');
      await page.getByTestId('plan-price').fill('150000');
      await page.getByTestId('plan-limit-agents').fill('3');
      await page.getByTestId('plan-limit-monthlyConversations').fill('500');
      await page.getByTestId('plan-create').click();
      const row = page.getByTestId('admin-plan-row').filter({ hasText: 'Starter' });
      await row.waitFor();
      assert.match((await row.textContent()) ?? '', /IDR\s?150,000/);
      // A bad plan is refused with the server's reason.
      await page.getByTestId('plan-code').fill('starter');
      await page.getByTestId('plan-name').fill('Again');
      await page.getByTestId('plan-price').fill('1');
      await page.getByTestId('plan-create').click();
      await page.getByTestId('billing-admin-error').waitFor();
      assert.match((await page.getByTestId('billing-admin-error').textContent()) ?? '', /already used/);
      await page.getByTestId('billing-tab-revenue').click();
      await page.getByTestId('billing-revenue').waitFor();
    });
    const plans = (await operator.get('/api/v1/billing-admin/plans')).body.data;
    assert.deepEqual(
      plans.map((p: any) => [p.code, p.prices.IDR, p.limits.agents]),
      [['starter', 150000, 3]],
    );
    // The default plan for organizations without a subscription: one agent.
    const free = await operator.post('/api/v1/billing-admin/plans', {
      code: 'gratis',
      name: 'Gratis',
      prices: { IDR: 0 },
      limits: { agents: 1 },
      isPublic: false,
      isDefault: true,
    });
    assert.equal(free.status, 201);
  });

  test('an organization sees the limit banner, subscribes, pays on Midtrans and gets a paid invoice (in Indonesian)', async () => {
    await withPage(browser, 'billing-organization', { locale: 'id-ID' }, async (page) => {
      await page.addInitScript(() => localStorage.setItem('omnistream.lang', 'id'));
      await signIn(page, owner.email, owner.password);
      const banner = page.getByTestId('billing-banner');
      await banner.waitFor();
      assert.match((await banner.textContent()) ?? '', /Agen aktif: batas 1 pada paket Gratis sudah tercapai/);
      await page.getByTestId('nav-billing').click();
      await page.getByTestId('billing-page').waitFor();
      assert.equal((await page.locator('h1.page-title').textContent())?.trim(), 'Tagihan');
      assert.match((await page.getByTestId('billing-no-subscription').textContent()) ?? '', /Gratis/);
      const card = page.getByTestId('plan-card-starter');
      assert.match((await card.textContent()) ?? '', /Rp\s?150\.000/);
      await page.getByTestId('plan-choose-starter').click();
      await page.getByTestId('subscription-status').waitFor();
      assert.equal((await page.getByTestId('subscription-status').textContent())?.trim(), 'Menunggu pembayaran');
      const row = page.getByTestId('invoice-row').first();
      assert.equal((await row.getByTestId('invoice-status').textContent())?.trim(), 'Belum dibayar');

      // Pay online: the app waits for the hosted page, then goes there.
      await row.getByTestId('invoice-pay').click();
      await page.waitForURL(new RegExp(`^${midtrans.url}/snap/v2/vtweb/`));
      await page.getByText('Midtrans (fake) payment page').waitFor();
      const [tx] = [...midtrans.transactions.values()];
      assert.equal(tx.grossAmount, 150000);
      assert.match(tx.request.callbacks.finish, /\/billing\?invoice=/);

      // Midtrans notifies the settlement; the payer comes back to the finish URL.
      const notified = await midtrans.notify(tx.orderId, 'settlement', { url: `${server.url}/api/v1/webhooks/midtrans` });
      assert.equal(notified.status, 200);
      await settle(server.appliance);
      await page.goto(tx.request.callbacks.finish);
      await page.getByTestId('billing-notice').waitFor();
      await page
        .getByTestId('subscription-status')
        .filter({ hasText: /^\s*Aktif\s*$/ })
        .waitFor(); // (the CSP forbids eval)
      assert.equal((await page.getByTestId('invoice-row').first().getByTestId('invoice-status').textContent())?.trim(), 'Lunas');
      // The limit banner is gone: Starter allows three agents.
      assert.equal(await page.getByTestId('billing-banner').count(), 0);
      const href = await page.getByTestId('invoice-pdf').first().getAttribute('href');
      assert.match(href ?? '', /\/pdf\?lang=id$/);
      const pdf = await page.evaluate(async (url) => {
        const res = await fetch(url!);
        const bytes = new Uint8Array(await res.arrayBuffer());
        return { type: res.headers.get('content-type'), head: String.fromCharCode(...bytes.slice(0, 5)) };
      }, href);
      assert.deepEqual(pdf, { type: 'application/pdf', head: '%PDF-' });
    });
  });
});
