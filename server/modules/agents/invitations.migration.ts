// Invitations: one-time links to join an organization as an agent.
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { id, ref, str, tenantFk, time } from '../../db/migrations/helpers.js';

export class AgentInvitations1733610000002 implements MigrationInterface {
  name = 'AgentInvitations1733610000002';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'agent_invitations',
        columns: [
          id(),
          ref('tenantId'),
          str('email', 320),
          str('name', 200, true),
          ref('roleId'),
          str('tokenHash', 64),
          time('expiresAt'),
          time('acceptedAt', true),
          time('revokedAt', true),
          ref('userId', true),
          ref('createdById', true),
          time('createdAt'),
        ],
        indices: [new TableIndex({ columnNames: ['tokenHash'], isUnique: true }), new TableIndex({ columnNames: ['tenantId', 'email'] })],
        foreignKeys: [tenantFk],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('agent_invitations');
  }
}
