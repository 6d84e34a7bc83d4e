import { describe, expect, it } from 'vitest';
import { analysisRunView, firstNumber, measurementPoints } from './measurement-series.js';

describe('firstNumber', () => {
  it.each([
    ['[0.95]', 0.95],
    ['[0.5,0.7]', 0.5],
    ['["0.93"]', 0.93],
    ['0.97', 0.97],
    ['"12"', 12],
    ['[]', null],
    ['true', null],
    ['[NaN]', null],
    ['NaN', null],
    ['', null],
    [undefined, null],
  ])('%s → %s', (raw, expected) => {
    expect(firstNumber(raw)).toBe(expected);
  });
});

describe('measurementPoints', () => {
  it('gives one point per timed measurement, in order, keeping errors as gaps', () => {
    expect(
      measurementPoints([
        { phase: 'Successful', value: '[0.95]', startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:01Z' },
        { phase: 'Error', message: 'connection refused', startedAt: '2026-01-01T00:00:02Z' },
        { phase: 'Failed', value: '[0.5]', finishedAt: '2026-01-01T00:00:03Z' },
        { phase: 'Pending' },
      ]),
    ).toEqual([
      { at: Date.parse('2026-01-01T00:00:01Z'), value: 0.95, phase: 'Successful', raw: '[0.95]' },
      { at: Date.parse('2026-01-01T00:00:02Z'), value: null, phase: 'Error', raw: 'connection refused' },
      { at: Date.parse('2026-01-01T00:00:03Z'), value: 0.5, phase: 'Failed', raw: '[0.5]' },
    ]);
  });
});

describe('analysisRunView', () => {
  it('draws every metric of the spec, with its threshold, even before it was measured', () => {
    const view = analysisRunView({
      metadata: { name: 'web-abc-2-3' },
      spec: {
        metrics: [
          { name: 'success-rate', successCondition: 'result[0] >= 0.90' },
          { name: 'health', successCondition: 'result == true' },
        ],
      },
      status: {
        phase: 'Running',
        metricResults: [
          {
            name: 'success-rate',
            phase: 'Running',
            measurements: [{ phase: 'Successful', value: '[0.99]', finishedAt: '2026-01-01T00:00:01Z' }],
          },
        ],
      },
    });
    expect(view).toEqual({
      name: 'web-abc-2-3',
      phase: 'Running',
      message: '',
      charts: [
        {
          metric: 'success-rate',
          phase: 'Running',
          condition: 'result[0] >= 0.90',
          threshold: { operator: '>=', value: 0.9, from: 'success' },
          points: [{ at: Date.parse('2026-01-01T00:00:01Z'), value: 0.99, phase: 'Successful', raw: '[0.99]' }],
        },
        { metric: 'health', phase: 'Pending', condition: 'result == true', threshold: undefined, points: [] },
      ],
    });
  });
});
