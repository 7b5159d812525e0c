// Outgoing webhooks: subscriptions per event type fed by domain events, HMAC-SHA256 signatures over
// "<timestamp>.<raw body>", deliveries with status code, latency and excerpt, retries, the 24-hour
// window, auto-disable with a notice, test events, the SSRF guard, secrets, permissions, tenancy.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startServer, testClock, type TestServer } from '../support/server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { Api, assertProblem, createAgent, registerTenant, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid } from '../support/whatsapp.js';
import { settle } from '../support/settle.js';
import { emitEvent } from '../../server/core/events/outbox.js';
import { DomainEventEntity } from '../../server/core/events/event.entity.js';
import { OutgoingWebhookEntity } from '../../server/modules/outgoing-webhooks/outgoing-webhook.entity.js';
import { callWebhook } from '../../server/modules/outgoing-webhooks/outgoing-webhooks.service.js';

const verify = (secret: string, headers: Record<string, unknown>, raw: string) => {
  const ts = String(headers['x-omnistream-timestamp']);
  const expected = `sha256=${createHmac('sha256', secret).update(`${ts}.${raw}`).digest('hex')}`;
  return headers['x-omnistream-signature'] === expected;
};

describe('Outgoing webhooks', () => {
  let server: TestServer;
  let receiver: WebhookReceiver;
  let a: Tenant;
  let b: Tenant;

  before(async () => {
    receiver = await startWebhookReceiver();
    server = await startServer({ OUTGOING_WEBHOOK_RETRY_BASE_MS: '50', OUTGOING_WEBHOOK_DISABLE_AFTER: '3' });
    a = await registerTenant(new Api(server.url), 'Toko Hook');
    b = await registerTenant(new Api(server.url), 'Toko Lain');
  });
  after(async () => {
    await server.stop();
    await receiver.stop();
  });

  it('lists the event types', async () => {
    const res = await a.api.get('/api/v1/outgoing-webhooks/events');
    assert.equal(res.status, 200);
    const types = res.body.data.map((e: any) => e.type);
    for (const t of [
      'message.created',
      'message.status',
      'conversation.created',
      'conversation.updated',
      'conversation.resolved',
      'contact.created',
      'contact.updated',
      'campaign.finished',
    ])
      assert.ok(types.includes(t), t);
  });

  it('delivers subscribed domain events, signed, and lists each delivery with status code, latency and excerpt', async () => {
    const created = await a.api.post('/api/v1/outgoing-webhooks', {
      name: 'CRM',
      url: `${receiver.url}/hooks/crm`,
      events: ['message.created', 'conversation.created', 'contact.created', 'conversation.resolved', 'campaign.finished'],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const secret: string = created.body.secret;
    assert.match(secret, /^whsec_/);
    assert.equal(created.body.secretMasked, `••••${secret.slice(-4)}`);
    const row = await server.appliance.db.getRepository(OutgoingWebhookEntity).findOneByOrFail({ id: created.body.id });
    assert.ok(!row.secret.includes(secret), 'stored encrypted');
    const listed = (await a.api.get('/api/v1/outgoing-webhooks')).body.data[0];
    assert.equal(listed.secret, undefined, 'never shown again');

    const wa = await connectWhatsApp(a.api, '700000000000007');
    await postWebhook(
      server.url,
      waPayload('wa-text.json', wa.phoneNumberId, { from: '6281277770001', message: { id: wamid('H') } }),
      wa.appSecret,
    );
    await settle(server.appliance);
    const got = receiver.received.filter((r) => r.path === '/hooks/crm');
    assert.deepEqual(got.map((r) => r.body.type).sort(), ['contact.created', 'conversation.created', 'message.created']);
    for (const r of got) {
      assert.ok(verify(secret, r.headers, r.raw), 'signature over timestamp and raw body');
      assert.equal(r.headers['x-omnistream-event'], r.body.type);
      assert.ok(r.body.id && r.body.createdAt && r.body.data);
    }
    const message = got.find((r) => r.body.type === 'message.created')!;
    assert.equal(message.body.data.message.direction, 'inbound');

    // Resolving the conversation is its own event.
    const conversationId = message.body.data.conversation.id;
    assert.equal((await a.api.patch(`/api/v1/conversations/${conversationId}/status`, { status: 'resolved' })).status, 200);
    await settle(server.appliance);
    assert.ok(receiver.received.some((r) => r.body?.type === 'conversation.resolved' && r.body.data.conversation.id === conversationId));

    // A campaign.finished domain event becomes a delivery too.
    await server.appliance.services.transaction((m) =>
      emitEvent(m, { tenantId: a.tenant.id, type: 'campaign.finished', payload: { campaignId: 'c1', stats: { sent: 3 } } }, new Date()),
    );
    await settle(server.appliance);
    assert.ok(receiver.received.some((r) => r.body?.type === 'campaign.finished' && r.body.data.stats.sent === 3));

    const deliveries = await a.api.get(`/api/v1/outgoing-webhooks/${created.body.id}/deliveries`);
    assert.equal(deliveries.status, 200);
    assert.equal(deliveries.body.data.length, 5);
    for (const d of deliveries.body.data) {
      assert.equal(d.status, 'succeeded');
      assert.equal(d.statusCode, 200);
      assert.equal(typeof d.latencyMs, 'number');
      assert.match(d.responseExcerpt, /"ok":true/);
      assert.equal(d.attempts, 1);
    }
    // The same event dispatched twice (at-least-once bus) is delivered once.
    const event = await server.appliance.db.getRepository(DomainEventEntity).findOneByOrFail({ type: 'campaign.finished' });
    await server.appliance.db.getRepository(DomainEventEntity).update({ id: event.id }, { dispatchedAt: null });
    await settle(server.appliance);
    assert.equal((await a.api.get(`/api/v1/outgoing-webhooks/${created.body.id}/deliveries`)).body.data.length, 5);

    const rotated = await a.api.patch(`/api/v1/outgoing-webhooks/${created.body.id}`, { rotateSecret: true, events: ['contact.updated'] });
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body.secret, secret);
    assert.deepEqual(rotated.body.events, ['contact.updated']);
    const test = await a.api.post(`/api/v1/outgoing-webhooks/${created.body.id}/test`);
    assert.equal(test.status, 202);
    assert.equal(test.body.eventType, 'webhook.test');
    await settle(server.appliance);
    const testHit = receiver.received.find((r) => r.body?.type === 'webhook.test');
    assert.ok(testHit && verify(rotated.body.secret, testHit.headers, testHit.raw), 'signed with the new secret');
    assert.equal((await a.api.delete(`/api/v1/outgoing-webhooks/${created.body.id}`)).status, 204);
    assertProblem(await a.api.get(`/api/v1/outgoing-webhooks/${created.body.id}/deliveries`), 404);
  });

  it('retries failed deliveries with backoff until they succeed', async () => {
    const hook = (await a.api.post('/api/v1/outgoing-webhooks', { url: `${receiver.url}/hooks/retry`, events: ['contact.updated'] })).body;
    receiver.failNext(2, 503);
    const test = await a.api.post(`/api/v1/outgoing-webhooks/${hook.id}/test`);
    const done = await eventually(async () => {
      const d = (await a.api.get(`/api/v1/outgoing-webhooks/${hook.id}/deliveries`)).body.data.find((x: any) => x.id === test.body.id);
      return d?.status === 'succeeded' && d;
    }, 10_000);
    assert.equal(done.attempts, 3);
    assert.equal(receiver.received.filter((r) => r.path === '/hooks/retry').length, 3);
    assert.equal((await a.api.get('/api/v1/outgoing-webhooks')).body.data.find((w: any) => w.id === hook.id).consecutiveFailures, 0);
  });

  it('disables a webhook after repeated failures and tells the owner', async () => {
    const hook = (await a.api.post('/api/v1/outgoing-webhooks', { url: `${receiver.url}/hooks/broken`, events: ['contact.updated'] })).body;
    receiver.failAll(500);
    try {
      await a.api.post(`/api/v1/outgoing-webhooks/${hook.id}/test`);
      const disabled = await eventually(async () => {
        const w = (await a.api.get('/api/v1/outgoing-webhooks')).body.data.find((x: any) => x.id === hook.id);
        return !w.enabled && w;
      }, 10_000);
      assert.match(disabled.disabledReason, /3 failed attempts/);
      const deliveries = (await a.api.get(`/api/v1/outgoing-webhooks/${hook.id}/deliveries`)).body.data;
      assert.equal(deliveries[0].status, 'failed');
      assert.equal(deliveries[0].statusCode, 500);
      assert.match(deliveries[0].responseExcerpt, /failing on purpose/);
      await settle(server.appliance);
      const log = await a.api.get('/api/v1/activity-logs?limit=50');
      assert.ok(log.body.data.some((e: any) => e.action === 'outgoing_webhook.disabled' && e.targetId === hook.id));
      const notice = await server.appliance.db.getRepository(DomainEventEntity).findOne({ where: { type: 'outgoing_webhook.disabled' } });
      assert.equal((notice?.payload as { webhookId?: string } | undefined)?.webhookId, hook.id);
    } finally {
      receiver.failAll(null);
    }
    const enabled = await a.api.patch(`/api/v1/outgoing-webhooks/${hook.id}`, { enabled: true });
    assert.equal(enabled.body.enabled, true);
    assert.equal(enabled.body.consecutiveFailures, 0);
  });

  it('refuses bad URLs and event types, naming the field', async () => {
    assertProblem(await a.api.post('/api/v1/outgoing-webhooks', { url: 'ftp://example.com/x', events: ['message.created'] }), 400, ['url']);
    assertProblem(await a.api.post('/api/v1/outgoing-webhooks', { url: `${receiver.url}/x`, events: [] }), 400, ['events']);
    assertProblem(await a.api.post('/api/v1/outgoing-webhooks', { url: `${receiver.url}/x`, events: ['order.paid'] }), 422, ['events']);
    assertProblem(
      await a.api.post('/api/v1/outgoing-webhooks', { url: `${receiver.url}/x`, events: ['message.created'], secret: 'short' }),
      400,
      ['secret'],
    );
  });

  it('keeps tenants apart and needs automation.manage', async () => {
    const hook = (await a.api.post('/api/v1/outgoing-webhooks', { url: `${receiver.url}/hooks/a`, events: ['message.created'] })).body;
    assertProblem(await b.api.patch(`/api/v1/outgoing-webhooks/${hook.id}`, { url: `${receiver.url}/hooks/stolen` }), 404);
    assertProblem(await b.api.delete(`/api/v1/outgoing-webhooks/${hook.id}`), 404);
    assertProblem(await b.api.get(`/api/v1/outgoing-webhooks/${hook.id}/deliveries`), 404);
    assertProblem(await b.api.post(`/api/v1/outgoing-webhooks/${hook.id}/test`), 404);
    assert.equal((await b.api.get('/api/v1/outgoing-webhooks')).body.data.length, 0);
    const mine = (await a.api.get('/api/v1/outgoing-webhooks')).body.data.find((w: any) => w.id === hook.id);
    assert.equal(mine.url, `${receiver.url}/hooks/a`);
    const agent = await createAgent(a.api, 'agent');
    assertProblem(await agent.api.get('/api/v1/outgoing-webhooks'), 403);
    assertProblem(await agent.api.post('/api/v1/outgoing-webhooks', { url: `${receiver.url}/x`, events: ['message.created'] }), 403);
  });

  it('callWebhook() (for automation rules) delivers to a webhook of the tenant, signed, listed; refuses another tenant’s and a disabled one', async () => {
    const created = (await a.api.post('/api/v1/outgoing-webhooks', { url: `${receiver.url}/hooks/rule`, events: ['contact.updated'] }))
      .body;
    const { services } = server.appliance;
    const { deliveryId } = await services.transaction((m) =>
      callWebhook(services, m, { tenantId: a.tenant.id, webhookId: created.id, data: { rule: 'VIP', conversationId: 'c9' } }),
    );
    await settle(server.appliance);
    const hit = receiver.received.find((r) => r.path === '/hooks/rule');
    assert.ok(hit && verify(created.secret, hit.headers, hit.raw), 'signed with the webhook secret');
    assert.equal(hit.body.type, 'automation.action');
    assert.deepEqual(hit.body.data, { rule: 'VIP', conversationId: 'c9' });
    const deliveries = (await a.api.get(`/api/v1/outgoing-webhooks/${created.id}/deliveries`)).body.data;
    assert.deepEqual(
      deliveries.map((d: any) => [d.id, d.status]),
      [[deliveryId, 'succeeded']],
    );
    await assert.rejects(
      services.transaction((m) => callWebhook(services, m, { tenantId: b.tenant.id, webhookId: created.id, data: {} })),
      (err: any) => err.status === 404,
    );
    await a.api.patch(`/api/v1/outgoing-webhooks/${created.id}`, { enabled: false });
    await assert.rejects(
      services.transaction((m) => callWebhook(services, m, { tenantId: a.tenant.id, webhookId: created.id, data: {} })),
      (err: any) => err.status === 422,
    );
    assert.equal((await a.api.get(`/api/v1/outgoing-webhooks/${created.id}/deliveries`)).body.data.length, 1, 'nothing more queued');
  });
});

describe('Outgoing webhooks: the SSRF guard and the 24-hour window', () => {
  it('refuses a private address unless the operator allowed it', async () => {
    const receiver = await startWebhookReceiver();
    const server = await startServer({ OUTBOUND_ALLOWED_HOSTS: '' });
    try {
      const t = await registerTenant(new Api(server.url), 'Toko Aman');
      for (const url of [`${receiver.url}/x`, 'http://10.1.2.3/hook', 'http://169.254.169.254/latest/meta-data', 'http://localhost:9/x']) {
        assertProblem(await t.api.post('/api/v1/outgoing-webhooks', { url, events: ['message.created'] }), 422, ['url']);
      }
      assert.equal(receiver.received.length, 0);
    } finally {
      await server.stop();
      await receiver.stop();
    }
  });

  it('gives up on a delivery that still fails 24 hours after the event', async () => {
    const receiver = await startWebhookReceiver();
    const clock = testClock('2026-12-01T03:00:00Z');
    const server = await startServer(
      { OUTGOING_WEBHOOK_RETRY_BASE_MS: '60000', OUTGOING_WEBHOOK_DISABLE_AFTER: '100' },
      { now: clock.now },
    );
    try {
      const t = await registerTenant(new Api(server.url), 'Toko Sabar');
      const hook = (await t.api.post('/api/v1/outgoing-webhooks', { url: `${receiver.url}/slow`, events: ['contact.updated'] })).body;
      receiver.failAll(502);
      const test = (await t.api.post(`/api/v1/outgoing-webhooks/${hook.id}/test`)).body;
      const delivery = async () =>
        (await t.api.get(`/api/v1/outgoing-webhooks/${hook.id}/deliveries`)).body.data.find((d: any) => d.id === test.id);
      const first = await eventually(async () => {
        const d = await delivery();
        return d.status === 'retrying' && d;
      });
      assert.equal(new Date(first.nextAttemptAt).getTime() - clock.now().getTime(), 60_000, 'first retry after the base delay');
      // Each retry doubles the wait; a day later the next one would fall outside the window.
      for (let i = 0; i < 30; i++) {
        const d = await delivery();
        if (d.status === 'failed') break;
        clock.set(new Date(d.nextAttemptAt));
        server.appliance.jobs.nudge();
        await eventually(async () => (await delivery()).attempts > d.attempts || (await delivery()).status === 'failed');
      }
      const last = await delivery();
      assert.equal(last.status, 'failed');
      assert.ok(last.attempts > 5 && last.attempts < 20, `attempts: ${last.attempts}`);
      assert.ok(new Date(last.lastAttemptAt).getTime() - new Date(last.createdAt).getTime() <= 24 * 3600_000);
      assert.equal(receiver.received.length, last.attempts);
    } finally {
      await server.stop();
      await receiver.stop();
    }
  });
});
