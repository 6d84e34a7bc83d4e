import type { V1ReplicaSet } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import { withDefaults, type RolloutStatus } from '../api/index.js';
import {
  isAborted,
  noPauseDecisions,
  rolloutConditions,
  stateChangeEvents,
  waitingForScaleDown,
  withPauseStatus,
  type ConditionsInput,
} from './rollout-status.js';
import { canaryRollout } from './testing/fixtures.js';

const now = new Date('2026-01-01T00:20:00Z');
const olderWith = (annotations: Record<string, string> | undefined): V1ReplicaSet => ({
  metadata: { name: 'old', ...(annotations === undefined ? {} : { annotations }) },
});

describe('waitingForScaleDown (Argo HasScaleDownDeadline over the older ReplicaSets)', () => {
  test.each([
    { name: 'no annotation', annotations: undefined, waiting: false },
    // The two strategies' copies disagreed here (the canary's counted an empty value); Argo compares with "".
    { name: 'an empty deadline', annotations: { 'scale-down-deadline': '' }, waiting: false },
    { name: 'a deadline', annotations: { 'scale-down-deadline': '2026-01-01T00:00:30Z' }, waiting: true },
  ])('$name → $waiting', ({ annotations, waiting }) => {
    expect(waitingForScaleDown({ others: [olderWith(annotations)] })).toBe(waiting);
  });
});

describe('withPauseStatus (Argo CalculatePauseStatus), one implementation for both strategies', () => {
  test('an abort replaces the pause fields and keeps the first abortedAt', () => {
    const observed: RolloutStatus = {
      pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-01-01T00:00:00Z' }],
      controllerPause: true,
    };
    const decisions = { ...noPauseDecisions(), addAbort: true };
    expect(withPauseStatus({ ...observed, replicas: 3 }, observed, decisions, now)).toEqual({
      replicas: 3,
      abort: true,
      abortedAt: '2026-01-01T00:20:00Z',
    });
    expect(withPauseStatus({}, { abort: true, abortedAt: '2026-01-01T00:01:00Z' }, noPauseDecisions(), now)).toEqual({
      abort: true,
      abortedAt: '2026-01-01T00:01:00Z',
    });
  });

  test('retry’s abort: false stays; a new pause is stamped now and sets controllerPause; a removed one goes', () => {
    const observed: RolloutStatus = { abort: false, pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-01-01T00:00:00Z' }] };
    const decisions = { ...noPauseDecisions(), addPause: ['InconclusiveAnalysisRun' as const], removePause: ['CanaryPauseStep' as const] };
    expect(withPauseStatus({}, observed, decisions, now)).toEqual({
      abort: false,
      pauseConditions: [{ reason: 'InconclusiveAnalysisRun', startTime: '2026-01-01T00:20:00Z' }],
      controllerPause: true,
    });
    expect(withPauseStatus({}, observed, { ...noPauseDecisions(), clearPause: true }, now)).toEqual({ abort: false });
  });
});

describe('stateChangeEvents (Argo sendStateChangeEvents)', () => {
  test.each([
    {
      name: 'paused',
      previous: {},
      next: { pauseConditions: [{ reason: 'CanaryPauseStep', startTime: 'x' }] },
      reasons: ['RolloutPaused'],
    },
    {
      name: 'resumed',
      previous: { pauseConditions: [{ reason: 'CanaryPauseStep', startTime: 'x' }] },
      next: {},
      reasons: ['RolloutResumed'],
    },
    {
      name: 'unpaused by an abort: no resume',
      previous: { pauseConditions: [{ reason: 'CanaryPauseStep', startTime: 'x' }] },
      next: { abortedAt: 'x' },
      reasons: [],
    },
    { name: 'no change', previous: {}, next: {}, reasons: [] },
  ])('$name', ({ previous, next, reasons }) => {
    expect(stateChangeEvents(previous, next).map((event) => event.reason)).toEqual(reasons);
  });
});

describe('rolloutConditions (Argo calculateRolloutConditions), shared by both strategies', () => {
  const rollout = canaryRollout({ steps: [{ setWeight: 50 }] });
  const timedOutAt = '2026-01-01T00:00:00Z';
  rollout.status = {
    observedGeneration: '1',
    currentStepIndex: 0,
    conditions: [
      {
        type: 'Progressing',
        status: 'True',
        reason: 'ReplicaSetUpdated',
        message: 'm',
        lastUpdateTime: timedOutAt,
        lastTransitionTime: timedOutAt,
      },
    ],
  };
  const newRS: V1ReplicaSet = { metadata: { name: 'demo-abc', annotations: { 'rollout.argoproj.io/revision': '2' } } };
  const input = (overrides: Partial<ConditionsInput> = {}): ConditionsInput => ({
    rollout,
    spec: withDefaults(rollout.spec),
    decisions: noPauseDecisions(),
    replicaSets: { newRS, stableRS: undefined, others: [], all: [newRS] },
    now,
    isPaused: false,
    healthy: false,
    progressing: false,
    available: false,
    ...overrides,
  });

  test('past the progress deadline: ProgressDeadlineExceeded, and the strategy’s hook records its Events in place', () => {
    const decisions = noPauseDecisions();
    const { conditions, events } = rolloutConditions(
      input({
        decisions,
        onProgressDeadlineExceeded: (message) => {
          decisions.addAbort = true;
          return [{ type: 'Warning', reason: 'RolloutAborted', message }];
        },
      }),
      rollout.status ?? {},
    );
    expect(conditions.find((condition) => condition.type === 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
    });
    expect(events.map((event) => event.reason)).toEqual(['RolloutAborted', 'RolloutNotCompleted']);
    expect(isAborted(decisions, {})).toBe(true);
  });

  test('waiting for an older ReplicaSet’s scale-down holds the deadline', () => {
    const older = olderWith({ 'scale-down-deadline': '2026-01-01T00:21:00Z' });
    const { conditions } = rolloutConditions(
      input({ replicaSets: { newRS, stableRS: undefined, others: [older], all: [newRS, older] } }),
      rollout.status ?? {},
    );
    expect(conditions.find((condition) => condition.type === 'Progressing')?.reason).toBe('ReplicaSetUpdated');
  });
});
