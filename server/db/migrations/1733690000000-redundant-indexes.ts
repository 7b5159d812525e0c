// Three indexes that another index already serves, dropped: each cost a write on every insert and on
// every change of its columns, for lookups the other answers as well (the leading columns of an
// index serve any query on them).
// - jobs (queueKey, status): IDX_jobs_queue_head is (queueKey, status, id). Every job changes
//   status twice (running, done), and each change moved an entry in both.
// - conversations (tenantId, lastMessageAt): IDX_conversations_analytics_activity starts with the
//   same two columns. Every message moves the conversation's lastMessageAt.
// - contacts (tenantId, phone): the same columns as IDX_contacts_tenant_phone (contact-tags migration).
import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const REDUNDANT: { table: string; columns: string[] }[] = [
  { table: 'jobs', columns: ['queueKey', 'status'] },
  { table: 'conversations', columns: ['tenantId', 'lastMessageAt'] },
  { table: 'contacts', columns: ['tenantId', 'phone'] },
];

/** The name TypeORM gave the index when a migration declared it without one (the same on every database). */
const generatedName = (q: QueryRunner, table: string, columns: string[]) => q.connection.namingStrategy.indexName(table, columns);

export class RedundantIndexes1733690000000 implements MigrationInterface {
  name = 'RedundantIndexes1733690000000';

  async up(q: QueryRunner): Promise<void> {
    for (const { table, columns } of REDUNDANT) await q.query(`DROP INDEX IF EXISTS "${generatedName(q, table, columns)}"`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const { table, columns } of REDUNDANT)
      await q.createIndex(table, new TableIndex({ name: generatedName(q, table, columns), columnNames: columns }));
  }
}
