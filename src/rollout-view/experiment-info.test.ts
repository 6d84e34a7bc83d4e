import { describe, expect, it } from 'vitest';
import { experimentInfo, experimentTimeLeft, type ExperimentObject } from './experiment-info.js';

const base: ExperimentObject = {
  metadata: { name: 'exp' },
  spec: { duration: '10m', templates: [{ name: 'baseline' }, { name: 'canary' }], analyses: [{ name: 'a', requiredForCompletion: true }] },
};

describe('experimentInfo', () => {
  it('lists every template and analysis of the spec, Pending before the controller wrote a status', () => {
    const info = experimentInfo(base, []);
    expect(info.status).toBe('Pending');
    expect(info.templates.map((template) => [template.name, template.replicaSet, template.status])).toEqual([
      ['baseline', 'exp-baseline', 'Pending'],
      ['canary', 'exp-canary', 'Pending'],
    ]);
    expect(info.analyses).toMatchObject([{ name: 'a', analysisRun: '', status: 'Pending', requiredForCompletion: true }]);
    expect([info.availableAt, info.endsAt]).toEqual([undefined, undefined]);
  });

  it('sums the counts of the run its status names, and no other', () => {
    const info = experimentInfo({ ...base, status: { analysisRuns: [{ name: 'a', analysisRun: 'exp-a', phase: 'Failed' }] } }, [
      { metadata: { name: 'exp-a' }, status: { metricResults: [{ successful: 1, failed: 2 }, { error: 1 }] } },
      { metadata: { name: 'other' }, status: { metricResults: [{ successful: 9 }] } },
    ]);
    expect(info.analyses[0]).toMatchObject({ status: 'Failed', icon: '✖', successful: 1, failed: 2, inconclusive: 0, error: 1 });
  });
});

describe('experimentTimeLeft', () => {
  const available = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    [
      'no duration',
      { duration: undefined, endsAt: undefined, finished: false },
      0,
      'no duration: runs until its analyses complete or it is terminated',
    ],
    [
      'not yet available',
      { duration: '10m', endsAt: undefined, finished: false },
      0,
      'duration 10m, counted from when every template is available',
    ],
    ['running', { duration: '10m', endsAt: available + 600_000, finished: false }, available + 45_000, 'duration 10m, 9m15s left'],
    ['passed', { duration: '10m', endsAt: available + 600_000, finished: false }, available + 600_000, 'duration 10m, passed'],
    ['finished', { duration: '10m', endsAt: available + 600_000, finished: true }, available, 'duration 10m'],
  ])('%s', (_, info, now, text) => {
    expect(experimentTimeLeft(info, now)).toBe(text);
  });

  it('counts from availableAt with the Go duration', () => {
    const info = experimentInfo(
      { ...base, spec: { ...base.spec, duration: '1h30m' }, status: { phase: 'Running', availableAt: '2026-01-01T00:00:00Z' } },
      [],
    );
    expect(info.endsAt).toBe(available + 5_400_000);
    expect(experimentTimeLeft(info, available + 3_600_000)).toBe('duration 1h30m, 30m left');
  });
});
