// Runs whose conditions did not hold are kept on their event (see unmatched.ts): the list of rules
// that did not match, per attempt. Runs stored as rows before this stay rows and read as before.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AutomationUnmatchedRuns1733670000000 implements MigrationInterface {
  name = 'AutomationUnmatchedRuns1733670000000';

  async up(q: QueryRunner): Promise<void> {
    // Plain ALTER TABLE (SQLite and PostgreSQL): TypeORM's addColumn would rebuild the table on SQLite.
    await q.query('ALTER TABLE automation_events ADD COLUMN "unmatched" text');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE automation_events DROP COLUMN "unmatched"');
  }
}
