// Column builders for migrations (TypeORM Table API, portable between SQLite and PostgreSQL).
import type { TableColumnOptions, TableForeignKeyOptions } from 'typeorm';
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
