// Issue 12 (findings 4 and 9): an email is unique within an organization rather than across the
// appliance (a 409 at registration told anyone that an address was a customer elsewhere); and the
// one-time password links that replace setting another person's password.
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { id, ref, str, time, tenantFk } from '../../db/migrations/helpers.js';

const TENANT_EMAIL = new TableIndex({ name: 'IDX_users_tenant_email', columnNames: ['tenantId', 'email'], isUnique: true });
const EMAIL = new TableIndex({ name: 'IDX_users_email', columnNames: ['email'] });

export class EmailPerOrganization1733050000000 implements MigrationInterface {
  name = 'EmailPerOrganization1733050000000';

  async up(q: QueryRunner): Promise<void> {
    const users = await q.getTable('users');
    const unique = users?.indices.find((i) => i.isUnique && i.columnNames.length === 1 && i.columnNames[0] === 'email');
    if (unique) await q.dropIndex('users', unique);
    await q.createIndex('users', TENANT_EMAIL);
    // Login still looks people up by email (in every organization).
    await q.createIndex('users', EMAIL);
    await q.createTable(
      new Table({
        name: 'password_resets',
        columns: [
          id(),
          ref('tenantId'),
          ref('userId'),
          str('tokenHash', 64),
          str('purpose', 20),
          str('requestedBy', 100),
          time('expiresAt'),
          time('usedAt', true),
          time('createdAt'),
        ],
        indices: [
          new TableIndex({ name: 'IDX_password_resets_token', columnNames: ['tokenHash'], isUnique: true }),
          new TableIndex({ name: 'IDX_password_resets_user', columnNames: ['userId'] }),
        ],
        foreignKeys: [
          tenantFk,
          { columnNames: ['userId'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('password_resets');
    await q.dropIndex('users', EMAIL.name!);
    await q.dropIndex('users', TENANT_EMAIL.name!);
    await q.createIndex('users', new TableIndex({ columnNames: ['email'], isUnique: true }));
  }
}
