// The IMAP reader's cursors: per email account and folder, UIDVALIDITY and the last stored UID.
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { bool, id, int, ref, str, tenantFk, time } from '../../db/migrations/helpers.js';

export class ImapCursors1733600000000 implements MigrationInterface {
  name = 'ImapCursors1733600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'imap_cursors',
        columns: [
          id(),
          ref('tenantId'),
          ref('accountId'),
          str('mailbox', 200),
          str('uidValidity', 20, true),
          int('lastUid'),
          bool('idle'),
          time('lastPolledAt', true),
          str('lastError', 500, true),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [new TableIndex({ columnNames: ['accountId', 'mailbox'], isUnique: true })],
        foreignKeys: [tenantFk],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('imap_cursors');
  }
}
