// Browser tests of the analytics dashboard (KPIs, charts drawn by Recharts, CSV links; in
// Indonesian too) and of the operator console: sign in as super-admin, provision an organization
// (its owner's one-time setup link shown), act as its owner (the inbox opens with the impersonation
// banner, which ends it), then suspend it. Requires a prior `vite build renderer`.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from '../support/server.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { Api, assertProblem, registerTenant, uniqueEmail, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid } from '../support/whatsapp.js';
import { browserSkipReason, launchBrowser, withPage } from '../support/browser.js';
import { settle } from '../support/settle.js';

const skip = browserSkipReason();

describe('web UI: analytics and the operator console', { skip }, () => {
  let graph: FakeGraph;
  let server: TestServer;
  let browser: Browser;
  let owner: Tenant;

  before(async () => {
    assert.ok(existsSync(join(process.cwd(), 'renderer', 'dist', 'index.html')), 'run `npm run build` first');
    graph = await startFakeGraph();
    server = await startServer({ META_GRAPH_URL: graph.url });
    owner = await registerTenant(new Api(server.url), 'Toko Dasbor');
    const wa = await connectWhatsApp(owner.api, '620000000000062');
    for (const from of ['6281400000001', '6281400000002']) {
      const res = await postWebhook(
        server.url,
        waPayload('wa-text.json', wa.phoneNumberId, { from, message: { id: wamid('E2E') } }),
        wa.appSecret,
      );
      assert.equal(res.status, 200);
    }
    const conversations = await eventually(async () => {
      const list = (await owner.api.get('/api/v1/conversations')).body.data;
      return list.length === 2 ? list : null;
    });
    assert.equal(
      (await owner.api.post(`/api/v1/conversations/${conversations[0].id}/messages`, { type: 'text', text: 'Halo kak' })).status,
      202,
    );
    await settle(server.appliance);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await graph?.stop();
  });

  async function signIn(page: Page, email: string, password: string) {
    await page.goto(`${server.url}/login`);
    await page.getByTestId('login-email').fill(email);
    await page.getByTestId('login-password').fill(password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('app-shell').waitFor();
  }

  test('the dashboard shows the KPIs, draws its charts and links each table as CSV', async () => {
    await withPage(browser, 'analytics-dashboard', { locale: 'en-US' }, async (page) => {
      await signIn(page, owner.email, owner.password);
      await page.getByTestId('nav-analytics').click();
      await page.getByTestId('analytics-page').waitFor();
      await page.getByTestId('kpi-new').waitFor();
      assert.match((await page.getByTestId('kpi-new').textContent()) ?? '', /2/);
      assert.match((await page.getByTestId('kpi-in').textContent()) ?? '', /2/);
      assert.match((await page.getByTestId('kpi-out').textContent()) ?? '', /1/);
      for (const chart of ['chart-trends', 'chart-messages', 'chart-channels', 'chart-csat']) {
        await page.locator(`[data-testid="${chart}"] svg.recharts-surface`).first().waitFor();
      }
      // The trend line and the message bars are drawn from the data.
      assert.ok((await page.locator('[data-testid="chart-trends"] .recharts-line-curve').count()) >= 2);
      assert.ok((await page.locator('[data-testid="chart-messages"] .recharts-bar-rectangle').count()) >= 1);
      const csv = await page.getByTestId('analytics-agents-csv').getAttribute('href');
      assert.match(csv ?? '', /^\/api\/v1\/analytics\/agents\?.*format=csv/);
      const download = await page.evaluate(async (href) => {
        const res = await fetch(href!);
        return { type: res.headers.get('content-type'), text: await res.text() };
      }, csv);
      assert.match(download.type ?? '', /text\/csv/);
      assert.match(download.text, /agentId,name,email/);
      // Another channel: nothing there.
      await page.getByTestId('analytics-channel').selectOption('email');
      await page.getByTestId('kpi-new').filter({ hasText: '0' }).waitFor(); // (the CSP forbids eval: no string waitForFunction)
    });
    await withPage(browser, 'analytics-dashboard-id', { locale: 'id-ID' }, async (page) => {
      await page.addInitScript(() => localStorage.setItem('omnistream.lang', 'id'));
      await signIn(page, owner.email, owner.password);
      await page.goto(`${server.url}/analytics`);
      await page.getByTestId('kpi-new').waitFor();
      assert.match((await page.getByTestId('kpi-new').textContent()) ?? '', /Percakapan baru/);
      assert.equal((await page.locator('h1.page-title').textContent())?.trim(), 'Analitik');
    });
  });

  test('the operator provisions an organization, acts as its owner with a banner, and suspends it', async () => {
    const ownerEmail = uniqueEmail('konsol');
    await withPage(browser, 'operator-console', { locale: 'en-US' }, async (page) => {
      await page.goto(`${server.url}/operator`);
      const login = page.getByTestId('operator-login');
      await login.getByLabel('Email').fill('root@omnistream.test');
      await login.getByLabel('Password').fill('super-secret-password');
      await login.getByRole('button', { name: 'Sign in' }).click();

      await page.getByTestId('org-name').fill('Konsol Batik');
      await page.getByTestId('org-owner-name').fill('Sari');
      await page.getByTestId('org-owner-email').fill(ownerEmail);
      await page.getByTestId('org-create-submit').click();
      const link = await page.getByTestId('reset-link-url').inputValue();
      // The same one-time link an organization's admins send (the token in the fragment).
      assert.match(link, /\/reset-password#token=[\w-]{40,}$/);
      const row = page.getByTestId('org-konsol-batik');
      await row.waitFor();
      assert.equal((await row.getByTestId('org-status').textContent())?.trim(), 'Active');

      // The owner's setup link works in the browser.
      const setup = await page.context().newPage();
      await setup.goto(link);
      await setup.getByLabel('New password', { exact: true }).fill('konsol batik 2026');
      await setup.getByLabel('Repeat the new password').fill('konsol batik 2026');
      await setup.getByRole('button', { name: 'Save password' }).click();
      await setup.getByText('Password saved').waitFor();
      await setup.close();

      // Act as the owner: the inbox opens with the banner; stopping returns to the console.
      await row.getByTestId('org-impersonate').click();
      await page.waitForURL(/\/inbox/);
      const banner = page.getByTestId('impersonation-banner');
      await banner.waitFor();
      assert.match((await banner.textContent()) ?? '', /Operator acting as Sari of Konsol Batik/);
      await page.getByTestId('impersonation-stop').click();
      await page.waitForURL(/\/operator/);

      await page.getByTestId('org-konsol-batik').getByTestId('org-toggle').click();
      await page
        .getByTestId('org-konsol-batik')
        .getByTestId('org-status')
        .filter({ hasText: /^\s*Suspended\s*$/ })
        .waitFor();
      await page.getByTestId('tab-health').click();
      await page.getByTestId('operator-health').waitFor();
    });
    // Suspended: its owner cannot sign in.
    assertProblem(await new Api(server.url).post('/api/v1/auth/login', { email: ownerEmail, password: 'konsol batik 2026' }), 403);
  });
});
