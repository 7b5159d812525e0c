// The unique (tenantId, clientMessageId) index, only over messages that have one. Only replies
// written in the app, and the sends of automation, CSAT and schedules, carry a clientMessageId;
// every inbound message (nearly all of them) wrote a NULL entry that no lookup reads. A lookup by
// clientMessageId = ? uses the partial index on SQLite and PostgreSQL alike (the equality implies
// IS NOT NULL), and uniqueness is the same: NULLs never conflicted.
import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createGeneratedIndex, dropGeneratedIndex } from '../../db/migrations/helpers.js';

const COLUMNS = ['tenantId', 'clientMessageId'];
const PARTIAL = new TableIndex({
  name: 'UQ_messages_tenant_client_message',
  columnNames: COLUMNS,
  isUnique: true,
  where: '"clientMessageId" IS NOT NULL',
});

export class MessageClientIdIndexPartial1733710000000 implements MigrationInterface {
  name = 'MessageClientIdIndexPartial1733710000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex('messages', PARTIAL);
    await dropGeneratedIndex(q, 'messages', COLUMNS);
  }

  async down(q: QueryRunner): Promise<void> {
    await createGeneratedIndex(q, 'messages', COLUMNS, true);
    await q.dropIndex('messages', PARTIAL.name!);
  }
}
