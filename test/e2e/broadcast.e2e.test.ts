// Browser tests of broadcasting against the real appliance, the fake Graph API and a local webhook
// receiver: create a WhatsApp template (Meta approves it by webhook), run a campaign to a CSV of
// recipients and watch its statistics fill in; register an outgoing webhook and see its deliveries.
// Requires a prior `vite build renderer`. Skips (or fails with REQUIRE_BROWSER=1) when Chromium is missing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from '../support/server.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { Api, registerTenant, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, fixture, postWebhook, waPayload, type WaAccount } from '../support/whatsapp.js';
import { browserSkipReason, launchBrowser, withPage } from '../support/browser.js';

const skip = browserSkipReason();

describe('web UI: broadcast', { skip }, () => {
  let graph: FakeGraph;
  let receiver: WebhookReceiver;
  let server: TestServer;
  let browser: Browser;
  let owner: Tenant;
  let wa: WaAccount;

  before(async () => {
    assert.ok(
      existsSync(join(process.cwd(), 'renderer', 'dist', 'index.html')),
      'renderer/dist/index.html is missing; run `npm run build` first',
    );
    graph = await startFakeGraph();
    receiver = await startWebhookReceiver();
    server = await startServer({ META_GRAPH_URL: graph.url, OUTGOING_WEBHOOK_RETRY_BASE_MS: '50', OUTGOING_WEBHOOK_DISABLE_AFTER: '3' });
    owner = await registerTenant(new Api(server.url), 'Toko Batik Siaran');
    wa = await connectWhatsApp(owner.api, '900000000000009');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await receiver?.stop();
    await graph?.stop();
  });

  async function login(page: Page) {
    await page.goto(`${server.url}/login`);
    await page.getByTestId('login-email').fill(owner.email);
    await page.getByTestId('login-password').fill(owner.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${server.url}/inbox`);
  }

  it('creates a template, then runs a campaign to a CSV of recipients and watches its statistics fill in', {
    timeout: 120_000,
  }, async () => {
    await withPage(browser, 'broadcast-campaign', { locale: 'en-US' }, async (page) => {
      await login(page);
      await page.getByTestId('nav-broadcast').click();
      await page.getByTestId('broadcast-tab-templates').click();

      // A new template, submitted to Meta.
      await page.getByTestId('template-name').fill('diskon_akhir_tahun');
      await page.getByTestId('template-body').fill('Halo {{1}}, ada diskon {{2}} untuk Anda!');
      await page.getByTestId('template-example-1').fill('Budi');
      await page.getByTestId('template-example-2').fill('20%');
      await page.getByTestId('template-submit').click();
      const row = page.locator('[data-testid="template-row"][data-name="diskon_akhir_tahun"]');
      await row.getByText('Pending review').waitFor();
      const created = await eventually(
        async () => {
          const t = (await owner.api.get('/api/v1/wa-templates?search=diskon_akhir_tahun')).body.data[0];
          return t?.externalId && t;
        },
        10_000,
        'the template reaches Meta',
      );
      const submitted = graph.requests.find((r) => r.method === 'POST' && r.path.endsWith('/message_templates'));
      assert.equal(submitted?.body.components[0].text, 'Halo {{1}}, ada diskon {{2}} untuk Anda!');
      assert.deepEqual(submitted?.body.components[0].example, { body_text: [['Budi', '20%']] });

      // Meta approves it; the page shows it.
      const approval = fixture('wa-template-status-update.json');
      approval.entry[0].id = `waba-${wa.phoneNumberId}`;
      Object.assign(approval.entry[0].changes[0].value, {
        message_template_id: Number(created.externalId),
        message_template_name: 'diskon_akhir_tahun',
      });
      assert.equal((await postWebhook(server.url, approval, wa.appSecret)).status, 200);
      await row.getByText('Approved').waitFor({ timeout: 15_000 });

      // A campaign with it.
      await page.getByTestId('broadcast-tab-campaigns').click();
      await page.getByTestId('campaign-name').fill('Diskon Desember');
      await page.getByTestId('campaign-template').selectOption({ label: 'diskon_akhir_tahun (id)' });
      await page.getByTestId('campaign-var-body.1').fill('{{name | Kak}}');
      await page.getByTestId('campaign-var-body.2').fill('30%');
      await page.getByTestId('campaign-create').click();
      await page.getByTestId('campaign-detail').waitFor();
      await page.locator('[data-testid="campaign-status"][data-status="draft"]').waitFor();

      const csv = [
        'nama,nomor,kota',
        'Budi,0812-5550-0001,Bandung',
        'Siti,0812-5550-0002,Jakarta',
        'Ani,+62 812 5550 0003,Solo',
        'Budi lagi,081255500001,Bandung',
        'Salah,123,Bogor',
      ].join('\n');
      await page.getByTestId('campaign-csv').setInputFiles({ name: 'pelanggan.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await page.getByTestId('campaign-upload').click();
      await page.getByTestId('campaign-upload-result').getByText('3 added; 2 skipped.').waitFor();
      await assertText(page, 'stat-total-value', '3');
      await assertText(page, 'stat-skipped-value', '2');
      await assertText(page, 'stat-sent-value', '0');

      await page.getByTestId('campaign-send').click();
      // The statistics fill in as the fake Graph receives the messages.
      await page.locator('[data-testid="campaign-status"][data-status="completed"]').waitFor({ timeout: 30_000 });
      await assertText(page, 'stat-sent-value', '3');
      const sent = graph.sentMessages(wa.phoneNumberId).filter((r) => r.body.type === 'template');
      assert.deepEqual(sent.map((r) => r.body.to).sort(), ['6281255500001', '6281255500002', '6281255500003']);
      assert.equal(sent.find((r) => r.body.to === '6281255500001')?.body.template.components[0].parameters[0].text, 'Budi');

      // Meta reports them delivered and read; a customer replies.
      const recipients = (await owner.api.get('/api/v1/campaigns?limit=1')).body.data[0];
      const rows = (await owner.api.get(`/api/v1/campaigns/${recipients.id}/recipients`)).body.data;
      for (const r of rows) {
        await postWebhook(
          server.url,
          waPayload('wa-status-delivered.json', wa.phoneNumberId, {
            status: { id: r.externalId, status: 'read', recipient_id: r.phone.slice(1) },
          }),
          wa.appSecret,
        );
      }
      await postWebhook(
        server.url,
        waPayload('wa-text.json', wa.phoneNumberId, {
          from: '6281255500002',
          profileName: 'Siti',
          message: { id: 'wamid.E2EREPLY1', text: { body: 'Mau pesan kak' } },
        }),
        wa.appSecret,
      );
      await page.reload();
      await assertText(page, 'stat-read-value', '3', 15_000);
      await assertText(page, 'stat-replied-value', '1', 15_000);
      await assertText(page, 'stat-delivered-value', '3');
    });
  });

  it('registers an outgoing webhook and sees its deliveries (in Indonesian)', { timeout: 90_000 }, async () => {
    await withPage(browser, 'broadcast-webhooks', { locale: 'id-ID' }, async (page) => {
      await login(page);
      await page.goto(`${server.url}/broadcast/webhooks`);
      await page.getByTestId('webhooks-tab').waitFor();
      await page.getByTestId('webhook-name').fill('Gudang');
      await page.getByTestId('webhook-url').fill(`${receiver.url}/gudang`);
      await page.getByTestId('webhook-event-contact.created').check();
      await page.getByTestId('webhook-create').click();
      const secret = await page.getByTestId('webhook-secret').locator('code').textContent();
      assert.match(secret ?? '', /^whsec_/);
      const hook = page.getByTestId('webhook-row').filter({ hasText: 'Gudang' });
      await hook.getByText('Belum ada pengiriman.').waitFor();
      await hook.getByTestId('webhook-test').click();
      await hook.locator('[data-testid="delivery-row"][data-status="succeeded"]').getByText('webhook.test').waitFor({ timeout: 15_000 });
      await assertText(hook.page(), 'delivery-code', '200');
      // A customer writes: message.created and contact.created are delivered too.
      await postWebhook(
        server.url,
        waPayload('wa-text.json', wa.phoneNumberId, { from: '6281255509999', message: { id: 'wamid.E2EHOOK1' } }),
        wa.appSecret,
      );
      await hook.locator('[data-testid="delivery-row"]').getByText('contact.created').waitFor({ timeout: 15_000 });
      await hook.locator('[data-testid="delivery-row"]').getByText('message.created').first().waitFor();
      assert.ok(receiver.received.some((r) => r.path === '/gudang' && r.body.type === 'webhook.test'));

      // A webhook whose endpoint keeps failing is turned off; its owner is told wherever they are.
      const broken = await owner.api.post('/api/v1/outgoing-webhooks', {
        name: 'Rusak',
        url: `${receiver.url}/rusak`,
        events: ['contact.updated'],
      });
      assert.equal(broken.status, 201);
      await page.goto(`${server.url}/inbox`);
      await page.locator('[data-testid="connection-status"][data-state="live"]').waitFor();
      receiver.failAll(500);
      try {
        await owner.api.post(`/api/v1/outgoing-webhooks/${broken.body.id}/test`);
        const notice = page.locator('[data-testid="toast"][data-kind="webhook-disabled"]');
        await notice.getByText('Webhook "Rusak" dimatikan setelah gagal berulang kali.').waitFor({ timeout: 15_000 });
        await notice.getByTestId('toast-action').click();
        await page.waitForURL(`${server.url}/broadcast/webhooks`);
        await page.getByTestId('webhook-row').filter({ hasText: 'Rusak' }).getByTestId('webhook-disabled-notice').waitFor();
      } finally {
        receiver.failAll(null);
      }
    });
  });
});

async function assertText(page: Page, testId: string, text: string, timeout = 10_000) {
  await page
    .getByTestId(testId)
    .first()
    .filter({ hasText: new RegExp(`^${text}$`) })
    .waitFor({ timeout });
}
