// Browser tests of the AI agents area against the real appliance and the fake OpenAI-compatible
// model: the owner configures the organization's model (a server on the office network, here the
// fake), creates an agent, teaches it an FAQ, a text and a product, adds a handoff rule, and asks it
// questions in the playground (answers with the retrieved passages and the prompt, a handoff on a
// keyword); in Indonesian too. In the inbox, "Suggest reply" fills the reply box from the agent's
// knowledge and "Summarize" explains the conversation.
// Requires a prior `vite build renderer`. Skips (or fails with REQUIRE_BROWSER=1) when Chromium is missing.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { startServer, type TestServer } from '../support/server.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { startFakeLlm, FAKE_CHAT_MODEL, FAKE_EMBEDDING_MODEL, type FakeLlm } from '../support/fake-llm.js';
import { Api, registerTenant, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid } from '../support/whatsapp.js';
import { browserSkipReason, launchBrowser, withPage } from '../support/browser.js';

const skip = browserSkipReason();
const text = async (locator: Locator) => (await locator.textContent()) ?? '';

describe('web UI: AI agents', { skip }, () => {
  let graph: FakeGraph;
  let llm: FakeLlm;
  let server: TestServer;
  let browser: Browser;
  let owner: Tenant;

  before(async () => {
    assert.ok(
      existsSync(join(process.cwd(), 'renderer', 'dist', 'index.html')),
      'renderer/dist/index.html is missing; run `npx vite build renderer` first',
    );
    graph = await startFakeGraph();
    llm = await startFakeLlm();
    server = await startServer({ META_GRAPH_URL: graph.url });
    owner = await registerTenant(new Api(server.url), 'Toko Kopi Layar');
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await llm?.stop();
    await graph?.stop();
  });

  async function signIn(page: Page) {
    await page.goto(`${server.url}/login`);
    await page.getByTestId('login-email').fill(owner.email);
    await page.getByTestId('login-password').fill(owner.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL(`${server.url}/inbox`);
  }

  const ask = async (page: Page, question: string) => {
    const before = await page.getByTestId('ai-playground-turn').count();
    await page.getByTestId('ai-playground-input').fill(question);
    await page.getByTestId('ai-playground-send').click();
    await page.getByTestId('ai-playground-turn').nth(before).waitFor();
    return page.getByTestId('ai-playground-turn').nth(before);
  };

  test('configure the model and an agent, add knowledge, and use the playground', async () => {
    await withPage(browser, 'ai-agents-configure', { locale: 'en-US' }, async (page) => {
      await signIn(page);
      await page.getByTestId('nav-ai-agents').click();
      await page.getByTestId('ai-agents-page').waitFor();

      // The organization's model: an OpenAI-compatible server (here the fake on this machine).
      await page.getByTestId('ai-sub-model').click();
      await page.getByTestId('ai-model-page').waitFor();
      assert.match(await text(page.getByTestId('ai-model-source')), /No model is configured/);
      await page.getByTestId('ai-model-baseUrl').fill(llm.url);
      await page.getByTestId('ai-model-apiKey').fill('sk-office-1234');
      await page.getByTestId('ai-model-model').fill(FAKE_CHAT_MODEL);
      await page.getByTestId('ai-model-embeddingModel').fill(FAKE_EMBEDDING_MODEL);
      await page.getByTestId('ai-model-save').click();
      await page.getByTestId('ai-model-status').waitFor();
      assert.match(await text(page.getByTestId('ai-model-source')), /fake-chat/);
      assert.equal(await page.getByTestId('ai-model-apiKey').inputValue(), '', 'the key is never shown back');
      await page.getByTestId('ai-model-test').click();
      await eventually(
        async () => /Connected/.test((await page.getByTestId('ai-model-test-result').textContent()) ?? ''),
        5000,
        'connected',
      );

      // A new agent.
      await page.getByTestId('ai-sub-agents').click();
      await page.getByTestId('ai-agent-create').click();
      await page.getByTestId('ai-agent-name').fill('Sari');
      await page.getByTestId('ai-agent-instructions').fill('Asisten Toko Kopi Layar. Ramah dan singkat.');
      await page.getByTestId('ai-agent-save').click();
      await page.getByTestId('ai-agent-page').waitFor();
      assert.equal(await page.getByTestId('ai-agent-page').getAttribute('data-agent'), 'Sari');
      await page.getByTestId('ai-language').selectOption('auto');
      await page.getByTestId('ai-settings-save').click();
      await page.getByTestId('ai-settings-status').waitFor();
      await page.getByTestId('ai-agent-active').click();
      await eventually(async () => page.getByTestId('ai-agent-active').isChecked(), 5000, 'active');

      // Knowledge: an FAQ with a pair, and a text.
      await page.getByTestId('ai-tab-knowledge').click();
      await page.getByTestId('ai-source-type-qna').check();
      await page.getByTestId('ai-source-name').fill('FAQ toko');
      await page.getByTestId('ai-source-add').click();
      const faq = page.locator('[data-testid="ai-source-row"][data-name="FAQ toko"]');
      await faq.waitFor();
      await page.getByTestId('ai-qna-question').fill('Jam berapa toko buka?');
      await page.getByTestId('ai-qna-answer').fill('Kami buka setiap hari pukul 09.00–21.00 WIB.');
      await page.getByTestId('ai-qna-add').click();
      await page.getByTestId('ai-qna-row').first().waitFor();
      await page.getByTestId('ai-source-type-text').check();
      await page.getByTestId('ai-source-name').fill('Pengiriman');
      await page
        .getByTestId('ai-source-content')
        .fill('Pengiriman ke seluruh Indonesia memakai JNE dan SiCepat. Gratis ongkir di atas Rp 200.000.');
      await page.getByTestId('ai-source-add').click();
      await eventually(
        async () => (await page.locator('[data-testid="ai-source-row"][data-status="ready"]').count()) === 2,
        10_000,
        'both sources ready',
      );

      // A product.
      await page.getByTestId('ai-tab-products').click();
      await page.getByTestId('ai-product-name').fill('Kopi Gayo 250g');
      await page.getByTestId('ai-product-price').fill('85000');
      await page.getByTestId('ai-product-stock').fill('12');
      await page.getByTestId('ai-product-add').click();
      await page.locator('[data-testid="ai-product-row"][data-name="Kopi Gayo 250g"]').waitFor();

      // A handoff rule.
      await page.getByTestId('ai-tab-rules').click();
      await page.getByTestId('ai-rule-type').selectOption('keyword');
      await page.getByTestId('ai-rule-keywords').fill('komplain, refund');
      await page.getByTestId('ai-rule-add').click();
      await page.locator('[data-testid="ai-rule-row"][data-type="keyword"]').waitFor();
      await page.getByTestId('ai-assignment-channel').selectOption('whatsapp');
      await page.getByTestId('ai-assignment-add').click();
      await page.getByTestId('ai-assignment-row').waitFor();

      // The playground.
      await page.getByTestId('ai-tab-playground').click();
      const hours = await ask(page, 'Halo, jam berapa toko buka?');
      assert.match(await text(hours.getByTestId('ai-playground-answer')), /09\.00–21\.00/);
      await hours.locator('summary').first().click();
      assert.match(await text(hours.getByTestId('ai-playground-passage').first()), /Jam berapa toko buka\?/);
      await hours.locator('summary').nth(1).click();
      assert.match(await text(hours.getByTestId('ai-playground-prompt').first()), /KNOWLEDGE:/);
      const price = await ask(page, 'Berapa harga kopi gayo?');
      assert.match(await text(price.getByTestId('ai-playground-answer')), /Rp 85\.000/);
      const complaint = await ask(page, 'Saya mau komplain');
      assert.match(await text(complaint.getByTestId('ai-playground-handoff')), /hand over to your team: a keyword/);
    });
  });

  test('the same area in Indonesian, on a phone', async () => {
    await withPage(browser, 'ai-agents-id', { locale: 'id-ID', viewport: { width: 390, height: 844 } }, async (page) => {
      await signIn(page);
      await page.goto(`${server.url}/ai-agents`);
      await page.getByTestId('ai-agent-row').first().waitFor();
      assert.match(await text(page.getByTestId('ai-agents-page')), /Agen AI/);
      await page.getByTestId('ai-agent-open').first().click();
      await page.getByTestId('ai-tab-playground').click();
      const turn = await ask(page, 'Apakah ada gratis ongkir?');
      assert.match(await text(turn.getByTestId('ai-playground-answer')), /Gratis ongkir di atas Rp 200\.000/);
      await page.getByTestId('ai-tab-knowledge').click();
      assert.match(await text(page.getByTestId('ai-sources')), /Sumber pengetahuan/);
      assert.match(await text(page.getByTestId('ai-source-status').first()), /Siap/);
    });
  });

  test('suggest a reply and summarize in the composer', async () => {
    const wa = await connectWhatsApp(owner.api, '620000000000031');
    // The conversation goes to the team at once (a keyword), so a person writes the reply.
    const res = await postWebhook(
      server.url,
      waPayload('wa-text.json', wa.phoneNumberId, {
        from: '6281277770001',
        message: { id: wamid('UI'), text: { body: 'Saya mau komplain, jam berapa toko buka?' } },
      }),
      wa.appSecret,
    );
    assert.equal(res.status, 200);
    const conversation = await eventually(
      async () => (await owner.api.get('/api/v1/conversations?limit=50')).body.data.find((c: any) => c.contact.phone === '+6281277770001'),
      5000,
      'conversation',
    );
    await eventually(
      async () => (await owner.api.get(`/api/v1/conversations/${conversation.id}/notes`)).body.data.length > 0,
      10_000,
      'the handoff note',
    );
    await withPage(browser, 'ai-agents-composer', { locale: 'en-US' }, async (page) => {
      await signIn(page);
      await page.goto(`${server.url}/inbox/${conversation.id}`);
      await page.getByTestId('composer-input').waitFor();
      await page.getByTestId('ai-suggest-button').click();
      await eventually(async () => /09\.00–21\.00/.test(await page.getByTestId('composer-input').inputValue()), 10_000, 'the suggestion');
      await page.getByTestId('ai-summary-button').click();
      await page.getByTestId('ai-summary').waitFor();
      assert.match(await text(page.getByTestId('ai-summary')), /Saya mau komplain/);
      // The suggestion is the agent's to send.
      await page.getByTestId('send-button').click();
      await eventually(
        async () => graph.sentMessages(wa.phoneNumberId).some((r) => /09\.00–21\.00/.test(r.body?.text?.body ?? '')),
        10_000,
        'the reply reached WhatsApp',
      );
    });
  });
});
