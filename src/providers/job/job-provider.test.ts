import { describe, expect, test } from 'vitest';
import { jobName, jobVerdict } from './job-provider.js';

describe('jobVerdict: a Job as a measurement', () => {
  test.each([
    ['complete', [{ type: 'Complete', status: 'True' }], { kind: 'verdict', phase: 'Successful' }],
    ['success criteria met (Kubernetes 1.31+)', [{ type: 'SuccessCriteriaMet', status: 'True' }], { kind: 'verdict', phase: 'Successful' }],
    [
      'failed, with its message',
      [{ type: 'Failed', status: 'True', message: 'Job has reached the specified backoff limit' }],
      { kind: 'verdict', phase: 'Failed', message: 'Job has reached the specified backoff limit' },
    ],
    [
      'failed wins over a stale complete',
      [
        { type: 'Complete', status: 'True' },
        { type: 'Failed', status: 'True' },
      ],
      { kind: 'verdict', phase: 'Failed', message: 'job j failed' },
    ],
    ['still running', [], { kind: 'running' }],
    ['a condition that is False', [{ type: 'Complete', status: 'False' }], { kind: 'running' }],
  ])('%s', (_name, conditions, expected) => {
    expect(
      jobVerdict({
        metadata: { name: 'j' },
        status: { conditions: conditions.map((condition) => ({ ...condition, lastTransitionTime: new Date(0) })) },
      }),
    ).toEqual(expected);
  });

  test('a Job that is gone is an Error measurement', () => {
    expect(jobVerdict(undefined)).toEqual({ kind: 'error', message: 'job not found' });
  });

  test("Jobs are named like Argo's: run uid, metric, measurement number", () => {
    expect(jobName('4f1c', 'e2e', 3)).toBe('4f1c.e2e.3');
  });
});
