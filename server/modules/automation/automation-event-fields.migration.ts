// Automation events keep the field values their rules' conditions read (per attempt), so a run whose
// conditions did not hold stores no copy of its condition tree: with 50 rules that was 50 copies of
// the same values (the message text among them) per message. The explanation is rebuilt on read from
// these values and the rule version the run used (see explanations.ts).
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AutomationEventFields1733660000000 implements MigrationInterface {
  name = 'AutomationEventFields1733660000000';

  async up(q: QueryRunner): Promise<void> {
    // Plain ALTER TABLE (SQLite and PostgreSQL): TypeORM's addColumn would rebuild the table on SQLite.
    await q.query('ALTER TABLE automation_events ADD COLUMN "fields" text');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE automation_events DROP COLUMN "fields"');
  }
}
