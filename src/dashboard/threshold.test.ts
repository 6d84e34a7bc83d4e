import { describe, expect, it } from 'vitest';
import { metricThreshold, parseThreshold } from './threshold.js';

describe('parseThreshold', () => {
  it.each([
    ['result[0] >= 0.90', { operator: '>=', value: 0.9 }],
    ['result >= 0.95', { operator: '>=', value: 0.95 }],
    ['  result[0]<5 ', { operator: '<', value: 5 }],
    ['result[0] == 1', { operator: '==', value: 1 }],
    ['result != -2.5e1', { operator: '!=', value: -25 }],
    ['(result[0] > .5)', { operator: '>', value: 0.5 }],
    ['0.95 <= result[0]', { operator: '>=', value: 0.95 }],
    ['10 > result', { operator: '<', value: 10 }],
    // A guard for a measurement without a number does not change the line the numbers are held to.
    ['len(result) == 0 || result[0] >= 0.95', { operator: '>=', value: 0.95 }],
    ['isNaN(result[0]) || result[0] < 3', { operator: '<', value: 3 }],
    ['result[0] >= 0.9 || isNil(result)', { operator: '>=', value: 0.9 }],
  ])('%s is one line', (condition, expected) => {
    expect(parseThreshold(condition, 'success')).toEqual({ ...expected, from: 'success' });
  });

  it.each([
    ['result[0] >= 0.9 && result[0] < 2'],
    ['result[0] >= 0.9 || result[0] < 0.1'],
    ['len(result) == 0 || len(result) == 0'],
    ['len(result) > 3 || result[0] >= 0.9'],
    ['result == true'],
    ['all(result, {# > 0.9})'],
    ['result[1] >= 0.9'],
    ['isNaN(result)'],
    [''],
  ])('%s has no single line', (condition) => {
    expect(parseThreshold(condition, 'success')).toBeUndefined();
  });

  it('is undefined without a condition', () => {
    expect(parseThreshold(undefined, 'failure')).toBeUndefined();
  });
});

describe('metricThreshold', () => {
  it.each([
    ['result[0] >= 0.9', 'result[0] < 0.5', { operator: '>=', value: 0.9, from: 'success' }],
    [undefined, 'result[0] < 0.5', { operator: '<', value: 0.5, from: 'failure' }],
    ['len(result) > 0', 'result > 3', { operator: '>', value: 3, from: 'failure' }],
    [undefined, undefined, undefined],
  ])('success %s, failure %s', (success, failure, expected) => {
    expect(metricThreshold(success, failure)).toEqual(expected);
  });
});
