// Browser tests of the team workflow against the real appliance and the fake Graph API: an owner
// transfers a conversation to a division and the division's agent sees it arrive live with a
// notification; "/" in the agent's composer inserts a shared quick reply with the contact's name
// filled in, and the filled text reaches Graph; along the way the division filter, the SLA badge going
// live from on track to met, a scheduled message (and its cancel) and a CSAT rating on the resolved
// conversation. A settings page (working hours) saves and reloads in both languages, on a phone too.
// Requires a prior `vite build renderer`. Skips (or fails with REQUIRE_BROWSER=1) when Chromium is missing.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type TestServer } from '../support/server.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { Api, registerTenant, roleId, uniqueEmail, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid, type WaAccount } from '../support/whatsapp.js';
import { browserSkipReason, launchBrowser } from '../support/browser.js';

const ARTIFACT_DIR = join(process.cwd(), '.tmp', 'e2e');
const skip = browserSkipReason();

interface Person {
  email: string;
  password: string;
}

describe('web UI: team workflow', { skip }, () => {
  let graph: FakeGraph;
  let server: TestServer;
  let browser: Browser;
  let owner: Tenant;
  let wa: WaAccount;

  before(async () => {
    assert.ok(
      existsSync(join(process.cwd(), 'renderer', 'dist', 'index.html')),
      'renderer/dist/index.html is missing; run `npx vite build renderer` first',
    );
    graph = await startFakeGraph();
    server = await startServer({ META_GRAPH_URL: graph.url });
    owner = await registerTenant(new Api(server.url), 'Toko Kain Nusantara');
    wa = await connectWhatsApp(owner.api, '300000000000016');
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await graph?.stop();
  });

  /** A browser context per person; a screenshot of each page on failure, and no uncaught page errors. */
  async function withPages(
    name: string,
    specs: { locale: string; viewport?: { width: number; height: number } }[],
    fn: (...pages: Page[]) => Promise<void>,
  ): Promise<void> {
    const contexts: BrowserContext[] = [];
    const pages: Page[] = [];
    const pageErrors: string[] = [];
    for (const spec of specs) {
      const context = await browser.newContext({ locale: spec.locale, viewport: spec.viewport ?? { width: 1366, height: 860 } });
      context.setDefaultTimeout(10_000);
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      pages.push(page);
    }
    try {
      await fn(...pages);
      assert.deepEqual(pageErrors, [], 'uncaught errors in the page');
    } catch (error) {
      mkdirSync(ARTIFACT_DIR, { recursive: true });
      const files: string[] = [];
      for (const [i, page] of pages.entries()) {
        const file = join(ARTIFACT_DIR, `${name}-${i}.png`);
        await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
        files.push(`${page.url()} (screenshot: ${file})`);
      }
      if (error instanceof Error) error.message += `\n  at ${files.join('\n  and ')}`;
      throw error;
    } finally {
      for (const context of contexts) await context.close();
    }
  }

  async function login(page: Page, who: Person) {
    await page.goto(`${server.url}/login`);
    await page.getByTestId('login-email').fill(who.email);
    await page.getByTestId('login-password').fill(who.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${server.url}/inbox`);
    await page.locator('[data-testid="connection-status"][data-state="live"]').waitFor();
  }

  const row = (page: Page, name: string) =>
    page.locator('[data-testid="conversation-row"]', { has: page.getByTestId('conversation-name').getByText(name, { exact: true }) });

  test('an owner transfers a conversation to a division; its agent sees it arrive live, and "/" inserts a quick reply with the contact name filled in', {
    timeout: 120_000,
  }, async () => {
    // The team: an agent in "Layanan Pelanggan" (which hands new arrivals to its online members),
    // and "Penjualan", the default division new conversations join, which the agent is not in.
    const agentLogin = { email: uniqueEmail('rahmat'), password: 'agent password 1' };
    const created = await owner.api.post('/api/v1/agents', {
      name: 'Rahmat Hidayat',
      ...agentLogin,
      roleId: await roleId(owner.api, 'agent'),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const agentId: string = created.body.id;
    const agentApi = owner.api.as({ token: (await owner.api.as({}).post('/api/v1/auth/login', agentLogin)).body.token });

    const support = await owner.api.post('/api/v1/divisions', { name: 'Layanan Pelanggan', autoAssign: true, agentIds: [agentId] });
    assert.equal(support.status, 201, JSON.stringify(support.body));
    const sales = await owner.api.post('/api/v1/divisions', { name: 'Penjualan', isDefault: true });
    assert.equal(sales.status, 201, JSON.stringify(sales.body));

    // An SLA policy, so the conversation carries a live SLA state.
    const policy = await owner.api.post('/api/v1/sla/policies', {
      name: 'Respons cepat',
      firstResponseMinutes: 120,
      workingHoursOnly: false,
    });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));

    // Shared quick replies; the agent has made "ongkir" a favorite, so it comes first.
    const body = 'Halo {{contact.name}}, terima kasih sudah menghubungi Toko Kain Nusantara. Ada yang bisa kami bantu?';
    const halo = await owner.api.post('/api/v1/quick-replies', { shortcut: 'halo', title: 'Salam pembuka', body, scope: 'shared' });
    assert.equal(halo.status, 201, JSON.stringify(halo.body));
    const ongkir = await owner.api.post('/api/v1/quick-replies', {
      shortcut: 'ongkir',
      title: 'Ongkos kirim',
      body: 'Ongkos kirim ke kota {{contact.first_name | Kakak}} mulai Rp15.000.',
      scope: 'shared',
    });
    assert.equal(ongkir.status, 201, JSON.stringify(ongkir.body));
    assert.equal((await agentApi.post(`/api/v1/quick-replies/${ongkir.body.id}/favorite`)).status, 200);

    // A customer writes; the conversation joins the default division (Penjualan).
    const from = '6281300000101';
    const webhook = waPayload('wa-text.json', wa.phoneNumberId, {
      from,
      profileName: 'Sari Wulandari',
      message: { id: wamid('TW'), text: { body: 'Halo, saya mau tanya soal pengembalian barang' } },
    });
    assert.equal((await postWebhook(server.url, webhook, wa.appSecret)).status, 200);
    const conversation = await eventually(
      async () => {
        const list = (await owner.api.get('/api/v1/conversations?limit=50')).body.data;
        const found = list.find((c: any) => c.contact.phone === `+${from}`);
        return found?.divisionId === sales.body.id && found?.sla ? found : undefined;
      },
      10_000,
      'the conversation in the default division, with its SLA',
    );
    assert.equal(conversation.sla.status, 'on_track');

    await withPages('team-transfer-quick-reply', [{ locale: 'en-US' }, { locale: 'en-US' }], async (ownerPage, agentPage) => {
      await login(ownerPage, owner);
      await login(agentPage, agentLogin);

      // The agent goes online (so the division can hand them conversations) and sees nothing of Penjualan's.
      const presence = agentPage.getByTestId('presence-toggle');
      if ((await presence.getAttribute('aria-checked')) !== 'true') await presence.click();
      await agentPage.locator('[data-testid="presence-toggle"][aria-checked="true"]').waitFor();
      await eventually(async () => (await owner.api.get(`/api/v1/agents/${agentId}`)).body.online === true, 5000, 'the agent online');
      await agentPage.getByTestId('conversation-list-empty').waitFor();
      await agentPage.evaluate(() => {
        (globalThis as unknown as { __sameDocument: boolean }).__sameDocument = true;
      });

      // The owner sees the conversation with its division and SLA badge (the division filter finds it
      // under Penjualan, not under Layanan Pelanggan), and transfers it to Layanan Pelanggan.
      const ownerRow = row(ownerPage, 'Sari Wulandari');
      await ownerRow.waitFor();
      await ownerPage.getByTestId('toggle-filters').click();
      await ownerPage.getByTestId('filter-division').selectOption({ label: 'Layanan Pelanggan' });
      await ownerPage.getByTestId('conversation-list-empty').waitFor();
      await ownerPage.getByTestId('filter-division').selectOption({ label: 'Penjualan' });
      await ownerRow.waitFor();
      assert.equal((await ownerRow.getByTestId('conversation-division').textContent())?.trim(), 'Penjualan');
      assert.equal(await ownerRow.getByTestId('sla-badge').getAttribute('data-status'), 'on_track');
      await ownerRow.click();
      await ownerPage.getByTestId('thread-contact-name').getByText('Sari Wulandari').waitFor();
      await ownerPage.getByTestId('transfer-button').click();
      const dialog = ownerPage.getByTestId('transfer-dialog');
      await dialog.waitFor();
      // The reason is required.
      await dialog.getByTestId('transfer-division').selectOption({ label: 'Layanan Pelanggan' });
      await dialog.getByTestId('transfer-submit').click();
      await dialog.locator('.field--invalid [data-testid="transfer-reason"]').waitFor();
      const reason = 'Pertanyaan retur, ditangani tim layanan pelanggan';
      await dialog.getByTestId('transfer-reason').fill(reason);
      await dialog.getByTestId('transfer-submit').click();
      await dialog.waitFor({ state: 'detached' });
      await ownerPage.locator('[data-testid="thread-division"]', { hasText: 'Layanan Pelanggan' }).waitFor();

      await ownerPage.getByTestId('filter-division').selectOption({ label: 'Layanan Pelanggan' });
      await ownerRow.waitFor();
      await ownerPage.getByTestId('filter-division').selectOption({ label: 'Penjualan' });
      await ownerPage.getByTestId('conversation-list-empty').waitFor();
      await ownerPage.getByTestId('filter-division').selectOption({ value: '' });
      await ownerRow.waitFor();

      const moved = (await owner.api.get(`/api/v1/conversations/${conversation.id}`)).body;
      assert.equal(moved.divisionId, support.body.id);
      assert.equal(moved.assignee?.id, agentId, 'the division handed it to its online agent');

      // The agent: the conversation arrives in the list without a reload, with a notification.
      const agentRow = row(agentPage, 'Sari Wulandari');
      await agentRow.waitFor();
      assert.equal((await agentRow.getByTestId('conversation-division').textContent())?.trim(), 'Layanan Pelanggan');
      const toast = agentPage.locator('[data-testid="toast"][data-kind="transfer"]');
      await toast.waitFor();
      const toastText = (await toast.textContent()) ?? '';
      assert.match(toastText, /Sari Wulandari/);
      assert.match(toastText, new RegExp(reason));
      assert.equal(
        await agentPage.evaluate(() => (globalThis as unknown as { __sameDocument?: boolean }).__sameDocument === true),
        true,
        'no reload',
      );

      // "Open" in the notification opens the conversation; its transfer history shows the reason.
      await toast.getByTestId('toast-action').click();
      await agentPage.waitForURL(new RegExp(`/inbox/${conversation.id}$`));
      await agentPage.getByTestId('thread-contact-name').getByText('Sari Wulandari').waitFor();
      await agentPage.getByTestId('transfer-history-item').filter({ hasText: reason }).waitFor();
      await agentPage.locator('[data-testid="thread"] [data-testid="sla-badge"][data-status="on_track"]').waitFor();

      // "/" opens the quick-reply picker: favorites first.
      const input = agentPage.getByTestId('composer-input');
      await input.click();
      await input.press('/');
      const picker = agentPage.getByTestId('quick-reply-picker');
      await picker.waitFor();
      await picker.locator('[data-testid="quick-reply-option"][data-shortcut="halo"]').waitFor();
      assert.deepEqual(
        await picker.getByTestId('quick-reply-option').evaluateAll((els) => els.map((el) => el.getAttribute('data-shortcut'))),
        ['ongkir', 'halo'],
      );
      assert.equal(await picker.locator('[aria-selected="true"]').getAttribute('data-shortcut'), 'ongkir');

      // Typing filters; the arrow keys move; Enter inserts the reply with the contact's name filled in.
      await input.pressSequentially('ha');
      await eventually(async () => (await picker.getByTestId('quick-reply-option').count()) === 1, 5000, 'the picker filtered to /halo');
      await input.press('ArrowDown');
      assert.equal(await picker.locator('[aria-selected="true"]').getAttribute('data-shortcut'), 'halo');
      await input.press('Enter');
      await picker.waitFor({ state: 'detached' });
      const filled = 'Halo Sari Wulandari, terima kasih sudah menghubungi Toko Kain Nusantara. Ada yang bisa kami bantu?';
      assert.equal(await input.inputValue(), filled);
      await eventually(
        async () => {
          const replies = (await agentApi.get('/api/v1/quick-replies?limit=50')).body.data;
          return replies.find((r: any) => r.id === halo.body.id)?.usageCount === 1;
        },
        5000,
        'the use recorded',
      );

      // Sending it: Graph receives the filled text, once.
      await input.press('Enter');
      const sent = await eventually(
        async () => graph.sentMessages(wa.phoneNumberId).find((r) => r.body?.text?.body === filled),
        10_000,
        'the reply at Graph',
      );
      assert.equal(sent.body.to, from);
      await agentPage.locator('[data-testid="message"][data-direction="outbound"]', { hasText: 'Halo Sari Wulandari' }).waitFor();

      // The first reply met the SLA's first-response target: both screens update live.
      await agentPage.locator('[data-testid="thread"] [data-testid="sla-badge"][data-status="met"]').waitFor();
      await ownerPage.locator('[data-testid="thread"] [data-testid="sla-badge"][data-status="met"]').waitFor();
      assert.equal(graph.sentMessages(wa.phoneNumberId).filter((r) => r.body?.text?.body === filled).length, 1);

      // The agent schedules a follow-up on the organization's clock, sees it waiting, and cancels it.
      const { timezone } = (await agentApi.get('/api/v1/tenant/timezone')).body;
      const followUp = 'Kak, besok kami kabari lagi soal retur ya';
      await input.fill(followUp);
      await agentPage.getByTestId('schedule-button').click();
      const scheduleDialog = agentPage.getByTestId('schedule-dialog');
      await scheduleDialog.waitFor();
      assert.equal(await scheduleDialog.getByTestId('schedule-text').inputValue(), followUp);
      await scheduleDialog.getByTestId('schedule-timezone').getByText(timezone, { exact: false }).waitFor();
      const when = await eventually(
        async () => (await scheduleDialog.getByTestId('schedule-when').inputValue()) || undefined,
        5000,
        'a default time',
      );
      await scheduleDialog.getByTestId('schedule-submit').click();
      await scheduleDialog.waitFor({ state: 'detached' });
      const waiting = agentPage.getByTestId('scheduled-message').filter({ hasText: followUp });
      await waiting.waitFor();
      assert.equal(await input.inputValue(), '', 'the composer is cleared');
      const [scheduled] = (await agentApi.get(`/api/v1/conversations/${conversation.id}/scheduled-messages?status=scheduled`)).body.data;
      assert.equal(scheduled.text, followUp);
      assert.equal(scheduled.timezone, timezone);
      assert.equal(scheduled.sendAtLocal.slice(0, 16), when);
      agentPage.once('dialog', (d) => void d.accept());
      await waiting.getByTestId('scheduled-cancel').click();
      await waiting.waitFor({ state: 'detached' });
      assert.equal((await agentApi.get(`/api/v1/conversations/${conversation.id}/scheduled-messages`)).body.data[0].status, 'cancelled');

      // The owner resolves it and sends a survey; the customer's rating shows on the resolved conversation, live.
      await ownerPage.getByTestId('resolve').click();
      const csat = ownerPage.getByTestId('csat-section');
      await csat.getByTestId('csat-send').click();
      await csat.getByTestId('csat-status').waitFor();
      const survey = (await owner.api.get(`/api/v1/conversations/${conversation.id}/csat`)).body;
      const token = survey.path.split('/').pop();
      assert.equal(
        (await new Api(server.url).patch(`/api/v1/csat/${token}`, { score: 5, comment: 'Pelayanan cepat, terima kasih!' })).status,
        200,
      );
      await csat.locator('[data-testid="csat-result"][data-score="5"]').waitFor();
      await csat.getByText('Pelayanan cepat, terima kasih!', { exact: false }).waitFor();
      await ownerPage.getByTestId('csat-chip').waitFor();
    });
  });

  const COPY = {
    en: { weekly: 'Weekly hours', saved: 'Saved.', monday: 'Monday', nav: 'Working hours' },
    id: { weekly: 'Jam kerja mingguan', saved: 'Tersimpan.', monday: 'Senin', nav: 'Jam kerja' },
  } as const;

  for (const [lang, locale, viewport, values] of [
    [
      'en',
      'en-US',
      undefined,
      {
        start: '08:00',
        end: '16:30',
        holiday: '2026-12-25',
        holidayName: 'Christmas',
        reply: 'Thanks! We are closed now and reply at 08:00.',
      },
    ],
    [
      'id',
      'id-ID',
      { width: 390, height: 844 },
      {
        start: '07:30',
        end: '15:00',
        holiday: '2026-03-20',
        holidayName: 'Idul Fitri',
        reply: 'Terima kasih! Kami sedang tutup, balasan menyusul pukul 07.30.',
      },
    ],
  ] as const) {
    test(`working hours save and reload (${lang}${viewport ? ', phone' : ''})`, { timeout: 60_000 }, async () => {
      const copy = COPY[lang];
      await withPages(`working-hours-${lang}`, [{ locale, viewport }], async (page) => {
        await login(page, owner);
        await page.getByTestId('nav-settings').click();
        await page.getByTestId('settings-nav-working-hours').click();
        await page.waitForURL(`${server.url}/settings/working-hours`);
        const form = page.getByTestId('wh-form');
        await form.waitFor();
        assert.equal((await page.getByTestId('settings-nav-working-hours').textContent())?.trim(), copy.nav);
        await form.getByText(copy.weekly, { exact: true }).waitFor();
        await form.getByText(copy.monday, { exact: true }).waitFor();

        // Monday's hours, Saturday closed, a holiday and the WhatsApp out-of-hours reply.
        const monday = page.getByTestId('wh-monday-open');
        if (!(await monday.isChecked())) await monday.check();
        await page.getByTestId('wh-monday-start-0').fill(values.start);
        await page.getByTestId('wh-monday-end-0').fill(values.end);
        const saturday = page.getByTestId('wh-saturday-open');
        if (await saturday.isChecked()) await saturday.uncheck();
        const holidays = await page.locator('[data-testid^="wh-holiday-date-"]').count();
        await page.getByTestId('wh-add-holiday').click();
        await page.getByTestId(`wh-holiday-date-${holidays}`).fill(values.holiday);
        await page.getByTestId(`wh-holiday-name-${holidays}`).fill(values.holidayName);
        const replyOn = page.getByTestId('wh-reply-whatsapp-enabled');
        if (!(await replyOn.isChecked())) await replyOn.check({ force: true });
        await page.getByTestId('wh-reply-whatsapp-message').fill(values.reply);
        await page.getByTestId('wh-save').click();
        await page.getByTestId('wh-status').waitFor();
        assert.equal((await page.getByTestId('wh-status').textContent())?.trim(), copy.saved);

        // Stored as entered.
        const stored = (await owner.api.get('/api/v1/working-hours')).body;
        assert.deepEqual(
          stored.hours.filter((h: any) => h.day === 'monday'),
          [{ day: 'monday', start: values.start, end: values.end }],
        );
        assert.equal(
          stored.hours.some((h: any) => h.day === 'saturday'),
          false,
        );
        assert.ok(stored.holidays.some((h: any) => h.date === values.holiday && h.name === values.holidayName));
        assert.deepEqual(
          stored.autoReplies.find((r: any) => r.channel === 'whatsapp'),
          { channel: 'whatsapp', enabled: true, message: values.reply },
        );

        // After a reload the page shows what was saved, still in the chosen language.
        await page.reload();
        await page.getByTestId('wh-form').waitFor();
        await page.getByTestId('wh-form').getByText(copy.weekly, { exact: true }).waitFor();
        assert.equal(await page.getByTestId('wh-monday-start-0').inputValue(), values.start);
        assert.equal(await page.getByTestId('wh-monday-end-0').inputValue(), values.end);
        assert.equal(await page.getByTestId('wh-saturday-open').isChecked(), false);
        const dates = await page
          .locator('[data-testid^="wh-holiday-date-"]')
          .evaluateAll((els) => els.map((el) => (el as unknown as { value: string }).value));
        assert.ok(dates.includes(values.holiday), `holiday ${values.holiday} in ${dates.join(', ')}`);
        assert.equal(await page.getByTestId('wh-reply-whatsapp-message').inputValue(), values.reply);
        assert.equal(await page.getByTestId('wh-reply-whatsapp-enabled').isChecked(), true);
        assert.match(
          (await page.getByTestId('wh-public-url').textContent()) ?? '',
          new RegExp(`/api/v1/public/working-hours/${owner.tenant.slug}/status$`),
        );
      });
    });
  }
});
