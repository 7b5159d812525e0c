// CSAT end to end against the fake Graph API: a WhatsApp list 1–5 on resolve, the score recorded once
// from a signed button/list reply, link surveys and the public rating page, expiry, analytics, and
// cross-tenant isolation.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { Api, assertProblem, createAgent, registerTenant, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid, type WaAccount } from '../support/whatsapp.js';
import { localDay } from '../../server/core/time.js';

const HOUR = 3600_000;
const PUBLIC_URL = 'https://toko.example';

describe('CSAT API', () => {
  let graph: FakeGraph;
  let server: TestServer;
  let a: Tenant;
  let b: Tenant;
  let waA: WaAccount;
  let n = 0;
  let offset = 0;
  const now = () => new Date(Date.now() + offset);

  before(async () => {
    graph = await startFakeGraph();
    server = await startServer({ META_GRAPH_URL: graph.url, PUBLIC_URL }, { now });
    const api = new Api(server.url);
    a = await registerTenant(api, 'Batik Sari');
    b = await registerTenant(api, 'Kopi Kita');
    waA = await connectWhatsApp(a.api, '530000000000001');
  });
  after(async () => {
    await server.stop();
    await graph.stop();
  });

  async function conversation(tenant: Tenant = a, wa: WaAccount = waA, agoMs = 0) {
    const from = `62816${String(++n).padStart(8, '0')}`;
    const timestamp = String(Math.floor((now().getTime() - agoMs) / 1000));
    await postWebhook(
      server.url,
      waPayload('wa-text.json', wa.phoneNumberId, { from, message: { id: wamid('CS'), timestamp } }),
      wa.appSecret,
    );
    const conv = await eventually(
      async () => (await tenant.api.get('/api/v1/conversations?limit=200')).body.data.find((c: any) => c.contact.phone === `+${from}`),
      5000,
      'conversation',
    );
    return { ...conv, from };
  }

  async function reply(wa: WaAccount, from: string, kind: 'button' | 'list', id: string) {
    const message =
      kind === 'button'
        ? { id: wamid('BTN'), interactive: { type: 'button_reply', button_reply: { id, title: 'Nilai' } } }
        : { id: wamid('LST'), interactive: { type: 'list_reply', list_reply: { id, title: '⭐', description: 'Nilai' } } };
    const res = await postWebhook(
      server.url,
      waPayload(`wa-interactive-${kind === 'button' ? 'button' : 'list'}-reply.json`, wa.phoneNumberId, { from, message }),
      wa.appSecret,
    );
    assert.equal(res.status, 200);
    return message.id;
  }

  const sentTo = (to: string) => graph.sentMessages(waA.phoneNumberId).filter((r) => r.body.to === to);
  const tokenOf = (url: string) => url.split('/csat/')[1];
  const settle = () => new Promise((r) => setTimeout(r, 700));

  async function messageStored(tenant: Tenant, externalId: string) {
    await eventually(
      async () => {
        for (const c of (await tenant.api.get('/api/v1/conversations?limit=200')).body.data) {
          if ((await tenant.api.get(`/api/v1/conversations/${c.id}/messages`)).body.data.some((m: any) => m.externalId === externalId))
            return true;
        }
        return false;
      },
      5000,
      'reply stored',
    );
    await settle();
  }

  it('settings: off until enabled, changed with settings.manage, validated', async () => {
    const res = await a.api.get('/api/v1/csat/settings');
    assert.deepEqual(res.body, { enabled: false, expiryHours: 72, language: 'id', message: null });
    const { api: agentApi } = await createAgent(a.api, 'agent');
    assertProblem(await agentApi.get('/api/v1/csat/settings'), 403);
    assertProblem(await agentApi.put('/api/v1/csat/settings', { enabled: true }), 403);
    assertProblem(await a.api.put('/api/v1/csat/settings', { expiryHours: 0, language: 'fr' }), 400, ['expiryHours', 'language']);

    // Off: resolving sends nothing.
    const conv = await conversation();
    await a.api.patch(`/api/v1/conversations/${conv.id}/status`, { status: 'resolved' });
    await settle();
    assert.equal(sentTo(conv.from).length, 0);
    assertProblem(await a.api.get(`/api/v1/conversations/${conv.id}/csat`), 404);

    const on = await a.api.put('/api/v1/csat/settings', { enabled: true });
    assert.deepEqual(on.body, { enabled: true, expiryHours: 72, language: 'id', message: null });
    assert.deepEqual((await a.api.get('/api/v1/csat/settings')).body, on.body);
  });

  it('on resolve a WhatsApp list 1–5 is sent; a button reply records the score, and a second answer does not change it', async () => {
    const conv = await conversation();
    const other = await conversation();
    await a.api.patch(`/api/v1/conversations/${conv.id}/status`, { status: 'resolved' });
    const sent = await eventually(async () => sentTo(conv.from)[0], 5000, 'survey at Graph');
    assert.equal(sent.body.type, 'interactive');
    assert.equal(sent.body.interactive.type, 'list');
    assert.match(sent.body.interactive.body.text, /Batik Sari/);
    assert.equal(sent.body.interactive.action.button, 'Beri nilai');
    const rows = sent.body.interactive.action.sections[0].rows;
    assert.equal(rows.length, 5);
    assert.deepEqual(
      rows.map((r: any) => Number(r.id.split(':')[2])),
      [5, 4, 3, 2, 1],
    );

    const survey = (await a.api.get(`/api/v1/conversations/${conv.id}/csat`)).body;
    assert.equal(survey.status, 'pending');
    assert.equal(survey.delivery, 'interactive');
    assert.equal(survey.trigger, 'resolved');
    assert.ok(survey.messageId);
    assert.equal(survey.url, `${PUBLIC_URL}/csat/${tokenOf(survey.url)}`);
    const rowFor = (score: number) => rows.find((r: any) => r.id.endsWith(`:${score}`)).id;
    assert.equal(rowFor(4), `csat:${tokenOf(survey.url)}:4`);
    // The survey message is in the conversation, from the system.
    const message = (await a.api.get(`/api/v1/conversations/${conv.id}/messages`)).body.data.find((m: any) => m.id === survey.messageId);
    assert.equal(message.senderType, 'system');

    // Another customer cannot answer with this survey's row id.
    await messageStored(a, await reply(waA, other.from, 'button', rowFor(1)));
    assert.equal((await a.api.get(`/api/v1/conversations/${conv.id}/csat`)).body.status, 'pending');

    await reply(waA, conv.from, 'button', rowFor(4));
    const answered = await eventually(
      async () => {
        const s = (await a.api.get(`/api/v1/conversations/${conv.id}/csat`)).body;
        return s.status === 'answered' && s;
      },
      5000,
      'score recorded',
    );
    assert.equal(answered.score, 4);
    assert.equal(answered.answeredVia, 'whatsapp');

    await messageStored(a, await reply(waA, conv.from, 'list', rowFor(1)));
    const after = (await a.api.get(`/api/v1/conversations/${conv.id}/csat`)).body;
    assert.equal(after.score, 4, 'a second answer does not change the score');
    assert.equal(after.answeredAt, answered.answeredAt);
    assertProblem(await new Api(server.url).patch(`/api/v1/csat/${tokenOf(survey.url)}`, { score: 2 }), 409);

    // The answers opened no conversation that waits for an agent, and no second survey went out.
    const convs = (await a.api.get('/api/v1/conversations?limit=200')).body.data.filter((c: any) => c.contact.phone === `+${conv.from}`);
    assert.ok(
      convs.every((c: any) => c.status === 'resolved'),
      JSON.stringify(convs.map((c: any) => c.status)),
    );
    assert.equal(sentTo(conv.from).length, 1);
  });

  it('a link survey made by an agent opens the public rating page, which records one rating', async () => {
    const conv = await conversation();
    const created = await a.api.post(`/api/v1/conversations/${conv.id}/csat`, { delivery: 'link', language: 'en' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.trigger, 'manual');
    const token = tokenOf(created.body.url);
    assert.equal(created.body.url, `${PUBLIC_URL}/csat/${token}`);
    assertProblem(await a.api.post(`/api/v1/conversations/${conv.id}/csat`, {}), 409, ['conversationId']);
    const sent = await eventually(async () => sentTo(conv.from)[0], 5000, 'link at Graph');
    assert.equal(sent.body.type, 'text');
    assert.ok(sent.body.text.body.includes(created.body.url), sent.body.text.body);
    assert.match(sent.body.text.body, /How would you rate/);

    const page = await fetch(`${server.url}/csat/${token}`, { headers: { 'accept-language': 'id-ID,id;q=0.9' } });
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /Bagaimana penilaian Anda atas layanan Batik Sari\?/);
    assert.match(html, /<script src="\/csat\/rating.js"><\/script>/);
    assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/.test(html), 'no inline script (CSP)');
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const english = await (await fetch(`${server.url}/csat/${token}?lang=en`)).text();
    assert.match(english, /How would you rate the service of Batik Sari\?/);
    const script = await fetch(`${server.url}/csat/rating.js`);
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /javascript/);
    assert.match(await script.text(), /PATCH/);

    const anon = new Api(server.url);
    assertProblem(await anon.patch(`/api/v1/csat/${token}`, { score: 6 }), 400, ['score']);
    assertProblem(await anon.patch(`/api/v1/csat/${token}`, {}), 400, ['score']);
    const rated = await anon.patch(`/api/v1/csat/${token}`, { score: 5, comment: 'Pelayanan cepat' });
    assert.equal(rated.status, 200);
    assert.deepEqual([rated.body.status, rated.body.score, rated.body.comment], ['answered', 5, 'Pelayanan cepat']);
    assertProblem(await anon.patch(`/api/v1/csat/${token}`, { score: 1 }), 409);
    const survey = (await a.api.get(`/api/v1/conversations/${conv.id}/csat`)).body;
    assert.deepEqual([survey.status, survey.score, survey.comment, survey.answeredVia], ['answered', 5, 'Pelayanan cepat', 'web']);
    assert.match(await (await fetch(`${server.url}/csat/${token}?lang=en`)).text(), /already been answered/);

    // Without JavaScript the page's form posts to the page itself.
    const manual = await a.api.post(`/api/v1/conversations/${conv.id}/csat`, { delivery: 'none' });
    assert.equal(manual.status, 201);
    await settle();
    assert.equal(sentTo(conv.from).length, 1, '"none" sends nothing');
    const form = await fetch(`${server.url}/csat/${tokenOf(manual.body.url)}?lang=id`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'score=3&comment=Lumayan',
    });
    assert.equal(form.status, 200);
    assert.match(await form.text(), /Terima kasih atas penilaian Anda/);
    assert.equal((await a.api.get(`/api/v1/conversations/${conv.id}/csat`)).body.score, 3);

    assertProblem(await anon.patch('/api/v1/csat/not-a-real-token-at-all', { score: 3 }), 404);
    assert.equal((await fetch(`${server.url}/csat/not-a-real-token-at-all`)).status, 404);
  });

  it('expired surveys refuse ratings', async () => {
    const conv = await conversation();
    const created = await a.api.post(`/api/v1/conversations/${conv.id}/csat`, { delivery: 'none', expiresInHours: 1 });
    const token = tokenOf(created.body.url);
    offset += 2 * HOUR;
    const res = await new Api(server.url).patch(`/api/v1/csat/${token}`, { score: 4 });
    assertProblem(res, 410, ['surveyToken']);
    assert.match(res.body.detail, /expired/);
    assert.equal((await fetch(`${server.url}/csat/${token}`)).status, 410);
    assert.equal((await a.api.get(`/api/v1/conversations/${conv.id}/csat`)).body.status, 'expired');
    // An expired survey no longer blocks a new one.
    assert.equal((await a.api.post(`/api/v1/conversations/${conv.id}/csat`, { delivery: 'none' })).status, 201);
  });

  it('a closed 24-hour window: the API refuses to send (422), a survey on resolve is marked failed', async () => {
    const conv = await conversation(a, waA, 25 * HOUR);
    const refused = await a.api.post(`/api/v1/conversations/${conv.id}/csat`, {});
    assertProblem(refused, 422, ['delivery']);
    assert.match(refused.body.detail, /24-hour/);
    assertProblem(await a.api.post(`/api/v1/conversations/${conv.id}/csat`, { delivery: 'bogus' }), 400, ['delivery']);
    assertProblem(await a.api.post(`/api/v1/conversations/${conv.id}/csat`, { expiresInHours: 0 }), 400, ['expiresInHours']);

    await a.api.patch(`/api/v1/conversations/${conv.id}/status`, { status: 'resolved' });
    const failed = await eventually(
      async () => {
        const res = await a.api.get(`/api/v1/conversations/${conv.id}/csat`);
        return res.status === 200 && res.body.status === 'failed' && res.body;
      },
      5000,
      'survey failed',
    );
    assert.equal(failed.failureReason, 'window_closed');
    assert.equal(sentTo(conv.from).length, 0);
    assertProblem(await new Api(server.url).patch(`/api/v1/csat/${tokenOf(failed.url)}`, { score: 5 }), 409);
  });

  it('analytics by agent, division, channel and period', async () => {
    const c = await registerTenant(new Api(server.url), 'Analitik');
    const waC = await connectWhatsApp(c.api, '530000000000003');
    const { agent: ani } = await createAgent(c.api, 'supervisor');
    const rate = async (assigneeId: string, score: number | null) => {
      const conv = await conversation(c, waC);
      await c.api.patch(`/api/v1/conversations/${conv.id}/assign`, { assigneeId });
      const survey = (await c.api.post(`/api/v1/conversations/${conv.id}/csat`, { delivery: 'none' })).body;
      if (score !== null) assert.equal((await new Api(server.url).patch(`/api/v1/csat/${tokenOf(survey.url)}`, { score })).status, 200);
    };
    await rate(c.user.id, 5);
    await rate(c.user.id, 3);
    await rate(ani.id, 1);
    await rate(ani.id, null);

    const summary = await c.api.get('/api/v1/csat/analytics');
    assert.equal(summary.status, 200);
    assert.equal(summary.body.timezone, 'Asia/Jakarta');
    assert.deepEqual(summary.body.summary, {
      sent: 4,
      answered: 3,
      responseRate: 0.75,
      average: 3,
      csat: 33.3,
      distribution: { 1: 1, 2: 0, 3: 1, 4: 0, 5: 1 },
    });
    assert.deepEqual(summary.body.groups, []);

    const byAgent = (await c.api.get('/api/v1/csat/analytics?groupBy=agent')).body.groups;
    assert.deepEqual(
      byAgent.map((g: any) => [g.key, g.label, g.sent, g.answered, g.average, g.csat]),
      [
        [c.user.id, c.user.name, 2, 2, 4, 50],
        [ani.id, ani.name, 2, 1, 1, 0],
      ],
    );
    const byDay = (await c.api.get('/api/v1/csat/analytics?groupBy=day')).body.groups;
    assert.deepEqual(
      byDay.map((g: any) => [g.key, g.sent]),
      [[localDay(now(), 'Asia/Jakarta'), 4]],
    );
    const byMonth = (await c.api.get('/api/v1/csat/analytics?groupBy=month')).body.groups;
    assert.deepEqual(
      byMonth.map((g: any) => g.key),
      [localDay(now(), 'Asia/Jakarta').slice(0, 7)],
    );
    const byChannel = (await c.api.get('/api/v1/csat/analytics?groupBy=channel')).body.groups;
    assert.deepEqual(
      byChannel.map((g: any) => [g.key, g.sent, g.average]),
      [['whatsapp', 4, 3]],
    );
    const byDivision = (await c.api.get('/api/v1/csat/analytics?groupBy=division')).body.groups;
    assert.deepEqual(
      byDivision.map((g: any) => [g.key, g.sent]),
      [[null, 4]],
    );
    assert.equal((await c.api.get(`/api/v1/csat/analytics?agentId=${ani.id}`)).body.summary.sent, 2);
    assert.equal((await c.api.get('/api/v1/csat/analytics?channel=email')).body.summary.sent, 0);
    const tomorrow = localDay(new Date(now().getTime() + 24 * HOUR), 'Asia/Jakarta');
    assert.equal((await c.api.get(`/api/v1/csat/analytics?from=${tomorrow}`)).status, 400, 'from after the default to');
    assert.equal(
      (await c.api.get(`/api/v1/csat/analytics?from=${tomorrow}&to=${localDay(new Date(now().getTime() + 72 * HOUR), 'Asia/Jakarta')}`))
        .body.summary.sent,
      0,
    );

    assertProblem(await c.api.get('/api/v1/csat/analytics?from=yesterday'), 400, ['query.from']);
    assertProblem(await c.api.get('/api/v1/csat/analytics?groupBy=colour'), 400, ['query.groupBy']);
    const { api: agentApi } = await createAgent(c.api, 'agent');
    assertProblem(await agentApi.get('/api/v1/csat/analytics'), 403);
    assertProblem(await new Api(server.url).get('/api/v1/csat/analytics'), 401);
  });

  it('another tenant gets 404 for every conversation id and sees none of the surveys', async () => {
    const conv = await conversation();
    await a.api.post(`/api/v1/conversations/${conv.id}/csat`, { delivery: 'none' });
    assertProblem(await b.api.get(`/api/v1/conversations/${conv.id}/csat`), 404);
    assertProblem(await b.api.post(`/api/v1/conversations/${conv.id}/csat`, { delivery: 'none' }), 404);
    assert.equal((await b.api.get('/api/v1/csat/analytics')).body.summary.sent, 0);
    assert.equal((await b.api.get('/api/v1/csat/settings')).body.enabled, false, 'settings are per tenant');
    assert.equal((await a.api.get(`/api/v1/conversations/${conv.id}/csat`)).body.status, 'pending');
  });
});
