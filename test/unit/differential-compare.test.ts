import { describe, expect, it } from 'vitest';
import { diffSequences, diffTrees, judge, renderVerdict, statesSince } from '../differential/support/compare.js';
import { conditionState, withState } from '../differential/support/side.js';
import { snapshotSide, type RawSide } from '../differential/support/snapshot.js';

function side(namespace: string, hash: string, message: string): RawSide {
  return {
    namespace,
    instanceId: `id-${namespace}`,
    rollout: {
      metadata: { name: 'web', annotations: { 'rollout.argoproj.io/revision': '2' } },
      status: {
        phase: 'Paused',
        message,
        stableRS: hash,
        currentPodHash: hash,
        conditions: [
          { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', lastUpdateTime: '2026-01-01T00:00:00Z' },
          { type: 'Available', status: 'True', reason: 'AvailableReason' },
        ],
        pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-01-01T00:00:01Z' }],
      },
    },
    replicaSets: [
      {
        metadata: {
          name: `web-${hash}`,
          labels: { 'rollouts-pod-template-hash': hash, 'argo-rollouts.argoproj.io/controller-instance-id': `id-${namespace}` },
          annotations: { 'rollout.argoproj.io/revision': '2', 'argo-rollouts.argoproj.io/scale-down-deadline': '2026-01-01T00:00:30Z' },
        },
        spec: { replicas: 1 },
      },
    ],
    services: [
      {
        metadata: { name: 'web-canary', annotations: { 'argo-rollouts.argoproj.io/managed-by-rollouts': 'web' } },
        spec: { selector: { app: 'web', 'rollouts-pod-template-hash': hash } },
      },
    ],
    analysisRuns: [],
  };
}

describe('differential snapshots', () => {
  it('normalise what must differ (namespace, instance id, timestamps, hashes) and nothing else', () => {
    const gradual = snapshotSide(side('diff-ns-one', 'aaaa1111', 'CanaryPauseStep'));
    const argo = snapshotSide(side('diff-ns-two', 'bbbb2222', 'CanaryPauseStep'));

    const differences = diffTrees('paused ›', gradual, argo);

    // Only the hashes themselves differ, reported once; names and selectors compare by revision.
    expect(differences).toEqual([{ field: 'paused › podTemplateHashes.<rev 2>', gradual: '"aaaa1111"', argo: '"bbbb2222"' }]);
    expect(gradual['services']).toEqual({
      'web-canary': {
        annotations: { 'argo-rollouts.argoproj.io/managed-by-rollouts': 'web' },
        selector: { app: 'web', 'rollouts-pod-template-hash': '<rev 2>' },
      },
    });
    expect(gradual['rollout']).toMatchObject({
      conditions: { Available: 'True AvailableReason', Progressing: 'True ReplicaSetUpdated' },
      pauseConditions: ['CanaryPauseStep'],
    });
  });

  it('a changed message is one difference naming the field and both values', () => {
    const differences = diffTrees('x ›', snapshotSide(side('diff-ns-one', 'h1', 'one')), snapshotSide(side('diff-ns-two', 'h1', 'two')));

    expect(differences).toEqual([{ field: 'x › rollout.message', gradual: '"one"', argo: '"two"' }]);
  });

  it('router objects a controller creates: null while absent, their owners compared when they have some', () => {
    const split = (namespace: string, weight: string): NonNullable<RawSide['routers']>[number] => ({
      kind: 'TrafficSplit',
      metadata: {
        name: 'web-split',
        ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'web', uid: namespace, controller: true }],
      },
      spec: { service: 'web-root', backends: [{ service: 'web-canary', weight }] },
    });
    const withRouters = (namespace: string, routers: NonNullable<RawSide['routers']>): RawSide => ({
      ...side(namespace, 'h1', 'm'),
      routers,
    });
    const absent = { kind: 'TrafficSplit', metadata: { name: 'web-split' }, absent: true };

    const created = snapshotSide(withRouters('diff-ns-one', [split('diff-ns-one', '20')]));
    expect(created['routers']).toEqual({
      'TrafficSplit/web-split': {
        annotations: {},
        owners: ['Rollout/web (controller)'],
        spec: { backends: [{ service: 'web-canary', weight: '20' }], service: 'web-root' },
      },
    });
    expect(snapshotSide(withRouters('diff-ns-one', [absent]))['routers']).toEqual({ 'TrafficSplit/web-split': null });
    const differences = diffTrees(
      'x ›',
      snapshotSide(withRouters('diff-ns-one', [absent])),
      snapshotSide(withRouters('diff-ns-two', [split('diff-ns-two', '20')])),
    );
    expect(differences.map((difference) => [difference.field, difference.gradual])).toEqual([
      ['x › routers.TrafficSplit/web-split', 'null'],
    ]);
  });
});

describe('judging differences', () => {
  it('a known difference (glob on the field) is allowed, anything else is unexpected, unused entries are listed', () => {
    const differences = [
      { field: 'paused › rollout.message', gradual: '"a"', argo: '"b"' },
      { field: 'paused › rollout.phase', gradual: '"Paused"', argo: '"Progressing"' },
    ];
    const known = [
      { field: '* › rollout.message', kind: 'argo-bug' as const, reason: 'Argo says b, which is wrong' },
      { field: 'never', kind: 'gradual-todo' as const, reason: 'matches nothing at all' },
    ];

    const verdict = judge(differences, known);

    expect(verdict.unexpected.map((d) => d.field)).toEqual(['paused › rollout.phase']);
    expect(verdict.allowed.map((a) => a.difference.field)).toEqual(['paused › rollout.message']);
    expect(verdict.unused.map((entry) => entry.field)).toEqual(['never']);
    const report = renderVerdict('canary', verdict);
    expect(report).toContain('✗ paused › rollout.phase\n      gradual: "Paused"\n      argo:    "Progressing"');
    expect(report).toContain('~ known (argo-bug: Argo says b, which is wrong) paused › rollout.message');
  });

  it('a known difference with value patterns explains only the values it names', () => {
    const known = [
      {
        field: '* › rollout.message',
        gradual: '"Aborted: x (*)"',
        argo: '"Aborted: x"',
        kind: 'deliberate' as const,
        reason: 'Gradual adds the measured value',
      },
    ];
    const extended = { field: 'failed › rollout.message', gradual: '"Aborted: x (health measured 0)"', argo: '"Aborted: x"' };
    const other = { field: 'failed › rollout.message', gradual: '"Aborted: y (health measured 0)"', argo: '"Aborted: x"' };

    const verdict = judge([extended, other], known);

    expect(verdict.allowed.map((a) => a.difference)).toEqual([extended]);
    expect(verdict.unexpected).toEqual([other]);
  });

  it('event sequences show where the two stories part', () => {
    expect(diffSequences('events', ['A', 'B', 'C'], ['A', 'B', 'C'])).toEqual([]);
    expect(diffSequences('events', ['A', 'B', 'C'], ['A', 'X'])).toEqual([
      { field: 'events (after 1 equal: A)', gradual: 'B, C', argo: 'X' },
    ]);
  });
});

describe('condition states persisted (recordConditions)', () => {
  const created = [
    { type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated' },
    { type: 'Healthy', status: 'True', reason: 'RolloutHealthy' },
  ];
  const updating = [
    { type: 'Healthy', status: 'False', reason: 'RolloutHealthy' },
    { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' },
  ];
  const done = [
    { type: 'Healthy', status: 'True', reason: 'RolloutHealthy' },
    { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
  ];

  it('one state per write that changes a condition status, sorted by type (a reason alone is no new state)', () => {
    let history: string[] = [];
    for (const conditions of [undefined, created, created, updating, done]) history = withState(history, conditions);
    expect(history).toEqual([
      '{}',
      '{Healthy=True Progressing=True}',
      '{Healthy=False Progressing=True}',
      '{Healthy=True Progressing=True}',
    ]);
    expect(withState(['{}'], [{ type: 'Progressing', status: 'True', reason: 'A' }])).toEqual(['{}', '{Progressing=True}']);
    expect(withState(['{Progressing=True}'], [{ type: 'Progressing', status: 'True', reason: 'B' }])).toEqual(['{Progressing=True}']);
    expect(
      conditionState([
        { type: 'B', status: 'False' },
        { type: 'A', status: 'True' },
      ]),
    ).toBe('{A=True B=False}');
  });

  it('a controller that never persists the intermediate state differs, from the state both carried over', () => {
    const argo = [undefined, created, updating, done].reduce<string[]>((history, conditions) => withState(history, conditions), []);
    const gradual = [undefined, created, done].reduce<string[]>((history, conditions) => withState(history, conditions), []);
    const differences = diffSequences('second revision › conditions', statesSince(gradual, 2), statesSince(argo, 2));
    expect(differences).toHaveLength(1);
    expect(differences[0]?.argo).toBe('{Healthy=False Progressing=True}, {Healthy=True Progressing=True}');
    expect(differences[0]?.gradual).toBe('(nothing more)');
    expect(statesSince(argo, 0)).toEqual(argo);
  });
});
