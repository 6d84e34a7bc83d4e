import { describe, expect, test } from 'vitest';
import type { RolloutCondition } from '../api/index.js';
import { MESSAGES, REASONS, formatTime, newCondition, removeCondition, setCondition } from './conditions.js';

const t0 = new Date('2026-01-01T00:00:00.250Z');
const t1 = new Date('2026-01-01T00:05:00Z');

const progressing = (status: string, reason: string, at = '2026-01-01T00:00:00Z'): RolloutCondition => ({
  type: 'Progressing',
  status,
  reason,
  message: 'm',
  lastUpdateTime: at,
  lastTransitionTime: at,
});

describe('setCondition (Argo SetRolloutCondition)', () => {
  test.each([
    {
      name: 'adds a missing condition stamped now',
      before: [],
      condition: { type: 'Available', status: 'True', reason: 'AvailableReason', message: 'x' },
      changed: true,
      expected: { lastTransitionTime: '2026-01-01T00:05:00Z', lastUpdateTime: '2026-01-01T00:05:00Z' },
    },
    {
      name: 'same status and reason: nothing changes, not even the message',
      before: [progressing('True', 'ReplicaSetUpdated')],
      condition: { ...progressing('True', 'ReplicaSetUpdated', '2026-01-01T00:05:00Z'), message: 'other' },
      changed: false,
      expected: { message: 'm', lastUpdateTime: '2026-01-01T00:00:00Z' },
    },
    {
      name: 'same status, new reason: keeps lastTransitionTime',
      before: [progressing('True', 'ReplicaSetUpdated')],
      condition: newCondition('Progressing', 'True', 'NewReplicaSetAvailable', 'done', t1),
      changed: true,
      expected: { reason: 'NewReplicaSetAvailable', lastTransitionTime: '2026-01-01T00:00:00Z', lastUpdateTime: '2026-01-01T00:05:00Z' },
    },
    {
      name: 'new status: new lastTransitionTime',
      before: [progressing('True', 'ReplicaSetUpdated')],
      condition: newCondition('Progressing', 'False', 'ProgressDeadlineExceeded', 'late', t1),
      changed: true,
      expected: { status: 'False', lastTransitionTime: '2026-01-01T00:05:00Z' },
    },
  ])('$name', ({ before, condition, changed, expected }) => {
    const result = setCondition(before, condition, t1);
    expect(result.changed).toBe(changed);
    expect(result.conditions.find((c) => c.type === condition.type)).toMatchObject(expected);
  });

  test('a changed condition moves to the end, as Argo appends it', () => {
    const before = [progressing('True', 'ReplicaSetUpdated'), { type: 'Available', status: 'True', reason: 'AvailableReason' }];
    const { conditions } = setCondition(before, newCondition('Progressing', 'False', 'RolloutAborted', 'a', t1), t1);
    expect(conditions.map((c) => c.type)).toEqual(['Available', 'Progressing']);
    expect(removeCondition(conditions, 'Progressing').map((c) => c.type)).toEqual(['Available']);
  });

  test('times are whole-second RFC 3339 UTC, like metav1.Time', () => {
    expect(formatTime(t0)).toBe('2026-01-01T00:00:00Z');
  });
});

describe("Argo's messages", () => {
  test.each([
    [MESSAGES.newReplicaSet('demo-abc'), 'Created new replica set "demo-abc"'],
    [MESSAGES.newReplicaSetDetailed('demo-abc', 2), 'Created ReplicaSet demo-abc (revision 2)'],
    [MESSAGES.rolloutUpdated('2'), 'Rollout updated to revision 2'],
    [MESSAGES.scalingReplicaSet('up', 'demo-abc', 2, 0, 1), 'Scaled up ReplicaSet demo-abc (revision 2) from 0 to 1'],
    [MESSAGES.rolloutStepCompleted(1, 4, 'setWeight: 20'), 'Rollout step 1/4 completed (setWeight: 20)'],
    [
      MESSAGES.rolloutCompleted(2, 'abc', 'Completed all 4 canary steps'),
      'Rollout completed update to revision 2 (abc): Completed all 4 canary steps',
    ],
    [MESSAGES.rolloutAborted(3), 'Rollout aborted update to revision 3'],
    [MESSAGES.replicaSetTimeOut('demo-abc'), 'ReplicaSet "demo-abc" has timed out progressing.'],
    [MESSAGES.replicaSetCompleted('demo-abc'), 'ReplicaSet "demo-abc" has successfully progressed.'],
    [MESSAGES.rolloutNotCompleted(2, 'abc'), 'Rollout not completed, started update to revision 2 (abc)'],
  ])('%s', (actual, expected) => {
    expect(actual).toBe(expected);
  });

  test('reasons', () => {
    expect(REASONS).toMatchObject({
      newReplicaSetCreated: 'NewReplicaSetCreated',
      foundNewReplicaSet: 'FoundNewReplicaSet',
      replicaSetUpdated: 'ReplicaSetUpdated',
      newReplicaSetAvailable: 'NewReplicaSetAvailable',
      rolloutPaused: 'RolloutPaused',
      rolloutResumed: 'RolloutResumed',
      rolloutAborted: 'RolloutAborted',
      rolloutRetry: 'RolloutRetry',
      progressDeadlineExceeded: 'ProgressDeadlineExceeded',
      rolloutCompleted: 'RolloutCompleted',
      available: 'AvailableReason',
    });
  });
});
