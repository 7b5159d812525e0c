// Team workflow, part 1: quick replies (with per-agent favorites), scheduled messages, and CSAT
// (per-tenant settings and surveys).
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { id, ref, str, text, int, bool, time, tenantFk } from './helpers.js';

const nullableInt = (name: string) => ({ name, type: 'integer', isNullable: true });
const fk = (column: string, table: string, onDelete: 'CASCADE' | 'SET NULL' = 'CASCADE') => ({
  columnNames: [column],
  referencedTableName: table,
  referencedColumnNames: ['id'],
  onDelete,
});

export class RepliesSchedulesCsat1732810000000 implements MigrationInterface {
  name = 'RepliesSchedulesCsat1732810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'quick_replies',
        columns: [
          id(),
          ref('tenantId'),
          str('scope', 10),
          ref('ownerId', true),
          str('ownerKey', 36),
          str('shortcut', 64),
          str('title', 200, true),
          text('body'),
          ref('mediaId', true),
          int('usageCount'),
          time('lastUsedAt', true),
          ref('createdById', true),
          time('createdAt'),
          time('updatedAt'),
        ],
        // ownerKey is "shared" or the owner's id: a shortcut is unique among shared replies and among one agent's own.
        indices: [new TableIndex({ columnNames: ['tenantId', 'ownerKey', 'shortcut'], isUnique: true })],
        foreignKeys: [tenantFk, fk('ownerId', 'users'), fk('mediaId', 'media', 'SET NULL'), fk('createdById', 'users', 'SET NULL')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'quick_reply_favorites',
        columns: [id(), ref('tenantId'), ref('quickReplyId'), ref('userId'), time('createdAt')],
        indices: [
          new TableIndex({ columnNames: ['quickReplyId', 'userId'], isUnique: true }),
          new TableIndex({ columnNames: ['tenantId', 'userId'] }),
        ],
        foreignKeys: [tenantFk, fk('quickReplyId', 'quick_replies'), fk('userId', 'users')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'scheduled_messages',
        columns: [
          id(),
          ref('tenantId'),
          ref('conversationId'),
          ref('createdById', true),
          str('type', 20),
          text('text', true),
          text('content'),
          time('sendAt'),
          str('timezone', 64),
          str('status', 20),
          bool('late'),
          nullableInt('lateBySeconds'),
          ref('messageId', true),
          str('failureReason', 500, true),
          time('sentAt', true),
          time('cancelledAt', true),
          ref('cancelledById', true),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [
          new TableIndex({ columnNames: ['conversationId', 'sendAt'] }),
          new TableIndex({ columnNames: ['tenantId', 'status', 'sendAt'] }),
        ],
        foreignKeys: [
          tenantFk,
          fk('conversationId', 'conversations'),
          fk('createdById', 'users', 'SET NULL'),
          fk('messageId', 'messages', 'SET NULL'),
          fk('cancelledById', 'users', 'SET NULL'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'csat_settings',
        columns: [
          id(),
          ref('tenantId'),
          bool('enabled'),
          int('expiryHours', 72),
          str('language', 5),
          text('message', true),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [new TableIndex({ columnNames: ['tenantId'], isUnique: true })],
        foreignKeys: [tenantFk],
      }),
    );
    await q.createTable(
      new Table({
        name: 'csat_surveys',
        columns: [
          id(),
          ref('tenantId'),
          ref('conversationId'),
          str('token', 64),
          str('channel', 20),
          ref('agentId', true),
          ref('divisionId', true),
          str('delivery', 20),
          str('trigger', 20),
          str('status', 20),
          nullableInt('score'),
          text('comment', true),
          str('answeredVia', 20, true),
          ref('answerMessageId', true),
          ref('messageId', true),
          str('baseUrl', 500, true),
          str('language', 5),
          str('failureReason', 500, true),
          time('expiresAt'),
          time('sentAt', true),
          time('answeredAt', true),
          ref('createdById', true),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [
          new TableIndex({ columnNames: ['token'], isUnique: true }),
          new TableIndex({ columnNames: ['conversationId', 'id'] }),
          new TableIndex({ columnNames: ['tenantId', 'createdAt'] }),
        ],
        foreignKeys: [
          tenantFk,
          fk('conversationId', 'conversations'),
          fk('agentId', 'users', 'SET NULL'),
          fk('messageId', 'messages', 'SET NULL'),
          fk('answerMessageId', 'messages', 'SET NULL'),
          fk('createdById', 'users', 'SET NULL'),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['csat_surveys', 'csat_settings', 'scheduled_messages', 'quick_reply_favorites', 'quick_replies']) await q.dropTable(t);
  }
}
