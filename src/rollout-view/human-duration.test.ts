import { describe, expect, it } from 'vitest';
import { humanDuration } from './human-duration.js';

// apimachinery's duration.HumanDuration, which kubectl and Argo's plugin print ages with.
describe('humanDuration', () => {
  it.each([
    [-5, '<invalid>'],
    [-1, '0s'],
    [0, '0s'],
    [119, '119s'],
    [120, '2m'],
    [192, '3m12s'],
    [47 * 60, '47m'],
    [3 * 3600 + 5 * 60, '3h5m'],
    [5 * 3600, '5h'],
    [20 * 3600 + 59 * 60, '20h'],
    [3 * 86400 + 4 * 3600, '3d4h'],
    [3 * 86400, '3d'],
    [40 * 86400, '40d'],
    [3 * 365 * 86400 + 2 * 86400, '3y2d'],
    [9 * 365 * 86400, '9y'],
  ])('%i s is %s', (seconds, text) => {
    expect(humanDuration(seconds * 1000)).toBe(text);
  });
});
