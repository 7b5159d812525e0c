// Column builders for migrations (TypeORM Table API, portable between SQLite and PostgreSQL).
import { TableIndex, type QueryRunner, type TableColumnOptions, type TableForeignKeyOptions } from 'typeorm';
import { TIMESTAMP_TYPE } from '../columns.js';

export const id = (): TableColumnOptions => ({ name: 'id', type: 'varchar', length: '36', isPrimary: true });
export const ref = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: '36', isNullable: nullable });
export const str = (name: string, length: number, nullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});
export const text = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'text', isNullable: nullable });
export const int = (name: string, dflt = 0): TableColumnOptions => ({ name, type: 'integer', default: dflt });
export const bool = (name: string, dflt = false): TableColumnOptions => ({ name, type: 'boolean', default: dflt });
export const time = (name: string, nullable = false): TableColumnOptions => ({ name, type: TIMESTAMP_TYPE, isNullable: nullable });
export const tenantFk: TableForeignKeyOptions = {
  columnNames: ['tenantId'],
  referencedTableName: 'tenants',
  referencedColumnNames: ['id'],
  onDelete: 'CASCADE',
};

/** The name TypeORM gave an index that a migration declared without one (the same on every database). */
export const generatedIndexName = (q: QueryRunner, table: string, columns: string[]) =>
  q.connection.namingStrategy.indexName(table, columns);

/** Drops an index that a migration declared without a name (its generated one), if it is there. */
export async function dropGeneratedIndex(q: QueryRunner, table: string, columns: string[]): Promise<void> {
  await q.query(`DROP INDEX IF EXISTS "${generatedIndexName(q, table, columns)}"`);
}

/** Creates such an index again under its generated name (a migration's `down`). */
export async function createGeneratedIndex(q: QueryRunner, table: string, columns: string[], isUnique = false): Promise<void> {
  await q.createIndex(table, new TableIndex({ name: generatedIndexName(q, table, columns), columnNames: columns, isUnique }));
}
