// The ai-agents module's schema: settings, agents, assignments, handoff rules, knowledge sources,
// QnA pairs, products, chunks (with, on SQLite, the FTS5 index retrieval searches, kept current by
// triggers), orchestration rules, evaluations and runs, usage, per-conversation AI state.
import { Table, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';
import { bool, id, int, ref, str, tenantFk, text, time } from '../../db/migrations/helpers.js';
import { isSqlite } from '../../db/raw-sql.js';

const float = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'float', isNullable: nullable });
const nullableInt = (name: string): TableColumnOptions => ({ name, type: 'integer', isNullable: true });
const fk = (column: string, table: string, onDelete: 'CASCADE' | 'SET NULL' = 'CASCADE') => ({
  columnNames: [column],
  referencedTableName: table,
  referencedColumnNames: ['id'],
  onDelete,
});
const agentFk = fk('aiAgentId', 'ai_agents');

/** FTS5's content table columns are c0…c4 in the order ai_chunks_fts declares them (c3 = chunk_id). */
const FTS = `CREATE VIRTUAL TABLE ai_chunks_fts USING fts5(
  text, title, scope, chunk_id UNINDEXED, tenant_id UNINDEXED,
  tokenize = 'unicode61 remove_diacritics 2')`;

export class AiAgents1733400000000 implements MigrationInterface {
  name = 'AiAgents1733400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'ai_settings',
        columns: [
          id(),
          ref('tenantId'),
          str('baseUrl', 500, true),
          text('apiKey', true),
          str('model', 200, true),
          str('embeddingModel', 200, true),
          int('timeoutMs', 30000),
          nullableInt('monthlyTokenLimit'),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [new TableIndex({ columnNames: ['tenantId'], isUnique: true })],
        foreignKeys: [tenantFk],
      }),
    );
    await q.createTable(
      new Table({
        name: 'ai_agents',
        columns: [
          id(),
          ref('tenantId'),
          str('name', 200),
          text('description', true),
          text('instructions'),
          str('language', 10),
          bool('active'),
          str('model', 200, true),
          float('temperature'),
          int('maxTokens', 400),
          text('handoffMessage', true),
          ref('handoffDivisionId', true),
          ref('handoffAgentId', true),
          nullableInt('monthlyTokenLimit'),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [new TableIndex({ columnNames: ['tenantId', 'active'] })],
        foreignKeys: [tenantFk, fk('handoffDivisionId', 'divisions', 'SET NULL'), fk('handoffAgentId', 'users', 'SET NULL')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'ai_agent_assignments',
        columns: [
          id(),
          ref('tenantId'),
          ref('aiAgentId'),
          str('channel', 20, true),
          ref('accountId', true),
          ref('divisionId', true),
          str('schedule', 30),
          bool('active', true),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [new TableIndex({ columnNames: ['aiAgentId'] }), new TableIndex({ columnNames: ['tenantId', 'active'] })],
        foreignKeys: [tenantFk, agentFk, fk('accountId', 'integration_accounts', 'CASCADE'), fk('divisionId', 'divisions', 'CASCADE')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'ai_handoff_rules',
        columns: [
          id(),
          ref('tenantId'),
          ref('aiAgentId'),
          str('type', 30),
          text('config'),
          ref('targetDivisionId', true),
          ref('targetAgentId', true),
          int('position'),
          bool('active', true),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [new TableIndex({ columnNames: ['aiAgentId', 'position'] })],
        foreignKeys: [tenantFk, agentFk, fk('targetDivisionId', 'divisions', 'SET NULL'), fk('targetAgentId', 'users', 'SET NULL')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'ai_knowledge_sources',
        columns: [
          id(),
          ref('tenantId'),
          ref('aiAgentId'),
          str('type', 10),
          str('name', 300),
          text('content', true),
          str('url', 2000, true),
          ref('mediaId', true),
          str('status', 20),
          str('error', 1000, true),
          int('chunkCount'),
          int('charCount'),
          time('processedAt', true),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [new TableIndex({ columnNames: ['aiAgentId', 'id'] })],
        foreignKeys: [tenantFk, agentFk, fk('mediaId', 'media', 'SET NULL')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'ai_qna_pairs',
        columns: [
          id(),
          ref('tenantId'),
          ref('aiAgentId'),
          ref('sourceId'),
          text('question'),
          text('answer'),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [new TableIndex({ columnNames: ['sourceId', 'id'] })],
        foreignKeys: [tenantFk, agentFk, fk('sourceId', 'ai_knowledge_sources')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'ai_products',
        columns: [
          id(),
          ref('tenantId'),
          ref('aiAgentId'),
          str('name', 300),
          str('sku', 100, true),
          text('description', true),
          { name: 'price', type: 'decimal', precision: 14, scale: 2 },
          str('currency', 3),
          nullableInt('stock'),
          str('imageUrl', 2000, true),
          ref('imageMediaId', true),
          bool('active', true),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [new TableIndex({ columnNames: ['aiAgentId', 'id'] }), new TableIndex({ columnNames: ['aiAgentId', 'sku'] })],
        foreignKeys: [tenantFk, agentFk, fk('imageMediaId', 'media', 'SET NULL')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'ai_chunks',
        columns: [
          id(),
          ref('tenantId'),
          ref('aiAgentId'),
          str('kind', 10),
          ref('sourceId', true),
          ref('productId', true),
          ref('qnaId', true),
          int('position'),
          str('title', 300, true),
          text('text'),
          text('embedding', true),
          str('embeddingModel', 200, true),
          time('createdAt'),
        ],
        indices: [
          new TableIndex({ columnNames: ['aiAgentId', 'embeddingModel'] }),
          new TableIndex({ columnNames: ['sourceId'] }),
          new TableIndex({ columnNames: ['productId'] }),
        ],
        foreignKeys: [tenantFk, agentFk, fk('sourceId', 'ai_knowledge_sources'), fk('productId', 'ai_products')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'ai_orchestration_rules',
        columns: [
          id(),
          ref('tenantId'),
          str('name', 200),
          ref('aiAgentId'),
          int('priority'),
          text('conditions'),
          bool('active', true),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [new TableIndex({ columnNames: ['tenantId', 'priority'] })],
        foreignKeys: [tenantFk, agentFk],
      }),
    );
    await q.createTable(
      new Table({
        name: 'ai_evaluations',
        columns: [
          id(),
          ref('tenantId'),
          ref('aiAgentId'),
          str('name', 200),
          text('cases'),
          float('passThreshold'),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [new TableIndex({ columnNames: ['aiAgentId', 'id'] })],
        foreignKeys: [tenantFk, agentFk],
      }),
    );
    await q.createTable(
      new Table({
        name: 'ai_evaluation_runs',
        columns: [
          id(),
          ref('tenantId'),
          ref('aiAgentId'),
          ref('evaluationId'),
          str('status', 20),
          float('score', true),
          int('passedCount'),
          int('total'),
          text('results'),
          str('error', 1000, true),
          time('createdAt'),
          time('startedAt', true),
          time('finishedAt', true),
        ],
        indices: [new TableIndex({ columnNames: ['evaluationId', 'id'] })],
        foreignKeys: [tenantFk, agentFk, fk('evaluationId', 'ai_evaluations')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'ai_usage',
        // No foreign key to the agent: usage stays counted (for the month's limit) after an agent is deleted.
        columns: [
          id(),
          ref('tenantId'),
          ref('aiAgentId', true),
          ref('conversationId', true),
          str('kind', 20),
          str('model', 200, true),
          int('tokensIn'),
          int('tokensOut'),
          int('latencyMs'),
          bool('ok', true),
          str('error', 500, true),
          time('createdAt'),
        ],
        indices: [new TableIndex({ columnNames: ['tenantId', 'createdAt'] }), new TableIndex({ columnNames: ['aiAgentId', 'createdAt'] })],
        foreignKeys: [tenantFk],
      }),
    );
    await q.createTable(
      new Table({
        name: 'ai_conversation_states',
        columns: [
          id(),
          ref('tenantId'),
          ref('conversationId'),
          ref('aiAgentId', true),
          int('turns'),
          ref('lastHandledMessageId', true),
          time('handedOffAt', true),
          str('handoffReason', 50, true),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [new TableIndex({ columnNames: ['conversationId'], isUnique: true })],
        foreignKeys: [tenantFk, fk('conversationId', 'conversations')],
      }),
    );

    if (isSqlite(q)) {
      // Full-text index of the chunks; `scope` holds one token per agent so a search stays inside it.
      await q.query(FTS);
      await q.query('CREATE INDEX ai_chunks_fts_content_chunk ON ai_chunks_fts_content (c3)');
      await q.query(`CREATE TRIGGER ai_chunks_fts_insert AFTER INSERT ON ai_chunks BEGIN
        INSERT INTO ai_chunks_fts (text, title, scope, chunk_id, tenant_id)
        VALUES (new.text, coalesce(new.title, ''), 'a' || lower(replace(new.aiAgentId, '-', '')), new.id, new.tenantId);
      END`);
      await q.query(`CREATE TRIGGER ai_chunks_fts_delete AFTER DELETE ON ai_chunks BEGIN
        DELETE FROM ai_chunks_fts WHERE rowid IN (SELECT id FROM ai_chunks_fts_content WHERE c3 = old.id);
      END`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    if (isSqlite(q)) {
      await q.query('DROP TRIGGER IF EXISTS ai_chunks_fts_insert');
      await q.query('DROP TRIGGER IF EXISTS ai_chunks_fts_delete');
      await q.query('DROP TABLE IF EXISTS ai_chunks_fts');
    }
    for (const t of [
      'ai_conversation_states',
      'ai_usage',
      'ai_evaluation_runs',
      'ai_evaluations',
      'ai_orchestration_rules',
      'ai_chunks',
      'ai_products',
      'ai_qna_pairs',
      'ai_knowledge_sources',
      'ai_handoff_rules',
      'ai_agent_assignments',
      'ai_agents',
      'ai_settings',
    ])
      await q.dropTable(t);
  }
}
