// Issue 12, finding 2: a Meta webhook body naming accounts of two tenants was accepted when it
// verified under either account's app secret, and every entry was processed. An attacker with a
// self-registered organization and its own app secret could thus put messages into another
// organization's inbox. Now each account's entries are processed only if the body is signed with
// that account's own secret (or the appliance's META_APP_SECRET); the others are dropped and counted.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Api, registerTenant, type Tenant } from '../support/http.js';
import { startServer, type TestServer } from '../support/server.js';
import { connectWhatsApp, postWebhook, waPayload, wamid, type WaAccount } from '../support/whatsapp.js';
import { connectMessenger, messagingPayload, mid, postSigned, type MetaAccount } from '../support/meta-channels.js';
import { settle } from '../support/settle.js';
import { WebhookEventEntity } from '../../server/modules/webhooks/webhook-event.entity.js';
import { MessageEntity } from '../../server/modules/messages/message.entity.js';

/** One body carrying the entries of both payloads (as Meta batches several accounts' changes). */
const merged = (first: any, second: any) => ({ ...first, entry: [...first.entry, ...second.entry] });

describe('cross-tenant webhook injection', () => {
  let server: TestServer;
  let victim: Tenant;
  let attacker: Tenant;
  let victimWa: WaAccount;
  let attackerWa: WaAccount;
  let victimPage: MetaAccount;
  let attackerPage: MetaAccount;

  before(async () => {
    server = await startServer();
    const api = new Api(server.url);
    victim = await registerTenant(api, 'Toko Korban');
    attacker = await registerTenant(api, 'Toko Penyerang');
    victimWa = await connectWhatsApp(victim.api, '620000000101', 'victim-app-secret');
    attackerWa = await connectWhatsApp(attacker.api, '620000000202', 'attacker-app-secret');
    victimPage = await connectMessenger(victim.api, '300000000101', 'victim-page-secret');
    attackerPage = await connectMessenger(attacker.api, '300000000202', 'attacker-page-secret');
  });
  after(() => server.stop());

  const messagesWith = async (tenantId: string, externalId: string) =>
    server.appliance.db.getRepository(MessageEntity).countBy({ tenantId, externalId });
  const eventWith = (externalId: string) =>
    server.appliance.db
      .getRepository(WebhookEventEntity)
      .createQueryBuilder('e')
      .where('e.payload LIKE :p', { p: `%${externalId}%` })
      .getOne();

  it("WhatsApp: a body signed with the attacker's secret that also names the victim's number reaches only the attacker", async () => {
    const mine = wamid('attacker-own');
    const injected = wamid('injected');
    const body = merged(
      waPayload('wa-text.json', attackerWa.phoneNumberId, { from: '6281200000001', message: { id: mine, text: { body: 'halo' } } }),
      waPayload('wa-text.json', victimWa.phoneNumberId, {
        from: '6281299999999',
        message: { id: injected, text: { body: 'Transfer ke rekening baru ya kak' } },
      }),
    );
    // The attack as found: acknowledged (the attacker's part is genuine)…
    assert.equal((await postWebhook(server.url, body, attackerWa.appSecret)).status, 200);
    await settle(server.appliance);
    // …but only the attacker's own entry became a message.
    assert.equal(await messagesWith(attacker.tenant.id, mine), 1);
    assert.equal(await messagesWith(victim.tenant.id, injected), 0, 'nothing was injected into the victim');
    assert.equal(await server.appliance.db.getRepository(MessageEntity).countBy({ externalId: injected }), 0);
    const victimInbox = await victim.api.get('/api/v1/conversations?limit=50');
    assert.ok(!JSON.stringify(victimInbox.body).includes('Transfer ke rekening baru'));
    // Dropped and counted on the stored event, which belongs to the attacker alone.
    const event = await eventWith(injected);
    assert.equal(event?.tenantId, attacker.tenant.id);
    assert.equal(event?.status, 'processed');
    assert.match(event?.error ?? '', /Dropped 1 entry/);
  });

  it("the same body signed with the victim's secret reaches only the victim", async () => {
    const victims = wamid('victim-own');
    const attackers = wamid('attacker-part');
    const body = merged(
      waPayload('wa-text.json', victimWa.phoneNumberId, { from: '6281200000002', message: { id: victims } }),
      waPayload('wa-text.json', attackerWa.phoneNumberId, { from: '6281200000003', message: { id: attackers } }),
    );
    assert.equal((await postWebhook(server.url, body, victimWa.appSecret)).status, 200);
    await settle(server.appliance);
    assert.equal(await messagesWith(victim.tenant.id, victims), 1);
    assert.equal(await messagesWith(attacker.tenant.id, attackers), 0);
  });

  it("a body naming only the victim's account, signed with the attacker's secret, is refused", async () => {
    const injected = wamid('only-victim');
    const body = waPayload('wa-text.json', victimWa.phoneNumberId, { message: { id: injected } });
    assert.equal((await postWebhook(server.url, body, attackerWa.appSecret)).status, 401);
    assert.equal(await eventWith(injected), null, 'not even stored');
  });

  it('Messenger: the same rule per Page', async () => {
    const mine = mid('attacker-page');
    const injected = mid('victim-page');
    const body = merged(
      messagingPayload('messenger-text.json', attackerPage.key, { customer: '7000000000000001', message: { mid: mine } }),
      messagingPayload('messenger-text.json', victimPage.key, { customer: '7000000000000002', message: { mid: injected } }),
    );
    assert.equal((await postSigned(server.url, '/api/v1/webhooks/messenger', body, attackerPage.appSecret)).status, 200);
    await settle(server.appliance);
    assert.equal(await messagesWith(attacker.tenant.id, mine), 1);
    assert.equal(await messagesWith(victim.tenant.id, injected), 0);
    assert.match((await eventWith(injected))?.error ?? '', /Dropped 1 entry/);
  });
});

describe("webhooks signed with the appliance's own app secret", () => {
  let server: TestServer;
  let a: Tenant;
  let b: Tenant;
  let waA: WaAccount;
  let waB: WaAccount;

  before(async () => {
    server = await startServer({ META_APP_SECRET: 'the-appliance-app-secret' });
    const api = new Api(server.url);
    a = await registerTenant(api, 'Toko A');
    b = await registerTenant(api, 'Toko B');
    waA = await connectWhatsApp(a.api, '620000000303', 'a-app-secret');
    waB = await connectWhatsApp(b.api, '620000000404', 'b-app-secret');
  });
  after(() => server.stop());

  it("process every entry (Meta signs with the app that subscribed: the appliance's)", async () => {
    const first = wamid('appliance-a');
    const second = wamid('appliance-b');
    const body = merged(
      waPayload('wa-text.json', waA.phoneNumberId, { from: '6281200000011', message: { id: first } }),
      waPayload('wa-text.json', waB.phoneNumberId, { from: '6281200000012', message: { id: second } }),
    );
    assert.equal((await postWebhook(server.url, body, 'the-appliance-app-secret')).status, 200);
    await settle(server.appliance);
    const repo = server.appliance.db.getRepository(MessageEntity);
    assert.equal(await repo.countBy({ tenantId: a.tenant.id, externalId: first }), 1);
    assert.equal(await repo.countBy({ tenantId: b.tenant.id, externalId: second }), 1);
    // A's own secret still covers only A's entries.
    const third = wamid('own-a');
    const fourth = wamid('not-a');
    const again = merged(
      waPayload('wa-text.json', waA.phoneNumberId, { from: '6281200000011', message: { id: third } }),
      waPayload('wa-text.json', waB.phoneNumberId, { from: '6281200000012', message: { id: fourth } }),
    );
    assert.equal((await postWebhook(server.url, again, waA.appSecret)).status, 200);
    await settle(server.appliance);
    assert.equal(await repo.countBy({ externalId: third }), 1);
    assert.equal(await repo.countBy({ externalId: fourth }), 0);
    // Signed with nothing known: refused.
    assert.equal((await postWebhook(server.url, again, 'some-other-secret')).status, 401);
  });
});
