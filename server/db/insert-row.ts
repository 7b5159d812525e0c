// Inserting rows whose columns are all given. TypeORM's insert reads the row back afterwards for
// the columns that have a default (one more SELECT per insert); here there is nothing to read.
import type { EntityManager, EntitySchema, ObjectLiteral } from 'typeorm';

export async function insertRow<T extends ObjectLiteral>(m: EntityManager, entity: EntitySchema<T>, row: T): Promise<void> {
  await m
    .createQueryBuilder()
    .insert()
    .into(entity)
    .values(row as never)
    .updateEntity(false)
    .execute();
}

/**
 * A plain INSERT per row with the entity's own column conversions. Inside one transaction the
 * statement is prepared once and run per row; TypeORM's multi-row insert builds and prepares one
 * statement with every row's parameters each time, which costs far more for the 50-odd runs an
 * automation event can record or the messages of a batch of webhooks.
 */
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
