// Messenger, Instagram and email: conversations get the subject of their email thread (shown in
// the inbox, and matched, normalised, when a reply arrives without usable threading headers).
// Email Message-IDs need no column of their own: they are the messages' externalId.
import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const isSqlite = (q: QueryRunner) => q.connection.options.type === 'better-sqlite3' || q.connection.options.type === 'sqlite';

export class Channels1732800000000 implements MigrationInterface {
  name = 'Channels1732800000000';

  async up(q: QueryRunner): Promise<void> {
    if (isSqlite(q)) {
      // A plain ALTER: TypeORM's SQLite addColumn rebuilds the table, and dropping the old one with
      // foreign keys on would cascade into messages and notes.
      await q.query('ALTER TABLE "conversations" ADD COLUMN "subject" varchar(500)');
    } else {
      await q.addColumn('conversations', new TableColumn({ name: 'subject', type: 'varchar', length: '500', isNullable: true }));
    }
    // Watermarks and merges look up a contact's conversations on one account.
    await q.createIndex(
      'conversations',
      new TableIndex({ name: 'IDX_conversations_contact_account', columnNames: ['contactId', 'accountId'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('conversations', 'IDX_conversations_contact_account');
    if (isSqlite(q)) await q.query('ALTER TABLE "conversations" DROP COLUMN "subject"');
    else await q.dropColumn('conversations', 'subject');
  }
}
