// Analytics: WhatsApp pricing per message (from status webhooks), and the indexes the analytics
// queries read through (conversations by creation, resolution and activity; a conversation's
// messages by time with direction and sender, so counting them never touches the table rows).
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { bool, id, ref, str, time, tenantFk } from '../../db/migrations/helpers.js';

// Wide on purpose: each query of the analytics service is answered from an index alone (SQLite
// reads no table row), which is what keeps a 30-day dashboard under 200 ms on a year of data.
const INDEXES: { table: string; index: TableIndex }[] = [
  {
    table: 'conversations',
    index: new TableIndex({
      name: 'IDX_conversations_analytics_created',
      columnNames: ['tenantId', 'createdAt', 'id', 'channel', 'divisionId', 'assigneeId'],
    }),
  },
  {
    table: 'conversations',
    index: new TableIndex({
      name: 'IDX_conversations_analytics_resolved',
      columnNames: ['tenantId', 'resolvedAt', 'status', 'id', 'createdAt', 'channel', 'divisionId', 'assigneeId'],
    }),
  },
  {
    table: 'conversations',
    index: new TableIndex({
      name: 'IDX_conversations_analytics_activity',
      columnNames: ['tenantId', 'lastMessageAt', 'createdAt', 'id', 'channel', 'divisionId', 'assigneeId'],
    }),
  },
  {
    table: 'messages',
    index: new TableIndex({
      name: 'IDX_messages_conversation_time',
      columnNames: ['conversationId', 'createdAt', 'direction', 'senderType', 'senderId', 'status'],
    }),
  },
  {
    table: 'messages',
    index: new TableIndex({
      name: 'IDX_messages_tenant_time',
      columnNames: ['tenantId', 'createdAt', 'direction', 'senderType', 'senderId'],
    }),
  },
  {
    table: 'messages',
    index: new TableIndex({ name: 'IDX_messages_tenant_type_time', columnNames: ['tenantId', 'type', 'createdAt'] }),
  },
];

export class Analytics1733500000000 implements MigrationInterface {
  name = 'Analytics1733500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'whatsapp_message_pricing',
        columns: [
          id(),
          ref('tenantId'),
          ref('messageId'),
          ref('conversationId'),
          ref('accountId', true),
          time('messageCreatedAt'),
          str('pricingModel', 20, true),
          str('category', 40, true),
          str('pricingType', 40, true),
          { ...bool('billable'), isNullable: true, default: undefined },
          str('waConversationId', 100, true),
          str('waConversationOrigin', 40, true),
          time('waConversationExpiresAt', true),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [
          new TableIndex({ columnNames: ['messageId'], isUnique: true }),
          new TableIndex({
            name: 'IDX_whatsapp_pricing_analytics',
            columnNames: [
              'tenantId',
              'messageCreatedAt',
              'pricingModel',
              'category',
              'pricingType',
              'billable',
              'waConversationId',
              'waConversationOrigin',
              'conversationId',
            ],
          }),
        ],
        foreignKeys: [
          tenantFk,
          { columnNames: ['messageId'], referencedTableName: 'messages', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
      }),
    );
    for (const { table, index } of INDEXES) await q.createIndex(table, index);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const { table, index } of INDEXES) await q.dropIndex(table, index.name!);
    await q.dropTable('whatsapp_message_pricing');
  }
}
