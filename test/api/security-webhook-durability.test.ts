// Security finding 10 (webhooks): the database committed with synchronous=NORMAL in WAL mode, which
// fsyncs only at checkpoints: a power cut could lose the last commits, among them webhooks already
// acknowledged to Meta (which never sends them again). A power cut cannot be simulated here, so the
// test checks what decides it: the server's own connection commits with synchronous=FULL (2), the
// WAL fsynced at every commit, by the time a webhook is acknowledged.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.js';
import { Api, registerTenant } from '../support/http.js';
import { connectWhatsApp, postWebhook, waPayload, wamid } from '../support/whatsapp.js';
import { WebhookEventEntity } from '../../server/modules/webhooks/webhook-event.entity.js';

describe('an acknowledged webhook is committed durably', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.stop());

  it('the server connection is in WAL mode with synchronous=FULL when it acknowledges a webhook', async () => {
    const owner = await registerTenant(new Api(server.url), 'Toko Listrik Padam');
    const wa = await connectWhatsApp(owner.api, '800000000000101');
    const id = wamid('POWER');
    const res = await postWebhook(server.url, waPayload('wa-text.json', wa.phoneNumberId, { message: { id } }), wa.appSecret);
    assert.equal(res.status, 200);
    const db = server.appliance.db;
    const stored = await db.getRepository(WebhookEventEntity).find();
    assert.ok(
      stored.some((e) => JSON.stringify(e.payload).includes(id)),
      'acknowledged means stored',
    );
    assert.equal((await db.query('PRAGMA journal_mode'))[0].journal_mode, 'wal');
    // 2 = FULL: the WAL is fsynced at every commit, so an acknowledged commit survives a power cut
    // (NORMAL, 1, fsyncs it only at checkpoints).
    assert.equal((await db.query('PRAGMA synchronous'))[0].synchronous, 2);
  });
});
