// Inserting rows whose columns are all given, and updating a row by its id, in plain statements
// with the entity's own column conversions. TypeORM's insert reads the row back afterwards for the
// columns that have a default (one more SELECT per insert), and its update builds the statement
// anew each time (and writes some numbers into its text, so it is prepared anew too): per inbound
// message that was a good part of the CPU (test/bench/README.md, "Statements built once per event").
// TypeORM's subscribers do not see these writes, so the entity caches are told here.
import type { EntityManager, EntitySchema, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import { forgetWritesTo } from '../core/entity-cache.js';

// The JSON text of an object written to more than one row: a domain event's payload goes to the
// outbox and to the automation event log, and the engine works on a copy parsed from that text.
// Made once instead of three times; it was a tenth of the CPU of processing a webhook
// (test/bench/README.md, "A payload serialised once"). A text is kept only while its object cannot
// change: for a caller's object, during `withJsonText`; for a copy this file made, for the copy's life.
const jsonTexts = new WeakMap<object, string>();

/**
 * Runs `work` with `value`'s JSON text made once and kept for it (the writes in `work` use it), and
 * forgets it after, unless it was kept already: the caller may change its object and write it again.
 */
export async function withJsonText<T>(value: object, work: () => Promise<T>): Promise<T> {
  if (jsonTexts.has(value)) return work();
  jsonTexts.set(value, JSON.stringify(value));
  try {
    return await work();
  } finally {
    jsonTexts.delete(value);
  }
}

/** The object's JSON text (JSON.stringify, as a simple-json column stores it): the kept one, if any. */
export function jsonTextOf(value: object): string {
  return jsonTexts.get(value) ?? JSON.stringify(value);
}

/** A copy of `value` as a simple-json column holds it (dates as strings, no undefined), its text kept with it. */
export function storedJsonCopy<T extends object>(value: T): T {
  const text = jsonTextOf(value);
  const copy = JSON.parse(text) as T;
  jsonTexts.set(copy, text);
  return copy;
}

/** A column's value as the statement takes it: a simple-json object whose text is already made is not serialised again. */
function persistentValue(driver: EntityManager['connection']['driver'], column: ColumnMetadata, value: unknown): unknown {
  const text = column.type === 'simple-json' && value !== null && typeof value === 'object' ? jsonTexts.get(value) : undefined;
  return text ?? driver.preparePersistentValue(value, column);
}

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
      columns.map((c) => persistentValue(driver, c, c.getEntityValue(row))),
    );
  forgetWritesTo(m.connection, meta.name);
}

/**
 * A plain `UPDATE … SET <patch's columns> WHERE id = ?`: the same text for the same columns, so
 * prepared once per transaction. Nothing is set that the patch does not name (no automatic
 * `updatedAt`): give it in the patch where the entity keeps one.
 */
export async function updateRow<T extends ObjectLiteral>(
  m: EntityManager,
  entity: EntitySchema<T>,
  id: string,
  patch: Partial<T>,
): Promise<void> {
  const meta = m.connection.getMetadata(entity);
  const driver = m.connection.driver;
  const param = (i: number) => (driver.options.type === 'postgres' ? `$${i + 1}` : '?');
  // As TypeORM's update: a property given as undefined is left alone.
  const columns = Object.keys(patch)
    .filter((property) => patch[property] !== undefined)
    .map((property) => {
      const column = meta.findColumnWithPropertyName(property);
      if (!column) throw new Error(`${meta.name} has no column ${property}`);
      return column;
    });
  if (columns.length === 0) return;
  const sql = `UPDATE ${driver.escape(meta.tableName)} SET ${columns
    .map((c, i) => `${driver.escape(c.databaseName)} = ${param(i)}`)
    .join(', ')} WHERE ${driver.escape(meta.primaryColumns[0].databaseName)} = ${param(columns.length)}`;
  await m.query(sql, [...columns.map((c) => persistentValue(driver, c, c.getEntityValue(patch))), id]);
  forgetWritesTo(m.connection, meta.name);
}
