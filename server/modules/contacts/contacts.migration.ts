// Contacts: broadcast opt-out (a customer who replied STOP/BERHENTI, or marked by an agent).
import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { TIMESTAMP_TYPE } from '../../db/columns.js';
import { isSqlite } from '../../db/raw-sql.js';

export class ContactOptOut1733230000000 implements MigrationInterface {
  name = 'ContactOptOut1733230000000';

  async up(q: QueryRunner): Promise<void> {
    if (isSqlite(q)) {
      // Plain ALTERs: TypeORM's SQLite addColumn rebuilds the table, which the search triggers and
      // the foreign keys into contacts do not survive.
      await q.query(`ALTER TABLE "contacts" ADD COLUMN "optedOutAt" ${TIMESTAMP_TYPE}`);
      await q.query('ALTER TABLE "contacts" ADD COLUMN "optOutSource" varchar(200)');
    } else {
      await q.addColumn('contacts', new TableColumn({ name: 'optedOutAt', type: TIMESTAMP_TYPE, isNullable: true }));
      await q.addColumn('contacts', new TableColumn({ name: 'optOutSource', type: 'varchar', length: '200', isNullable: true }));
    }
  }

  async down(q: QueryRunner): Promise<void> {
    if (isSqlite(q)) {
      await q.query('ALTER TABLE "contacts" DROP COLUMN "optOutSource"');
      await q.query('ALTER TABLE "contacts" DROP COLUMN "optedOutAt"');
    } else {
      await q.dropColumn('contacts', 'optOutSource');
      await q.dropColumn('contacts', 'optedOutAt');
    }
  }
}
