// Ids are UUIDv7 made from a pool of random bytes: valid, unique, and in creation order even when
// many are made within one millisecond (job queues and cursors rely on that order).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { version } from 'uuid';
import { isId, newId } from '../../server/core/ids.js';

it('makes valid, unique UUIDv7 ids that sort in the order they were made', () => {
  const ids = Array.from({ length: 20_000 }, () => newId());
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids.slice(0, 500)) {
    assert.ok(isId(id), id);
    assert.equal(version(id), 7);
  }
  for (let i = 1; i < ids.length; i++) assert.ok(ids[i - 1] < ids[i], `${ids[i - 1]} < ${ids[i]}`);
  const ms = parseInt(ids[0].replaceAll('-', '').slice(0, 12), 16);
  assert.ok(Math.abs(ms - Date.now()) < 5_000, 'the time part is now');
});
