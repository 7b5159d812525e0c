// WhatsApp message templates: one row per (WABA, name, language), with Meta's status, quality score
// and pause state as the webhooks report them.
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { id, ref, str, text, time, tenantFk } from '../../db/migrations/helpers.js';

export class WaTemplates1733200000000 implements MigrationInterface {
  name = 'WaTemplates1733200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'wa_templates',
        columns: [
          id(),
          ref('tenantId'),
          ref('accountId'),
          str('wabaId', 100),
          str('externalId', 100, true),
          str('name', 512),
          str('language', 20),
          str('category', 30),
          str('parameterFormat', 20),
          text('components'),
          str('status', 30),
          str('statusReason', 500, true),
          str('qualityScore', 20, true),
          text('pause', true),
          text('statusHistory'),
          str('headerMediaUrl', 2000, true),
          str('submission', 20),
          str('submissionError', 1000, true),
          ref('createdById', true),
          time('lastSyncedAt', true),
          time('statusUpdatedAt', true),
          time('createdAt'),
          time('updatedAt'),
        ],
        indices: [
          new TableIndex({ columnNames: ['tenantId', 'wabaId', 'name', 'language'], isUnique: true }),
          new TableIndex({ columnNames: ['tenantId', 'externalId'] }),
        ],
        foreignKeys: [
          tenantFk,
          { columnNames: ['accountId'], referencedTableName: 'integration_accounts', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('wa_templates');
  }
}
