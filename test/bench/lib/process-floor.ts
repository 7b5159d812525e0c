// The floor under "webhooks processed into messages": the rows the appliance writes to turn one
// inbound WhatsApp text into a message, written with raw better-sqlite3 prepared statements on a
// copy of the seeded database (its real index sizes), 50 webhooks per transaction, synchronous = FULL as
// the appliance runs. No HTTP, ORM, JSON views, automation or job runner: what SQLite alone needs.
// Per webhook: its stored event and job are read; the message's redelivery check; the sender's
// identity (a new contact and identity, or the contact's lastSeenAt); its open conversation (a new
// one, or its update); the message; two outbox events; the webhook event and its job marked done;
// and, every 500 webhooks, the full-text index of the messages (as the appliance's indexer does). The event and job rows are stored first, untimed, as the
// acknowledgement would have.
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { prng, sqlTime, uuidv7At } from './ids.js';
import { inserter } from './seed.js';
import type { SignedWebhook } from './webhooks.js';
import { CLEAR_PENDING_SQL, INDEX_PENDING_SQL, NEXT_BATCH_SQL } from '../../../server/modules/messages/search-index.js';

const PER_TRANSACTION = 50;
/** The full-text index is written every this many transactions, as the appliance's indexer does about twice a second. */
const INDEX_EVERY = 10;

interface Inbound {
  eventId: string;
  jobId: string;
  from: string;
  name: string;
  wamid: string;
  text: string;
}

/** Messages per second for `hooks` (which must be new to the database), and the time it took. */
export function processFloor(
  dbPath: string,
  tenantId: string,
  accountId: string,
  hooks: SignedWebhook[],
): { perSecond: number; ms: number } {
  const db = new Database(dbPath);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = FULL');
  const rand = prng(hooks.length);
  const t = sqlTime(Date.now());
  const inbound: Inbound[] = hooks.map((h) => {
    const value = JSON.parse(h.body).entry[0].changes[0].value;
    const m = value.messages[0];
    return {
      eventId: uuidv7At(Date.now(), rand),
      jobId: uuidv7At(Date.now(), rand),
      from: m.from,
      name: value.contacts[0].profile.name,
      wamid: m.id,
      text: m.text.body,
    };
  });
  // What the acknowledgement stored: untimed.
  const insertEvent = db.prepare(
    `INSERT INTO webhook_events (id, tenantId, source, payload, status, error, receivedAt, processedAt) VALUES (?, ?, 'meta', ?, 'received', NULL, ?, NULL)`,
  );
  const insertJob =
    db.prepare(`INSERT INTO jobs (id, tenantId, type, payload, queueKey, status, attempts, maxAttempts, runAt, lastError, createdAt, updatedAt)
    VALUES (?, ?, 'webhook.process', ?, 'webhooks', 'pending', 0, 20, ?, NULL, ?, ?)`);
  db.transaction(() => {
    inbound.forEach((w, i) => {
      insertEvent.run(w.eventId, tenantId, hooks[i].body, t);
      insertJob.run(w.jobId, tenantId, JSON.stringify({ eventId: w.eventId }), t, t, t);
    });
  })();

  const readEvent = db.prepare(`SELECT payload FROM webhook_events WHERE id = ?`);
  const exists = db.prepare(`SELECT 1 FROM messages WHERE tenantId = ? AND externalId = ?`);
  const identity = db.prepare(`SELECT contactId FROM contact_identities WHERE tenantId = ? AND channel = 'whatsapp' AND externalId = ?`);
  const insertContact = inserter(db, 'contacts', [
    'id',
    'tenantId',
    'name',
    'phone',
    'email',
    'attributes',
    'tags',
    'lastSeenAt',
    'createdAt',
    'updatedAt',
  ]);
  const insertIdentity = inserter(db, 'contact_identities', ['id', 'tenantId', 'contactId', 'channel', 'externalId', 'createdAt']);
  const touchContact = db.prepare(`UPDATE contacts SET lastSeenAt = ? WHERE id = ?`);
  const openConversation = db.prepare(
    `SELECT id, unreadCount FROM conversations WHERE tenantId = ? AND accountId = ? AND contactId = ? AND status IN ('open', 'pending') ORDER BY createdAt DESC LIMIT 1`,
  );
  const insertConversation = inserter(db, 'conversations', [
    'id',
    'tenantId',
    'channel',
    'accountId',
    'contactId',
    'status',
    'tags',
    'priority',
    'unreadCount',
    'createdAt',
    'updatedAt',
  ]);
  const updateConversation = db.prepare(
    `UPDATE conversations SET lastMessageAt = ?, lastMessagePreview = ?, lastInboundAt = ?, windowExpiresAt = ?, unreadCount = ?, updatedAt = ? WHERE id = ?`,
  );
  const insertMessage = inserter(db, 'messages', [
    'id',
    'tenantId',
    'conversationId',
    'direction',
    'type',
    'text',
    'content',
    'status',
    'externalId',
    'senderType',
    'senderId',
    'sentAt',
    'deliveredAt',
    'createdAt',
    'updatedAt',
  ]);
  const insertOutbox = inserter(db, 'events', ['id', 'tenantId', 'type', 'payload', 'createdAt']);
  const eventDone = db.prepare(`UPDATE webhook_events SET status = 'processed', processedAt = ? WHERE id = ?`);
  const jobDone = db.prepare(`UPDATE jobs SET status = 'done', attempts = 1, updatedAt = ? WHERE id = ?`);

  const nextBatch = db.prepare(NEXT_BATCH_SQL);
  const index = db.prepare(INDEX_PENDING_SQL);
  const clear = db.prepare(CLEAR_PENDING_SQL);
  const indexPending = db.transaction(() => {
    const { upto } = nextBatch.get() as { upto: number | null };
    if (upto === null) return;
    index.run(upto);
    clear.run(upto);
  });

  const started = performance.now();
  for (let start = 0; start < inbound.length; start += PER_TRANSACTION) {
    db.transaction(() => {
      for (const w of inbound.slice(start, start + PER_TRANSACTION)) {
        const ms = Date.now();
        const now = sqlTime(ms);
        readEvent.get(w.eventId);
        if (exists.get(tenantId, w.wamid)) continue;
        let contactId = (identity.get(tenantId, w.from) as { contactId: string } | undefined)?.contactId;
        if (contactId) touchContact.run(now, contactId);
        else {
          contactId = uuidv7At(ms, rand);
          insertContact([contactId, tenantId, w.name, `+${w.from}`, null, '{}', '[]', now, now, now]);
          insertIdentity([uuidv7At(ms, rand), tenantId, contactId, 'whatsapp', w.from, now]);
        }
        const open = openConversation.get(tenantId, accountId, contactId) as { id: string; unreadCount: number } | undefined;
        const conversationId = open?.id ?? uuidv7At(ms, rand);
        if (!open) insertConversation([conversationId, tenantId, 'whatsapp', accountId, contactId, 'open', '[]', 'normal', 0, now, now]);
        const messageId = uuidv7At(ms, rand);
        insertMessage([
          messageId,
          tenantId,
          conversationId,
          'inbound',
          'text',
          w.text,
          '{}',
          'delivered',
          w.wamid,
          'contact',
          contactId,
          now,
          now,
          now,
          now,
        ]);
        updateConversation.run(now, w.text.slice(0, 120), now, sqlTime(ms + 86_400_000), (open?.unreadCount ?? 0) + 1, now, conversationId);
        const payload = JSON.stringify({ conversationId, messageId, text: w.text });
        insertOutbox([uuidv7At(ms, rand), tenantId, open ? 'conversation.updated' : 'conversation.created', payload, now]);
        insertOutbox([uuidv7At(ms, rand), tenantId, 'message.created', payload, now]);
        eventDone.run(now, w.eventId);
        jobDone.run(now, w.jobId);
      }
    })();
    if ((start / PER_TRANSACTION) % INDEX_EVERY === INDEX_EVERY - 1 || start + PER_TRANSACTION >= inbound.length) indexPending();
  }
  const ms = performance.now() - started;
  db.close();
  return { perSecond: (inbound.length / ms) * 1000, ms };
}
