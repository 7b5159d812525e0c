// Browser test of the Contacts page: merging the same person's two contacts into one.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startServer, type TestServer } from '../support/server.js';
import { Api, registerTenant, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid } from '../support/whatsapp.js';
import { browserSkipReason, launchBrowser } from '../support/browser.js';

const skip = browserSkipReason();

describe('web UI: contacts', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let owner: Tenant;

  before(async () => {
    server = await startServer();
    owner = await registerTenant(new Api(server.url), 'Toko Kontak');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('merges two contacts of the same person; the conversations list shows both', async () => {
    const wa = await connectWhatsApp(owner.api, '600000000000006');
    for (const [from, name] of [
      ['6281700000001', 'Dewi Lestari'],
      ['6281700000002', 'Dewi (kantor)'],
    ]) {
      await postWebhook(
        server.url,
        waPayload('wa-text.json', wa.phoneNumberId, { from, profileName: name, message: { id: wamid('M') } }),
        wa.appSecret,
      );
    }
    const conversations = await eventually(
      async () => {
        const list = (await owner.api.get('/api/v1/conversations')).body.data;
        return list.length === 2 && list;
      },
      5000,
      'two conversations',
    );
    const keep = conversations.find((c: any) => c.contact.name === 'Dewi Lestari').contact.id;

    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    try {
      await page.goto(`${server.url}/login`);
      await page.getByTestId('login-email').fill(owner.email);
      await page.getByTestId('login-password').fill(owner.password);
      await page.getByTestId('login-submit').click();
      await page.waitForURL(`${server.url}/inbox`);
      await page.goto(`${server.url}/contacts/${keep}`);
      await page.getByTestId('contact-conversations').locator('li').first().waitFor();
      assert.equal(await page.getByTestId('contact-conversations').locator('li').count(), 1);
      await page.getByTestId('merge-search').fill('kantor');
      await page.getByTestId('merge-candidate').first().click();
      await page.getByTestId('merge-confirm').click();
      await eventually(
        async () => (await page.getByTestId('contact-conversations').locator('li').count()) === 2,
        5000,
        'both conversations listed',
      );
      const contacts = (await owner.api.get('/api/v1/contacts')).body.data;
      assert.equal(contacts.length, 1, 'the other contact is gone');
      assert.equal(contacts[0].identities.length, 2);
    } finally {
      await context.close();
    }
  });
});
