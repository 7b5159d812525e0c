// Contacts: broadcast opt-out (a customer who replied STOP/BERHENTI, or marked by an agent).
import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { TIMESTAMP_TYPE } from '../../db/columns.js';

export class ContactOptOut1733230000000 implements MigrationInterface {
  name = 'ContactOptOut1733230000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('contacts', new TableColumn({ name: 'optedOutAt', type: TIMESTAMP_TYPE, isNullable: true }));
    await q.addColumn('contacts', new TableColumn({ name: 'optOutSource', type: 'varchar', length: '200', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('contacts', 'optOutSource');
    await q.dropColumn('contacts', 'optedOutAt');
  }
}
