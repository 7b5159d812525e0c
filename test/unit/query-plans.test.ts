// Query plans of the statements every inbound message runs. SQLite has no statistics here (nobody
// runs ANALYZE), so it picks indexes by their shape: a wide index that satisfies an ORDER BY can win
// over the selective one, and a lookup becomes a walk through the organization's conversations.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MoreThan, type DataSource } from 'typeorm';
import { openDatabase } from '../../server/db/data-source.js';
import { entities, migrations } from '../../server/composition.js';
import { ConversationEntity } from '../../server/modules/conversations/conversation.entity.js';
import { matchedRuns } from '../../server/modules/automation/engine.js';

// One migrated database for both suites.
let dir: string;
let db: DataSource;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'omnistream-plans-'));
  db = await openDatabase({ databasePath: join(dir, 'db.sqlite') }, { entities, migrations });
});
after(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** The plan of `sql`, in words; without parameters each `?` gets a placeholder value. */
const plan = async (
  sql: string,
  params: unknown[] = sql
    .split('?')
    .slice(1)
    .map(() => 'x'),
) => ((await db.query(`EXPLAIN QUERY PLAN ${sql}`, params)) as { detail: string }[]).map((r) => r.detail).join('\n');

describe('query plans of inbound processing', () => {
  it("finds a contact's latest conversation on an account through the contact's index, not the organization's", async () => {
    const where = { tenantId: 't', accountId: 'a', contactId: 'c' };
    for (const qb of [
      // ingest.service.ts findConversation: the open one, and (for an echo) the latest whatever its status.
      db
        .getRepository(ConversationEntity)
        .createQueryBuilder('c')
        .where('c.tenantId = :tenantId AND c.accountId = :accountId AND c.contactId = :contactId', where)
        .andWhere('c.status IN (:...statuses)', { statuses: ['open', 'pending'] })
        .orderBy('c.createdAt', 'DESC')
        .limit(1),
      db
        .getRepository(ConversationEntity)
        .createQueryBuilder('c')
        .where('c.tenantId = :tenantId AND c.accountId = :accountId AND c.contactId = :contactId', where)
        .orderBy('c.createdAt', 'DESC')
        .limit(1),
      // ingest.service.ts ingestForTenant: the open conversations of a batch's senders on one account.
      db
        .getRepository(ConversationEntity)
        .createQueryBuilder('c')
        .where('c.tenantId = :tenantId AND c.accountId = :accountId AND c.contactId IN (:...contactIds)', {
          ...where,
          contactIds: ['c1', 'c2', 'c3'],
        })
        .andWhere('c.status IN (:...statuses)', { statuses: ['open', 'pending'] }),
    ]) {
      const [sql, params] = qb.getQueryAndParameters();
      const detail = await plan(sql, params);
      assert.match(detail, /IDX_conversations_contact_latest \(tenantId=\? AND accountId=\? AND contactId=\?\)/, detail);
    }
  });

  it("counts a rule's recent matched runs on a conversation from the partial index (not_matched runs are not in it)", async () => {
    const [sql, params] = matchedRuns(db.manager, {
      ruleId: 'r',
      conversationId: 'c',
      createdAt: MoreThan(new Date()),
    }).getQueryAndParameters();
    const detail = await plan(sql.replace(/^SELECT .* FROM/, 'SELECT COUNT(*) FROM'), params);
    assert.match(detail, /IDX_automation_runs_rate_limit \(ruleId=\? AND conversationId=\? AND createdAt>\?\)/, detail);
  });
});

describe('query plans of the analytics dashboard', () => {
  it("reads the period's conversations with their stored first reply from the creation index alone", async () => {
    const detail = await plan(
      `SELECT c."id", c."createdAt", c."channel", c."divisionId", c."assigneeId", c."firstReplyAt", c."firstReplyBy"
         FROM "conversations" c WHERE c."tenantId" = ? AND c."createdAt" >= ? AND c."createdAt" < ?`,
    );
    assert.match(
      detail,
      /^SEARCH c USING COVERING INDEX IDX_conversations_analytics_created \(tenantId=\? AND createdAt>\? AND createdAt<\?\)$/,
      detail,
    );
  });

  it('counts the open conversations by assignee or channel from the open index, not the whole organization', async () => {
    for (const group of [`COALESCE(c."assigneeId", '')`, 'c."channel"', `'all'`]) {
      for (const bound of ['', ' AND c."createdAt" < ?']) {
        const detail = await plan(
          `SELECT ${group} AS "key", COUNT(*) AS "n" FROM "conversations" c
            WHERE c."tenantId" = ? AND c."status" IN ('open', 'pending')${bound} GROUP BY ${group}`,
        );
        assert.match(
          detail,
          /SEARCH c USING COVERING INDEX IDX_conversations_analytics_open \(tenantId=\? AND status=\?/,
          `${group}${bound}: ${detail}`,
        );
      }
    }
  });
});

describe('indexes another index already serves (RedundantIndexes migration)', () => {
  it('are gone, and their lookups still seek the index that covers them', async () => {
    const names = ((await db.query(`SELECT name FROM sqlite_master WHERE type = 'index'`)) as { name: string }[]).map((r) => r.name);
    for (const gone of ['IDX_14be96114c13930244a46c03aa', 'IDX_f6b7d4c19da6c24fcccf9bd938', 'IDX_362be70392844a3ee45a5eec9f'])
      assert.ok(!names.includes(gone), `${gone} is still there`);
    // The job runner's look for a queue's waiting jobs (queueBusy).
    assert.match(
      await plan(`SELECT 1 FROM "jobs" WHERE "queueKey" = ? AND "status" IN ('pending', 'running') LIMIT 1`),
      /USING COVERING INDEX IDX_jobs_queue_head \(queueKey=\? AND status=\?\)/,
    );
    // The organization's latest conversations.
    assert.match(
      await plan(`SELECT "id" FROM "conversations" WHERE "tenantId" = ? ORDER BY "lastMessageAt" DESC LIMIT 50`),
      /SCAN conversations USING (COVERING )?INDEX IDX_conversations_analytics_activity|SEARCH conversations USING (COVERING )?INDEX IDX_conversations_analytics_activity \(tenantId=\?\)/,
    );
    // A contact found by phone.
    assert.match(
      await plan(`SELECT "id" FROM "contacts" WHERE "tenantId" = ? AND "phone" = ?`),
      /INDEX IDX_contacts_tenant_phone \(tenantId=\? AND phone=\?\)/,
    );
  });

  it('(accountId, contactId, status) of conversations is gone; lookups by account go through the contact index', async () => {
    const names = ((await db.query(`SELECT name FROM sqlite_master WHERE type = 'index'`)) as { name: string }[]).map((r) => r.name);
    assert.ok(!names.includes(db.namingStrategy.indexName('conversations', ['accountId', 'contactId', 'status'])));
    // Whether an account still has conversations (integrations.service.ts, before it is removed).
    assert.match(
      await plan(`SELECT COUNT(1) FROM "conversations" WHERE "tenantId" = ? AND "accountId" = ?`),
      /COVERING INDEX IDX_conversations_contact_latest \(tenantId=\? AND accountId=\?\)/,
    );
    // A contact's open conversation on an account (delivery statuses, template sends).
    assert.match(
      await plan(
        `SELECT "id" FROM "conversations" WHERE "tenantId" = ? AND "accountId" = ? AND "contactId" = ? AND "status" IN ('open', 'pending')`,
      ),
      /INDEX IDX_conversations_contact_latest \(tenantId=\? AND accountId=\? AND contactId=\?\)/,
    );
  });

  it('holds only the messages that have a clientMessageId in its unique index, and a resend still finds its message there', async () => {
    const [{ sql }] = (await db.query(`SELECT sql FROM sqlite_master WHERE name = 'UQ_messages_tenant_client_message'`)) as {
      sql: string;
    }[];
    assert.match(sql, /CREATE UNIQUE INDEX .* WHERE "clientMessageId" IS NOT NULL/);
    assert.match(
      await plan(`SELECT "id" FROM "messages" WHERE "tenantId" = ? AND "clientMessageId" = ?`),
      /INDEX UQ_messages_tenant_client_message \(tenantId=\? AND clientMessageId=\?\)/,
    );
  });
});
