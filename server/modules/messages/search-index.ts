// The full-text index of messages, written behind the messages rather than with each (SQLite).
// FTS5 writes what a transaction indexed to disk at its end and at every savepoint, one segment
// each, and merges the segments as they pile up. The appliance runs each job and each grouped
// transaction in a savepoint (db/data-source.ts), so indexing each message as it was inserted (the
// trigger before this) wrote a segment per message, the largest single cost of storing one
// (test/bench/README.md, "The search index behind the writes"). A message's insert now only notes
// its rowid in messages_fts_pending (trigger messages_fts_insert); the indexer moves what is
// pending into messages_fts in one statement, in rowid (so time) order, as one segment: twice a
// second, and before every search, so a search still finds every message stored before it.
import type { DataSource } from 'typeorm';
import { transaction } from '../../db/data-source.js';
import { isSqlite } from '../../db/raw-sql.js';

/** At most this many messages are indexed per transaction (a backlog goes in several). */
const BATCH = 5000;

/** What the old per-message trigger wrote, for every pending message up to a rowid. */
export const INDEX_PENDING_SQL = `INSERT INTO messages_fts (text, contact_name, message_id, tenant_id, conversation_id)
  SELECT m.text, (SELECT c.name FROM conversations v JOIN contacts c ON c.id = v.contactId WHERE v.id = m.conversationId),
         m.id, m.tenantId, m.conversationId
    FROM messages_fts_pending p JOIN messages m ON m.rowid = p.messageRowid
   WHERE p.messageRowid <= ?
   ORDER BY p.messageRowid`;
/** The highest rowid of the next batch of pending messages (null: none). */
export const NEXT_BATCH_SQL = `SELECT max(messageRowid) AS upto FROM (SELECT messageRowid FROM messages_fts_pending ORDER BY messageRowid LIMIT ${BATCH})`;
export const CLEAR_PENDING_SQL = `DELETE FROM messages_fts_pending WHERE messageRowid <= ?`;

const running = new WeakMap<DataSource, Promise<number>>();

/**
 * Indexes every message pending now (several batches for a backlog); resolves once they are
 * committed, with how many were indexed. Runs never overlap: one called during another waits for
 * it, then indexes what it left.
 */
export async function indexPendingMessages(ds: DataSource): Promise<number> {
  if (!isSqlite(ds)) return 0;
  let total = 0;
  for (;;) {
    const inFlight = running.get(ds);
    if (inFlight) {
      await inFlight.catch(() => undefined);
      continue;
    }
    // A plain read: nothing pending (the usual case) costs one index lookup and no transaction.
    const [next] = (await ds.query('SELECT 1 AS pending FROM messages_fts_pending LIMIT 1')) as { pending: number }[];
    if (!next) return total;
    const run = transaction(ds, async (m) => {
      const [{ upto }] = (await m.query(NEXT_BATCH_SQL)) as { upto: number | null }[];
      if (upto === null) return 0;
      await m.query(INDEX_PENDING_SQL, [upto]);
      const [{ indexed }] = (await m.query('SELECT changes() AS indexed')) as { indexed: number }[];
      await m.query(CLEAR_PENDING_SQL, [upto]);
      return indexed;
    });
    running.set(ds, run);
    try {
      total += await run;
    } finally {
      running.delete(ds);
    }
  }
}

/** Indexes pending messages every `everyMs` until the returned function is called (which indexes what is left). */
export function startSearchIndexer(ds: DataSource, onError: (err: unknown) => void, everyMs = 500): () => Promise<void> {
  const timer = setInterval(() => void indexPendingMessages(ds).catch(onError), everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await indexPendingMessages(ds).catch(onError);
  };
}
