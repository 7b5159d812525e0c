// Browser test of Settings → Team, Roles, API keys and Activity: invite an agent by link and join
// through it, change their role and suspend them, create a custom role, create a scoped API key
// (shown once) and revoke it, filter and export the activity log; desktop and phone widths.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { parse as parseCsv } from 'csv-parse/sync';
import { startServer, type TestServer } from '../support/server.js';
import { Api, registerTenant, type Tenant } from '../support/http.js';
import { browserSkipReason, launchBrowser, withPage } from '../support/browser.js';
import { eventually } from '../support/whatsapp.js';
import { downloadText } from '../support/upload.js';

const skip = browserSkipReason();
const PHONE = { width: 390, height: 844 };

describe('web UI: team, roles, API keys, activity', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let owner: Tenant;

  before(async () => {
    server = await startServer();
    owner = await registerTenant(new Api(server.url), 'Toko Tim UI');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function signIn(page: Page) {
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${server.url}/login`);
    await page.getByTestId('login-email').fill(owner.email);
    await page.getByTestId('login-password').fill(owner.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${server.url}/inbox`);
  }

  test('invites an agent by link; they join; the owner changes their role and suspends them', async () => {
    let link = '';
    await withPage(browser, 'team-invite', { locale: 'en-US' }, async (page) => {
      await signIn(page);
      await page.goto(`${server.url}/settings/team`);
      await page.locator('[data-testid="agent-row"]').first().waitFor();
      await page.getByTestId('agent-invite').click();
      await page.getByTestId('invite-email').fill('wulan@example.test');
      await page.getByTestId('invite-name').fill('Wulan');
      await page.getByTestId('invite-role').selectOption({ label: 'Agent' });
      await page.getByTestId('invite-save').click();
      link = await page.getByTestId('invite-link').inputValue();
      assert.match(link, /\/invite\/[A-Za-z0-9_-]+$/);
      assert.match(await page.getByTestId('invite-mailed').innerText(), /copy the link/i);
      await page.getByTestId('invite-done').click();
      await page.locator('[data-testid="invitation-row"][data-email="wulan@example.test"]').waitFor();
      const pending = (await owner.api.get('/api/v1/agents/invitations')).body.data;
      assert.deepEqual(
        pending.map((i: any) => [i.email, i.role.name]),
        [['wulan@example.test', 'agent']],
      );
    });

    await withPage(browser, 'team-join-phone', { locale: 'id-ID', viewport: PHONE }, async (page) => {
      await page.goto(link);
      assert.match(await page.getByTestId('join-details').innerText(), /wulan@example\.test/);
      assert.match(await page.locator('.auth__subtitle').innerText(), /Toko Tim UI/);
      assert.equal(await page.getByTestId('join-name').inputValue(), 'Wulan');
      await page.getByTestId('join-password').fill('short');
      await page.getByTestId('join-submit').click();
      await page.getByTestId('join-password-error').waitFor();
      await page.getByTestId('join-password').fill('wulan password 1');
      await page.getByTestId('join-submit').click();
      await page.waitForURL((url) => !url.pathname.startsWith('/invite') && !url.pathname.startsWith('/login'));
    });
    const wulan = (await owner.api.get('/api/v1/agents?search=wulan')).body.data[0];
    assert.equal(wulan.role.name, 'agent');
    assert.equal(wulan.name, 'Wulan');

    await withPage(browser, 'team-manage-phone', { locale: 'en-US', viewport: PHONE }, async (page) => {
      await signIn(page);
      await page.goto(`${server.url}/settings/team`);
      const row = page.locator('[data-testid="agent-row"][data-email="wulan@example.test"]');
      await row.getByRole('button', { name: 'Edit agent' }).click();
      await page.getByTestId('agent-role').selectOption({ label: 'Supervisor' });
      await page.getByTestId('agent-save').click();
      await eventually(async () => (await row.getByTestId('agent-role-chip').innerText()) === 'Supervisor', 5000, 'role shown');
      await row.getByTestId('agent-suspend').click();
      await row.getByTestId('agent-suspended').waitFor();
      // The server's refusal shows as sent: the owner cannot suspend themselves (no button), nor delete the last owner.
      assert.equal(await page.locator(`[data-testid="agent-row"][data-email="${owner.email}"]`).getByTestId('agent-suspend').count(), 0);
    });
    const after = (await owner.api.get(`/api/v1/agents/${wulan.id}`)).body;
    assert.equal(after.role.name, 'supervisor');
    assert.equal(after.status, 'suspended');
  });

  test('creates a custom role from the permission matrix', async () => {
    await withPage(browser, 'team-roles', { locale: 'en-US' }, async (page) => {
      await signIn(page);
      await page.goto(`${server.url}/settings/roles`);
      await page.getByTestId('role-matrix').waitFor();
      await page.getByTestId('role-create').click();
      await page.getByTestId('role-name').fill('Kasir');
      await page.getByTestId('perm-contacts.view').check();
      await page.getByTestId('perm-contacts.manage').check();
      await page.getByTestId('role-save').click();
      await page.locator('[data-testid="role-row"][data-name="Kasir"]').waitFor();
      await page.locator('[data-permission="contacts.view"] td[data-role="Kasir"][data-has="yes"]').waitFor();
      assert.equal(await page.locator('[data-permission="agents.view"] td[data-role="Kasir"]').getAttribute('data-has'), 'no');
      // A name already used: the server's error shows next to the field.
      await page.getByTestId('role-create').click();
      await page.getByTestId('role-name').fill('Kasir');
      await page.getByTestId('role-save').click();
      await page.locator('[data-testid="role-dialog"] .field__error').waitFor();
    });
    const role = (await owner.api.get('/api/v1/roles')).body.data.find((r: any) => r.name === 'Kasir');
    assert.deepEqual([...role.permissions].sort(), ['contacts.manage', 'contacts.view']);
  });

  test('creates a scoped API key shown once, which works within its scope until revoked', async () => {
    let key = '';
    await withPage(browser, 'team-api-keys', { locale: 'en-US' }, async (page) => {
      await signIn(page);
      await page.goto(`${server.url}/settings/api-keys`);
      await page.getByTestId('api-key-create').click();
      await page.getByTestId('api-key-name').fill('Shop website');
      await page.getByTestId('api-key-limit').check({ force: true });
      await page.getByTestId('perm-contacts.view').check();
      await page.getByTestId('api-key-save').click();
      key = await page.getByTestId('api-key-value').inputValue();
      assert.match(key, /^osk_/);
      await page.getByTestId('api-key-done').click();
      const row = page.locator('[data-testid="api-key-row"][data-name="Shop website"]');
      assert.match(await row.getByTestId('api-key-scopes-list').innerText(), /contacts\.view/);
      assert.ok(!(await page.content()).includes(key), 'the key is not shown again');
      const byKey = owner.api.as({ apiKey: key });
      assert.equal((await byKey.get('/api/v1/contacts')).status, 200);
      assert.equal((await byKey.get('/api/v1/agents')).status, 403);
      await row.getByTestId('api-key-revoke').click();
      await page.locator('[data-testid="api-key-row"][data-name="Shop website"][data-state="revoked"]').waitFor();
      assert.equal((await byKey.get('/api/v1/contacts')).status, 401);
    });
  });

  test('filters the activity log and exports what it shows, at phone width in Indonesian', async () => {
    await withPage(browser, 'team-activity-phone', { locale: 'id-ID', viewport: PHONE }, async (page) => {
      await signIn(page);
      await page.goto(`${server.url}/settings/activity`);
      await page.locator('[data-testid="activity-entry"]').first().waitFor();
      await page.getByTestId('activity-action').selectOption('agent.invited');
      await eventually(
        async () => {
          const actions = await page
            .locator('[data-testid="activity-entry"]')
            .evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
          return actions.length > 0 && actions.every((a) => a === 'agent.invited');
        },
        5000,
        'only invitations listed',
      );
      assert.match(await page.locator('[data-testid="activity-entry"]').first().innerText(), /mengundang agen/);
      const href = (await page.getByTestId('activity-export').getAttribute('href')) ?? '';
      assert.match(href, /action=agent\.invited/);
      const csv = await downloadText(owner.api, href);
      const rows: string[][] = parseCsv(csv.text, { bom: true });
      assert.ok(rows.length >= 2);
      assert.ok(rows.slice(1).every((r) => r[5] === 'agent.invited'));
      await page.getByTestId('activity-actor').selectOption(owner.user.id);
      await page.getByTestId('activity-from').fill('2000-01-01');
      assert.match(
        (await page.getByTestId('activity-export').getAttribute('href')) ?? '',
        new RegExp(`actorId=${owner.user.id}.*from=2000`),
      );
    });
  });
});
