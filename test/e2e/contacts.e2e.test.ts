// Browser test of the Contacts page: merging the same person's two contacts into one; creating a
// contact (phone to E.164), tags, CSV import with a preview and per-row errors, export, duplicates.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startServer, type TestServer } from '../support/server.js';
import { Api, registerTenant, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid } from '../support/whatsapp.js';
import { browserSkipReason, launchBrowser, withPage } from '../support/browser.js';
import { parse as parseCsv } from 'csv-parse/sync';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Page } from 'playwright-core';
import { downloadText } from '../support/upload.js';

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

  async function signIn(page: Page) {
    await page.goto(`${server.url}/login`);
    await page.getByTestId('login-email').fill(owner.email);
    await page.getByTestId('login-password').fill(owner.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${server.url}/inbox`);
  }

  test('creates a contact with a local number stored in E.164, tags it, and refuses a duplicate phone', async () => {
    await withPage(browser, 'contacts-create', { locale: 'en-US' }, async (page) => {
      await signIn(page);
      await page.goto(`${server.url}/contacts`);
      await page.getByTestId('contact-new').click();
      await page.getByTestId('new-contact-name').fill('Bu Ratna');
      await page.getByTestId('new-contact-phone').fill('0812-7000-1111');
      await page.getByTestId('new-contact-tags').fill('VIP, grosir');
      await page.getByTestId('contact-new-save').click();
      await eventually(async () => (await page.getByTestId('contact-phone').innerText()) === '+6281270001111', 5000, 'E.164 phone shown');
      assert.match(await page.getByTestId('contact-tags').innerText(), /vip[\s\S]*grosir/);
      const saved = (await owner.api.get('/api/v1/contacts?search=Ratna')).body.data[0];
      assert.equal(saved.phone, '+6281270001111');
      assert.deepEqual(saved.tags, ['vip', 'grosir']);
      await page.getByTestId('contact-new').click();
      await page.getByTestId('new-contact-name').fill('Ratna lagi');
      await page.getByTestId('new-contact-phone').fill('+62 812 7000 1111');
      await page.getByTestId('contact-new-save').click();
      await page.locator('[data-testid="contact-new-dialog"] .field__error').waitFor();
      assert.match(await page.locator('[data-testid="contact-new-dialog"] .field__error').first().innerText(), /Bu Ratna/);
      assert.equal((await owner.api.get('/api/v1/contacts?search=Ratna')).body.data.length, 1);
    });
  });

  test('imports a CSV after a preview with per-row errors, filters by tag and exports, at phone width', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'contacts-e2e-'));
    const file = join(dir, 'kontak.csv');
    writeFileSync(
      file,
      [
        'name,phone,email,tags,kota',
        'Pak Joko,0813 5000 2222,,reseller,Solo',
        'Nomor Salah,123,,,',
        'Ibu Tini,,tini@example.test,reseller,Bogor',
      ].join('\n'),
    );
    await withPage(browser, 'contacts-import-phone', { locale: 'id-ID', viewport: { width: 390, height: 844 } }, async (page) => {
      await signIn(page);
      await page.goto(`${server.url}/contacts`);
      await page.getByTestId('contact-import').click();
      await page.getByTestId('contact-import-file').setInputFiles(file);
      await page.getByTestId('contact-import-preview').click();
      await page.getByTestId('contact-import-summary').waitFor();
      assert.equal(await page.locator('[data-testid="contact-import-rows"] tr[data-line="3"]').getAttribute('data-action'), 'error');
      assert.match(await page.locator('[data-testid="contact-import-rows"] tr[data-line="3"]').innerText(), /phone/);
      assert.equal((await owner.api.get('/api/v1/contacts?search=Joko')).body.data.length, 0, 'the preview saved nothing');
      await page.getByTestId('contact-import-confirm').click();
      await page.getByTestId('contact-import-done').waitFor();
      const joko = (await owner.api.get('/api/v1/contacts?search=Joko')).body.data[0];
      assert.equal(joko.phone, '+6281350002222');
      assert.deepEqual(joko.attributes, { kota: 'Solo' });
      await page.keyboard.press('Escape');
      await page
        .locator('[data-testid="contact-import-dialog"]')
        .waitFor({ state: 'detached' })
        .catch(async () => {
          await page.locator('[data-testid="contact-import-dialog"] button.button--secondary').click();
        });
      await page.locator('[data-testid="contact-row-tag"]', { hasText: 'reseller' }).first().click();
      await page.getByTestId('contacts-tag-filter').waitFor();
      await eventually(async () => (await page.getByTestId('contact-row').count()) === 2, 5000, 'two resellers listed');
      const href = (await page.getByTestId('contacts-export').getAttribute('href')) ?? '';
      assert.match(href, /tag=reseller/);
      const rows: string[][] = parseCsv((await downloadText(owner.api, href)).text, { bom: true });
      assert.deepEqual(
        rows
          .slice(1)
          .map((r) => r[0])
          .sort(),
        ['Ibu Tini', 'Pak Joko'],
      );
    });
  });

  test('finds the saved contact and the WhatsApp contact with the same number, and merges them', async () => {
    await owner.api.post('/api/v1/contacts', { name: 'Hendra', phone: '0817 1234 0000', tags: ['lama'] });
    const wa = await connectWhatsApp(owner.api, '600000000000016');
    await postWebhook(
      server.url,
      waPayload('wa-text.json', wa.phoneNumberId, { from: '6281712340000', profileName: 'Hendra WA', message: { id: wamid('D') } }),
      wa.appSecret,
    );
    await eventually(async () => (await owner.api.get('/api/v1/contacts/duplicates')).body.data.length > 0, 5000, 'a duplicate');
    await withPage(browser, 'contacts-duplicates', { locale: 'en-US' }, async (page) => {
      await signIn(page);
      await page.goto(`${server.url}/contacts`);
      await page.getByTestId('contact-duplicates').click();
      await page.locator('[data-testid="duplicate-group"][data-value="+6281712340000"]').getByTestId('duplicate-merge').click();
      await page.locator('[data-testid="duplicate-group"][data-value="+6281712340000"]').waitFor({ state: 'detached' });
    });
    const hendra = (await owner.api.get('/api/v1/contacts?search=Hendra')).body.data;
    assert.equal(hendra.length, 1);
    assert.equal(hendra[0].identities[0].channel, 'whatsapp');
    assert.deepEqual(hendra[0].tags, ['lama']);
  });
});
