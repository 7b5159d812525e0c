// Wall-clock times in a tenant's timezone (scheduled messages, CSAT periods) and quick-reply variables.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatLocal, isValidTimeZone, localDay, localToUtc, offsetMs } from '../../server/core/time.js';
import { render, unknownVariables, variablesIn } from '../../server/modules/quick-replies/quick-reply.template.js';

describe('zoned time', () => {
  it('reads a wall-clock time in a timezone as a UTC instant, and back', () => {
    assert.equal(localToUtc('2026-12-01T09:00', 'Asia/Jakarta')?.toISOString(), '2026-12-01T02:00:00.000Z');
    assert.equal(localToUtc('2026-12-01 09:00:30', 'Asia/Makassar')?.toISOString(), '2026-12-01T01:00:30.000Z');
    assert.equal(localToUtc('2026-07-01T09:00', 'Europe/Amsterdam')?.toISOString(), '2026-07-01T07:00:00.000Z');
    assert.equal(localToUtc('2026-01-01T09:00', 'Europe/Amsterdam')?.toISOString(), '2026-01-01T08:00:00.000Z');
    assert.equal(formatLocal(new Date('2026-12-01T02:00:00Z'), 'Asia/Jakarta'), '2026-12-01T09:00:00');
    assert.equal(localDay(new Date('2026-12-01T18:00:00Z'), 'Asia/Jakarta'), '2026-12-02');
    assert.equal(offsetMs(new Date('2026-12-01T00:00:00Z'), 'Asia/Jayapura'), 9 * 3600_000);
  });

  it('moves a time skipped by a daylight-saving jump forward, and refuses days that do not exist', () => {
    // Clocks in Amsterdam jump from 02:00 to 03:00 on 29 March 2026.
    assert.equal(localToUtc('2026-03-29T02:30', 'Europe/Amsterdam')?.toISOString(), '2026-03-29T01:30:00.000Z');
    assert.equal(localToUtc('2026-02-30T09:00', 'Asia/Jakarta'), undefined);
    assert.equal(localToUtc('2026-12-01T24:00', 'Asia/Jakarta'), undefined);
    assert.equal(localToUtc('tomorrow', 'Asia/Jakarta'), undefined);
    assert.equal(isValidTimeZone('Asia/Jakarta'), true);
    assert.equal(isValidTimeZone('Mars/Olympus'), false);
  });
});

describe('quick-reply variables', () => {
  it('fills known variables, uses fallbacks for empty values and leaves unknown ones', () => {
    const body = 'Halo {{ contact.name }}, {{contact.email | belum ada}} — {{agent.name}} / {{foo.bar}}';
    assert.deepEqual(variablesIn(body), ['contact.name', 'contact.email', 'agent.name', 'foo.bar']);
    assert.deepEqual(unknownVariables(body), ['foo.bar']);
    assert.equal(
      render(body, { 'contact.name': 'Siti', 'contact.email': null, 'agent.name': 'Budi' }),
      'Halo Siti, belum ada — Budi / {{foo.bar}}',
    );
    assert.equal(render('Halo {{contact.name|Kak}}', { 'contact.name': '  ' }), 'Halo Kak');
    assert.equal(render('Halo {{contact.name}}!', {}), 'Halo !');
  });
});
