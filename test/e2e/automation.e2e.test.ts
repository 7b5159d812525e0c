// Browser test of the automation screens against the real appliance: an owner builds a rule in the
// rule builder (a bad regular expression is refused next to the condition, in Indonesian too), a
// customer's WhatsApp webhook makes it fire, and the run history explains it; the event log and the
// kill switch are there.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from '../support/server.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { Api, registerTenant, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid, type WaAccount } from '../support/whatsapp.js';
import { browserSkipReason, launchBrowser, withPage } from '../support/browser.js';

const skip = browserSkipReason();

describe('web UI: automation', { skip }, () => {
  let graph: FakeGraph;
  let server: TestServer;
  let browser: Browser;
  let owner: Tenant;
  let wa: WaAccount;

  before(async () => {
    graph = await startFakeGraph();
    server = await startServer({ META_GRAPH_URL: graph.url });
    owner = await registerTenant(new Api(server.url), 'Toko Otomasi');
    wa = await connectWhatsApp(owner.api, '540000000000004');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await graph?.stop();
  });

  async function signIn(page: Page) {
    await page.goto(`${server.url}/login`);
    await page.getByTestId('login-email').fill(owner.email);
    await page.getByTestId('login-password').fill(owner.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${server.url}/inbox`);
  }

  test('builds a rule in the UI and sees it fire on a webhook, with its explanation', async () => {
    await withPage(browser, 'automation-build', { locale: 'en-US', viewport: { width: 1366, height: 900 } }, async (page) => {
      await signIn(page);
      await page.getByTestId('nav-automation').click();
      await page.getByTestId('automation-page').waitFor();
      // The built-in rules are listed.
      await page.locator('[data-testid="rule"][data-name="Division routing"]').waitFor();
      assert.equal(await page.getByTestId('rule').count(), 5);

      await page.getByTestId('rule-new').click();
      await page.getByTestId('rule-name').fill('Tag VIP customers');
      // Triggers: message.received is preselected.
      assert.equal(await page.getByTestId('trigger-message.received').isChecked(), true);
      await page.getByTestId('add-condition').click();
      await page.getByTestId('condition-field').selectOption('message.text');
      await page.getByTestId('condition-operator').selectOption('regex');
      await page.getByTestId('condition-value').fill('(?<=vip)x');
      await page.getByTestId('action-tags').fill('vip, priority');
      await page.getByTestId('add-action').click();
      await page.getByTestId('action-type').nth(1).selectOption('set_priority');
      await page.getByTestId('action-priority').selectOption('urgent');
      await page.getByTestId('rule-save').click();
      // The server refuses the pattern; the message stands next to the condition.
      await page.getByTestId('condition-error').waitFor();
      assert.match(await page.getByTestId('condition-error').innerText(), /regular expression/i);
      await page.getByTestId('condition-value').fill('\\bvip\\b');
      await page.getByTestId('rule-save').click();
      await page.getByTestId('rule-dialog').waitFor({ state: 'detached' });
      await page.locator('[data-testid="rule"][data-name="Tag VIP customers"]').waitFor();

      // A customer writes on WhatsApp.
      const from = '6281888000001';
      await postWebhook(
        server.url,
        waPayload('wa-text.json', wa.phoneNumberId, { from, message: { id: wamid('UI'), text: { body: 'Halo, saya VIP' } } }),
        wa.appSecret,
      );
      const conversation = await eventually(
        async () => {
          const c = (await owner.api.get('/api/v1/conversations')).body.data.find((x: any) => x.contact.phone === `+${from}`);
          return c?.tags.includes('vip') && c;
        },
        10_000,
        'the rule to tag the conversation',
      );
      assert.deepEqual(conversation.tags, ['priority', 'vip']);
      assert.equal(conversation.priority, 'urgent');

      // The run history shows the run and why.
      await page.getByTestId('tab-runs').click();
      const run = page.locator('[data-testid="run"][data-rule="Tag VIP customers"][data-status="succeeded"]');
      await run.waitFor();
      assert.match(await run.getByTestId('run-explanation').innerText(), /conditions held/i);
      await run.locator('.run__head').click();
      await run.getByTestId('run-details').waitFor();
      assert.match(await run.getByTestId('run-details').innerText(), /matched/);

      // A message without the keyword: the explanation says which condition was false and why.
      await postWebhook(
        server.url,
        waPayload('wa-text.json', wa.phoneNumberId, { from: '6281888000002', message: { id: wamid('UI'), text: { body: 'Halo kak' } } }),
        wa.appSecret,
      );
      await eventually(
        async () => {
          await page.getByTestId('runs-refresh').click();
          return (await page.locator('[data-testid="run"][data-rule="Tag VIP customers"][data-status="not_matched"]').count()) > 0;
        },
        10_000,
        'the not-matched run',
      );
      const miss = page.locator('[data-testid="run"][data-rule="Tag VIP customers"][data-status="not_matched"]').first();
      assert.match(await miss.getByTestId('run-explanation').innerText(), /Condition 1 was false because message\.text .* did not match/);

      // The event log lists the messages; the controls show the kill switch and the worker.
      await page.getByTestId('tab-events').click();
      await page.locator('[data-testid="event"][data-type="message.received"]').first().waitFor();
      await page.getByTestId('tab-controls').click();
      await page.getByTestId('worker-metrics').waitFor();
      assert.equal(await page.getByTestId('automation-enabled').isChecked(), true);
    });
  });

  test('the rule builder speaks Indonesian', async () => {
    await withPage(browser, 'automation-id', { locale: 'id-ID' }, async (page) => {
      await signIn(page);
      await page.goto(`${server.url}/automation`);
      await page.getByTestId('rule-new').click();
      await page.getByTestId('rule-save').click();
      assert.match(await page.getByTestId('rule-dialog').innerText(), /Ketika/);
      assert.match(await page.getByTestId('error-name').innerText(), /\S/);
      assert.match(await page.getByTestId('rule-dialog').innerText(), /Tambah syarat/);
    });
  });
});
