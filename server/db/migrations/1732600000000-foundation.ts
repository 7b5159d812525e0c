// Foundation schema: tenants, users, roles, API keys, activity log, super-admins, events outbox, jobs.
// Written with TypeORM's Table API so the same migration runs on SQLite and PostgreSQL.
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

import { id, ref, str, text, int, bool, time, tenantFk } from './helpers.js';

export class Foundation1732600000000 implements MigrationInterface {
  name = 'Foundation1732600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'tenants',
        columns: [id(), str('name', 200), str('slug', 200), str('status', 20), str('timezone', 64), time('createdAt'), time('updatedAt')],
        indices: [new TableIndex({ columnNames: ['slug'], isUnique: true })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'roles',
        columns: [
          id(),
          ref('tenantId'),
          str('name', 100),
          str('description', 500, true),
          text('permissions'),
          bool('builtIn'),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [new TableIndex({ columnNames: ['tenantId', 'name'], isUnique: true })],
        foreignKeys: [tenantFk],
      }),
    );
    await q.createTable(
      new Table({
        name: 'users',
        columns: [
          id(),
          ref('tenantId'),
          ref('roleId'),
          str('name', 200),
          str('email', 320),
          str('passwordHash', 255),
          str('status', 20),
          bool('online'),
          time('lastSeenAt', true),
          time('createdAt'),
          time('updatedAt'),
        ],
        // Login is by email alone, so an email belongs to one user across all tenants.
        indices: [new TableIndex({ columnNames: ['email'], isUnique: true }), new TableIndex({ columnNames: ['tenantId', 'id'] })],
        foreignKeys: [tenantFk, { columnNames: ['roleId'], referencedTableName: 'roles', referencedColumnNames: ['id'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          id(),
          ref('tenantId'),
          ref('userId'),
          str('name', 200),
          str('prefix', 32),
          str('keyHash', 64),
          time('lastUsedAt', true),
          time('expiresAt', true),
          time('revokedAt', true),
          time('createdAt'),
        ],
        indices: [new TableIndex({ columnNames: ['prefix'], isUnique: true }), new TableIndex({ columnNames: ['tenantId', 'userId'] })],
        foreignKeys: [
          tenantFk,
          { columnNames: ['userId'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'activity_logs',
        columns: [
          id(),
          ref('tenantId'),
          str('actorType', 20),
          ref('actorId', true),
          str('actorName', 200, true),
          ref('impersonatorId', true),
          str('action', 100),
          str('targetType', 50, true),
          str('targetId', 64, true),
          text('details', true),
          str('ip', 64, true),
          time('createdAt'),
        ],
        indices: [new TableIndex({ columnNames: ['tenantId', 'id'] }), new TableIndex({ columnNames: ['tenantId', 'action'] })],
        foreignKeys: [tenantFk],
      }),
    );
    await q.createTable(
      new Table({
        name: 'super_admins',
        columns: [id(), str('name', 200), str('email', 320), str('passwordHash', 255), time('createdAt'), time('lastLoginAt', true)],
        indices: [new TableIndex({ columnNames: ['email'], isUnique: true })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'events',
        columns: [id(), ref('tenantId', true), str('type', 100), text('payload'), time('createdAt'), time('dispatchedAt', true)],
        indices: [new TableIndex({ columnNames: ['dispatchedAt', 'id'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'jobs',
        columns: [
          id(),
          ref('tenantId', true),
          str('type', 100),
          text('payload'),
          str('queueKey', 200, true),
          str('status', 20),
          int('attempts'),
          int('maxAttempts', 8),
          time('runAt'),
          text('lastError', true),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [new TableIndex({ columnNames: ['status', 'runAt'] }), new TableIndex({ columnNames: ['queueKey', 'status'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['jobs', 'events', 'super_admins', 'activity_logs', 'api_keys', 'users', 'roles', 'tenants']) await q.dropTable(t);
  }
}
