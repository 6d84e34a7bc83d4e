import { describe, expect, it } from 'vitest';
import { activeFreeze } from './active-freeze.js';
import { formatInstant } from './format-instant.js';
import type { FixedFreezeWindow, RecurringFreezeWindow } from './types.js';

function recurring(name: string, schedule: string, hours: number, timeZone = 'UTC'): RecurringFreezeWindow {
  return { kind: 'recurring', name, schedule, durationSeconds: hours * 3600, timeZone, source: '.gradual.yml:1' };
}

function fixed(name: string, start: string, end: string, timeZone = 'UTC'): FixedFreezeWindow {
  return { kind: 'fixed', name, start: new Date(start), end: new Date(end), timeZone, source: '.gradual.yml:1' };
}

// Friday 18:00 in Berlin for 62 hours: the weekend freeze. On 2026-10-25 Berlin leaves summer time
// (03:00 CEST becomes 02:00 CET), so that weekend's Friday 18:00 is 16:00 UTC and the freeze ends
// 62 elapsed hours later, Monday 06:00 UTC, which is 07:00 in Berlin (not 08:00 as in summer).
const weekend = recurring('weekend', '0 18 * * FRI', 62, 'Europe/Berlin');

describe('activeFreeze', () => {
  it.each([
    { at: '2026-10-23T15:59:59.999Z', endsAt: undefined, why: 'a millisecond before Friday 18:00 CEST' },
    { at: '2026-10-23T16:00:00.000Z', endsAt: '2026-10-26T06:00:00.000Z', why: 'exactly at the start (included)' },
    { at: '2026-10-25T00:30:00.000Z', endsAt: '2026-10-26T06:00:00.000Z', why: 'during the first 02:30 of the night the clocks go back' },
    { at: '2026-10-25T01:30:00.000Z', endsAt: '2026-10-26T06:00:00.000Z', why: 'during the second 02:30' },
    { at: '2026-10-26T05:59:59.999Z', endsAt: '2026-10-26T06:00:00.000Z', why: 'a millisecond before the end' },
    { at: '2026-10-26T06:00:00.000Z', endsAt: undefined, why: 'exactly at the end (excluded)' },
    // The next Friday is in winter time: 18:00 CET is 17:00 UTC.
    { at: '2026-10-30T16:30:00.000Z', endsAt: undefined, why: 'Friday 17:30 CET, before the winter start' },
    { at: '2026-10-30T17:00:00.000Z', endsAt: '2026-11-02T07:00:00.000Z', why: 'Friday 18:00 CET' },
    // Spring: on 2027-03-28 Berlin skips 02:00-03:00; the freeze from Friday 18:00 CET (17:00 UTC) lasts 62 elapsed hours.
    { at: '2027-03-29T06:59:59.000Z', endsAt: '2027-03-29T07:00:00.000Z', why: 'the end of a weekend the clocks go forward' },
    { at: '2027-03-29T07:00:00.000Z', endsAt: undefined, why: 'the end of that weekend, 09:00 CEST' },
  ])('weekend freeze across DST: $why', ({ at, endsAt }) => {
    const freeze = activeFreeze([weekend], new Date(at));
    expect(freeze === undefined ? undefined : freeze.endsAt.toISOString()).toBe(endsAt);
    if (freeze !== undefined) expect(freeze.window).toBe(weekend);
  });

  it('names the end in the window time zone, with the clocks as they will be then', () => {
    const freeze = activeFreeze([weekend], new Date('2026-10-24T12:00:00Z'));
    expect(freeze === undefined ? undefined : formatInstant(freeze.endsAt, freeze.window.timeZone)).toBe('2026-10-26 07:00 Europe/Berlin');
  });

  it.each([
    { at: '2026-12-19T22:59:59.999Z', active: false },
    { at: '2026-12-19T23:00:00.000Z', active: true },
    { at: '2027-01-03T22:59:59.999Z', active: true },
    { at: '2027-01-03T23:00:00.000Z', active: false },
  ])('a fixed window from its start (included) to its end (excluded): $at', ({ at, active }) => {
    const yearEnd = fixed('year-end', '2026-12-19T23:00:00Z', '2027-01-03T23:00:00Z', 'Europe/Berlin');
    expect(activeFreeze([yearEnd], new Date(at))).toEqual(active ? { window: yearEnd, endsAt: yearEnd.end } : undefined);
  });

  it('runs on through windows that overlap or touch, and names the one active now that lasts longest', () => {
    const nightly = recurring('nightly', '0 22 * * *', 10); // 22:00 to 08:00 UTC
    const release = fixed('release', '2026-06-02T07:00:00Z', '2026-06-02T09:00:00Z');
    const touching = fixed('audit', '2026-06-02T09:00:00Z', '2026-06-02T12:00:00Z');
    const later = fixed('later', '2026-06-02T12:00:01Z', '2026-06-02T13:00:00Z');
    const freeze = activeFreeze([nightly, release, touching, later], new Date('2026-06-02T07:30:00Z'));
    expect(freeze).toEqual({ window: release, endsAt: new Date('2026-06-02T12:00:00Z') });
  });

  it('chains the occurrences of one schedule whose duration is longer than its period', () => {
    // From 10:00 to 23:00 on 2026-06-02, each hour on the hour for 90 minutes: one freeze until 00:30 the next day.
    const hourly = recurring('busy-day', '0 10-23 2 6 *', 1.5);
    expect(activeFreeze([hourly], new Date('2026-06-02T10:00:00Z'))?.endsAt.toISOString()).toBe('2026-06-03T00:30:00.000Z');
  });

  it('is undefined without windows', () => {
    expect(activeFreeze([], new Date('2026-06-02T10:00:00Z'))).toBeUndefined();
  });
});
