import { describe, expect, it } from 'vitest';
import { parseGoDuration, pauseDurationSeconds } from './duration.js';

describe('parseGoDuration (Go time.ParseDuration, in seconds)', () => {
  it.each([
    ['30s', 30],
    ['5m', 300],
    ['1h30m', 5400],
    ['1.5h', 5400],
    ['2h45m10s', 9910],
    ['300ms', 0.3],
    ['1500us', 0.0015],
    ['1µs', 1e-6],
    ['-1m', -60],
    ['+5s', 5],
    ['0', 0],
    ['1.h', 3600],
    ['.5m', 30],
    ['10ns', 1e-8],
  ])('%s is %d', (text, seconds) => {
    expect(parseGoDuration(text)).toBeCloseTo(seconds, 12);
  });

  it.each(['', '5', '1d', '5 s', '.s', 's', '1h 30m', '--1s', 'soon'])('%j is not a duration', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});

describe('pauseDurationSeconds (Argo: integer seconds, numeric string, or Go duration truncated)', () => {
  it.each([
    [30, 30],
    ['30', 30],
    ['+30', 30],
    ['-5', -5],
    ['30s', 30],
    ['1m30s', 90],
    ['1500ms', 1],
    ['999ms', 0],
    ['1h', 3600],
  ] as const)('%j is %d seconds', (duration, seconds) => {
    expect(pauseDurationSeconds(duration)).toBe(seconds);
  });

  it.each(['soon', '30 s', '', '99999999999'])('%j is invalid', (duration) => {
    expect(pauseDurationSeconds(duration)).toBeUndefined();
  });
});
