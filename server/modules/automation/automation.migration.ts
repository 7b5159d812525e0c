// The automation engine's tables: rules (and their versions), the event log, runs, the organization's
// control row and rate alerts.
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { bool, id, int, ref, str, tenantFk, text, time } from '../../db/migrations/helpers.js';

const nullableInt = (name: string) => ({ name, type: 'integer', isNullable: true });
const nullableBool = (name: string) => ({ name, type: 'boolean', isNullable: true });

export class Automation1733300000000 implements MigrationInterface {
  name = 'Automation1733300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'automation_rules',
        columns: [
          id(),
          ref('tenantId'),
          str('name', 200),
          text('description', true),
          str('builtIn', 50, true),
          bool('enabled', true),
          int('position'),
          text('triggers'),
          text('conditions'),
          text('actions'),
          str('scheduleCron', 120, true),
          str('scheduleTimezone', 64, true),
          time('nextRunAt', true),
          int('rolloutPercent', 100),
          bool('alertsEnabled'),
          nullableInt('alertMaxRunsPerHour'),
          nullableInt('alertMaxFailuresPerHour'),
          time('snoozedUntil', true),
          str('snoozeReason', 500, true),
          int('version', 1),
          time('lastRunAt', true),
          ref('createdById', true),
          ref('updatedById', true),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [
          new TableIndex({ columnNames: ['tenantId', 'builtIn'], isUnique: true }),
          new TableIndex({ columnNames: ['tenantId', 'position'] }),
          new TableIndex({ columnNames: ['nextRunAt'] }),
        ],
        foreignKeys: [tenantFk],
      }),
    );
    await q.createTable(
      new Table({
        name: 'automation_rule_versions',
        columns: [id(), ref('tenantId'), ref('ruleId'), int('version', 1), text('definition'), time('createdAt')],
        indices: [new TableIndex({ columnNames: ['ruleId', 'version'], isUnique: true })],
        foreignKeys: [tenantFk],
      }),
    );
    await q.createTable(
      new Table({
        name: 'automation_events',
        columns: [
          id(),
          ref('tenantId'),
          str('type', 60),
          ref('domainEventId', true),
          ref('conversationId', true),
          ref('contactId', true),
          ref('messageId', true),
          ref('ruleId', true),
          text('payload'),
          str('fingerprint', 64),
          str('status', 20),
          int('attempt', 1),
          int('depth'),
          ref('causeRuleId', true),
          ref('causeRunId', true),
          text('lastError', true),
          time('occurredAt'),
          time('processedAt', true),
          time('createdAt'),
        ],
        indices: [
          new TableIndex({ columnNames: ['tenantId', 'fingerprint'] }),
          new TableIndex({ columnNames: ['tenantId', 'status', 'id'] }),
          new TableIndex({ columnNames: ['tenantId', 'conversationId', 'id'] }),
          new TableIndex({ columnNames: ['tenantId', 'type', 'id'] }),
          new TableIndex({ columnNames: ['status', 'id'] }),
          new TableIndex({ columnNames: ['createdAt'] }),
        ],
        foreignKeys: [tenantFk],
      }),
    );
    await q.createTable(
      new Table({
        name: 'automation_runs',
        columns: [
          id(),
          ref('tenantId'),
          ref('eventId'),
          ref('ruleId'),
          int('ruleVersion', 1),
          int('attempt', 1),
          ref('conversationId', true),
          str('eventType', 60),
          str('status', 20),
          str('skipReason', 200, true),
          text('conditions', true),
          text('actions'),
          int('nextAction'),
          text('error', true),
          time('startedAt'),
          time('finishedAt', true),
          time('createdAt'),
        ],
        indices: [
          new TableIndex({ columnNames: ['eventId', 'ruleId', 'attempt'], isUnique: true }),
          new TableIndex({ columnNames: ['tenantId', 'id'] }),
          new TableIndex({ columnNames: ['tenantId', 'status', 'id'] }),
          new TableIndex({ columnNames: ['ruleId', 'id'] }),
          new TableIndex({ columnNames: ['ruleId', 'conversationId', 'createdAt'] }),
          new TableIndex({ columnNames: ['tenantId', 'createdAt'] }),
        ],
        foreignKeys: [tenantFk],
      }),
    );
    await q.createTable(
      new Table({
        name: 'automation_control',
        columns: [
          id(),
          ref('tenantId'),
          bool('enabled', true),
          str('reason', 500, true),
          int('maxDepth', 3),
          int('maxRunsPerConversationPerMinute', 10),
          nullableBool('workingHoursOpen'),
          ref('updatedById', true),
          time('updatedAt'),
        ],
        indices: [new TableIndex({ columnNames: ['tenantId'], isUnique: true })],
        foreignKeys: [tenantFk],
      }),
    );
    await q.createTable(
      new Table({
        name: 'automation_alerts',
        columns: [
          id(),
          ref('tenantId'),
          ref('ruleId'),
          str('kind', 20),
          time('windowStart'),
          int('count'),
          int('threshold'),
          str('message', 500),
          time('createdAt'),
        ],
        indices: [
          new TableIndex({ columnNames: ['ruleId', 'kind', 'windowStart'], isUnique: true }),
          new TableIndex({ columnNames: ['tenantId', 'id'] }),
        ],
        foreignKeys: [tenantFk],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'automation_alerts',
      'automation_control',
      'automation_runs',
      'automation_events',
      'automation_rule_versions',
      'automation_rules',
    ])
      await q.dropTable(t);
  }
}
