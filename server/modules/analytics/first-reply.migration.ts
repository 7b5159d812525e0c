// Analytics: each conversation's first agent or AI reply (when, and by whom) kept on its row, and
// carried by the index of conversations by creation, so the conversations created in a period are
// read with their first response from that index alone (it was one message index seek per
// conversation: ~9,500 for 30 days of the bench database, a third of a dashboard request's CPU).
// The columns belong to analytics: written by its `onEmit` consumer (first-reply.ts) and read by
// its raw SQL; the conversation entity does not map them, so no conversation write can reset them.
import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { TIMESTAMP_TYPE } from '../../db/columns.js';
import { isSqlite } from '../../db/raw-sql.js';

const COLUMNS = [
  new TableColumn({ name: 'firstReplyAt', type: TIMESTAMP_TYPE, isNullable: true }),
  new TableColumn({ name: 'firstReplyBy', type: 'varchar', length: '36', isNullable: true }),
];

const BEFORE = ['tenantId', 'createdAt', 'id', 'channel', 'divisionId', 'assigneeId'];
// The open and pending conversations counted by the columns the filters and groups use: without it
// SQLite counted them by assignee or channel through a whole-organization index (100,000 entries,
// 30–40 ms) to spare itself sorting 7,000.
const OPEN = new TableIndex({
  name: 'IDX_conversations_analytics_open',
  columnNames: ['tenantId', 'status', 'createdAt', 'channel', 'divisionId', 'assigneeId'],
});
const indexOf = (columnNames: string[]) => new TableIndex({ name: 'IDX_conversations_analytics_created', columnNames });

/** The first agent or AI reply's `column`, for the conversation being updated (today's rule of first response). */
const first = (column: string) => `(SELECT m."${column}" FROM "messages" m WHERE m."conversationId" = "conversations"."id"
  AND m."direction" = 'outbound' AND m."senderType" IN ('agent', 'ai') ORDER BY m."createdAt" LIMIT 1)`;

export class AnalyticsFirstReply1733640000000 implements MigrationInterface {
  name = 'AnalyticsFirstReply1733640000000';

  async up(q: QueryRunner): Promise<void> {
    // A plain ALTER on SQLite: TypeORM's addColumn rebuilds the table (and every index on it).
    if (isSqlite(q)) {
      await q.query(`ALTER TABLE "conversations" ADD COLUMN "firstReplyAt" ${TIMESTAMP_TYPE}`);
      await q.query(`ALTER TABLE "conversations" ADD COLUMN "firstReplyBy" varchar(36)`);
    } else await q.addColumns('conversations', COLUMNS);
    // Backfill from the messages written so far (1.6 s for 100,000 conversations / 1,000,000 messages).
    await q.query(
      `UPDATE "conversations" SET "firstReplyAt" = ${first('createdAt')}, "firstReplyBy" = ${first('senderId')}
        WHERE EXISTS (SELECT 1 FROM "messages" m WHERE m."conversationId" = "conversations"."id"
                        AND m."direction" = 'outbound' AND m."senderType" IN ('agent', 'ai'))`,
    );
    await q.dropIndex('conversations', 'IDX_conversations_analytics_created');
    await q.createIndex('conversations', indexOf([...BEFORE, 'firstReplyAt', 'firstReplyBy']));
    await q.createIndex('conversations', OPEN);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('conversations', OPEN.name!);
    await q.dropIndex('conversations', 'IDX_conversations_analytics_created');
    await q.createIndex('conversations', indexOf(BEFORE));
    if (isSqlite(q)) {
      await q.query('ALTER TABLE "conversations" DROP COLUMN "firstReplyBy"');
      await q.query('ALTER TABLE "conversations" DROP COLUMN "firstReplyAt"');
    } else for (const c of [...COLUMNS].reverse()) await q.dropColumn('conversations', c.name);
  }
}
