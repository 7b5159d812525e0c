// Browser tests of the agent inbox against the real appliance and the fake Graph API: live
// webhooks, replies and delivery ticks, images, and the outbox while the server is down.
// Requires a prior `vite build renderer`. Skips (or fails with REQUIRE_BROWSER=1) when Chromium is missing.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser, Locator, Page } from 'playwright-core';
import { startServer, type TestServer } from '../support/server.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { Api, registerTenant, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid, type WaAccount } from '../support/whatsapp.js';
import { browserSkipReason, launchBrowser, withPage as withBrowserPage } from '../support/browser.js';

// The app's CSP forbids eval, which page.waitForFunction needs while it polls; these tests poll from here instead.
/** Resolves once the image has loaded; answers its natural size. */
async function loadedSize(image: Locator): Promise<[number, number]> {
  return eventually(
    async () => {
      const size = await image.evaluate(
        (img: any) => (img.complete && img.naturalWidth > 0 ? [img.naturalWidth, img.naturalHeight] : null) as [number, number] | null,
      );
      return size ?? undefined;
    },
    10_000,
    'the image to load',
  );
}
const skip = browserSkipReason();

describe('web UI: agent inbox', { skip }, () => {
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
    owner = await registerTenant(new Api(server.url), 'Toko Batik Inbox');
    wa = await connectWhatsApp(owner.api, '300000000000003');
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await graph?.stop();
  });

  const withPage = (name: string, locale: string, fn: (page: Page) => Promise<void>) =>
    withBrowserPage(browser, name, { locale, viewport: { width: 1366, height: 860 } }, fn);

  async function login(page: Page) {
    await page.goto(`${server.url}/login`);
    await page.getByTestId('login-email').fill(owner.email);
    await page.getByTestId('login-password').fill(owner.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${server.url}/inbox`);
    await page.locator('[data-testid="connection-status"][data-state="live"]').waitFor();
  }

  /** A customer's text message, signed like Meta signs it. */
  async function customerSays(from: string, text: string, profileName: string) {
    const body = waPayload('wa-text.json', wa.phoneNumberId, { from, profileName, message: { id: wamid('IN'), text: { body: text } } });
    const res = await postWebhook(server.url, body, wa.appSecret);
    assert.equal(res.status, 200);
  }

  async function postStatus(file: string, externalId: string) {
    const res = await postWebhook(server.url, waPayload(file, wa.phoneNumberId, { status: { id: externalId } }), wa.appSecret);
    assert.equal(res.status, 200);
  }

  const row = (page: Page, name: string) =>
    page.locator('[data-testid="conversation-row"]', { has: page.getByTestId('conversation-name').getByText(name, { exact: true }) });
  const rowNames = (page: Page) => page.getByTestId('conversation-name').allTextContents();
  const sentTexts = (text: string) => graph.sentMessages(wa.phoneNumberId).filter((r) => r.body?.text?.body === text);

  async function openConversation(page: Page, name: string) {
    await row(page, name).click();
    await page.waitForURL(/\/inbox\/[^/]+$/);
    await page.getByTestId('thread-contact-name').getByText(name, { exact: true }).waitFor();
  }

  test('a webhook appears live in the list and the open thread; the reply reaches Graph and its ticks move to delivered and read', {
    timeout: 90_000,
  }, async () => {
    await withPage('inbox-live-reply', 'en-US', async (page) => {
      await login(page);

      // A new customer writes: the conversation appears without a reload, unread.
      await customerSays('6281300000001', 'Halo kak, batik tulis motif parang masih ada?', 'Dewi Lestari');
      await row(page, 'Dewi Lestari').waitFor();
      assert.equal((await row(page, 'Dewi Lestari').getByTestId('unread-badge').textContent())?.trim(), '1');
      assert.match((await row(page, 'Dewi Lestari').getByTestId('conversation-preview').textContent()) ?? '', /motif parang/);

      // A second customer writes: newest activity first.
      await customerSays('6281300000002', 'Apakah bisa kirim ke Surabaya?', 'Budi Santoso');
      await row(page, 'Budi Santoso').waitFor();
      assert.deepEqual((await rowNames(page)).slice(0, 2), ['Budi Santoso', 'Dewi Lestari']);

      // Open Dewi's conversation: the message is in the thread and the unread badge goes away.
      await openConversation(page, 'Dewi Lestari');
      const thread = page.getByTestId('thread');
      await thread.getByText('Halo kak, batik tulis motif parang masih ada?').waitFor();
      await row(page, 'Dewi Lestari').getByTestId('unread-badge').waitFor({ state: 'detached' });

      // Her next message appears in the open thread live and moves her back to the top of the list.
      await customerSays('6281300000001', 'Ukuran L ya kak, 2 potong.', 'Dewi Lestari');
      await thread.getByText('Ukuran L ya kak, 2 potong.').waitFor();
      await eventually(async () => (await rowNames(page))[0] === 'Dewi Lestari', 5000, 'Dewi back at the top');

      // The agent replies with Enter.
      const reply = 'Ready kak 🙏 Ukuran L ada, silakan dipesan.';
      await page.getByTestId('composer-input').fill(reply);
      await page.getByTestId('composer-input').press('Enter');
      assert.equal(await page.getByTestId('composer-input').inputValue(), '', 'the composer is cleared');
      const bubble = thread.locator('[data-testid="message"][data-direction="outbound"]', { hasText: 'Ukuran L ada, silakan dipesan.' });
      await bubble.waitFor();

      // The fake Graph receives it once, as Meta documents it.
      const sent = await eventually(async () => sentTexts(reply)[0], 10_000, 'the reply at Graph');
      assert.equal(sent.body.to, '6281300000001');
      assert.equal(sent.body.type, 'text');
      const ticks = bubble.getByTestId('message-status');
      await bubble.locator('[data-testid="message-status"][data-status="sent"]').waitFor();

      // Status webhooks move the ticks: delivered, then read.
      const conversationId = new URL(page.url()).pathname.split('/').pop()!;
      const stored = await owner.api.get(`/api/v1/conversations/${conversationId}/messages`);
      const outbound = stored.body.data.find((m: any) => m.direction === 'outbound' && m.text === reply);
      assert.ok(outbound?.externalId, 'the stored reply has the wamid Graph returned');
      await postStatus('wa-status-delivered.json', outbound.externalId);
      await bubble.locator('[data-testid="message-status"][data-status="delivered"]').waitFor();
      await postStatus('wa-status-read.json', outbound.externalId);
      await bubble.locator('[data-testid="message-status"][data-status="read"]').waitFor();
      assert.equal(await ticks.getAttribute('data-status'), 'read');
      assert.equal(sentTexts(reply).length, 1, 'sent exactly once');
    });
  });

  test('an image from the customer shows as a thumbnail and opens full size (Bahasa Indonesia)', { timeout: 60_000 }, async () => {
    const png = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#1f6f8b' } })
      .png()
      .toBuffer();
    const payload = waPayload('wa-image.json', wa.phoneNumberId, {
      from: '6281300000003',
      profileName: 'Siti Aminah',
      message: { id: wamid('IMG') },
    });
    const message = payload.entry[0].changes[0].value.messages[0];
    message.image = { ...message.image, id: `media-${Date.now()}`, caption: 'Motif yang ini ada?' };
    graph.addMedia(message.image.id, png, 'image/png');

    await withPage('inbox-image', 'id-ID', async (page) => {
      await login(page);
      await page.locator('html[lang="id"]').waitFor({ state: 'attached' });
      assert.equal((await page.getByTestId('nav-inbox').textContent())?.trim(), 'Kotak masuk');
      assert.equal((await page.getByTestId('connection-status').textContent())?.trim(), 'Terhubung');

      // The race this test once lost: the thread's first page is read before the media is fetched
      // and arrives after the message.updated that carries it. Graph holds the media download until
      // the page has been read; the page is then held until the update has reached the browser.
      graph.hang(true);
      let pageWasStale = false;
      let intercepted = false;
      let served!: () => void;
      const pageServed = new Promise<void>((resolve) => {
        served = resolve;
      });
      await page.route(/\/api\/v1\/conversations\/[^/]+\/messages(\?|$)/, async (route) => {
        if (route.request().method() !== 'GET' || intercepted) return route.continue();
        intercepted = true;
        const response = await route.fetch();
        const body = (await response.json()) as { data: { id: string; mediaId: string | null }[] };
        const image = body.data.find((m) => m.mediaId === null);
        pageWasStale = image !== undefined;
        graph.release();
        if (image) {
          const conversationId = new URL(route.request().url()).pathname.split('/')[4];
          await eventually(
            async () => {
              const res = await owner.api.get(`/api/v1/conversations/${conversationId}/messages`);
              return (res.body as typeof body).data.find((m) => m.id === image.id)?.mediaId;
            },
            15_000,
            'the media fetched',
          );
          await page.waitForTimeout(500); // the message.updated event reaches the browser
        }
        await route.fulfill({ response, json: body });
        served();
      });
      assert.equal((await postWebhook(server.url, payload, wa.appSecret)).status, 200);
      await row(page, 'Siti Aminah').waitFor();
      await openConversation(page, 'Siti Aminah');

      await pageServed;
      // The thumbnail (320 px WebP from the server) shows once the media has been fetched from Graph.
      const thumb = page.getByTestId('thread').getByTestId('message-thumbnail');
      await thumb.waitFor({ timeout: 20_000 }); // the server fetches the media from Graph in a background job
      assert.match((await thumb.getAttribute('src')) ?? '', /\/api\/v1\/media\/[^/?]+\?thumbnail=true$/);
      const [thumbWidth] = await loadedSize(thumb);
      assert.ok(thumbWidth > 0 && thumbWidth <= 320, `thumbnail width ${thumbWidth}`);
      await page.getByTestId('thread').getByText('Motif yang ini ada?').waitFor();
      assert.ok(pageWasStale, 'the first page was read before the media was fetched');

      // Clicking opens the full-size image in the viewer; Escape closes it.
      await thumb.click();
      const viewer = page.getByTestId('media-viewer');
      await viewer.waitFor();
      const full = await loadedSize(page.getByTestId('media-viewer-image'));
      assert.deepEqual(full, [800, 600]);
      await page.keyboard.press('Escape');
      await viewer.waitFor({ state: 'detached' });
    });
  });

  test('shortcuts, an image attachment, an internal note, the closed-window banner and search click-through', {
    timeout: 90_000,
  }, async () => {
    await customerSays('6281300000005', 'Mau pesan sarung tenun ikat warna merah', 'Agus Pratama');
    const old = waPayload('wa-text.json', wa.phoneNumberId, {
      from: '6281300000006',
      profileName: 'Lama Tak Balas',
      message: { id: wamid('OLD'), timestamp: String(Math.floor(Date.now() / 1000) - 26 * 3600), text: { body: 'Halo?' } },
    });
    assert.equal((await postWebhook(server.url, old, wa.appSecret)).status, 200);
    const photo = join(tmpdir(), `omnistream-e2e-${Date.now()}.jpg`);
    writeFileSync(
      photo,
      await sharp({ create: { width: 400, height: 300, channels: 3, background: '#e67e22' } })
        .jpeg()
        .toBuffer(),
    );

    try {
      await withPage('inbox-composer-search', 'en-US', async (page) => {
        await login(page);
        await openConversation(page, 'Agus Pratama');
        const conversationId = new URL(page.url()).pathname.split('/').pop()!;
        const thread = page.getByTestId('thread');

        // "a" assigns the conversation to me.
        await page.keyboard.press('a');
        await eventually(
          async () => (await owner.api.get(`/api/v1/conversations/${conversationId}`)).body.assignee?.id === owner.user.id,
          5000,
          'assigned to me',
        );
        await thread.getByTestId('thread-activity').first().waitFor();

        // An image goes up with progress, then out with the text as its caption.
        await page.getByTestId('attach-input').setInputFiles(photo);
        await page.locator('[data-testid="upload"]', { hasText: '.jpg' }).waitFor();
        await page.getByTestId('composer-input').fill('Ini contoh warnanya kak');
        await page.locator('[data-testid="send-button"]:not([disabled])').waitFor();
        await page.getByTestId('composer-input').press('Enter');
        const sentImage = await eventually(
          async () =>
            graph
              .sentMessages(wa.phoneNumberId)
              .find((r) => r.body?.type === 'image' && r.body.image?.caption === 'Ini contoh warnanya kak'),
          10_000,
          'the image at Graph',
        );
        assert.equal(sentImage.body.to, '6281300000005');
        await thread.locator('[data-testid="message"][data-direction="outbound"][data-type="image"]').waitFor();
        assert.equal(await page.getByTestId('upload').count(), 0, 'the attachment left the composer');

        // Shift+Enter makes a new line; an internal note shows inline, marked internal, and is not sent.
        await page.getByTestId('composer-mode-note').click();
        await page.getByTestId('composer-input').pressSequentially('Pelanggan minta');
        await page.getByTestId('composer-input').press('Shift+Enter');
        await page.getByTestId('composer-input').pressSequentially('diskon grosir');
        assert.equal(await page.getByTestId('composer-input').inputValue(), 'Pelanggan minta\ndiskon grosir');
        await page.getByTestId('composer-input').press('Enter');
        await thread.getByTestId('thread-note').filter({ hasText: 'diskon grosir' }).waitFor();
        assert.equal(graph.sentMessages(wa.phoneNumberId).filter((r) => JSON.stringify(r.body).includes('diskon grosir')).length, 0);
        await page.getByTestId('composer-mode-reply').click();

        // "e" resolves it.
        await page.locator('body').click({ position: { x: 5, y: 400 } });
        await page.keyboard.press('e');
        await eventually(
          async () => (await owner.api.get(`/api/v1/conversations/${conversationId}`)).body.status === 'resolved',
          5000,
          'resolved',
        );

        // A conversation whose 24-hour window has closed says so and takes no free-form reply.
        await row(page, 'Lama Tak Balas').click();
        await page.getByTestId('window-closed-banner').waitFor();
        assert.equal(await page.getByTestId('composer-input').isDisabled(), true);

        // "?" lists the shortcuts.
        await page.locator('body').click({ position: { x: 5, y: 400 } });
        await page.keyboard.press('?');
        await page.getByTestId('shortcuts-dialog').waitFor();
        await page.keyboard.press('Escape');
        await page.getByTestId('shortcuts-dialog').waitFor({ state: 'detached' });

        // "/" opens search; a result opens its thread at the message, highlighted.
        await page.keyboard.press('/');
        await page.waitForURL(`${server.url}/search`);
        await page.getByTestId('search-input').fill('tenun ikat');
        const result = page.getByTestId('search-result').first();
        await result.waitFor();
        assert.match((await result.getByTestId('search-snippet').innerHTML()) ?? '', /<mark>tenun<\/mark>/);
        const messageId = await result.getAttribute('data-message-id');
        await result.click();
        await page.waitForURL(new RegExp(`/inbox/${conversationId}\\?message=${messageId}$`));
        await page.locator(`[data-testid="message"][data-message-id="${messageId}"].msg--highlight`).waitFor();
      });
    } finally {
      rmSync(photo, { force: true });
    }
  });

  test('with the server stopped the UI shows offline and keeps the typed reply; when the server is back it is sent once', {
    timeout: 120_000,
  }, async () => {
    await customerSays('6281300000004', 'Kak, pesanan saya sudah dikirim?', 'Rina Wijaya');
    const reply = 'Sudah kak, resi menyusul hari ini.';

    await withPage('inbox-offline-outbox', 'en-US', async (page) => {
      await login(page);
      await openConversation(page, 'Rina Wijaya');
      const status = page.getByTestId('connection-status');

      await server.restart(
        async () => {
          // The server is down: the indicator says so.
          await page.locator('[data-testid="connection-status"][data-state="offline"]').waitFor({ timeout: 15_000 });
          assert.equal((await status.textContent())?.trim().startsWith('Offline'), true);
          await page.getByTestId('composer-offline').waitFor();

          // The agent writes and presses Enter: the reply waits in the outbox, in the thread.
          await page.getByTestId('composer-input').fill(reply);
          await page.getByTestId('composer-input').press('Enter');
          const waiting = page.locator('[data-testid="outbox-message"]', { hasText: reply });
          // Generous: CI runs this beside the benchmark's quick mode, which takes both cores.
          await waiting.waitFor({ timeout: 20_000 });
          assert.notEqual(await waiting.getAttribute('data-state'), 'failed');
          await page.getByTestId('outbox-count').waitFor();
          // It survives a few failed attempts while the server stays down.
          await new Promise((resolve) => setTimeout(resolve, 3000));
          await waiting.waitFor();
          assert.notEqual(await waiting.getAttribute('data-state'), 'failed');
          assert.equal(sentTexts(reply).length, 0);
        },
        { samePort: true },
      );

      // The server is back on the same address: live again, and the reply goes out, once.
      await page.locator('[data-testid="connection-status"][data-state="live"]').waitFor({ timeout: 20_000 });
      const thread = page.getByTestId('thread');
      await thread.locator('[data-testid="message"][data-direction="outbound"]', { hasText: reply }).waitFor({ timeout: 20_000 });
      await page.locator('[data-testid="outbox-message"]').waitFor({ state: 'detached' });
      await page.getByTestId('outbox-count').waitFor({ state: 'detached' });
      await eventually(async () => sentTexts(reply).length > 0, 15_000, 'the reply at Graph');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(sentTexts(reply).length, 1, 'Graph received the reply exactly once');
      const conversationId = new URL(page.url()).pathname.split('/').pop()!;
      const stored = await new Api(server.url, { token: owner.token }).get(`/api/v1/conversations/${conversationId}/messages`);
      assert.equal(stored.body.data.filter((m: any) => m.text === reply).length, 1, 'stored exactly once');
      await thread
        .locator('[data-testid="message"][data-direction="outbound"]', { hasText: reply })
        .locator('[data-testid="message-status"][data-status="sent"]')
        .waitFor();
    });
  });

  test('a thread opened while the server is down says its history could not load, and still shows the reply waiting; when the server is back both arrive', {
    timeout: 120_000,
  }, async () => {
    await customerSays('6281300000017', 'Kak, bisa COD?', 'Yusuf Hakim');
    const reply = 'Bisa kak, untuk area Jakarta.';

    await withPage('inbox-offline-thread', 'en-US', async (page) => {
      await login(page);
      await row(page, 'Yusuf Hakim').waitFor();
      const thread = page.getByTestId('thread');

      await server.restart(
        async () => {
          await page.locator('[data-testid="connection-status"][data-state="offline"]').waitFor({ timeout: 15_000 });
          // Opened now, the thread cannot load its history: it says so, with a retry.
          await openConversation(page, 'Yusuf Hakim');
          await thread.getByRole('alert').filter({ hasText: "Can't reach the server" }).waitFor();

          // The reply written meanwhile shows in the thread as waiting, not only in the header's count.
          await page.getByTestId('composer-input').fill(reply);
          await page.getByTestId('composer-input').press('Enter');
          const waiting = thread.locator('[data-testid="outbox-message"]', { hasText: reply });
          await waiting.waitFor({ timeout: 20_000 });
          assert.notEqual(await waiting.getAttribute('data-state'), 'failed');
          assert.equal(sentTexts(reply).length, 0);
        },
        { samePort: true },
      );

      // Back: the history loads by itself (the customer's message), and the reply goes out once.
      await page.locator('[data-testid="connection-status"][data-state="live"]').waitFor({ timeout: 20_000 });
      await thread.locator('[data-testid="message"][data-direction="inbound"]', { hasText: 'Kak, bisa COD?' }).waitFor({ timeout: 20_000 });
      await thread.locator('[data-testid="message"][data-direction="outbound"]', { hasText: reply }).waitFor({ timeout: 20_000 });
      await thread.locator('[data-testid="outbox-message"]').waitFor({ state: 'detached' });
      await eventually(async () => sentTexts(reply).length > 0, 15_000, 'the reply at Graph');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(sentTexts(reply).length, 1, 'Graph received the reply exactly once');
    });
  });
});
