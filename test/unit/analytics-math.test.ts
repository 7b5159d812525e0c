// The pieces analytics computes with, checked against plain references: day and week buckets on a
// time zone's calendar (across a daylight-saving change), the SQL bucket expression (evaluated by
// SQLite) against the JavaScript lookup, working time by interval index against the calendar's own
// day-by-day walk, and the interpolated percentiles.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { bucketOf, buckets } from '../../server/modules/analytics/analytics.range.js';
import { bucketCase } from '../../server/modules/analytics/analytics.sql.js';
import { quantile } from '../../server/modules/analytics/stats.js';
import { WorkCalendar } from '../../server/modules/working-hours/calendar.service.js';
import { IntervalIndex } from '../../server/modules/analytics/working-time.js';

const sqlTime = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 23);

describe('analytics arithmetic', () => {
  it('cuts a period at local midnights, also across a daylight-saving change', () => {
    // New York leaves daylight time on Sunday 1 November 2026: that day has 25 hours.
    const from = new Date('2026-10-31T04:00:00Z'); // Saturday 00:00 EDT
    const to = new Date('2026-11-03T05:00:00Z'); // Tuesday 00:00 EST
    const days = buckets({ from, to, timezone: 'America/New_York' }, 'day');
    assert.deepEqual(
      days.map((b) => [b.label, (b.end.getTime() - b.start.getTime()) / 3600_000]),
      [
        ['2026-10-31', 24],
        ['2026-11-01', 25],
        ['2026-11-02', 24],
      ],
    );
    const weeks = buckets(
      { from: new Date('2026-11-04T17:00:00Z'), to: new Date('2026-11-20T17:00:00Z'), timezone: 'Asia/Jakarta' },
      'week',
    );
    assert.deepEqual(
      weeks.map((b) => b.label),
      ['2026-11-02', '2026-11-09', '2026-11-16'],
      'weeks start on Monday; the first is partial',
    );
    assert.equal(weeks[0].start.toISOString(), '2026-11-04T17:00:00.000Z');
    assert.equal(bucketOf(days, new Date('2026-11-01T23:30:00Z').getTime()), 1);
    assert.equal(bucketOf(days, to.getTime()), -1);
  });

  it('the SQL bucket expression agrees with the JavaScript lookup for every hour of 45 days', () => {
    const period = { from: new Date('2026-10-01T17:00:00Z'), to: new Date('2026-11-15T17:00:00Z'), timezone: 'Asia/Kolkata' };
    const list = buckets(period, 'day');
    const params: Record<string, unknown> = {};
    const expr = bucketCase(
      't',
      list.slice(1).map((b) => b.start),
      params,
    );
    const db = new Database(':memory:');
    const sql = expr.replace(/:b(\d+)/g, (_m, i) => `'${sqlTime(params[`b${i}`] as Date)}'`);
    const stmt = db.prepare(`SELECT ${sql} AS k FROM (SELECT ? AS t)`);
    for (let t = period.from.getTime(); t < period.to.getTime(); t += 3600_000 - 1) {
      assert.equal((stmt.get(sqlTime(new Date(t))) as { k: number }).k, bucketOf(list, t), new Date(t).toISOString());
    }
    db.close();
  });

  it('working time over an interval index equals the calendar walking day by day', () => {
    const calendar = new WorkCalendar({
      timezone: 'Asia/Jakarta',
      hours: [
        ...['monday', 'tuesday', 'wednesday', 'thursday'].map((day) => ({ day: day as 'monday', start: '08:00', end: '17:00' })),
        { day: 'friday', start: '08:00', end: '11:30' },
        { day: 'friday', start: '13:00', end: '17:00' },
        { day: 'saturday', start: '09:00', end: '13:00' },
      ],
      holidays: [{ date: '2026-12-25', name: 'Natal' }],
    });
    const a = new Date('2026-12-01T00:00:00Z');
    const b = new Date('2026-12-31T00:00:00Z');
    const index = new IntervalIndex(calendar.openIntervals(a, b));
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 200; n++) {
      const x = Math.floor(a.getTime() + rand() * (b.getTime() - a.getTime()));
      const y = Math.floor(x + rand() * 6 * 24 * 3600_000);
      if (y >= b.getTime()) continue;
      assert.equal(
        index.between(x, y),
        calendar.workingMsBetween(new Date(x), new Date(y)),
        `${new Date(x).toISOString()} → ${new Date(y).toISOString()}`,
      );
    }
    assert.deepEqual(WorkCalendar.always().openIntervals(a, b), [[a.getTime(), b.getTime()]]);
  });

  it('percentiles interpolate between ranks', () => {
    assert.equal(quantile([], 0.5), null);
    assert.equal(quantile([5], 0.9), 5);
    assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
    assert.equal(quantile([600, 9000, 61800], 0.9), 51240);
  });
});
