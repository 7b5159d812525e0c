// Browser tests of the settings pages that list things and edit them in a dialog (divisions, quick
// replies, SLA policies): the empty state, the dialog's own checks, the server's field errors
// (RFC 9457 `errors[]`) next to the field they name, saving, switches on a row, showing a row's
// details and deleting after confirmation; in English and Bahasa Indonesia.
// Requires a prior `vite build renderer`. Skips (or fails with REQUIRE_BROWSER=1) when Chromium is missing.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from '../support/server.js';
import { Api, registerTenant, type Tenant } from '../support/http.js';
import { browserSkipReason, launchBrowser, withPage } from '../support/browser.js';

const skip = browserSkipReason();

describe('web UI: settings lists and their dialogs', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let owner: Tenant;

  before(async () => {
    assert.ok(
      existsSync(join(process.cwd(), 'renderer', 'dist', 'index.html')),
      'renderer/dist/index.html is missing; run `npx vite build renderer` first',
    );
    server = await startServer();
    owner = await registerTenant(new Api(server.url), 'Toko Settings');
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function login(page: Page) {
    await page.goto(`${server.url}/login`);
    await page.getByTestId('login-email').fill(owner.email);
    await page.getByTestId('login-password').fill(owner.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${server.url}/inbox`);
  }

  test('divisions: create with the dialog, a name already used, switches, members, delete (en)', { timeout: 60_000 }, async () => {
    await withPage(browser, 'settings-divisions', { locale: 'en-US' }, async (page) => {
      page.on('dialog', (dialog) => void dialog.accept());
      await login(page);
      await page.getByTestId('nav-settings').click();
      await page.getByTestId('settings-nav-divisions').click();
      await page.waitForURL(`${server.url}/settings/divisions`);
      await page.getByTestId('settings-page-divisions').getByRole('heading', { name: 'Divisions' }).waitFor();
      await page.getByText('No divisions yet').waitFor();

      // The dialog's own check: a name is required.
      await page.getByTestId('division-create').click();
      const dialog = page.getByTestId('division-dialog');
      await dialog.getByRole('heading', { name: 'New division' }).waitFor();
      await page.getByTestId('division-save').click();
      await dialog.getByText('This field is required.').waitFor();

      await page.getByTestId('division-name').fill('Penjualan');
      await page.getByTestId('division-save').click();
      await dialog.waitFor({ state: 'detached' });
      const row = page.locator('[data-testid="division-row"][data-name="Penjualan"]');
      await row.waitFor();
      assert.equal((await owner.api.get('/api/v1/divisions')).body.data.length, 1);

      // The server refuses a second "Penjualan": its error names the field, shown under it.
      await page.getByTestId('division-create').click();
      await page.getByTestId('division-name').fill('Penjualan');
      await page.getByTestId('division-save').click();
      await dialog.getByText('Already used; choose another.').waitFor();
      await dialog.getByText('Please fix the highlighted fields.').waitFor();
      assert.equal(await dialog.locator('.field--invalid #division-name').count(), 1);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });

      // A switch on the row saves at once (and shows the saved state).
      await row.getByTestId('division-row-auto-assign').click({ force: true });
      await row.locator('[data-testid="division-row-auto-assign"]:checked').waitFor({ state: 'attached' });
      await expectEventually(async () => (await owner.api.get('/api/v1/divisions')).body.data[0].autoAssign === true);

      // Members show under the row.
      await row.getByRole('button', { name: 'Show members' }).click();
      await row.getByText('No members yet.').or(row.getByTestId('division-member')).first().waitFor();
      await row.getByRole('button', { name: 'Hide members' }).click();

      // Deleting asks first (accepted above).
      await row.getByRole('button', { name: 'Delete division' }).click();
      await row.waitFor({ state: 'detached' });
      await page.getByText('No divisions yet').waitFor();
    });
  });

  test('quick replies and SLA policies: checks, a refused variable, save and delete (id)', { timeout: 60_000 }, async () => {
    await withPage(browser, 'settings-quick-replies', { locale: 'id-ID' }, async (page) => {
      page.on('dialog', (dialog) => void dialog.accept());
      await login(page);
      await page.goto(`${server.url}/settings/quick-replies`);
      await page.getByTestId('settings-page-quick-replies').getByRole('heading', { name: 'Balasan cepat' }).waitFor();

      await page.getByTestId('qr-create').click();
      const dialog = page.getByTestId('quick-reply-dialog');
      await page.getByTestId('qr-save').click();
      assert.equal(await dialog.getByText('Wajib diisi.').count(), 2, 'shortcut and body are required');

      // An unknown variable: the server's error on "body" is reworded next to the body.
      await page.getByTestId('qr-shortcut').fill('salam');
      await page.getByTestId('qr-body').fill('Halo {{pelanggan.nama}}');
      await page.getByTestId('qr-save').click();
      await dialog.locator('.field--invalid #qr-body').waitFor();
      await page.getByTestId('qr-body').fill('Halo {{contact.name | Kak}}, ada yang bisa dibantu?');
      await page.getByTestId('qr-save').click();
      await dialog.waitFor({ state: 'detached' });
      const row = page.locator('[data-testid="quick-reply-row"][data-shortcut="salam"]');
      await row.waitFor();

      await row.getByTestId('qr-favorite').click();
      await row.locator('[data-testid="qr-favorite"][aria-pressed="true"]').waitFor();
      await row.getByRole('button', { name: 'Hapus balasan cepat' }).click();
      await row.waitFor({ state: 'detached' });

      await page.goto(`${server.url}/settings/sla`);
      await page.getByTestId('sla-create').click();
      await page.getByTestId('sla-name').fill('Respons cepat');
      await page.getByTestId('sla-first-hours').fill('');
      await page.getByTestId('sla-first-minutes').fill('');
      await page.getByTestId('sla-resolution-hours').fill('');
      await page.getByTestId('sla-resolution-minutes').fill('');
      await page.getByTestId('sla-save').click();
      await page.getByTestId('sla-dialog').locator('.field--invalid [data-testid="sla-first-hours"]').waitFor();
      await page.getByTestId('sla-first-hours').fill('2');
      await page.getByTestId('sla-save').click();
      await page.getByTestId('sla-dialog').waitFor({ state: 'detached' });
      const policy = page.locator('[data-testid="sla-policy"][data-name="Respons cepat"]');
      await policy.waitFor();
      await policy.getByTestId('sla-show-breaches').click();
      await policy.getByTestId('sla-show-breaches').and(page.locator('[aria-expanded="true"]')).waitFor();
      const stored = (await owner.api.get('/api/v1/sla/policies')).body.data;
      assert.equal(stored.length, 1);
      assert.equal(stored[0].firstResponseMinutes, 120);
    });
  });
});

async function expectEventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
