// Messaging core: channel integrations and accounts, contacts, conversations, messages, notes,
// media, received webhooks; and (on SQLite) the FTS5 index that message search uses.
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { id, ref, str, text, int, bool, time, tenantFk } from './helpers.js';

const nullableInt = (name: string) => ({ name, type: 'integer', isNullable: true });
const fk = (column: string, table: string, onDelete: 'CASCADE' | 'SET NULL' = 'CASCADE') => ({
  columnNames: [column],
  referencedTableName: table,
  referencedColumnNames: ['id'],
  onDelete,
});

export class Messaging1732700000000 implements MigrationInterface {
  name = 'Messaging1732700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'integrations',
        columns: [id(), ref('tenantId'), str('channel', 20), bool('enabled', true), text('settings'), time('createdAt'), time('updatedAt')],
        indices: [new TableIndex({ columnNames: ['tenantId', 'channel'], isUnique: true })],
        foreignKeys: [tenantFk],
      }),
    );
    await q.createTable(
      new Table({
        name: 'integration_accounts',
        columns: [
          id(),
          ref('tenantId'),
          str('channel', 20),
          str('name', 200),
          str('externalId', 320),
          text('config'),
          text('secrets'),
          bool('isDefault'),
          str('status', 20),
          time('createdAt'),
          time('updatedAt'),
        ],
        // Webhooks route by (channel, externalId): one account may belong to one tenant only.
        indices: [
          new TableIndex({ columnNames: ['channel', 'externalId'], isUnique: true }),
          new TableIndex({ columnNames: ['tenantId', 'channel'] }),
        ],
        foreignKeys: [tenantFk],
      }),
    );
    await q.createTable(
      new Table({
        name: 'contacts',
        columns: [
          id(),
          ref('tenantId'),
          str('name', 200, true),
          str('phone', 50, true),
          str('email', 320, true),
          text('attributes'),
          time('lastSeenAt', true),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [new TableIndex({ columnNames: ['tenantId', 'id'] }), new TableIndex({ columnNames: ['tenantId', 'phone'] })],
        foreignKeys: [tenantFk],
      }),
    );
    await q.createTable(
      new Table({
        name: 'contact_identities',
        columns: [id(), ref('tenantId'), ref('contactId'), str('channel', 20), str('externalId', 320), time('createdAt')],
        indices: [
          new TableIndex({ columnNames: ['tenantId', 'channel', 'externalId'], isUnique: true }),
          new TableIndex({ columnNames: ['contactId'] }),
        ],
        foreignKeys: [tenantFk, fk('contactId', 'contacts')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'conversations',
        columns: [
          id(),
          ref('tenantId'),
          str('channel', 20),
          ref('accountId'),
          ref('contactId'),
          str('status', 20),
          ref('assigneeId', true),
          ref('aiAgentId', true),
          ref('divisionId', true),
          text('tags'),
          str('priority', 10),
          int('unreadCount'),
          time('lastMessageAt', true),
          str('lastMessagePreview', 300, true),
          time('lastInboundAt', true),
          time('windowExpiresAt', true),
          time('resolvedAt', true),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [
          new TableIndex({ columnNames: ['tenantId', 'status', 'lastMessageAt'] }),
          new TableIndex({ columnNames: ['tenantId', 'assigneeId', 'status', 'lastMessageAt'] }),
          new TableIndex({ columnNames: ['tenantId', 'lastMessageAt'] }),
          new TableIndex({ columnNames: ['tenantId', 'contactId'] }),
          new TableIndex({ columnNames: ['accountId', 'contactId', 'status'] }),
        ],
        foreignKeys: [
          tenantFk,
          fk('accountId', 'integration_accounts'),
          fk('contactId', 'contacts'),
          fk('assigneeId', 'users', 'SET NULL'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'media',
        columns: [
          id(),
          ref('tenantId'),
          str('source', 20),
          str('channel', 20, true),
          str('externalId', 200, true),
          str('mimeType', 150),
          int('size'),
          str('filename', 300, true),
          str('sha256', 64),
          str('storageKey', 500),
          str('thumbnailKey', 500, true),
          nullableInt('width'),
          nullableInt('height'),
          ref('uploadedById', true),
          time('createdAt'),
        ],
        indices: [new TableIndex({ columnNames: ['tenantId', 'id'] })],
        foreignKeys: [tenantFk],
      }),
    );
    await q.createTable(
      new Table({
        name: 'messages',
        columns: [
          id(),
          ref('tenantId'),
          ref('conversationId'),
          str('direction', 10),
          str('type', 20),
          text('text', true),
          text('content'),
          str('status', 20),
          str('externalId', 200, true),
          str('clientMessageId', 100, true),
          ref('replyToId', true),
          str('senderType', 10),
          ref('senderId', true),
          ref('mediaId', true),
          nullableInt('errorCode'),
          str('errorReason', 500, true),
          time('sentAt', true),
          time('deliveredAt', true),
          time('readAt', true),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [
          new TableIndex({ columnNames: ['conversationId', 'id'] }),
          new TableIndex({ columnNames: ['tenantId', 'externalId'], isUnique: true }),
          // A browser that resends a reply after losing the answer gets the same message back.
          new TableIndex({ columnNames: ['tenantId', 'clientMessageId'], isUnique: true }),
        ],
        foreignKeys: [tenantFk, fk('conversationId', 'conversations'), fk('mediaId', 'media', 'SET NULL')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'notes',
        columns: [id(), ref('tenantId'), ref('conversationId'), ref('authorId', true), text('body'), time('createdAt'), time('updatedAt')],
        indices: [new TableIndex({ columnNames: ['conversationId', 'id'] })],
        foreignKeys: [tenantFk, fk('conversationId', 'conversations'), fk('authorId', 'users', 'SET NULL')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'webhook_events',
        columns: [
          id(),
          ref('tenantId', true),
          str('source', 20),
          text('payload'),
          str('status', 20),
          text('error', true),
          time('receivedAt'),
          time('processedAt', true),
        ],
        indices: [new TableIndex({ columnNames: ['status', 'id'] })],
      }),
    );

    if (q.connection.options.type === 'better-sqlite3' || q.connection.options.type === 'sqlite') {
      // Full-text search over message text and the contact's name, kept current by triggers.
      await q.query(`CREATE VIRTUAL TABLE messages_fts USING fts5(
        text, contact_name, message_id UNINDEXED, tenant_id UNINDEXED, conversation_id UNINDEXED,
        tokenize = 'unicode61 remove_diacritics 2')`);
      await q.query(`CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.text IS NOT NULL AND new.type <> 'reaction' BEGIN
        INSERT INTO messages_fts (text, contact_name, message_id, tenant_id, conversation_id)
        VALUES (new.text, (SELECT c.name FROM conversations v JOIN contacts c ON c.id = v.contactId WHERE v.id = new.conversationId),
                new.id, new.tenantId, new.conversationId);
      END`);
      await q.query(`CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        DELETE FROM messages_fts WHERE message_id = old.id;
      END`);
      await q.query(`CREATE TRIGGER messages_fts_contact_name AFTER UPDATE OF name ON contacts BEGIN
        UPDATE messages_fts SET contact_name = new.name
        WHERE conversation_id IN (SELECT id FROM conversations WHERE contactId = new.id);
      END`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.options.type === 'better-sqlite3' || q.connection.options.type === 'sqlite') {
      for (const t of ['messages_fts_insert', 'messages_fts_delete', 'messages_fts_contact_name'])
        await q.query(`DROP TRIGGER IF EXISTS ${t}`);
      await q.query('DROP TABLE IF EXISTS messages_fts');
    }
    for (const t of [
      'webhook_events',
      'notes',
      'messages',
      'media',
      'conversations',
      'contact_identities',
      'contacts',
      'integration_accounts',
      'integrations',
    ])
      await q.dropTable(t);
  }
}
