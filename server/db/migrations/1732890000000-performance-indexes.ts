// Indexes found missing by `npm run bench` (test/bench/README.md has the numbers).
//
// 1. Job queue heads. The runner asks, per queue key, for the oldest pending or running job; with
//    (queueKey, status, id) that is one index seek instead of reading the whole queue (a backlog
//    of 20,000 webhooks on the one "webhooks" queue was read again before every job).
// 2. Full-text index maintenance. messages_fts keeps message_id and conversation_id UNINDEXED, so
//    the triggers that drop a deleted message from the index and copy a renamed contact's name into
//    it scanned every row of messages_fts: 1.2 s per contact rename (and per deleted message) with
//    1,000,000 messages, the whole server blocked meanwhile. Plain indexes on FTS5's content table
//    (messages_fts_content: c2 = message_id, c4 = conversation_id) let both triggers find their
//    rows by rowid instead (0.4 ms).
import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const isSqlite = (q: QueryRunner) => q.connection.options.type === 'better-sqlite3' || q.connection.options.type === 'sqlite';
/** The content table's columns are c0…c4 in the order messages_fts declares them. */
const FTS_COLUMNS = ['text', 'contact_name', 'message_id', 'tenant_id', 'conversation_id'];
const JOB_HEADS = new TableIndex({ name: 'IDX_jobs_queue_head', columnNames: ['queueKey', 'status', 'id'] });

export class PerformanceIndexes1732890000000 implements MigrationInterface {
  name = 'PerformanceIndexes1732890000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex('jobs', JOB_HEADS);
    if (!isSqlite(q)) return;
    const columns = (await q.query(`PRAGMA table_info('messages_fts')`)) as { name: string }[];
    if (columns.map((c) => c.name).join() !== FTS_COLUMNS.join())
      throw new Error(`messages_fts columns are ${columns.map((c) => c.name).join(', ')}; expected ${FTS_COLUMNS.join(', ')}`);
    await q.query(`CREATE INDEX IF NOT EXISTS messages_fts_content_message ON messages_fts_content (c2)`);
    await q.query(`CREATE INDEX IF NOT EXISTS messages_fts_content_conversation ON messages_fts_content (c4)`);
    await q.query(`DROP TRIGGER IF EXISTS messages_fts_delete`);
    await q.query(`CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        DELETE FROM messages_fts WHERE rowid IN (SELECT id FROM messages_fts_content WHERE c2 = old.id);
      END`);
    await q.query(`DROP TRIGGER IF EXISTS messages_fts_contact_name`);
    await q.query(`CREATE TRIGGER messages_fts_contact_name AFTER UPDATE OF name ON contacts BEGIN
        UPDATE messages_fts SET contact_name = new.name
        WHERE rowid IN (SELECT id FROM messages_fts_content WHERE c4 IN (SELECT id FROM conversations WHERE contactId = new.id));
      END`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('jobs', JOB_HEADS.name!);
    if (!isSqlite(q)) return;
    await q.query(`DROP TRIGGER IF EXISTS messages_fts_delete`);
    await q.query(`CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        DELETE FROM messages_fts WHERE message_id = old.id;
      END`);
    await q.query(`DROP TRIGGER IF EXISTS messages_fts_contact_name`);
    await q.query(`CREATE TRIGGER messages_fts_contact_name AFTER UPDATE OF name ON contacts BEGIN
        UPDATE messages_fts SET contact_name = new.name
        WHERE conversation_id IN (SELECT id FROM conversations WHERE contactId = new.id);
      END`);
    await q.query(`DROP INDEX IF EXISTS messages_fts_content_message`);
    await q.query(`DROP INDEX IF EXISTS messages_fts_content_conversation`);
  }
}
