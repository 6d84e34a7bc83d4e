import { describe, expect, it } from 'vitest';
import { blueGreenMaxUnavailable, canaryFenceposts, resolveFenceposts, scaledValueFromIntOrPercent } from './int-or-percent.js';

describe('scaledValueFromIntOrPercent', () => {
  it.each([
    { value: 3, total: 10, roundUp: true, expected: 3 },
    { value: 3, total: 1, roundUp: false, expected: 3 },
    { value: 0, total: 10, roundUp: true, expected: 0 },
    { value: '25%', total: 1, roundUp: true, expected: 1 },
    { value: '25%', total: 1, roundUp: false, expected: 0 },
    { value: '25%', total: 3, roundUp: true, expected: 1 },
    { value: '25%', total: 3, roundUp: false, expected: 0 },
    { value: '25%', total: 5, roundUp: true, expected: 2 },
    { value: '25%', total: 5, roundUp: false, expected: 1 },
    { value: '25%', total: 10, roundUp: true, expected: 3 },
    { value: '25%', total: 10, roundUp: false, expected: 2 },
    { value: '39%', total: 10, roundUp: true, expected: 4 },
    { value: '39%', total: 10, roundUp: false, expected: 3 },
    { value: '100%', total: 7, roundUp: false, expected: 7 },
    { value: '150%', total: 4, roundUp: true, expected: 6 },
    { value: '0%', total: 10, roundUp: true, expected: 0 },
    { value: '25%', total: 0, roundUp: true, expected: 0 },
    // Argo's own default is the bare string "25", which its (deprecated) resolver reads as 25 %.
    { value: '25', total: 10, roundUp: true, expected: 3 },
    { value: '+20%', total: 10, roundUp: false, expected: 2 },
  ])('$value of $total (round up: $roundUp) → $expected', ({ value, total, roundUp, expected }) => {
    expect(scaledValueFromIntOrPercent(value, total, roundUp)).toBe(expected);
  });

  it.each(['oops', '', ' 25%', '2.5%', '25 %', '%', '25%x'])('rejects the string %j', (value) => {
    expect(() => scaledValueFromIntOrPercent(value, 10, true)).toThrow(RangeError);
  });

  it.each([2.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects the number %d', (value) => {
    expect(() => scaledValueFromIntOrPercent(value, 10, true)).toThrow(RangeError);
  });
});

describe('resolveFenceposts', () => {
  // The first two rows are Argo's TestResolveFenceposts.
  it.each([
    { surge: '0%', unavailable: '0%', replicas: 0, expected: { maxSurge: 0, maxUnavailable: 1 } },
    { surge: '39%', unavailable: '39%', replicas: 10, expected: { maxSurge: 4, maxUnavailable: 3 } },
    { surge: '10%', unavailable: '10%', replicas: 3, expected: { maxSurge: 1, maxUnavailable: 0 } },
    { surge: 0, unavailable: '10%', replicas: 3, expected: { maxSurge: 0, maxUnavailable: 1 } },
    { surge: 0, unavailable: 0, replicas: 5, expected: { maxSurge: 0, maxUnavailable: 1 } },
    { surge: 2, unavailable: 0, replicas: 5, expected: { maxSurge: 2, maxUnavailable: 0 } },
  ])('$surge/$unavailable of $replicas → $expected', ({ surge, unavailable, replicas, expected }) => {
    expect(resolveFenceposts(surge, unavailable, replicas)).toEqual(expected);
  });
});

describe('canaryFenceposts', () => {
  it('defaults both to 25 %', () => {
    expect(canaryFenceposts(10)).toEqual({ maxSurge: 3, maxUnavailable: 2 });
    expect(canaryFenceposts(1)).toEqual({ maxSurge: 1, maxUnavailable: 0 });
  });

  // Argo's TestMaxSurge and TestMaxUnavailable (canary rows).
  it.each([
    { replicas: 10, surge: 5, unavailable: 1, expected: { maxSurge: 5, maxUnavailable: 1 } },
    { replicas: 10, surge: '50%', unavailable: 1, expected: { maxSurge: 5, maxUnavailable: 1 } },
    { replicas: 10, surge: 1, unavailable: 5, expected: { maxSurge: 1, maxUnavailable: 5 } },
    { replicas: 10, surge: 1, unavailable: 10, expected: { maxSurge: 1, maxUnavailable: 10 } },
    { replicas: 5, surge: 1, unavailable: 10, expected: { maxSurge: 1, maxUnavailable: 5 } },
    { replicas: 0, surge: 1, unavailable: 10, expected: { maxSurge: 1, maxUnavailable: 0 } },
    { replicas: 10, surge: 1, unavailable: '50%', expected: { maxSurge: 1, maxUnavailable: 5 } },
    { replicas: 10, surge: 1, unavailable: '100%', expected: { maxSurge: 1, maxUnavailable: 10 } },
    { replicas: 5, surge: 1, unavailable: '100%', expected: { maxSurge: 1, maxUnavailable: 5 } },
  ])('$replicas replicas, $surge/$unavailable → $expected', ({ replicas, surge, unavailable, expected }) => {
    expect(canaryFenceposts(replicas, surge, unavailable)).toEqual(expected);
  });
});

describe('blueGreenMaxUnavailable', () => {
  it.each([
    // Argo's TestMaxUnavailable blue-green row: default replicas (1) and default 25 % → 0.
    { replicas: 1, value: undefined, expected: 0 },
    { replicas: 10, value: undefined, expected: 2 },
    { replicas: 10, value: 0, expected: 0 },
    { replicas: 4, value: 9, expected: 4 },
    { replicas: 0, value: 3, expected: 0 },
  ])('$replicas replicas, $value → $expected (no both-zero rule)', ({ replicas, value, expected }) => {
    expect(blueGreenMaxUnavailable(replicas, value)).toBe(expected);
  });
});
