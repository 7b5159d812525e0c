// Bulk seeding straight into the appliance's SQLite file (with the server stopped, after it has
// migrated the schema): contacts, conversations and messages with UUIDv7 ids at realistic times,
// inserted in time order like production writes them, in large transactions with prepared
// statements. The FTS5 index gets exactly what its trigger would have written, in one
// INSERT … SELECT after the messages (faster than a million trigger firings).
import Database from 'better-sqlite3';
import { performance } from 'node:perf_hooks';
import type { Corpus } from './corpus.js';
import { FIRST_NAMES, LAST_NAMES } from './corpus.js';
import { fakeWamid, prng, sqlTime, uuidv7At } from './ids.js';

export interface SeedSizes {
  conversations: number;
  messages: number;
}

export interface SeedContext {
  tenantId: string;
  accountId: string;
  /** The owner ("me" in the benchmarks) first, then the other agents. */
  userIds: string[];
  now: number;
}

export interface SeedResult {
  contacts: number;
  conversations: number;
  messages: number;
  ftsRows: number;
  /** Time spent per step, ms. */
  timings: Record<string, number>;
  totalMs: number;
  dbSizeMb: number;
}

type Db = Database.Database;

/** A prepared INSERT for `keys`, checked against the live schema so a schema change fails loudly. */
export function inserter(db: Db, table: string, keys: string[]): (values: unknown[]) => void {
  const cols = db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string; notnull: number; dflt_value: unknown; pk: number }[];
  const names = new Set(cols.map((c) => c.name));
  const unknown = keys.filter((k) => !names.has(k));
  if (unknown.length)
    throw new Error(`The seeder writes ${table}.${unknown.join(', ')}, which the schema no longer has: update test/bench/lib/seed.ts`);
  const required = cols.filter((c) => c.notnull && c.dflt_value === null && !keys.includes(c.name));
  if (required.length) throw new Error(`${table}.${required.map((c) => c.name).join(', ')} must be filled: update test/bench/lib/seed.ts`);
  const stmt = db.prepare(`INSERT INTO "${table}" (${keys.map((k) => `"${k}"`).join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`);
  return (values) => {
    stmt.run(values);
  };
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;

export const phoneOf = (i: number) => `62812${String(10_000_000 + i)}`;
/** How many of the newest conversations are recent and open (the rest are spread over a year). */
export const recentCount = (conversations: number) => Math.max(50, Math.round(conversations * 0.02));

export function seed(
  dbPath: string,
  ctx: SeedContext,
  sizes: SeedSizes,
  corpus: Corpus,
  log: (s: string) => void = () => undefined,
): SeedResult {
  const timings: Record<string, number> = {};
  const t0 = performance.now();
  let mark = t0;
  const lap = (name: string) => {
    const now = performance.now();
    timings[name] = Math.round(now - mark);
    mark = now;
    log(`  ${name}: ${timings[name]} ms`);
  };

  const db = new Database(dbPath);
  // Nothing else has the file open: no journal, no fsync, a large cache. WAL again at the end.
  db.pragma('journal_mode = DELETE');
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -1000000');
  db.pragma('temp_store = MEMORY');
  db.pragma('foreign_keys = OFF');

  const C = sizes.conversations;
  const M = sizes.messages;
  const rand = prng(42);
  const { now, tenantId, accountId, userIds } = ctx;

  // ---- Plan conversations: times, statuses, assignees, message counts.
  // Most are spread over the past year; the newest 2% arrived in the last day and are still open,
  // so replies inside the 24-hour window are possible.
  const recent = recentCount(C);
  const convStart = new Float64Array(C);
  for (let i = 0; i < C; i++) {
    convStart[i] =
      i < C - recent
        ? now - 365 * DAY + (i / (C - recent)) * (363 * DAY) + rand() * 60_000
        : now - 20 * HOUR + ((i - (C - recent)) / recent) * (18 * HOUR) + rand() * 60_000;
  }
  convStart.sort();
  // Message counts: 1..(2·mean-1), then nudged so they add up to exactly M.
  const mean = M / C;
  const counts = new Uint16Array(C);
  let total = 0;
  for (let i = 0; i < C; i++) {
    counts[i] = Math.max(1, Math.round(1 + rand() * (2 * mean - 2)));
    total += counts[i];
  }
  for (let i = 0; total !== M; i = (i + 1) % C) {
    if (total < M && counts[i] < 60) {
      counts[i]++;
      total++;
    } else if (total > M && counts[i] > 1) {
      counts[i]--;
      total--;
    }
  }
  const firstMsg = new Uint32Array(C + 1);
  for (let i = 0; i < C; i++) firstMsg[i + 1] = firstMsg[i] + counts[i];

  // ---- Plan messages: times within each conversation, directions.
  const msgTime = new Float64Array(M);
  const msgConv = new Uint32Array(M);
  const inbound = new Uint8Array(M);
  for (let i = 0; i < C; i++) {
    let t = convStart[i];
    const isRecent = i >= C - recent;
    const limit = now - 60_000;
    for (let k = firstMsg[i]; k < firstMsg[i + 1]; k++) {
      msgTime[k] = Math.min(t, limit - (firstMsg[i + 1] - k) * 1000);
      msgConv[k] = i;
      inbound[k] = k === firstMsg[i] || rand() < 0.55 ? 1 : 0;
      t += isRecent ? 5_000 + rand() * 300_000 : 10_000 + rand() * 1_800_000;
    }
  }
  const order = new Uint32Array(M);
  for (let k = 0; k < M; k++) order[k] = k;
  order.sort((a, b) => msgTime[a] - msgTime[b] || a - b);
  const msgId: string[] = new Array(M);
  {
    let lastMs = -1;
    let seq = 0;
    for (const k of order) {
      const ms = Math.floor(msgTime[k]);
      seq = ms === lastMs ? seq + 1 : Math.floor(rand() * 1024);
      lastMs = ms;
      msgId[k] = uuidv7At(ms, rand, seq & 0xfff);
    }
  }
  const textOf = (k: number): string | null => {
    const r = prng(1_000_003 + k * 7919);
    const isImage = r() < 0.05;
    if (isImage) return r() < 0.5 ? corpus.sentence(r, 2, 8) : null;
    return inbound[k] ? corpus.sentence(r, 2, 16) : corpus.sentence(r, 4, 24);
  };
  const typeOf = (k: number): string => (prng(1_000_003 + k * 7919)() < 0.05 ? 'image' : 'text');
  lap('plan');

  // ---- Contacts and their WhatsApp identities (one conversation each).
  const contactIds: string[] = new Array(C);
  const insertContact = inserter(db, 'contacts', [
    'id',
    'tenantId',
    'name',
    'phone',
    'email',
    'attributes',
    'lastSeenAt',
    'createdAt',
    'updatedAt',
  ]);
  const insertIdentity = inserter(db, 'contact_identities', ['id', 'tenantId', 'contactId', 'channel', 'externalId', 'createdAt']);
  db.transaction(() => {
    for (let i = 0; i < C; i++) {
      const at = convStart[i];
      const id = uuidv7At(at, rand);
      contactIds[i] = id;
      const name =
        rand() < 0.93
          ? `${FIRST_NAMES[Math.floor(rand() * FIRST_NAMES.length)]} ${LAST_NAMES[Math.floor(rand() * LAST_NAMES.length)]}`
          : null;
      const last = msgTime[firstMsg[i + 1] - 1];
      insertContact([id, tenantId, name, `+${phoneOf(i)}`, null, '{}', sqlTime(last), sqlTime(at), sqlTime(last)]);
      insertIdentity([uuidv7At(at, rand), tenantId, id, 'whatsapp', phoneOf(i), sqlTime(at)]);
    }
  })();
  lap('contacts');

  // ---- Conversations.
  const convIds: string[] = new Array(C);
  const assignee: (string | null)[] = new Array(C);
  const insertConversation = inserter(db, 'conversations', [
    'id',
    'tenantId',
    'channel',
    'accountId',
    'contactId',
    'status',
    'assigneeId',
    'aiAgentId',
    'divisionId',
    'tags',
    'priority',
    'unreadCount',
    'lastMessageAt',
    'lastMessagePreview',
    'lastInboundAt',
    'windowExpiresAt',
    'resolvedAt',
    'createdAt',
    'updatedAt',
  ]);
  const TAGS = ['[]', '[]', '[]', '[]', '["vip"]', '["reseller"]', '["komplain"]', '["reseller","vip"]'];
  db.transaction(() => {
    for (let i = 0; i < C; i++) {
      const isRecent = i >= C - recent;
      const u = rand();
      const status = isRecent ? (u < 0.8 ? 'open' : 'pending') : u < 0.88 ? 'resolved' : u < 0.95 ? 'expired' : 'open';
      const assigned = status === 'open' || status === 'pending' ? rand() < 0.8 : rand() < 0.95;
      const who = assigned ? userIds[Math.floor(rand() * userIds.length)] : null;
      assignee[i] = who;
      const first = firstMsg[i];
      const last = firstMsg[i + 1] - 1;
      let lastIn = first;
      let unread = 0;
      for (let k = first; k <= last; k++) if (inbound[k]) lastIn = k;
      if (status === 'open' || status === 'pending') for (let k = last; k >= first && inbound[k]; k--) unread++;
      const lastText = textOf(last);
      const preview = lastText ? lastText.slice(0, 280) : `[${typeOf(last)}]`;
      const id = uuidv7At(convStart[i], rand);
      convIds[i] = id;
      const lastAt = msgTime[last];
      insertConversation([
        id,
        tenantId,
        'whatsapp',
        accountId,
        contactIds[i],
        status,
        who,
        null,
        null,
        TAGS[Math.floor(rand() * TAGS.length)],
        rand() < 0.9 ? 'normal' : rand() < 0.7 ? 'high' : 'urgent',
        unread,
        sqlTime(lastAt),
        preview,
        sqlTime(msgTime[lastIn]),
        sqlTime(msgTime[lastIn] + DAY),
        status === 'resolved' ? sqlTime(lastAt + 600_000) : null,
        sqlTime(convStart[i]),
        sqlTime(status === 'resolved' ? lastAt + 600_000 : lastAt),
      ]);
    }
  })();
  lap('conversations');

  // ---- Messages, in time order. The FTS trigger is set aside and the index filled in bulk after.
  const trigger = db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'messages_fts_insert'`).get() as
    | { sql: string }
    | undefined;
  if (trigger) db.exec('DROP TRIGGER messages_fts_insert');
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
    'replyToId',
    'senderType',
    'senderId',
    'mediaId',
    'errorCode',
    'errorReason',
    'sentAt',
    'deliveredAt',
    'readAt',
    'createdAt',
    'updatedAt',
  ]);
  const BATCH = 50_000;
  for (let start = 0; start < M; start += BATCH) {
    db.transaction(() => {
      for (let n = start; n < Math.min(M, start + BATCH); n++) {
        const k = order[n];
        const i = msgConv[k];
        const at = msgTime[k];
        const type = typeOf(k);
        const text = textOf(k);
        const content =
          type === 'image'
            ? JSON.stringify({
                media: {
                  externalId: String(1_000_000_000_000 + k),
                  mimeType: 'image/jpeg',
                  sha256: 'bench',
                  ...(text ? { caption: text } : {}),
                },
              })
            : '{}';
        if (inbound[k]) {
          insertMessage([
            msgId[k],
            tenantId,
            convIds[i],
            'inbound',
            type,
            text,
            content,
            'delivered',
            fakeWamid('IN', k),
            null,
            'contact',
            contactIds[i],
            null,
            null,
            null,
            sqlTime(at - 1500),
            sqlTime(at),
            null,
            sqlTime(at),
            sqlTime(at),
          ]);
        } else {
          const read = at < now - HOUR;
          insertMessage([
            msgId[k],
            tenantId,
            convIds[i],
            'outbound',
            type,
            text,
            content,
            read ? 'read' : 'delivered',
            fakeWamid('OUT', k),
            null,
            'agent',
            assignee[i] ?? userIds[0],
            null,
            null,
            null,
            sqlTime(at + 800),
            sqlTime(at + 2500),
            read ? sqlTime(at + 60_000) : null,
            sqlTime(at),
            sqlTime(read ? at + 60_000 : at + 2500),
          ]);
        }
      }
    })();
  }
  lap('messages');

  let ftsRows = 0;
  if (trigger) {
    // What the search indexer writes (server/modules/messages/search-index.ts), for every message at
    // once (LEFT JOIN: its subquery gives NULL without a contact).
    const info = db
      .prepare(`INSERT INTO messages_fts (text, contact_name, message_id, tenant_id, conversation_id)
      SELECT m.text, c.name, m.id, m.tenantId, m.conversationId
        FROM messages m LEFT JOIN conversations v ON v.id = m.conversationId LEFT JOIN contacts c ON c.id = v.contactId
       WHERE m.text IS NOT NULL AND m.type <> 'reaction'
       ORDER BY m.rowid`)
      .run();
    ftsRows = info.changes;
    db.exec(trigger.sql);
    lap('fts');
  }
  // No ANALYZE: the appliance never runs it, so the planner works without statistics here too.
  db.pragma('journal_mode = WAL');
  const pages = db.pragma('page_count', { simple: true }) as number;
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.close();
  lap('close');
  return {
    contacts: C,
    conversations: C,
    messages: M,
    ftsRows,
    timings,
    totalMs: Math.round(performance.now() - t0),
    dbSizeMb: Math.round((pages * pageSize) / 1048576),
  };
}
