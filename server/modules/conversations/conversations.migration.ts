// Conversations: the index that finds a contact's conversation on an account (every inbound message
// asks it). Without it, SQLite answered "the contact's latest conversation" through the analytics
// index on (tenantId, createdAt), walking the organization's conversations newest first until one
// was the contact's: 15 ms per inbound message on 100,000 conversations, all of them for a new
// customer (measured with the ingest benchmark).
import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const INDEX = new TableIndex({
  name: 'IDX_conversations_contact_latest',
  columnNames: ['tenantId', 'accountId', 'contactId', 'createdAt'],
});

export class ConversationContactIndex1733630000000 implements MigrationInterface {
  name = 'ConversationContactIndex1733630000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex('conversations', INDEX);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('conversations', INDEX.name!);
  }
}
