// Three indexes that another index already serves, dropped: each cost a write on every insert and on
// every change of its columns, for lookups the other answers as well (the leading columns of an
// index serve any query on them).
// - jobs (queueKey, status): IDX_jobs_queue_head is (queueKey, status, id). Every job changes
//   status twice (running, done), and each change moved an entry in both.
// - conversations (tenantId, lastMessageAt): IDX_conversations_analytics_activity starts with the
//   same two columns. Every message moves the conversation's lastMessageAt.
// - contacts (tenantId, phone): the same columns as IDX_contacts_tenant_phone (contact-tags migration).
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createGeneratedIndex, dropGeneratedIndex } from './helpers.js';

const REDUNDANT: { table: string; columns: string[] }[] = [
  { table: 'jobs', columns: ['queueKey', 'status'] },
  { table: 'conversations', columns: ['tenantId', 'lastMessageAt'] },
  { table: 'contacts', columns: ['tenantId', 'phone'] },
];

export class RedundantIndexes1733690000000 implements MigrationInterface {
  name = 'RedundantIndexes1733690000000';

  async up(q: QueryRunner): Promise<void> {
    for (const { table, columns } of REDUNDANT) await dropGeneratedIndex(q, table, columns);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const { table, columns } of REDUNDANT) await createGeneratedIndex(q, table, columns);
  }
}
