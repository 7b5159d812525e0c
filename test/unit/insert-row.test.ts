// Plain INSERTs and UPDATEs by id (server/db/insert-row.ts): the same values stored as TypeORM's own
// writes store them, read back through TypeORM unchanged, and the entity caches told of the write.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, EntitySchema } from 'typeorm';
import { EntityCacheSubscriber, readThrough } from '../../server/core/entity-cache.js';
import { insertRows, jsonTextOf, storedJsonCopy, updateRow, withJsonText } from '../../server/db/insert-row.js';
import { fingerprintOf } from '../../server/modules/automation/event-log.js';
import { createHash } from 'node:crypto';

interface Note {
  id: string;
  title: string;
  count: number;
  tags: string[];
  meta: Record<string, unknown> | null;
  doneAt: Date | null;
}
const NoteEntity = new EntitySchema<Note>({
  name: 'Note',
  tableName: 'notes',
  columns: {
    id: { type: 'varchar', primary: true },
    title: { type: 'varchar' },
    count: { type: 'integer' },
    tags: { type: 'simple-json' },
    meta: { type: 'simple-json', nullable: true },
    doneAt: { type: 'datetime', nullable: true },
  },
});

let dir: string;
let ds: DataSource;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'omnistream-insert-row-'));
  ds = new DataSource({
    type: 'better-sqlite3',
    database: join(dir, 'db.sqlite'),
    entities: [NoteEntity],
    subscribers: [EntityCacheSubscriber],
    synchronize: true,
  });
  await ds.initialize();
});
after(async () => {
  await ds.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const read = (id: string) => ds.getRepository(NoteEntity).findOneByOrFail({ id });

describe('plain inserts and updates by id', () => {
  it('stores rows as TypeORM reads them back', async () => {
    const doneAt = new Date('2026-12-07T04:05:06.789Z');
    await ds.transaction((m) =>
      insertRows(m, NoteEntity, [
        { id: 'a', title: 'first', count: 1, tags: ['x', 'y'], meta: { n: 1 }, doneAt },
        { id: 'b', title: 'second', count: 2, tags: [], meta: null, doneAt: null },
      ]),
    );
    assert.deepEqual(await read('a'), { id: 'a', title: 'first', count: 1, tags: ['x', 'y'], meta: { n: 1 }, doneAt });
    assert.deepEqual(await read('b'), { id: 'b', title: 'second', count: 2, tags: [], meta: null, doneAt: null });
  });

  it('updates only the columns it is given, of the row it is given', async () => {
    const doneAt = new Date('2026-12-07T05:00:00.000Z');
    await ds.transaction(async (m) => {
      // The same columns twice: one statement text (the second run reuses the prepared one).
      await updateRow(m, NoteEntity, 'a', { count: 5, meta: { n: 2, deep: { ok: true } } });
      await updateRow(m, NoteEntity, 'b', { count: 6, meta: null });
      await updateRow(m, NoteEntity, 'b', { tags: ['z'], doneAt, title: undefined });
    });
    assert.deepEqual(await read('a'), {
      id: 'a',
      title: 'first',
      count: 5,
      tags: ['x', 'y'],
      meta: { n: 2, deep: { ok: true } },
      doneAt: new Date('2026-12-07T04:05:06.789Z'),
    });
    assert.deepEqual(await read('b'), { id: 'b', title: 'second', count: 6, tags: ['z'], meta: null, doneAt });
  });

  it('names a property the entity does not have', async () => {
    await assert.rejects(
      ds.transaction((m) => updateRow(m, NoteEntity, 'a', { colour: 'red' } as never)),
      /Note has no column colour/,
    );
  });

  it('empties the entity caches that depend on what it wrote', async () => {
    const titles = readThrough<string>(['Note']);
    const load = async () => (await read('a')).title;
    assert.equal(await titles(ds, 'a', load), 'first');
    await ds.transaction((m) => updateRow(m, NoteEntity, 'a', { title: 'renamed' }));
    assert.equal(await titles(ds, 'a', load), 'renamed');
    await ds.transaction((m) => insertRows(m, NoteEntity, [{ id: 'c', title: 'third', count: 3, tags: [], meta: null, doneAt: null }]));
    let loads = 0;
    await titles(ds, 'a', async () => (loads++, load()));
    assert.equal(loads, 1, 'the insert emptied the cache too');
  });
});

describe('a payload serialised once', () => {
  it('copies an object as a simple-json column holds it, and writes the copy from the same text', async () => {
    const original = { at: new Date('2026-12-07T01:02:03.000Z'), gone: undefined, list: [1, undefined], nested: { b: 2, a: 1 } };
    const copy = storedJsonCopy(original);
    assert.deepEqual(copy, { at: '2026-12-07T01:02:03.000Z', list: [1, null], nested: { b: 2, a: 1 } });
    assert.equal('gone' in copy, false);
    assert.equal(jsonTextOf(copy), jsonTextOf(original));
    await ds.transaction((m) => insertRows(m, NoteEntity, [{ id: 'json', title: 't', count: 0, tags: [], meta: copy, doneAt: null }]));
    const [row] = await ds.query(`SELECT "meta" FROM "notes" WHERE "id" = 'json'`);
    assert.equal(row.meta, JSON.stringify(original));
    assert.deepEqual((await read('json')).meta, copy);
  });

  it("keeps a caller's object's text only while it cannot change: changed afterwards, it is written as it is then", async () => {
    const meta: Record<string, unknown> = { n: 1 };
    await withJsonText(meta, () =>
      ds.transaction((m) => insertRows(m, NoteEntity, [{ id: 'kept-1', title: 't', count: 0, tags: [], meta, doneAt: null }])),
    );
    meta.n = 2;
    await ds.transaction((m) => insertRows(m, NoteEntity, [{ id: 'kept-2', title: 't', count: 0, tags: [], meta, doneAt: null }]));
    assert.deepEqual((await read('kept-1')).meta, { n: 1 });
    assert.deepEqual((await read('kept-2')).meta, { n: 2 });
  });

  it('fingerprints a payload by its keys in sorted order, at every depth', () => {
    const expected = createHash('sha256')
      .update('message.received\n{"a":{"c":"x","d":[1,{"y":null,"z":2}]},"b":1,"e":"1970-01-01T00:00:00.000Z","s":"\\"q\\""}')
      .digest('hex')
      .slice(0, 32);
    assert.equal(fingerprintOf('message.received', { b: 1, s: '"q"', a: { d: [1, { z: 2, y: null }], c: 'x' }, e: new Date(0) }), expected);
    assert.equal(
      fingerprintOf('message.received', { e: '1970-01-01T00:00:00.000Z', a: { c: 'x', d: [1, { y: null, z: 2 }] }, s: '"q"', b: 1 }),
      expected,
    );
    assert.notEqual(fingerprintOf('message.sent', { b: 1 }), fingerprintOf('message.received', { b: 1 }));
  });
});
