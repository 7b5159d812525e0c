// A backlog of webhooks is processed in sets (webhooks.service.ts processWebhooks, ingestInboundMany):
// one read of the redeliveries, the senders and their open conversations for the lot. These tests
// hold that a set gives exactly what one webhook at a time gave: each customer's messages in one
// conversation, in order, counted unread one by one; a redelivery stored once; a status after the
// message it follows; two organizations' customers with the same number kept apart.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { In } from 'typeorm';
import { Api, registerTenant, type Tenant } from '../support/http.js';
import { startServer, type TestServer } from '../support/server.js';
import { settle } from '../support/settle.js';
import { connectWhatsApp, postWebhook, waPayload, wamid, type WaAccount } from '../support/whatsapp.js';
import { WebhookEventEntity } from '../../server/modules/webhooks/webhook-event.entity.js';
import { MessageEntity } from '../../server/modules/messages/message.entity.js';
import { ConversationEntity } from '../../server/modules/conversations/conversation.entity.js';
import { ContactEntity } from '../../server/modules/contacts/contact.entity.js';
import { DomainEventEntity } from '../../server/core/events/event.entity.js';

describe('processing a backlog of webhooks in sets', () => {
  let server: TestServer;
  let a: Tenant;
  let b: Tenant;
  let waA: WaAccount;
  let waB: WaAccount;

  before(async () => {
    server = await startServer();
    a = await registerTenant(new Api(server.url), 'Toko Set A');
    b = await registerTenant(new Api(server.url), 'Toko Set B');
    waA = await connectWhatsApp(a.api, '62811000901');
    waB = await connectWhatsApp(b.api, '62811000902');
  });
  after(() => server.stop());

  const text = (wa: WaAccount, from: string, body: string, id = wamid(body), profileName?: string) =>
    waPayload('wa-text.json', wa.phoneNumberId, { from, profileName, message: { id, text: { body } } });
  const db = () => server.appliance.db;

  it('stores a backlog as one customer at a time would have: order, unread counts, redeliveries, statuses, tenants', async () => {
    // A customer who already has an open conversation before the backlog.
    const known = '6281277770004';
    assert.equal((await postWebhook(server.url, text(waA, known, 'before the backlog'), waA.appSecret)).status, 200);
    await settle(server.appliance);
    const [existing] = await db()
      .getRepository(ConversationEntity)
      .find({ where: { tenantId: a.tenant.id } });

    // The backlog piles up while nothing processes it (an appliance that was busy, or just started).
    await server.appliance.jobs.stop();
    const ani = '6281277770001';
    const budi = '6281277770002';
    const a1 = wamid('a1');
    const hooks = [
      text(waA, ani, 'a1', a1, 'Ani'),
      text(waA, ani, 'a2'),
      text(waA, budi, 'b1', wamid('b1'), 'Budi'),
      // Meta redelivers the first one.
      text(waA, ani, 'a1', a1, 'Ani'),
      text(waA, known, 'k2'),
      // The same number writes to the other organization.
      text(waB, ani, 'other tenant', wamid('x1'), 'Ani di B'),
      // A status (of a message this inbox does not have): the messages before it are stored first.
      waPayload('wa-status-read.json', waA.phoneNumberId, { status: { id: wamid('unknown') } }),
      text(waA, ani, 'a3'),
      // A reply to a message stored earlier in the same set.
      waPayload('wa-text-reply-context.json', waA.phoneNumberId, {
        from: ani,
        message: { id: wamid('a4'), text: { body: 'a4' }, context: { from: ani, id: a1 } },
      }),
    ];
    for (const [i, hook] of hooks.entries()) {
      const wa = i === 5 ? waB : waA;
      assert.equal((await postWebhook(server.url, hook, wa.appSecret)).status, 200);
    }
    // A webhook with two messages from one customer.
    const two = text(waA, budi, 'b2');
    two.entry[0].changes[0].value.messages.push({ ...two.entry[0].changes[0].value.messages[0], id: wamid('b3'), text: { body: 'b3' } });
    assert.equal((await postWebhook(server.url, two, waA.appSecret)).status, 200);
    assert.equal(
      await db()
        .getRepository(WebhookEventEntity)
        .count({ where: { status: 'received' } }),
      hooks.length + 1,
      'the backlog waits, stored',
    );

    await server.appliance.jobs.start();
    await settle(server.appliance);
    assert.equal(
      await db()
        .getRepository(WebhookEventEntity)
        .count({ where: { status: In(['received', 'failed']) } }),
      0,
      'every webhook processed',
    );

    const messages = await db()
      .getRepository(MessageEntity)
      .find({
        where: { tenantId: a.tenant.id, direction: 'inbound' },
        order: { createdAt: 'ASC', id: 'ASC' },
      });
    const texts = (conversationId: string) => messages.filter((m) => m.conversationId === conversationId).map((m) => m.text);
    const conversations = await db()
      .getRepository(ConversationEntity)
      .find({ where: { tenantId: a.tenant.id } });
    assert.equal(conversations.length, 3, 'one conversation per customer');
    const contacts = await db()
      .getRepository(ContactEntity)
      .find({ where: { tenantId: a.tenant.id } });
    const of = (phone: string) => {
      const contact = contacts.find((c) => c.phone === `+${phone}`);
      assert.ok(contact, phone);
      const conversation = conversations.find((c) => c.contactId === contact.id);
      assert.ok(conversation, phone);
      return { contact, conversation };
    };
    assert.deepEqual(texts(of(ani).conversation.id), ['a1', 'a2', 'a3', 'a4'], 'in order, the redelivery stored once');
    assert.equal(of(ani).conversation.unreadCount, 4);
    const [first, , , reply] = messages.filter((m) => m.conversationId === of(ani).conversation.id) as unknown as {
      id: string;
      replyToId: string;
    }[];
    assert.equal(reply.replyToId, first.id, 'the reply points at the message stored before it in the set');
    assert.equal(of(ani).contact.name, 'Ani');
    assert.deepEqual(texts(of(budi).conversation.id), ['b1', 'b2', 'b3']);
    assert.equal(of(budi).conversation.unreadCount, 3);
    assert.equal(of(budi).conversation.lastMessagePreview, 'b3');
    assert.equal(of(known).conversation.id, existing.id, 'the open conversation is continued');
    assert.deepEqual(texts(existing.id), ['before the backlog', 'k2']);

    // Each message.created carries its conversation as it was right after that message.
    const events = await db()
      .getRepository(DomainEventEntity)
      .find({
        where: { tenantId: a.tenant.id, type: 'message.created' },
        order: { id: 'ASC' },
      });
    type Created = { message: { text: string }; conversation: { id: string; unreadCount: number; contact: { name: string } } };
    const aniCounts = events
      .map((e) => e.payload as Created)
      .filter((p) => p.conversation.id === of(ani).conversation.id)
      .map((p) => [p.message.text, p.conversation.unreadCount, p.conversation.contact.name]);
    assert.deepEqual(aniCounts, [
      ['a1', 1, 'Ani'],
      ['a2', 2, 'Ani'],
      ['a3', 3, 'Ani'],
      ['a4', 4, 'Ani'],
    ]);
    const created = await db()
      .getRepository(DomainEventEntity)
      .count({ where: { tenantId: a.tenant.id, type: 'conversation.created' } });
    assert.equal(created, 3, 'each new conversation announced once');

    // The other organization's customer with the same number is its own contact and conversation.
    const other = await db()
      .getRepository(MessageEntity)
      .find({ where: { tenantId: b.tenant.id } });
    assert.deepEqual(
      other.map((m) => m.text),
      ['other tenant'],
    );
    const otherContact = await db()
      .getRepository(ContactEntity)
      .findOneOrFail({ where: { tenantId: b.tenant.id } });
    assert.equal(otherContact.name, 'Ani di B');
    assert.ok(!contacts.some((c) => c.id === otherContact.id));
    const list = await b.api.get('/api/v1/conversations');
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.data.map((c: { lastMessagePreview: string }) => c.lastMessagePreview),
      ['other tenant'],
    );
  });
});
