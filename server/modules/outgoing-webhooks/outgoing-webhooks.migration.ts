// Outgoing webhooks: subscriptions (URL, event types, encrypted signing secret) and their deliveries.
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { bool, id, int, ref, str, text, time, tenantFk } from '../../db/migrations/helpers.js';

const nullableInt = (name: string) => ({ name, type: 'integer', isNullable: true });

export class OutgoingWebhooks1733220000000 implements MigrationInterface {
  name = 'OutgoingWebhooks1733220000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'outgoing_webhooks',
        columns: [
          id(),
          ref('tenantId'),
          str('name', 200),
          str('url', 2000),
          text('events'),
          text('secret'),
          str('secretLast4', 8),
          bool('enabled', true),
          int('consecutiveFailures'),
          time('disabledAt', true),
          str('disabledReason', 500, true),
          time('lastDeliveryAt', true),
          nullableInt('lastStatusCode'),
          ref('createdById', true),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [new TableIndex({ columnNames: ['tenantId', 'enabled'] })],
        foreignKeys: [tenantFk],
      }),
    );
    await q.createTable(
      new Table({
        name: 'outgoing_webhook_deliveries',
        columns: [
          id(),
          ref('tenantId'),
          ref('webhookId'),
          ref('eventId', true),
          str('eventType', 100),
          text('body'),
          str('status', 20),
          int('attempts'),
          nullableInt('statusCode'),
          nullableInt('latencyMs'),
          str('responseExcerpt', 1000, true),
          str('error', 1000, true),
          time('nextAttemptAt', true),
          time('lastAttemptAt', true),
          time('deliveredAt', true),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [
          new TableIndex({ columnNames: ['webhookId', 'id'] }),
          new TableIndex({ columnNames: ['webhookId', 'eventId'], isUnique: true }),
        ],
        foreignKeys: [
          tenantFk,
          { columnNames: ['webhookId'], referencedTableName: 'outgoing_webhooks', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('outgoing_webhook_deliveries');
    await q.dropTable('outgoing_webhooks');
  }
}
