// Sessions (issue 12, finding 6): tokens name a session row that logout, a password change, a
// suspension, a role change or the revocation of the API key they were minted with revoke.
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { id, ref, time, tenantFk } from '../../db/migrations/helpers.js';

export class Sessions1733050100000 implements MigrationInterface {
  name = 'Sessions1733050100000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'user_sessions',
        columns: [
          id(),
          ref('tenantId'),
          ref('userId'),
          ref('apiKeyId', true),
          ref('impersonatorId', true),
          time('createdAt'),
          time('expiresAt'),
          time('revokedAt', true),
        ],
        indices: [
          new TableIndex({ name: 'IDX_user_sessions_user', columnNames: ['userId'] }),
          new TableIndex({ name: 'IDX_user_sessions_api_key', columnNames: ['apiKeyId'] }),
          new TableIndex({ name: 'IDX_user_sessions_expires', columnNames: ['expiresAt'] }),
        ],
        foreignKeys: [
          tenantFk,
          { columnNames: ['userId'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('user_sessions');
  }
}
