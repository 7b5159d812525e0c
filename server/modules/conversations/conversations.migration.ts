// Conversations: the index that finds a contact's conversation on an account (every inbound message
// asks it). Without it, SQLite answered "the contact's latest conversation" through the analytics
// index on (tenantId, createdAt), walking the organization's conversations newest first until one
// was the contact's: 15 ms per inbound message on 100,000 conversations, all of them for a new
// customer (measured with the ingest benchmark).
import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createGeneratedIndex, dropGeneratedIndex } from '../../db/migrations/helpers.js';

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

// (accountId, contactId, status), from the first schema: every query that asks for a contact's
// conversations on an account also names the organization, and IDX_conversations_contact_latest
// (tenantId, accountId, contactId, createdAt) answers it (query-plans.test.ts). A new conversation
// wrote an entry at a random place in it for nothing (test/bench/README.md, "Fewer index writes").
const ACCOUNT_CONTACT_STATUS = ['accountId', 'contactId', 'status'];

export class ConversationAccountIndexDropped1733700000000 implements MigrationInterface {
  name = 'ConversationAccountIndexDropped1733700000000';

  async up(q: QueryRunner): Promise<void> {
    await dropGeneratedIndex(q, 'conversations', ACCOUNT_CONTACT_STATUS);
  }

  async down(q: QueryRunner): Promise<void> {
    await createGeneratedIndex(q, 'conversations', ACCOUNT_CONTACT_STATUS);
  }
}
