// Team workflow: divisions and their agents, conversation transfers, working hours (tenant and
// per-division overrides) with out-of-hours replies, SLA policies/state/breaches, chat expiration rules.
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { id, ref, str, text, int, bool, time, tenantFk } from './helpers.js';

const nullableInt = (name: string) => ({ name, type: 'integer', isNullable: true });
const fk = (column: string, table: string, onDelete: 'CASCADE' | 'SET NULL' = 'CASCADE') => ({
  columnNames: [column],
  referencedTableName: table,
  referencedColumnNames: ['id'],
  onDelete,
});

export class TeamWorkflow1732820000000 implements MigrationInterface {
  name = 'TeamWorkflow1732820000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'divisions',
        columns: [
          id(),
          ref('tenantId'),
          str('name', 200),
          text('description', true),
          bool('autoAssign'),
          bool('isDefault'),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [new TableIndex({ columnNames: ['tenantId', 'name'], isUnique: true })],
        foreignKeys: [tenantFk],
      }),
    );
    await q.createTable(
      new Table({
        name: 'division_agents',
        columns: [id(), ref('tenantId'), ref('divisionId'), ref('userId'), time('lastAssignedAt', true), time('createdAt')],
        indices: [
          new TableIndex({ columnNames: ['divisionId', 'userId'], isUnique: true }),
          new TableIndex({ columnNames: ['tenantId', 'userId'] }),
        ],
        foreignKeys: [tenantFk, fk('divisionId', 'divisions'), fk('userId', 'users')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'conversation_transfers',
        columns: [
          id(),
          ref('tenantId'),
          ref('conversationId'),
          ref('fromAssigneeId', true),
          ref('fromDivisionId', true),
          ref('toAssigneeId', true),
          ref('toDivisionId', true),
          text('reason'),
          bool('autoAssigned'),
          ref('byUserId', true),
          time('createdAt'),
        ],
        indices: [new TableIndex({ columnNames: ['conversationId', 'id'] })],
        foreignKeys: [tenantFk, fk('conversationId', 'conversations')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'working_hours',
        columns: [
          id(),
          ref('tenantId'),
          ref('divisionId', true),
          text('hours'),
          text('holidays'),
          text('autoReplies'),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [new TableIndex({ columnNames: ['tenantId', 'divisionId'], isUnique: true })],
        foreignKeys: [tenantFk, fk('divisionId', 'divisions')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'out_of_hours_replies',
        columns: [id(), ref('tenantId'), ref('conversationId'), str('periodKey', 40), ref('messageId', true), time('createdAt')],
        indices: [new TableIndex({ columnNames: ['conversationId', 'periodKey'], isUnique: true })],
        foreignKeys: [tenantFk, fk('conversationId', 'conversations')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'sla_policies',
        columns: [
          id(),
          ref('tenantId'),
          str('name', 200),
          text('description', true),
          bool('enabled', true),
          str('priority', 10, true),
          str('channel', 20, true),
          ref('divisionId', true),
          nullableInt('firstResponseMinutes'),
          nullableInt('resolutionMinutes'),
          int('atRiskPercent', 80),
          bool('workingHoursOnly', true),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [new TableIndex({ columnNames: ['tenantId', 'enabled'] })],
        foreignKeys: [tenantFk],
      }),
    );
    await q.createTable(
      new Table({
        name: 'conversation_sla',
        columns: [
          id(),
          ref('tenantId'),
          ref('conversationId'),
          ref('policyId', true),
          str('status', 20),
          time('firstResponseDueAt', true),
          time('firstRespondedAt', true),
          time('resolutionDueAt', true),
          time('nextDueAt', true),
          bool('final'),
          time('evaluatedAt'),
        ],
        indices: [new TableIndex({ columnNames: ['conversationId'], isUnique: true }), new TableIndex({ columnNames: ['final'] })],
        foreignKeys: [tenantFk, fk('conversationId', 'conversations'), fk('policyId', 'sla_policies', 'SET NULL')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'sla_breaches',
        columns: [
          id(),
          ref('tenantId'),
          ref('policyId'),
          ref('conversationId'),
          str('metric', 20),
          int('targetMinutes'),
          time('dueAt'),
          time('breachedAt'),
        ],
        // A breach is recorded once per conversation, policy and metric.
        indices: [
          new TableIndex({ columnNames: ['conversationId', 'policyId', 'metric'], isUnique: true }),
          new TableIndex({ columnNames: ['policyId', 'id'] }),
        ],
        foreignKeys: [tenantFk, fk('policyId', 'sla_policies'), fk('conversationId', 'conversations')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'chat_expiration_rules',
        columns: [
          id(),
          ref('tenantId'),
          str('channel', 20),
          bool('enabled'),
          int('hours', 24),
          text('closingMessage', true),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [new TableIndex({ columnNames: ['tenantId', 'channel'], isUnique: true })],
        foreignKeys: [tenantFk],
      }),
    );
    await q.createIndex(
      'conversations',
      new TableIndex({ name: 'IDX_conversations_tenant_division', columnNames: ['tenantId', 'divisionId'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('conversations', 'IDX_conversations_tenant_division');
    for (const t of [
      'chat_expiration_rules',
      'sla_breaches',
      'conversation_sla',
      'sla_policies',
      'out_of_hours_replies',
      'working_hours',
      'conversation_transfers',
      'division_agents',
      'divisions',
    ]) {
      await q.dropTable(t);
    }
  }
}
