// Contacts get tags (a JSON list, like attributes) and an index to find duplicates by phone.
import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

export class ContactTags1733610000000 implements MigrationInterface {
  name = 'ContactTags1733610000000';

  async up(q: QueryRunner): Promise<void> {
    // Plain ALTER TABLE (valid on SQLite and PostgreSQL): TypeORM's addColumn rebuilds the table on
    // SQLite, which the search index's triggers on contacts do not survive.
    await q.query(`ALTER TABLE contacts ADD COLUMN tags text NOT NULL DEFAULT '[]'`);
    await q.createIndex('contacts', new TableIndex({ name: 'IDX_contacts_tenant_phone', columnNames: ['tenantId', 'phone'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('contacts', 'IDX_contacts_tenant_phone');
    await q.query('ALTER TABLE contacts DROP COLUMN tags');
  }
}
