// A plain INSERT per row with the entity's own column conversions. Inside one transaction the
// statement is prepared once and run per row; TypeORM's multi-row insert builds and prepares one
// statement with every row's parameters each time, which costs far more for the 50-odd runs an
// event can record.
import type { EntityManager, EntitySchema, ObjectLiteral } from 'typeorm';

export async function insertRows<T extends ObjectLiteral>(m: EntityManager, entity: EntitySchema<T>, rows: T[]): Promise<void> {
  if (rows.length === 0) return;
  const meta = m.connection.getMetadata(entity);
  const driver = m.connection.driver;
  const numbered = driver.options.type === 'postgres';
  const columns = meta.columns;
  const sql = `INSERT INTO ${driver.escape(meta.tableName)} (${columns.map((c) => driver.escape(c.databaseName)).join(', ')}) VALUES (${columns
    .map((_, i) => (numbered ? `$${i + 1}` : '?'))
    .join(', ')})`;
  for (const row of rows)
    await m.query(
      sql,
      columns.map((c) => driver.preparePersistentValue(c.getEntityValue(row), c)),
    );
}
