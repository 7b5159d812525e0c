// The floor under "webhooks processed into messages": the rows the appliance writes to turn one
// inbound WhatsApp text into a message, written with raw better-sqlite3 prepared statements on a
// copy of the seeded database (its real index sizes), 50 webhooks per transaction, synchronous = FULL as
// the appliance ran when it was written. No HTTP, ORM, JSON views, automation or job runner: what SQLite alone needs.
// Per webhook: its stored event and job are read; the message's redelivery check; the sender's
// identity (a new contact and identity, or the contact's lastSeenAt); its open conversation (a new
// one, or its update); the message; two outbox events; the webhook event and its job marked done;
// and, every 500 webhooks, the full-text index of the messages (as the appliance's indexer does). The event and job rows are stored first, untimed, as the
// acknowledgement would have.
//
// `complete`: everything processing writes, as the appliance does with its built-in rules (the floor
// above leaves out the automation event log, which came later, and writes small outbox payloads):
// the outbox payloads at their real size (the message and conversation views), a new contact's
// contact.created event, and the automation event log: per event, its duplicate check by
// fingerprint and its row (message.received with the out-of-hours rule's unmatched entry and the
// value it read, conversation.created with the runs of division routing and the SLA checks,
// contact.created ignored), committed with synchronous = NORMAL as the appliance's webhook batches are
// (redoable: db/data-source.ts).
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { prng, sqlTime, uuidv7At } from './ids.js';
import { inserter } from './seed.js';
import type { SignedWebhook } from './webhooks.js';
import { CLEAR_PENDING_SQL, INDEX_PENDING_SQL, NEXT_BATCH_SQL } from '../../../server/modules/messages/search-index.js';
import { messageView } from '../../../server/modules/messages/messages.service.js';

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

/** Rows of the tables that processing writes to besides the message's own (the log the floor must keep up with). */
export type LogRows = Record<(typeof LOG_TABLES)[number], number>;
const LOG_TABLES = ['events', 'automation_events', 'automation_runs'] as const;

/** How many rows each of LOG_TABLES holds (to compare what the appliance wrote with what a floor wrote). */
export function logRows(db: Database.Database): LogRows {
  const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
  return Object.fromEntries(LOG_TABLES.map((t) => [t, count(t)])) as LogRows;
}

/** Rows written between two counts, per webhook. */
export function perWebhook(before: LogRows, after: LogRows, webhooks: number): LogRows {
  return Object.fromEntries(LOG_TABLES.map((t) => [t, (after[t] - before[t]) / webhooks])) as LogRows;
}

/** Messages per second for `hooks` (which must be new to the database), the time it took, and the log rows written per webhook. */
export function processFloor(
  dbPath: string,
  tenantId: string,
  accountId: string,
  hooks: SignedWebhook[],
  { complete = false }: { complete?: boolean } = {},
): { perSecond: number; ms: number; rows: LogRows } {
  const db = new Database(dbPath);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  // The copy's WAL (what the appliance wrote last) into the database first, untimed: the appliance
  // checkpoints on its own thread, and the floor should not pay for the appliance's pages.
  db.pragma('wal_checkpoint(TRUNCATE)');
  // The appliance's webhook batches commit redoable (synchronous = NORMAL: no fsync of their own); the
  // first floor kept FULL, as it was measured before they did.
  db.pragma(complete ? 'synchronous = NORMAL' : 'synchronous = FULL');
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

  // The automation event log (complete): the built-in rules' ids, as the appliance's engine finds them.
  const builtIn = (key: string) => {
    const rule = db.prepare(`SELECT id FROM automation_rules WHERE tenantId = ? AND builtIn = ?`).get(tenantId, key) as
      | { id: string }
      | undefined;
    if (!rule)
      throw new Error(
        `The complete floor writes the runs of the built-in rule ${key}, which the organization no longer has: update test/bench/lib/process-floor.ts`,
      );
    return rule.id;
  };
  const rules = { routing: builtIn('division-routing'), sla: builtIn('sla-checks'), outOfHours: builtIn('out-of-hours-reply') };
  const seen = db.prepare(`SELECT 1 AS found FROM automation_events WHERE tenantId = ? AND fingerprint = ? LIMIT 1`);
  const insertAutomationEvent = inserter(db, 'automation_events', [
    'id',
    'tenantId',
    'type',
    'domainEventId',
    'conversationId',
    'contactId',
    'messageId',
    'payload',
    'fingerprint',
    'status',
    'attempt',
    'depth',
    'fields',
    'unmatched',
    'occurredAt',
    'processedAt',
    'createdAt',
  ]);
  const insertRun = inserter(db, 'automation_runs', [
    'id',
    'tenantId',
    'eventId',
    'ruleId',
    'ruleVersion',
    'attempt',
    'conversationId',
    'eventType',
    'status',
    'conditions',
    'actions',
    'nextAction',
    'startedAt',
    'finishedAt',
    'createdAt',
  ]);
  const NO_CONDITIONS = JSON.stringify({
    path: 'conditions',
    kind: 'group',
    match: 'all',
    result: true,
    reason: 'no conditions',
    children: [],
  });
  // The SLA checks' two conditions, as the engine explains them on a conversation.created event.
  const SLA_CONDITIONS = JSON.stringify({
    path: 'conditions',
    kind: 'group',
    match: 'any',
    result: true,
    reason: '1 of 2 held',
    children: [
      {
        path: 'conditions.conditions.0',
        kind: 'condition',
        field: 'event.type',
        operator: 'not_equals',
        expected: 'message.sent',
        actual: 'conversation.created',
        result: true,
        reason: 'event.type was "conversation.created", not equal to "message.sent"',
      },
      {
        path: 'conditions.conditions.1',
        kind: 'condition',
        field: 'message.senderType',
        operator: 'in',
        expected: ['agent', 'ai'],
        result: false,
        reason: 'message.senderType was absent, not in ["agent","ai"]',
      },
    ],
  });
  /** The outbox row of a domain event and, complete, its automation event (status and what the engine kept). */
  const emit = (
    ms: number,
    now: string,
    type: string,
    payload: string,
    log?: {
      type: string;
      status: string;
      conversationId?: string;
      contactId?: string;
      messageId?: string;
      fields?: string;
      unmatched?: string;
    },
  ) => {
    const eventId = uuidv7At(ms, rand);
    insertOutbox([eventId, tenantId, type, payload, now]);
    if (!log) return undefined;
    const fingerprint = createHash('sha256').update(log.type).update('\n').update(payload).digest('hex').slice(0, 32);
    seen.get(tenantId, fingerprint);
    const id = uuidv7At(ms, rand);
    const { conversationId = null, contactId = null, messageId = null, fields = null, unmatched = null } = log;
    insertAutomationEvent([
      id,
      tenantId,
      log.type,
      eventId,
      conversationId,
      contactId,
      messageId,
      payload,
      fingerprint,
      log.status,
      1,
      0,
      fields,
      unmatched,
      now,
      now,
      now,
    ]);
    return id;
  };

  const nextBatch = db.prepare(NEXT_BATCH_SQL);
  const index = db.prepare(INDEX_PENDING_SQL);
  const clear = db.prepare(CLEAR_PENDING_SQL);
  const indexPending = db.transaction(() => {
    const { upto } = nextBatch.get() as { upto: number | null };
    if (upto === null) return;
    index.run(upto);
    clear.run(upto);
  });

  const rowsBefore = logRows(db);
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
          if (complete)
            emit(ms, now, 'contact.created', JSON.stringify({ contactId }), { type: 'contact.created', status: 'ignored', contactId });
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
        const unread = (open?.unreadCount ?? 0) + 1;
        updateConversation.run(now, w.text.slice(0, 120), now, sqlTime(ms + 86_400_000), unread, now, conversationId);
        if (!complete) {
          const payload = JSON.stringify({ conversationId, messageId, text: w.text });
          insertOutbox([uuidv7At(ms, rand), tenantId, open ? 'conversation.updated' : 'conversation.created', payload, now]);
          insertOutbox([uuidv7At(ms, rand), tenantId, 'message.created', payload, now]);
        } else {
          const at = new Date(ms).toISOString();
          const conversation = conversationView(
            conversationId,
            accountId,
            { id: contactId, name: w.name, phone: `+${w.from}` },
            w.text,
            unread,
            at,
          );
          // The appliance's own view of the message (message.created carries it).
          const message = messageView({
            id: messageId,
            tenantId,
            conversationId,
            direction: 'inbound',
            type: 'text',
            text: w.text,
            content: {},
            status: 'delivered',
            externalId: w.wamid,
            clientMessageId: null,
            replyToId: null,
            senderType: 'contact',
            senderId: contactId,
            mediaId: null,
            errorCode: null,
            errorReason: null,
            sentAt: new Date(ms),
            deliveredAt: new Date(ms),
            readAt: null,
            sendAttemptedAt: null,
            createdAt: new Date(ms),
            updatedAt: new Date(ms),
          });
          const conversationPayload = JSON.stringify({ conversation });
          if (open) emit(ms, now, 'conversation.updated', conversationPayload);
          else {
            const eventId = emit(ms, now, 'conversation.created', conversationPayload, {
              type: 'conversation.created',
              status: 'processed',
              conversationId,
              contactId,
              fields: '{"1":{"event.type":"conversation.created"}}',
            })!;
            for (const [ruleId, conditions, detail] of [
              [rules.routing, NO_CONDITIONS, 'The organization has no default division'],
              [rules.sla, SLA_CONDITIONS, 'No SLA policy is enabled'],
            ])
              insertRun([
                uuidv7At(ms, rand),
                tenantId,
                eventId,
                ruleId,
                1,
                1,
                conversationId,
                'conversation.created',
                'succeeded',
                conditions,
                JSON.stringify([{ index: 0, type: 'built_in', status: 'skipped', detail, at }]),
                1,
                now,
                now,
                now,
              ]);
          }
          emit(ms, now, 'message.created', JSON.stringify({ message, conversation }), {
            type: 'message.received',
            status: 'processed',
            conversationId,
            contactId,
            messageId,
            fields: '{"1":{"time.withinWorkingHours":true}}',
            unmatched: JSON.stringify({ 1: { at, rules: [[rules.outOfHours, 1]] } }),
          });
        }
        eventDone.run(now, w.eventId);
        jobDone.run(now, w.jobId);
      }
    })();
    if ((start / PER_TRANSACTION) % INDEX_EVERY === INDEX_EVERY - 1 || start + PER_TRANSACTION >= inbound.length) indexPending();
  }
  const ms = performance.now() - started;
  const rows = perWebhook(rowsBefore, logRows(db), inbound.length);
  db.close();
  return { perSecond: (inbound.length / ms) * 1000, ms, rows };
}

/** A conversation as the outbox's payloads carry it, at its real size: the shape of conversation-views.service.ts, whose conversationViews reads it from the database. */
function conversationView(
  id: string,
  accountId: string,
  contact: { id: string; name: string; phone: string },
  text: string,
  unreadCount: number,
  at: string,
) {
  return {
    id,
    channel: 'whatsapp',
    accountId,
    status: 'open',
    priority: 'normal',
    tags: [],
    unreadCount,
    lastMessageAt: at,
    lastMessagePreview: text.slice(0, 120),
    lastInboundAt: at,
    windowExpiresAt: at,
    subject: null,
    divisionId: null,
    aiAgentId: null,
    contact: { ...contact, email: null },
    assignee: null,
    sla: null,
    resolvedAt: null,
    createdAt: at,
    updatedAt: at,
  };
}
