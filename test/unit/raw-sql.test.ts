// Stored times read from raw rows (db/raw-sql.ts): SQLite's text form and PostgreSQL's Date give
// the same instant and the same ISO string as Date#toJSON.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { epochMs, isoTime } from '../../server/db/raw-sql.js';

describe('raw SQL times', () => {
  it('reads SQLite text and Dates alike, as Date#toJSON writes them', () => {
    for (const iso of ['2026-12-05T13:07:42.123Z', '1999-01-01T00:00:00.000Z', '2024-02-29T23:59:59.999Z']) {
      const date = new Date(iso);
      const sqlite = iso.replace('T', ' ').replace('Z', '');
      assert.equal(isoTime(sqlite), date.toJSON());
      assert.equal(isoTime(date), date.toJSON());
      assert.equal(epochMs(sqlite), date.getTime());
      assert.equal(epochMs(date), date.getTime());
    }
    assert.equal(isoTime('2026-12-05 13:07:42'), '2026-12-05T13:07:42.000Z');
    assert.equal(isoTime(null), null);
    assert.equal(epochMs(undefined), null);
  });
});
