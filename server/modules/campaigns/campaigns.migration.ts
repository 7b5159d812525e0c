// Broadcast campaigns and their recipients (one row each, with the state of their message).
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { id, int, ref, str, text, time, tenantFk } from '../../db/migrations/helpers.js';

export class Campaigns1733210000000 implements MigrationInterface {
  name = 'Campaigns1733210000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'campaigns',
        columns: [
          id(),
          ref('tenantId'),
          str('name', 200),
          ref('accountId', true),
          ref('templateId', true),
          text('variables'),
          str('status', 20),
          int('ratePerSecond', 20),
          str('defaultCountry', 2),
          time('scheduledAt', true),
          str('scheduledLocal', 30, true),
          str('timezone', 64, true),
          int('skippedDuplicates'),
          int('skippedOptedOut'),
          int('skippedInvalid'),
          str('failureReason', 500, true),
          time('startedAt', true),
          time('completedAt', true),
          time('cancelledAt', true),
          ref('createdById', true),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [new TableIndex({ columnNames: ['tenantId', 'id'] })],
        foreignKeys: [tenantFk],
      }),
    );
    await q.createTable(
      new Table({
        name: 'campaign_recipients',
        columns: [
          id(),
          ref('tenantId'),
          ref('campaignId'),
          ref('contactId', true),
          str('phone', 20),
          str('waId', 20),
          str('name', 200, true),
          text('fields'),
          str('status', 20),
          int('attempts'),
          time('nextAttemptAt', true),
          time('sendingAt', true),
          str('externalId', 200, true),
          { name: 'errorCode', type: 'integer', isNullable: true },
          str('errorReason', 500, true),
          time('sentAt', true),
          time('deliveredAt', true),
          time('readAt', true),
          time('repliedAt', true),
          time('confirmedAt', true),
          ref('conversationId', true),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [
          new TableIndex({ columnNames: ['campaignId', 'phone'], isUnique: true }),
          new TableIndex({ columnNames: ['campaignId', 'status', 'id'] }),
          new TableIndex({ columnNames: ['tenantId', 'externalId'] }),
          new TableIndex({ columnNames: ['tenantId', 'waId', 'sentAt'] }),
        ],
        foreignKeys: [
          tenantFk,
          { columnNames: ['campaignId'], referencedTableName: 'campaigns', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('campaign_recipients');
    await q.dropTable('campaigns');
  }
}
