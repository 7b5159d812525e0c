// Scheduled messages end to end against the fake Graph API, with a clock the test moves: sent at
// their time (tenant timezone), cancellable until then, refused by a closed window at send time,
// caught up once (and marked late) after the server was stopped over their time.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { Api, assertProblem, registerTenant, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid, type WaAccount } from '../support/whatsapp.js';
import { formatLocal } from '../../server/core/time.js';

const HOUR = 3600_000;

describe('Scheduled Messages API', () => {
  let graph: FakeGraph;
  let server: TestServer;
  let a: Tenant;
  let b: Tenant;
  let waA: WaAccount;
  let n = 0;
  // The server's clock runs with real time, shifted by `offset` (moved forward by the tests).
  let offset = 0;
  const now = () => new Date(Date.now() + offset);
  const api = (t: Tenant) => new Api(server.url, { token: t.token });

  before(async () => {
    graph = await startFakeGraph();
    server = await startServer({ META_GRAPH_URL: graph.url }, { now });
    a = await registerTenant(new Api(server.url), 'Batik Sari');
    b = await registerTenant(new Api(server.url), 'Kopi Kita');
    waA = await connectWhatsApp(api(a), '520000000000001');
  });
  after(async () => {
    await server.stop();
    await graph.stop();
  });

  /** A conversation whose customer last wrote `agoMs` before the server's now. */
  async function conversation(agoMs = 0) {
    const from = `62815${String(++n).padStart(8, '0')}`;
    const timestamp = String(Math.floor((now().getTime() - agoMs) / 1000));
    await postWebhook(
      server.url,
      waPayload('wa-text.json', waA.phoneNumberId, { from, message: { id: wamid('SCH'), timestamp } }),
      waA.appSecret,
    );
    const conv = await eventually(
      async () => (await api(a).get('/api/v1/conversations?limit=200')).body.data.find((c: any) => c.contact.phone === `+${from}`),
      5000,
      'conversation',
    );
    return { ...conv, from };
  }

  const sentTo = (to: string) => graph.sentMessages(waA.phoneNumberId).filter((r) => r.body.to === to);
  const scheduled = async (conversationId: string, id: string) =>
    (await api(a).get(`/api/v1/conversations/${conversationId}/scheduled-messages?limit=200`)).body.data.find((s: any) => s.id === id);

  it("schedules at a wall-clock time in the organization's timezone and sends it then", async () => {
    const conv = await conversation();
    const local = formatLocal(new Date(now().getTime() + 2 * HOUR), 'Asia/Jakarta').slice(0, 16);
    const res = await api(a).post(`/api/v1/conversations/${conv.id}/scheduled-messages`, {
      type: 'text',
      text: 'Pesanan kakak dikirim hari ini',
      sendAtLocal: local,
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.status, 'scheduled');
    assert.equal(res.body.timezone, 'Asia/Jakarta');
    assert.equal(res.body.sendAtLocal, `${local}:00`);
    // Jakarta is UTC+7 all year.
    assert.equal(res.body.sendAt, new Date(Date.parse(`${local}:00Z`) - 7 * HOUR).toISOString());
    const sendAt = Date.parse(res.body.sendAt);

    await new Promise((r) => setTimeout(r, 400));
    assert.equal(sentTo(conv.from).length, 0, 'nothing before its time');
    offset += sendAt - now().getTime() + 5_000;
    const sent = await eventually(async () => sentTo(conv.from)[0], 5000, 'the scheduled message reaches Graph');
    assert.deepEqual(sent.body.text, { body: 'Pesanan kakak dikirim hari ini' });
    const row = await eventually(
      async () => {
        const s = await scheduled(conv.id, res.body.id);
        return s.status === 'sent' && s;
      },
      5000,
      'marked sent',
    );
    assert.equal(row.late, false);
    assert.equal(row.lateBySeconds, null);
    const messages = (await api(a).get(`/api/v1/conversations/${conv.id}/messages`)).body.data;
    const message = messages.find((m: any) => m.id === row.messageId);
    assert.equal(message.text, 'Pesanan kakak dikirim hari ini');
    assert.equal(message.senderId, a.user.id, 'sent as the agent who scheduled it');
    assertProblem(await api(a).delete(`/api/v1/scheduled-messages/${res.body.id}`), 409, ['status']);
  });

  it('refuses bad input naming the field', async () => {
    const conv = await conversation();
    const path = `/api/v1/conversations/${conv.id}/scheduled-messages`;
    const soon = new Date(now().getTime() + HOUR).toISOString();
    assertProblem(await api(a).post(path, { type: 'text', text: 'x' }), 400, ['sendAt', 'sendAtLocal']);
    assertProblem(await api(a).post(path, { type: 'text', text: 'x', sendAt: soon, sendAtLocal: '2030-01-01T09:00' }), 400, [
      'sendAt',
      'sendAtLocal',
    ]);
    assertProblem(await api(a).post(path, { type: 'text', sendAt: soon }), 400, ['text']);
    assertProblem(await api(a).post(path, { type: 'sticker', sendAt: soon }), 400, ['type']);
    assertProblem(await api(a).post(path, { type: 'text', text: 'x', sendAt: 'tomorrow' }), 400, ['sendAt']);
    assertProblem(await api(a).post(path, { type: 'text', text: 'x', sendAtLocal: '2030-02-30T09:00' }), 400, ['sendAtLocal']);
    assertProblem(await api(a).post(path, { type: 'text', text: 'x', sendAtLocal: '2030-01-01T09:00', timezone: 'Mars/Olympus' }), 400, [
      'timezone',
    ]);
    assertProblem(await api(a).post(path, { type: 'text', text: 'x', sendAt: new Date(now().getTime() - 60_000).toISOString() }), 422, [
      'sendAt',
    ]);
    assertProblem(
      await api(a).post(path, { type: 'text', text: 'x', sendAt: new Date(now().getTime() + 400 * 24 * HOUR).toISOString() }),
      422,
      ['sendAt'],
    );
    assertProblem(await api(a).post(path, { type: 'image', mediaId: '0190a0a0-0000-7000-8000-000000000000', sendAt: soon }), 422, [
      'mediaId',
    ]);
    assertProblem(await api(a).get(`${path}?status=later`), 400, ['query.status']);
    assertProblem(
      await api(a).post('/api/v1/conversations/0190a0a0-0000-7000-8000-000000000000/scheduled-messages', {
        type: 'text',
        text: 'x',
        sendAt: soon,
      }),
      404,
    );
    assertProblem(await new Api(server.url).post(path, { type: 'text', text: 'x', sendAt: soon }), 401);
    // Another timezone can be named for sendAtLocal.
    const day = new Date(now().getTime() + 100 * 24 * HOUR).toISOString().slice(0, 10);
    const utc = await api(a).post(path, { type: 'text', text: 'x', sendAtLocal: `${day}T09:00`, timezone: 'UTC' });
    assert.equal(utc.body.sendAt, `${day}T09:00:00.000Z`);
    await api(a).delete(`/api/v1/scheduled-messages/${utc.body.id}`);
  });

  it('lists by send time and cancels until sent (then 409)', async () => {
    const conv = await conversation();
    const path = `/api/v1/conversations/${conv.id}/scheduled-messages`;
    const at = (h: number) => new Date(now().getTime() + h * HOUR).toISOString();
    const later = (await api(a).post(path, { type: 'text', text: 'Nanti sore', sendAt: at(3) })).body;
    const sooner = (await api(a).post(path, { type: 'text', text: 'Sebentar lagi', sendAt: at(1) })).body;
    const list = await api(a).get(path);
    assert.deepEqual(
      list.body.data.map((s: any) => s.id),
      [sooner.id, later.id],
    );
    const page = await api(a).get(`${path}?limit=1`);
    assert.equal(page.body.data[0].id, sooner.id);
    assert.deepEqual(
      (await api(a).get(`${path}?limit=1&cursor=${page.body.nextCursor}`)).body.data.map((s: any) => s.id),
      [later.id],
    );

    const cancelled = await api(a).delete(`/api/v1/scheduled-messages/${later.id}`);
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.status, 'cancelled');
    assert.ok(cancelled.body.cancelledAt);
    assertProblem(await api(a).delete(`/api/v1/scheduled-messages/${later.id}`), 409, ['status']);
    assert.deepEqual(
      (await api(a).get(`${path}?status=scheduled`)).body.data.map((s: any) => s.id),
      [sooner.id],
    );

    offset += 3 * HOUR + 60_000;
    await eventually(async () => (await scheduled(conv.id, sooner.id)).status === 'sent', 5000, 'the other one sent');
    await new Promise((r) => setTimeout(r, 400));
    assert.deepEqual(
      sentTo(conv.from).map((r) => r.body.text.body),
      ['Sebentar lagi'],
      'the cancelled one never leaves',
    );
    assert.equal((await scheduled(conv.id, later.id)).status, 'cancelled');
    assertProblem(await api(a).delete(`/api/v1/scheduled-messages/${sooner.id}`), 409);
    assertProblem(await api(a).delete('/api/v1/scheduled-messages/not-an-id'), 404);
  });

  it('checks the 24-hour window at send time: a text fails with the reason, a template goes', async () => {
    const conv = await conversation(23 * HOUR);
    const path = `/api/v1/conversations/${conv.id}/scheduled-messages`;
    const sendAt = new Date(now().getTime() + 2 * HOUR).toISOString();
    const text = (await api(a).post(path, { type: 'text', text: 'Masih ada stok?', sendAt })).body;
    const template = (await api(a).post(path, { type: 'template', template: { name: 'follow_up', language: 'id' }, sendAt })).body;
    assert.equal(text.status, 'scheduled', 'accepted now: the window is checked when it is sent');
    offset += 2 * HOUR + 5_000;
    const failed = await eventually(
      async () => {
        const s = await scheduled(conv.id, text.id);
        return s.status === 'failed' && s;
      },
      5000,
      'text failed',
    );
    assert.equal(failed.failureReason, 'window_closed');
    assert.equal(failed.messageId, null);
    await eventually(async () => (await scheduled(conv.id, template.id)).status === 'sent', 5000, 'template sent');
    const sent = await eventually(async () => sentTo(conv.from)[0], 5000, 'template at Graph');
    assert.equal(sent.body.type, 'template');
    assert.equal(sentTo(conv.from).length, 1);
  });

  it('a message whose time passed while the server was stopped is sent once when it starts, marked late', async () => {
    const conv = await conversation();
    const sendAt = new Date(now().getTime() + HOUR);
    const res = await api(a).post(`/api/v1/conversations/${conv.id}/scheduled-messages`, {
      type: 'text',
      text: 'Selamat pagi, toko sudah buka',
      sendAt: sendAt.toISOString(),
    });
    assert.equal(res.status, 201);
    // The computer is off from now until three hours later.
    await server.restart(() => {
      offset += 3 * HOUR;
    });
    const sent = await eventually(async () => sentTo(conv.from)[0], 10_000, 'sent after the restart');
    assert.deepEqual(sent.body.text, { body: 'Selamat pagi, toko sudah buka' });
    const row = await eventually(
      async () => {
        const s = await scheduled(conv.id, res.body.id);
        return s.status === 'sent' && s;
      },
      5000,
      'marked sent',
    );
    assert.equal(row.late, true);
    assert.ok(Math.abs(row.lateBySeconds - 2 * 3600) < 60, `late by about two hours, got ${row.lateBySeconds}s`);
    await eventually(
      async () =>
        (await api(a).get(`/api/v1/conversations/${conv.id}/messages`)).body.data.find((m: any) => m.id === row.messageId)?.status ===
        'sent',
      5000,
      'message sent',
    );

    // Exactly once: nothing more now, nor after another restart.
    await new Promise((r) => setTimeout(r, 500));
    await server.restart();
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(sentTo(conv.from).length, 1);
    const messages = (await api(a).get(`/api/v1/conversations/${conv.id}/messages`)).body.data.filter(
      (m: any) => m.direction === 'outbound',
    );
    assert.equal(messages.length, 1);
  });

  it('another tenant gets 404 for every scheduled message and conversation id', async () => {
    const conv = await conversation();
    const path = `/api/v1/conversations/${conv.id}/scheduled-messages`;
    const sendAt = new Date(now().getTime() + HOUR).toISOString();
    const mine = (await api(a).post(path, { type: 'text', text: 'Rahasia', sendAt })).body;
    assertProblem(await api(b).post(path, { type: 'text', text: 'x', sendAt }), 404);
    assertProblem(await api(b).get(path), 404);
    assertProblem(await api(b).delete(`/api/v1/scheduled-messages/${mine.id}`), 404);
    assert.equal((await scheduled(conv.id, mine.id)).status, 'scheduled');
    await api(a).delete(`/api/v1/scheduled-messages/${mine.id}`);
  });
});
