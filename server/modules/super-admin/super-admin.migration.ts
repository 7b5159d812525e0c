// The operator's console: soft deletion of organizations (deletedAt, purgeAt) and one-time
// password reset links.
import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { id, ref, str, time } from '../../db/migrations/helpers.js';

export class SuperAdminConsole1733500000001 implements MigrationInterface {
  name = 'SuperAdminConsole1733500000001';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('tenants', [new TableColumn(time('deletedAt', true)), new TableColumn(time('purgeAt', true))]);
    await q.createTable(
      new Table({
        name: 'password_reset_links',
        columns: [
          id(),
          str('principalType', 20),
          ref('principalId'),
          ref('tenantId', true),
          str('tokenHash', 64),
          time('expiresAt'),
          time('usedAt', true),
          ref('createdById', true),
          time('createdAt'),
        ],
        indices: [
          new TableIndex({ columnNames: ['tokenHash'], isUnique: true }),
          new TableIndex({ columnNames: ['principalType', 'principalId'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('password_reset_links');
    await q.dropColumn('tenants', 'purgeAt');
    await q.dropColumn('tenants', 'deletedAt');
  }
}
