// Messages: the send attempt, recorded before the channel call (see messages.jobs.ts).
import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { TIMESTAMP_TYPE } from '../../db/columns.js';
import { isSqlite } from '../../db/raw-sql.js';

export class MessageSendAttempt1733620000000 implements MigrationInterface {
  name = 'MessageSendAttempt1733620000000';

  async up(q: QueryRunner): Promise<void> {
    // A plain ALTER on SQLite: TypeORM's addColumn rebuilds the table, which the search triggers
    // and the foreign keys into messages do not survive.
    if (isSqlite(q)) await q.query(`ALTER TABLE "messages" ADD COLUMN "sendAttemptedAt" ${TIMESTAMP_TYPE}`);
    else await q.addColumn('messages', new TableColumn({ name: 'sendAttemptedAt', type: TIMESTAMP_TYPE, isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    if (isSqlite(q)) await q.query('ALTER TABLE "messages" DROP COLUMN "sendAttemptedAt"');
    else await q.dropColumn('messages', 'sendAttemptedAt');
  }
}
