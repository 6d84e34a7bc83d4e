import { describe, expect, it } from 'vitest';
import {
  blueGreenNewReplicas,
  blueGreenReplicaSets,
  formatScaleDownDeadline,
  parseRfc3339,
  type BlueGreenInput,
  type BlueGreenReplicaSet,
} from './blue-green-replica-counts.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const at = (seconds: number): string => formatScaleDownDeadline(NOW + seconds * 1000);

function rs(hash: string, replicas: number, revision: number, scaleDownDeadline?: string): BlueGreenReplicaSet {
  return { name: `web-${hash}`, podTemplateHash: hash, replicas, availableReplicas: replicas, revision, scaleDownDeadline };
}

const status = {
  currentPodHash: 'v2',
  activeHash: 'v1',
  promoteFull: false,
  aborted: false,
  paused: false,
  scaleUpPreviewCheckPoint: false,
};

function input(change: Partial<BlueGreenInput> = {}): BlueGreenInput {
  return {
    replicas: 10,
    newRS: rs('v2', 0, 2),
    stableRS: rs('v1', 10, 1),
    older: [],
    status,
    referencedHashes: new Set(['v1', 'v2']),
    holdOlder: false,
    now: NOW,
    ...change,
  };
}

describe('blueGreenNewReplicas', () => {
  // Argo's TestNewRSNewReplicasWitPreviewReplicaCount: new RS "foo", another RS "bar", 10 replicas, preview 1.
  const foo = rs('foo', 0, 2);
  const base = { replicas: 10, previewReplicaCount: 1, newRS: foo, status: { ...status, currentPodHash: 'foo', activeHash: undefined } };
  it.each([
    { name: 'no active ReplicaSet', change: {}, expected: 10 },
    { name: 'the new ReplicaSet is active', change: { activeHash: 'foo' }, expected: 10 },
    {
      name: "currentPodHash doesn't match: a fresh update",
      change: { activeHash: 'bar', currentPodHash: 'baz', scaleUpPreviewCheckPoint: true },
      expected: 1,
    },
    { name: 'resumed past the preview checkpoint', change: { activeHash: 'bar', scaleUpPreviewCheckPoint: true }, expected: 10 },
    { name: 'waiting for promotion', change: { activeHash: 'bar' }, expected: 1 },
    { name: 'promote full', change: { activeHash: 'bar', promoteFull: true }, expected: 10 },
    {
      name: 'checkpoint passed but paused again',
      change: { activeHash: 'bar', scaleUpPreviewCheckPoint: true, paused: true },
      expected: 1,
    },
  ])('$name → $expected', ({ change, expected }) => {
    expect(blueGreenNewReplicas({ ...base, status: { ...base.status, ...change } })).toBe(expected);
  });

  it('is spec.replicas without previewReplicaCount', () => {
    expect(blueGreenNewReplicas({ replicas: 4, newRS: foo, status: { ...status, activeHash: 'bar' } })).toBe(4);
  });
});

describe('blueGreenReplicaSets', () => {
  it('sizes a first rollout at spec.replicas', () => {
    const plan = blueGreenReplicaSets(input({ newRS: rs('v1', 0, 1), stableRS: undefined, status: { ...status, activeHash: undefined } }));
    expect(plan).toEqual({
      newRS: { name: 'web-v1', replicas: 10, scaleDownDeadline: undefined },
      stableRS: undefined,
      older: [],
      nextWakeUp: undefined,
    });
  });

  it('keeps the active stack at spec.replicas and brings the preview up at previewReplicaCount', () => {
    const plan = blueGreenReplicaSets(input({ previewReplicaCount: 2, stableRS: rs('v1', 7, 1, at(-5)) }));
    expect(plan.newRS).toEqual({ name: 'web-v2', replicas: 2, scaleDownDeadline: undefined });
    // The stable stack loses a leftover deadline: the user rolled back to it.
    expect(plan.stableRS).toEqual({ name: 'web-v1', replicas: 10, scaleDownDeadline: undefined });
  });

  it('drops the new ReplicaSet’s own deadline when it is not aborted (fast rollback to it)', () => {
    expect(blueGreenReplicaSets(input({ newRS: rs('v2', 10, 2, at(20)) })).newRS?.scaleDownDeadline).toBeUndefined();
  });

  const promoted = {
    newRS: rs('v2', 10, 2),
    stableRS: rs('v2', 10, 2),
    status: { ...status, activeHash: 'v2' },
    referencedHashes: new Set(['v2']),
  };

  it('reports a promoted stack once, as the new ReplicaSet', () => {
    const plan = blueGreenReplicaSets(input(promoted));
    expect(plan.newRS).toEqual({ name: 'web-v2', replicas: 10, scaleDownDeadline: undefined });
    expect(plan.stableRS).toBeUndefined();
  });

  it.each([
    { delay: undefined, seconds: 30 },
    { delay: 10, seconds: 10 },
  ])('stamps the old stack with now + $seconds s and wakes up then (scaleDownDelaySeconds $delay)', ({ delay, seconds }) => {
    const plan = blueGreenReplicaSets(input({ ...promoted, scaleDownDelaySeconds: delay, older: [rs('v1', 10, 1)] }));
    expect(plan.older).toEqual([{ name: 'web-v1', replicas: 10, scaleDownDeadline: at(seconds) }]);
    expect(plan.nextWakeUp).toBe(NOW + seconds * 1000);
  });

  it.each([
    { name: 'before the deadline: held at the Rollout’s size', deadline: at(12), replicas: 10, wake: NOW + 12_000 },
    { name: 'at the deadline: scaled down', deadline: at(0), replicas: 0, wake: undefined },
    { name: 'after the deadline: scaled down', deadline: at(-1), replicas: 0, wake: undefined },
    { name: 'unreadable deadline: scaled down', deadline: 'tomorrow', replicas: 0, wake: undefined },
  ])('$name', ({ deadline, replicas, wake }) => {
    const plan = blueGreenReplicaSets(input({ ...promoted, older: [rs('v1', 4, 1, deadline)] }));
    expect(plan.older).toEqual([{ name: 'web-v1', replicas, scaleDownDeadline: deadline }]);
    expect(plan.nextWakeUp).toBe(wake);
  });

  it('keeps only the newest scaleDownDelayRevisionLimit stacks waiting (Argo: TestBlueGreenScaleDownLimit)', () => {
    const plan = blueGreenReplicaSets(
      input({ replicas: 1, ...promoted, scaleDownDelayRevisionLimit: 1, older: [rs('v0', 1, 1, at(10)), rs('v1', 1, 2, at(10))] }),
    );
    expect(plan.older.map((o) => [o.name, o.replicas])).toEqual([
      ['web-v0', 0],
      ['web-v1', 1],
    ]);
  });

  it('scales down at once with scaleDownDelayRevisionLimit 0 (Argo: TestReconcileOldReplicaSet)', () => {
    const plan = blueGreenReplicaSets(input({ ...promoted, scaleDownDelayRevisionLimit: 0, older: [rs('v1', 10, 1)] }));
    expect(plan.older).toEqual([{ name: 'web-v1', replicas: 0, scaleDownDeadline: undefined }]);
    expect(plan.nextWakeUp).toBeUndefined();
  });

  it('stamps the newest stacks up to the limit and scales the rest down', () => {
    const older = [rs('v0', 10, 1), rs('v1', 10, 2), rs('va', 10, 3), rs('vb', 0, 4)];
    const plan = blueGreenReplicaSets(input({ ...promoted, scaleDownDelayRevisionLimit: 2, older }));
    expect(plan.older).toEqual([
      { name: 'web-v0', replicas: 0, scaleDownDeadline: undefined },
      { name: 'web-v1', replicas: 10, scaleDownDeadline: at(30) },
      { name: 'web-va', replicas: 10, scaleDownDeadline: at(30) },
      { name: 'web-vb', replicas: 0, scaleDownDeadline: undefined },
    ]);
  });

  it('never touches a stack that is still referenced, even past its deadline', () => {
    const plan = blueGreenReplicaSets(input({ ...promoted, referencedHashes: new Set(['v2', 'v1']), older: [rs('v1', 10, 1, at(-60))] }));
    expect(plan.older).toEqual([{ name: 'web-v1', replicas: 10, scaleDownDeadline: at(-60) }]);
  });

  it('holds every old stack while told to (inconclusive analysis, post-promotion analysis without a delay)', () => {
    const plan = blueGreenReplicaSets(input({ ...promoted, holdOlder: true, older: [rs('v1', 10, 1, at(-60))] }));
    expect(plan.older).toEqual([{ name: 'web-v1', replicas: 10, scaleDownDeadline: at(-60) }]);
  });

  it('scales down at once with scaleDownDelaySeconds 0 (Argo keeps the stack forever: issue #1992)', () => {
    const plan = blueGreenReplicaSets(input({ ...promoted, scaleDownDelaySeconds: 0, older: [rs('v1', 10, 1)] }));
    expect(plan.older).toEqual([{ name: 'web-v1', replicas: 0, scaleDownDeadline: undefined }]);
  });

  describe('after an abort', () => {
    const aborted = { previewReplicaCount: 3, newRS: rs('v2', 3, 2), status: { ...status, aborted: true } };

    it('stamps the preview stack once the stable stack is fully available', () => {
      const plan = blueGreenReplicaSets(input(aborted));
      expect(plan.newRS).toEqual({ name: 'web-v2', replicas: 3, scaleDownDeadline: at(30) });
      expect(plan.nextWakeUp).toBe(NOW + 30_000);
      expect(blueGreenReplicaSets(input({ ...aborted, abortScaleDownDelaySeconds: 5 })).newRS?.scaleDownDeadline).toBe(at(5));
    });

    it('waits, unstamped, while the stable stack is not fully available', () => {
      const stableRS = { ...rs('v1', 10, 1), availableReplicas: 9 };
      expect(blueGreenReplicaSets(input({ ...aborted, stableRS })).newRS).toEqual({
        name: 'web-v2',
        replicas: 3,
        scaleDownDeadline: undefined,
      });
    });

    it.each([
      { name: 'before its deadline: kept', deadline: at(9), replicas: 3, wake: NOW + 9000 },
      { name: 'after its deadline: scaled down', deadline: at(-1), replicas: 0, wake: undefined },
    ])('$name', ({ deadline, replicas, wake }) => {
      const plan = blueGreenReplicaSets(input({ ...aborted, newRS: rs('v2', 3, 2, deadline) }));
      expect(plan.newRS).toEqual({ name: 'web-v2', replicas, scaleDownDeadline: deadline });
      expect(plan.nextWakeUp).toBe(wake);
    });

    it('sizes the preview normally when its deadline cannot be read', () => {
      expect(blueGreenReplicaSets(input({ ...aborted, newRS: rs('v2', 2, 2, 'soon') })).newRS).toEqual({
        name: 'web-v2',
        replicas: 3,
        scaleDownDeadline: undefined,
      });
    });

    it('leaves the preview up with abortScaleDownDelaySeconds 0', () => {
      expect(blueGreenReplicaSets(input({ ...aborted, abortScaleDownDelaySeconds: 0 })).newRS).toEqual({
        name: 'web-v2',
        replicas: 3,
        scaleDownDeadline: undefined,
      });
    });
  });
});

describe('scale-down deadline text', () => {
  it('is written like Go’s time.RFC3339 in UTC: whole seconds, truncated', () => {
    expect(formatScaleDownDeadline(Date.parse('2023-11-14T22:13:20.999Z') + 30_000)).toBe('2023-11-14T22:13:50Z');
  });

  it.each([
    { text: '2023-11-14T22:13:50Z', ms: Date.UTC(2023, 10, 14, 22, 13, 50) },
    { text: '2023-11-14T23:13:50+01:00', ms: Date.UTC(2023, 10, 14, 22, 13, 50) },
    { text: '2023-11-14T21:43:50-00:30', ms: Date.UTC(2023, 10, 14, 22, 13, 50) },
    { text: '2023-11-14T22:13:50.25Z', ms: Date.UTC(2023, 10, 14, 22, 13, 50, 250) },
    { text: '2024-02-29T00:00:00Z', ms: Date.UTC(2024, 1, 29) },
  ])('reads $text', ({ text, ms }) => {
    expect(parseRfc3339(text)).toBe(ms);
  });

  it.each([
    '',
    'tomorrow',
    '2023-11-14 22:13:50Z',
    '2023-11-14T22:13:50',
    '2023-02-29T00:00:00Z',
    '2023-11-14T24:00:00Z',
    '2023-11-14T22:60:00Z',
    '2023-11-14T22:13:50+25:00',
    '2023-11-14t22:13:50z',
    '1700000000',
  ])('refuses %j', (text) => {
    expect(parseRfc3339(text)).toBeUndefined();
  });
});
