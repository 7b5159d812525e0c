// Browser tests of approved WhatsApp templates where agents work: outside the 24-hour window the
// composer offers the templates, with a field per placeholder and a preview, and sends one; on a
// contact, "start a WhatsApp conversation" sends a template and opens the conversation.
// Requires a prior `vite build renderer`. Skips (or fails with REQUIRE_BROWSER=1) when Chromium is missing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from '../support/server.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { Api, registerTenant, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid, type WaAccount } from '../support/whatsapp.js';
import { browserSkipReason, launchBrowser, withPage } from '../support/browser.js';

const skip = browserSkipReason();
const dayAgo = () => String(Math.floor(Date.now() / 1000) - 26 * 3600);

describe('web UI: templates in the inbox', { skip }, () => {
  let graph: FakeGraph;
  let server: TestServer;
  let browser: Browser;
  let owner: Tenant;
  let wa: WaAccount;
  let templateId: string;

  before(async () => {
    assert.ok(
      existsSync(join(process.cwd(), 'renderer', 'dist', 'index.html')),
      'renderer/dist/index.html is missing; run `npm run build` first',
    );
    graph = await startFakeGraph();
    server = await startServer({ META_GRAPH_URL: graph.url });
    owner = await registerTenant(new Api(server.url), 'Toko Kain Templat');
    wa = await connectWhatsApp(owner.api, '910000000000001');
    graph.setTemplates(`waba-${wa.phoneNumberId}`, [
      {
        id: '1700000000000001',
        name: 'pengingat_pesanan',
        language: 'id',
        status: 'APPROVED',
        category: 'UTILITY',
        components: [
          { type: 'BODY', text: 'Halo {{1}}, pesanan {{2}} menunggu pembayaran.', example: { body_text: [['Budi', '#100']] } },
          { type: 'FOOTER', text: 'Toko Kain' },
        ],
      },
      {
        id: '1700000000000002',
        name: 'promo_belum_disetujui',
        language: 'id',
        status: 'PENDING',
        category: 'MARKETING',
        components: [{ type: 'BODY', text: 'Promo!' }],
      },
    ]);
    const synced = await owner.api.post('/api/v1/wa-templates/sync', {});
    assert.equal(synced.status, 200, JSON.stringify(synced.body));
    templateId = (await owner.api.get('/api/v1/wa-templates?search=pengingat_pesanan')).body.data[0].id;
    // Two customers who wrote more than 24 hours ago.
    for (const [from, name] of [
      ['6281300000101', 'Lama Tak Balas'],
      ['6281300000102', 'Sari Lama'],
    ]) {
      const payload = waPayload('wa-text.json', wa.phoneNumberId, {
        from,
        profileName: name,
        message: { id: wamid(from), timestamp: dayAgo(), text: { body: 'Halo?' } },
      });
      assert.equal((await postWebhook(server.url, payload, wa.appSecret)).status, 200);
    }
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await graph?.stop();
  });

  async function login(page: Page) {
    await page.goto(`${server.url}/login`);
    await page.getByTestId('login-email').fill(owner.email);
    await page.getByTestId('login-password').fill(owner.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${server.url}/inbox`);
  }
  const row = (page: Page, name: string) =>
    page.locator('[data-testid="conversation-row"]', { has: page.getByTestId('conversation-name').getByText(name, { exact: true }) });
  const templateSends = (to: string) => graph.sentMessages(wa.phoneNumberId).filter((r) => r.body?.type === 'template' && r.body.to === to);

  it('outside the 24-hour window the composer offers approved templates, a field per placeholder and a preview, and sends one', {
    timeout: 120_000,
  }, async () => {
    await withPage(browser, 'templates-composer', { locale: 'en-US' }, async (page) => {
      await login(page);
      await row(page, 'Lama Tak Balas').click();
      await page.getByTestId('window-closed-banner').waitFor();
      await page.getByTestId('composer-templates').click();
      // The picker loads the approved templates after it opens: wait for them before reading the list.
      await page.getByTestId('template-select').locator('option', { hasText: 'pengingat_pesanan' }).waitFor({ state: 'attached' });
      const options = await page.getByTestId('template-select').locator('option').allTextContents();
      assert.ok(options.some((o) => o.startsWith('pengingat_pesanan')));
      assert.ok(!options.some((o) => o.startsWith('promo_belum_disetujui')), 'only approved templates');
      await page.getByTestId('template-select').selectOption(templateId);
      // Sending with an empty value is refused in the form.
      await page.getByTestId('template-send').click();
      await page.getByTestId('template-sender').getByText('Required').first().waitFor();
      assert.equal(templateSends('6281300000101').length, 0);
      await page.getByTestId('template-value-body.1').fill('Budi');
      await page.getByTestId('template-value-body.2').fill('#123');
      await page.getByTestId('template-preview').getByText('Halo Budi, pesanan #123 menunggu pembayaran.').waitFor();
      await page.getByTestId('template-send').click();
      const sent = await eventually(async () => templateSends('6281300000101')[0], 10_000, 'the template at Graph');
      assert.equal(sent.body.template.name, 'pengingat_pesanan');
      assert.deepEqual(
        sent.body.template.components[0].parameters.map((p: any) => p.text),
        ['Budi', '#123'],
      );
      await page.locator('[data-testid="message"][data-direction="outbound"][data-type="template"]').waitFor();
      await page.getByTestId('template-sender').waitFor({ state: 'detached' });
      assert.equal(templateSends('6281300000101').length, 1, 'sent once');
    });
  });

  it('starts a WhatsApp conversation with a contact by sending a template (in Indonesian)', { timeout: 120_000 }, async () => {
    const contact = (await owner.api.get('/api/v1/contacts?search=6281300000102')).body.data[0];
    const before = (await owner.api.get('/api/v1/conversations?limit=100')).body.data.find((c: any) => c.contact?.id === contact.id);
    assert.equal((await owner.api.patch(`/api/v1/conversations/${before.id}/status`, { status: 'resolved' })).status, 200);
    await withPage(browser, 'templates-start-conversation', { locale: 'id-ID' }, async (page) => {
      await login(page);
      await page.goto(`${server.url}/contacts/${contact.id}`);
      await page.getByTestId('contact-start-whatsapp').click();
      const dialog = page.getByTestId('start-whatsapp-dialog');
      await dialog.getByText('Mulai percakapan WhatsApp').first().waitFor();
      await dialog.getByTestId('template-select').selectOption(templateId);
      await dialog.getByTestId('template-value-body.1').fill('Sari');
      await dialog.getByTestId('template-value-body.2').fill('#456');
      await dialog.getByTestId('template-preview').getByText('Halo Sari, pesanan #456 menunggu pembayaran.').waitFor();
      await dialog.getByTestId('template-send').click();
      await page.waitForURL(/\/inbox\/[^/?]+$/);
      const conversationId = new URL(page.url()).pathname.split('/').pop();
      assert.notEqual(conversationId, before.id, 'a new conversation, the old one stays resolved');
      const sent = await eventually(async () => templateSends('6281300000102')[0], 10_000, 'the template at Graph');
      assert.deepEqual(
        sent.body.template.components[0].parameters.map((p: any) => p.text),
        ['Sari', '#456'],
      );
      const conversation = (await owner.api.get(`/api/v1/conversations/${conversationId}`)).body;
      assert.equal(conversation.contact.id, contact.id);
      assert.equal(conversation.status, 'open');
      await page.locator('[data-testid="message"][data-direction="outbound"][data-type="template"]').waitFor();
    });
  });
});
