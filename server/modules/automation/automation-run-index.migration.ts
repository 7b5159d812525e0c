// Automation runs: the rate-limit index holds only the runs that acted. An event writes a run for
// every rule that listens to it, and most of them do not match (50 rules: 45-odd `not_matched` rows
// per message). The index on (ruleId, conversationId, createdAt) put each of those rows at a random
// place (the conversation), so every commit rewrote a page of it per row; the rate limit only ever
// counts runs that matched. Now a partial index (SQLite and PostgreSQL both have them) on those.
import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

// The same literal as MATCHED_RUN_SQL (automation.entity.ts), which queries must use for the
// planner to pick this index (test/unit/query-plans.test.ts checks it does).
const PARTIAL = new TableIndex({
  name: 'IDX_automation_runs_rate_limit',
  columnNames: ['ruleId', 'conversationId', 'createdAt'],
  where: `"status" IN ('running', 'waiting', 'succeeded', 'failed')`,
});

export class AutomationRunIndex1733650000000 implements MigrationInterface {
  name = 'AutomationRunIndex1733650000000';

  async up(q: QueryRunner): Promise<void> {
    const table = await q.getTable('automation_runs');
    const old = table?.indices.find((i) => i.columnNames.join(',') === 'ruleId,conversationId,createdAt' && !i.where);
    if (old) await q.dropIndex('automation_runs', old);
    await q.createIndex('automation_runs', PARTIAL);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('automation_runs', PARTIAL.name!);
    await q.createIndex('automation_runs', new TableIndex({ columnNames: ['ruleId', 'conversationId', 'createdAt'] }));
  }
}
