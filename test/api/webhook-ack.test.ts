// Acknowledging Meta webhooks fast (issue 8) must not change what is acknowledged: accounts and
// their app secrets are cached for the acknowledgement, and webhooks arriving together are stored
// in one transaction. These tests hold the behaviour those shortcuts could break.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Api, registerTenant, type Tenant } from '../support/http.js';
import { startServer, type TestServer } from '../support/server.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid, type WaAccount } from '../support/whatsapp.js';
import { WebhookEventEntity } from '../../server/modules/webhooks/webhook-event.entity.js';
import { JobEntity } from '../../server/core/jobs/job.entity.js';
import { storeWebhook } from '../../server/modules/webhooks/webhook-store.js';
import { newJob } from '../../server/core/jobs/queue.js';
import { newId } from '../../server/core/ids.js';

describe('acknowledging Meta webhooks', () => {
  let server: TestServer;
  let a: Tenant;
  let wa: WaAccount;

  before(async () => {
    server = await startServer();
    a = await registerTenant(new Api(server.url), 'Toko Ack');
    wa = await connectWhatsApp(a.api, '62811000777');
  });
  after(() => server.stop());

  const text = (label: string, from = '6281230000001') =>
    waPayload('wa-text.json', wa.phoneNumberId, { from, message: { id: wamid(label), text: { body: label } } });
  const storedWith = (id: string) =>
    server.appliance.db
      .getRepository(WebhookEventEntity)
      .createQueryBuilder('e')
      .where('e.payload LIKE :p', { p: `%${id}%` })
      .getCount();

  it('applies a changed app secret to the very next webhook', async () => {
    assert.equal((await postWebhook(server.url, text('before-rotation'), wa.appSecret)).status, 200);
    const patched = await a.api.patch(`/api/v1/integration-accounts/${wa.id}`, { config: { appSecret: 'rotated-app-secret' } });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal((await postWebhook(server.url, text('old-secret'), wa.appSecret)).status, 401);
    assert.equal((await postWebhook(server.url, text('new-secret'), 'rotated-app-secret')).status, 200);
    wa = { ...wa, appSecret: 'rotated-app-secret' };
  });

  it('stops storing webhooks for an account as soon as it is deleted, and stores them again when it is connected', async () => {
    const other = await connectWhatsApp(a.api, '62811000778');
    const first = text('to-deleted');
    first.entry[0].changes[0].value.metadata.phone_number_id = other.phoneNumberId;
    assert.equal((await postWebhook(server.url, first, other.appSecret)).status, 200);
    assert.equal(await storedWith(first.entry[0].changes[0].value.messages[0].id), 1);

    assert.equal((await a.api.delete(`/api/v1/integration-accounts/${other.id}`)).status, 204);
    const second = text('after-delete');
    second.entry[0].changes[0].value.metadata.phone_number_id = other.phoneNumberId;
    // Unknown now: acknowledged (so Meta stops retrying) but not stored.
    assert.equal((await postWebhook(server.url, second, other.appSecret)).status, 200);
    assert.equal(await storedWith(second.entry[0].changes[0].value.messages[0].id), 0);

    const again = await connectWhatsApp(a.api, '62811000778', 'a-new-secret');
    const third = text('reconnected');
    third.entry[0].changes[0].value.metadata.phone_number_id = again.phoneNumberId;
    assert.equal((await postWebhook(server.url, third, 'a-new-secret')).status, 200);
    assert.equal(await storedWith(third.entry[0].changes[0].value.messages[0].id), 1);
  });

  it('stores a burst of webhooks arriving together, each once, and each becomes one message', async () => {
    const customer = '6281230000999';
    const bodies = Array.from({ length: 60 }, (_, i) => text(`burst-${i}`, customer));
    const answers = await Promise.all(bodies.map((b) => postWebhook(server.url, b, wa.appSecret)));
    assert.deepEqual(
      answers.map((r) => r.status),
      bodies.map(() => 200),
    );
    // Acknowledged means stored: every one is in the database with its job already.
    for (const b of bodies) assert.equal(await storedWith(b.entry[0].changes[0].value.messages[0].id), 1);
    // Meta retries a few of them: still one message each.
    for (const b of bodies.slice(0, 5)) assert.equal((await postWebhook(server.url, b, wa.appSecret)).status, 200);
    const conversation = await eventually(
      async () => {
        const list = await a.api.get('/api/v1/conversations?limit=50');
        return list.body.data.find((c: any) => c.contact.phone === '+6281230000999');
      },
      10_000,
      "the burst customer's conversation",
    );
    const messages = await eventually(
      async () => {
        const res = await a.api.get(`/api/v1/conversations/${conversation.id}/messages?limit=100`);
        return res.body.data.length >= 60 ? res.body.data : undefined;
      },
      20_000,
      'all 60 messages',
    );
    await new Promise((r) => setTimeout(r, 300));
    const final = await a.api.get(`/api/v1/conversations/${conversation.id}/messages?limit=100`);
    assert.equal(final.body.data.length, 60);
    assert.deepEqual(new Set(messages.map((m: any) => m.text)), new Set(bodies.map((_, i) => `burst-${i}`)));
  });

  it('a row that cannot be stored fails only its own request, not the others stored with it', async () => {
    const services = server.appliance.services;
    const now = services.now();
    const event = (id = newId()) => ({
      id,
      tenantId: a.tenant.id,
      source: 'meta' as const,
      payload: '{}',
      status: 'ignored' as const,
      error: null,
      receivedAt: now,
      processedAt: null,
    });
    const job = (eventId: string) =>
      newJob('webhook.process', { eventId }, now, {
        tenantId: a.tenant.id,
        queueKey: 'ack-test',
        runAt: new Date(now.getTime() + 3_600_000),
      });
    const taken = event();
    await storeWebhook(services, taken, job(taken.id));
    // Three stored in the same turn; the middle one reuses a stored id.
    const good1 = event();
    const good2 = event();
    const results = await Promise.allSettled([
      storeWebhook(services, good1, job(good1.id)),
      storeWebhook(services, { ...taken }, job(taken.id)),
      storeWebhook(services, good2, job(good2.id)),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    const repo = services.db.getRepository(WebhookEventEntity);
    assert.ok(await repo.findOneBy({ id: good1.id }));
    assert.ok(await repo.findOneBy({ id: good2.id }));
    const jobs = await services.db.getRepository(JobEntity).findBy({ queueKey: 'ack-test' });
    assert.equal(jobs.length, 3, 'one job per stored event; none for the refused one');
  });
});
