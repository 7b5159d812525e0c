// Inserting one row whose columns are all given. TypeORM's insert reads the row back afterwards for
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
