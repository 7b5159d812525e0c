// Working-time arithmetic (pure): timezones with and without DST, holidays, breaks, and the SLA
// computation on top of it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkCalendar, type HoursEntry, type Weekday } from '../../server/modules/working-hours/calendar.service.js';
import { canonicalTimezone, isValidDate, wallClockToUtc } from '../../server/core/time.js';
import { computeSla } from '../../server/modules/sla/sla.compute.js';

const weekdays: Weekday[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];
const officeHours = (start: string, end: string, days = weekdays): HoursEntry[] => days.map((day) => ({ day, start, end }));
const at = (iso: string) => new Date(iso);
const MIN = 60_000;

describe('working calendar', () => {
  const jakarta = new WorkCalendar({ timezone: 'Asia/Jakarta', hours: officeHours('08:00', '17:00'), holidays: [] });

  it('converts local wall-clock times to UTC in a fixed-offset zone and across DST', () => {
    assert.equal(new Date(wallClockToUtc('Asia/Jakarta', 2026, 11, 27, 0, 16 * 60 + 55)).toISOString(), '2026-11-27T09:55:00.000Z');
    // New York: EDT (UTC-4) before 1 November 2026, EST (UTC-5) after.
    assert.equal(new Date(wallClockToUtc('America/New_York', 2026, 10, 30, 0, 9 * 60)).toISOString(), '2026-10-30T13:00:00.000Z');
    assert.equal(new Date(wallClockToUtc('America/New_York', 2026, 11, 2, 0, 9 * 60)).toISOString(), '2026-11-02T14:00:00.000Z');
    // 24:00 is the next midnight.
    assert.equal(new Date(wallClockToUtc('Asia/Jakarta', 2026, 11, 27, 0, 24 * 60)).toISOString(), '2026-11-27T17:00:00.000Z');
  });

  it('knows when it is open in the tenant timezone', () => {
    assert.equal(jakarta.isOpen(at('2026-11-25T03:00:00Z')), true, 'Wednesday 10:00 WIB');
    assert.equal(jakarta.isOpen(at('2026-11-25T00:59:59Z')), false, 'Wednesday 07:59:59 WIB');
    assert.equal(jakarta.isOpen(at('2026-11-25T01:00:00Z')), true, 'Wednesday 08:00 WIB opens');
    assert.equal(jakarta.isOpen(at('2026-11-25T10:00:00Z')), false, 'Wednesday 17:00 WIB closes');
    assert.equal(jakarta.isOpen(at('2026-11-28T03:00:00Z')), false, 'Saturday');
    assert.equal(WorkCalendar.always().isOpen(at('2026-11-28T03:00:00Z')), true);
  });

  it('Friday 16:55 + 10 working minutes with hours 08:00–17:00 is Monday 08:05 (Asia/Jakarta)', () => {
    const friday = at('2026-11-27T09:55:00Z'); // 16:55 WIB
    const due = jakarta.addWorkingMinutes(friday, 10);
    assert.equal(due?.toISOString(), '2026-11-30T01:05:00.000Z'); // Monday 08:05 WIB
    assert.equal(jakarta.workingMsBetween(friday, due!), 10 * MIN);
    assert.equal(jakarta.workingMsBetween(friday, at('2026-11-30T01:04:59Z')), 9 * MIN + 59_000);
    assert.equal(jakarta.workingMsBetween(friday, at('2026-11-29T12:00:00Z')), 5 * MIN, 'the weekend does not count');
  });

  it('counts across a DST change over the weekend (America/New_York)', () => {
    const ny = new WorkCalendar({ timezone: 'America/New_York', hours: officeHours('09:00', '17:00'), holidays: [] });
    const friday = at('2026-10-30T20:55:00Z'); // Friday 16:55 EDT
    assert.equal(ny.addWorkingMinutes(friday, 10)?.toISOString(), '2026-11-02T14:05:00.000Z'); // Monday 09:05 EST
    assert.equal(ny.isOpen(at('2026-11-02T13:30:00Z')), false, 'Monday 08:30 EST');
    assert.equal(ny.isOpen(at('2026-11-02T14:30:00Z')), true, 'Monday 09:30 EST');
    // A whole-day schedule: the fall-back Sunday has 25 hours, the spring-forward Sunday 23.
    const sundays = new WorkCalendar({
      timezone: 'America/New_York',
      hours: [{ day: 'sunday', start: '00:00', end: '24:00' }],
      holidays: [],
    });
    assert.equal(sundays.workingMsBetween(at('2026-10-31T12:00:00Z'), at('2026-11-03T12:00:00Z')), 25 * 60 * MIN);
    assert.equal(sundays.workingMsBetween(at('2026-03-07T12:00:00Z'), at('2026-03-10T12:00:00Z')), 23 * 60 * MIN);
    // Europe/Berlin leaves summer time on 25 October 2026.
    const berlin = new WorkCalendar({ timezone: 'Europe/Berlin', hours: officeHours('08:00', '17:00'), holidays: [] });
    assert.equal(berlin.addWorkingMinutes(at('2026-10-23T14:55:00Z'), 10)?.toISOString(), '2026-10-26T07:05:00.000Z');
  });

  it('skips holidays and breaks', () => {
    const withHoliday = new WorkCalendar({
      timezone: 'Asia/Jakarta',
      hours: officeHours('08:00', '17:00'),
      holidays: [{ date: '2026-12-25', name: 'Natal' }],
    });
    // Thursday 24 December 16:55 → Friday is Christmas → Monday 28 December 08:05.
    assert.equal(withHoliday.addWorkingMinutes(at('2026-12-24T09:55:00Z'), 10)?.toISOString(), '2026-12-28T01:05:00.000Z');
    assert.equal(withHoliday.isOpen(at('2026-12-25T03:00:00Z')), false);
    assert.equal(withHoliday.holidayAt(at('2026-12-25T03:00:00Z')), 'Natal');
    assert.equal(withHoliday.holidayAt(at('2026-12-24T03:00:00Z')), null);
    const lunch = new WorkCalendar({
      timezone: 'Asia/Jakarta',
      holidays: [],
      hours: [...officeHours('08:00', '12:00'), ...officeHours('13:00', '17:00')],
    });
    assert.equal(lunch.addWorkingMinutes(at('2026-11-25T04:55:00Z'), 10)?.toISOString(), '2026-11-25T06:05:00.000Z'); // 11:55 → 13:05
    assert.equal(lunch.isOpen(at('2026-11-25T05:30:00Z')), false, '12:30 is lunch');
  });

  it('finds the current closed period and the next opening', () => {
    const saturday = at('2026-11-28T03:00:00Z');
    assert.equal(jakarta.closedPeriodStart(saturday)?.toISOString(), '2026-11-27T10:00:00.000Z', 'closed since Friday 17:00');
    assert.equal(
      jakarta.closedPeriodStart(at('2026-11-30T00:30:00Z'))?.toISOString(),
      '2026-11-27T10:00:00.000Z',
      'still the same period on Monday 07:30',
    );
    assert.equal(jakarta.closedPeriodStart(at('2026-11-30T02:00:00Z')), null, 'open on Monday 09:00');
    assert.equal(
      jakarta.closedPeriodStart(at('2026-11-30T11:00:00Z'))?.toISOString(),
      '2026-11-30T10:00:00.000Z',
      'a new period from Monday 17:00',
    );
    assert.equal(jakarta.nextOpening(saturday)?.toISOString(), '2026-11-30T01:00:00.000Z');
    assert.equal(jakarta.closingAt(at('2026-11-30T02:00:00Z'))?.toISOString(), '2026-11-30T10:00:00.000Z');
    assert.equal(jakarta.closingAt(saturday), null);
    const never = new WorkCalendar({ timezone: 'Asia/Jakarta', hours: [], holidays: [] });
    assert.equal(never.isOpen(saturday), false);
    assert.equal(never.addWorkingMinutes(saturday, 10), null);
    assert.equal(never.closedPeriodStart(saturday)?.getTime(), 0);
    assert.equal(never.nextOpening(saturday), null);
  });

  it('validates dates and timezones', () => {
    assert.equal(isValidDate('2026-02-28'), true);
    assert.equal(isValidDate('2026-02-30'), false);
    assert.equal(isValidDate('26-2-3'), false);
    assert.equal(canonicalTimezone('asia/jakarta'), 'Asia/Jakarta');
    assert.equal(canonicalTimezone('Mars/Olympus_Mons'), null);
  });
});

describe('SLA computation', () => {
  const cal = new WorkCalendar({ timezone: 'Asia/Jakarta', hours: officeHours('08:00', '17:00'), holidays: [] });
  const targets = { firstResponseMinutes: 10, resolutionMinutes: 60, atRiskPercent: 80 };
  const start = at('2026-11-27T09:55:00Z'); // Friday 16:55 WIB

  it('is on track over the weekend, at risk near the target, breached at Monday 08:05 and not before', () => {
    const state = (now: string) => computeSla(targets, cal, { start, firstResponseAt: null, closedAt: null, now: at(now) });
    const saturday = state('2026-11-28T05:00:00Z');
    assert.equal(saturday.status, 'on_track');
    assert.equal(saturday.firstResponse?.elapsedMinutes, 5);
    assert.equal(saturday.firstResponse?.dueAt?.toISOString(), '2026-11-30T01:05:00.000Z');
    assert.equal(saturday.nextDueAt?.toISOString(), '2026-11-30T01:05:00.000Z');
    assert.equal(state('2026-11-30T01:03:00Z').firstResponse?.status, 'at_risk');
    assert.equal(state('2026-11-30T01:04:59.999Z').firstResponse?.status, 'at_risk');
    const breached = state('2026-11-30T01:05:00Z');
    assert.equal(breached.firstResponse?.status, 'breached');
    assert.equal(breached.status, 'breached');
    assert.equal(breached.resolution?.status, 'on_track');
  });

  it('stops the first-response clock at the first reply and the resolution clock at closing', () => {
    const replied = computeSla(targets, cal, {
      start,
      firstResponseAt: at('2026-11-27T09:58:00Z'),
      closedAt: null,
      now: at('2026-11-30T01:30:00Z'),
    });
    assert.equal(replied.firstResponse?.status, 'met');
    assert.equal(replied.firstResponse?.remainingMinutes, null);
    assert.equal(replied.resolution?.status, 'on_track', 'Monday 08:30: 35 of 60 working minutes');
    assert.equal(replied.resolution?.remainingMinutes, 25);
    assert.equal(replied.nextDueAt?.toISOString(), '2026-11-30T01:55:00.000Z');
  });

  it('marks late replies breached and everything met when in time', () => {
    const late = computeSla(targets, cal, {
      start,
      firstResponseAt: at('2026-11-30T01:06:00Z'),
      closedAt: at('2026-11-30T01:30:00Z'),
      now: at('2026-12-02T00:00:00Z'),
    });
    assert.equal(late.firstResponse?.status, 'breached');
    assert.equal(late.resolution?.status, 'met');
    assert.equal(late.status, 'breached');
    const fine = computeSla(targets, cal, {
      start,
      firstResponseAt: at('2026-11-27T09:56:00Z'),
      closedAt: at('2026-11-27T09:59:00Z'),
      now: at('2026-12-02T00:00:00Z'),
    });
    assert.equal(fine.status, 'met');
    assert.equal(fine.nextDueAt, null);
  });
});
