// The search index behind the writes (search-index.ts): a message's insert notes its rowid in
// messages_fts_pending instead of indexing it, and a deleted message leaves neither.
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CLEAR_PENDING_SQL, INDEX_PENDING_SQL } from './search-index.js';
import { isSqlite } from '../../db/raw-sql.js';

export class MessageSearchIndexBehind1733680000000 implements MigrationInterface {
  name = 'MessageSearchIndexBehind1733680000000';

  async up(q: QueryRunner): Promise<void> {
    if (!isSqlite(q)) return;
    // INTEGER PRIMARY KEY: the rowid itself, so noting a message is one append to a small table.
    await q.query(`CREATE TABLE messages_fts_pending (messageRowid INTEGER PRIMARY KEY)`);
    await q.query(`DROP TRIGGER IF EXISTS messages_fts_insert`);
    await q.query(`CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.text IS NOT NULL AND new.type <> 'reaction' BEGIN
        INSERT OR IGNORE INTO messages_fts_pending (messageRowid) VALUES (new.rowid);
      END`);
    await q.query(`DROP TRIGGER IF EXISTS messages_fts_delete`);
    await q.query(`CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        DELETE FROM messages_fts WHERE rowid IN (SELECT id FROM messages_fts_content WHERE c2 = old.id);
        DELETE FROM messages_fts_pending WHERE messageRowid = old.rowid;
      END`);
  }

  async down(q: QueryRunner): Promise<void> {
    if (!isSqlite(q)) return;
    // What is pending is indexed first, as the old trigger would have.
    await q.query(INDEX_PENDING_SQL, [Number.MAX_SAFE_INTEGER]);
    await q.query(CLEAR_PENDING_SQL, [Number.MAX_SAFE_INTEGER]);
    await q.query(`DROP TRIGGER IF EXISTS messages_fts_delete`);
    await q.query(`CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        DELETE FROM messages_fts WHERE rowid IN (SELECT id FROM messages_fts_content WHERE c2 = old.id);
      END`);
    await q.query(`DROP TRIGGER IF EXISTS messages_fts_insert`);
    await q.query(`CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.text IS NOT NULL AND new.type <> 'reaction' BEGIN
        INSERT INTO messages_fts (text, contact_name, message_id, tenant_id, conversation_id)
        VALUES (new.text, (SELECT c.name FROM conversations v JOIN contacts c ON c.id = v.contactId WHERE v.id = new.conversationId),
                new.id, new.tenantId, new.conversationId);
      END`);
    await q.query(`DROP TABLE messages_fts_pending`);
  }
}
