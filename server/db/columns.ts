// Column definitions shared by entity schemas and migrations, chosen to stay portable
// between SQLite (the appliance) and PostgreSQL (larger installs).
import type { EntitySchemaColumnOptions } from 'typeorm';

const onPostgres = (process.env.DATABASE_URL ?? '').startsWith('postgres');
/** Timestamps are stored in UTC. */
export const TIMESTAMP_TYPE = onPostgres ? 'timestamptz' : 'datetime';

export const col = {
  id: { type: 'varchar', length: 36, primary: true } satisfies EntitySchemaColumnOptions,
  ref: (nullable = false) => ({ type: 'varchar', length: 36, nullable }) satisfies EntitySchemaColumnOptions,
  string: (length = 255, nullable = false) => ({ type: 'varchar', length, nullable }) satisfies EntitySchemaColumnOptions,
  text: (nullable = false) => ({ type: 'text', nullable }) satisfies EntitySchemaColumnOptions,
  int: (dflt = 0) => ({ type: 'integer', default: dflt }) satisfies EntitySchemaColumnOptions,
  bool: (dflt = false) => ({ type: 'boolean', default: dflt }) satisfies EntitySchemaColumnOptions,
  json: (nullable = false) => ({ type: 'simple-json', nullable }) satisfies EntitySchemaColumnOptions,
  time: (nullable = false) => ({ type: TIMESTAMP_TYPE, nullable }) satisfies EntitySchemaColumnOptions,
};
