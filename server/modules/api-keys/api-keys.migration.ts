// API keys get scopes: the permissions a key may use, a subset of its creator's (null: all of them).
import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { text } from '../../db/migrations/helpers.js';

export class ApiKeyScopes1733610000001 implements MigrationInterface {
  name = 'ApiKeyScopes1733610000001';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('api_keys', new TableColumn(text('scopes', true)));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('api_keys', 'scopes');
  }
}
