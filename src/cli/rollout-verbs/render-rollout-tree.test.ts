import { describe, expect, it } from 'vitest';
import { renderRolloutList } from './render-rollout-list.js';
import { renderRolloutTree } from './render-rollout-tree.js';
import { rolloutInfo } from '../../rollout-view/rollout-info.js';
import { rolloutPhase } from '../../rollout-view/rollout-phase.js';
import type { PodLike, ReplicaSetLike, RolloutObject } from '../../rollout-view/types.js';

const now = Date.parse('2026-11-23T12:00:00Z');
const ago = (seconds: number): string => new Date(now - seconds * 1000).toISOString();

const rollout: RolloutObject = {
  metadata: { name: 'checkout', namespace: 'shop', uid: 'ro-uid', generation: 3, creationTimestamp: ago(3 * 86400 + 4 * 3600) },
  spec: {
    replicas: 4,
    strategy: { canary: { steps: [{ setWeight: 25 }, { pause: {} }, { setWeight: 50 }, { pause: { duration: '1m' } }] } },
    template: { spec: { containers: [{ name: 'checkout', image: 'shop/checkout:2' }] } },
  },
  status: {
    phase: 'Paused',
    message: 'CanaryPauseStep',
    observedGeneration: '3',
    currentStepIndex: 1,
    currentPodHash: 'bbb',
    stableRS: 'aaa',
    pauseConditions: [{ reason: 'CanaryPauseStep', startTime: ago(30) }],
    replicas: 5,
    updatedReplicas: 1,
    readyReplicas: 5,
    availableReplicas: 5,
  },
};

function replicaSet(
  hash: string,
  revision: number,
  replicas: number,
  image: string,
  age: number,
  extra: Record<string, string> = {},
): ReplicaSetLike {
  return {
    metadata: {
      name: `checkout-${hash}`,
      uid: `rs-${hash}`,
      generation: 1,
      creationTimestamp: ago(age),
      labels: { app: 'checkout', 'rollouts-pod-template-hash': hash },
      annotations: { 'rollout.argoproj.io/revision': String(revision), ...extra },
      ownerReferences: [{ uid: 'ro-uid', controller: true, kind: 'Rollout' }],
    },
    spec: { replicas, template: { spec: { containers: [{ name: 'checkout', image }] } } },
    status: { replicas, availableReplicas: replicas, observedGeneration: 1 },
  };
}

const replicaSets: ReplicaSetLike[] = [
  replicaSet('aaa', 1, 4, 'shop/checkout:1', 3 * 86400),
  replicaSet('bbb', 2, 1, 'shop/checkout:2', 95),
  replicaSet('zzz', 0, 0, 'shop/checkout:0', 20 * 86400),
  { ...replicaSet('other', 1, 1, 'other:1', 60), metadata: { name: 'not-ours', uid: 'x', ownerReferences: [{ uid: 'someone-else' }] } },
];

function pod(name: string, rs: string, age: number, status: PodLike['status']): PodLike {
  return {
    metadata: { name, creationTimestamp: new Date(now - age * 1000), ownerReferences: [{ uid: `rs-${rs}` }] },
    spec: { containers: [{ name: 'checkout' }] },
    status,
  };
}
const running = { phase: 'Running', containerStatuses: [{ ready: true, restartCount: 0, state: { running: {} } }] };

const pods: PodLike[] = [
  pod('checkout-aaa-2', 'aaa', 3 * 86400, running),
  pod('checkout-aaa-1', 'aaa', 3 * 86400, { ...running, containerStatuses: [{ ready: true, restartCount: 2, state: { running: {} } }] }),
  pod('checkout-bbb-1', 'bbb', 90, {
    phase: 'Pending',
    containerStatuses: [{ ready: false, state: { waiting: { reason: 'ContainerCreating' } } }],
  }),
];

// Laid out as Argo v1.9.1 prints it (cmd/get/get_test.go TestGetCanaryRollout), colours off.
const expectedTree = `Name:            checkout
Namespace:       shop
Status:          ॥ Paused
Message:         CanaryPauseStep
Strategy:        Canary
  Step:          1/4
  SetWeight:     25
  ActualWeight:  20
Images:          shop/checkout:1 (stable)
                 shop/checkout:2 (canary)
Replicas:
  Desired:       4
  Current:       5
  Updated:       1
  Ready:         5
  Available:     5

NAME                       KIND        STATUS               AGE   INFO
⟳ checkout                 Rollout     ॥ Paused             3d4h
├──# revision:2
│  └──⧉ checkout-bbb       ReplicaSet  ✔ Healthy            95s   canary
│     └──□ checkout-bbb-1  Pod         ◌ ContainerCreating  90s   ready:0/1
├──# revision:1
│  └──⧉ checkout-aaa       ReplicaSet  ✔ Healthy            3d    stable
│     ├──□ checkout-aaa-1  Pod         ✔ Running            3d    ready:1/1,restarts:2
│     └──□ checkout-aaa-2  Pod         ✔ Running            3d    ready:1/1
└──# revision:0
   └──⧉ checkout-zzz       ReplicaSet  • ScaledDown         20d
`;

describe('get rollout', () => {
  it('renders the summary and the tree of revisions, ReplicaSets and pods (only the Rollout’s own)', () => {
    expect(renderRolloutTree(rolloutInfo(rollout, replicaSets, pods), now)).toBe(expectedTree);
  });

  it('lists the AnalysisRuns under their revision, with Argo’s counts and each metric’s last value', () => {
    const run = (
      name: string,
      revision: number,
      age: number,
      phase: string,
      results: {
        name: string;
        phase: string;
        successful?: number;
        failed?: number;
        measurements: { value?: string; message?: string }[];
      }[],
    ) => ({
      metadata: {
        name,
        creationTimestamp: ago(age),
        annotations: { 'rollout.argoproj.io/revision': String(revision) },
        ownerReferences: [{ uid: 'ro-uid', controller: true, kind: 'Rollout' }],
      },
      status: { phase, metricResults: results },
    });
    const runs = [
      run('checkout-bbb-2-1', 2, 20, 'Failed', [
        { name: 'success-rate', phase: 'Failed', successful: 2, failed: 3, measurements: [{ value: '[0.97]' }, { value: '[0.35]' }] },
      ]),
      run('checkout-aaa-1-1', 1, 3 * 86400, 'Successful', [
        { name: 'success-rate', phase: 'Successful', successful: 3, measurements: [{ value: '[1]' }] },
      ]),
      // Another Rollout's run, even with the same labels, is not shown.
      {
        ...run('other-1', 2, 5, 'Running', []),
        metadata: {
          name: 'other-1',
          annotations: { 'rollout.argoproj.io/revision': '2' },
          ownerReferences: [{ uid: 'other', controller: true }],
        },
      },
    ];
    const text = renderRolloutTree(rolloutInfo(rollout, replicaSets, pods, runs), now);
    expect(text).toContain(
      [
        '├──# revision:2',
        '│  ├──⧉ checkout-bbb       ReplicaSet   ✔ Healthy            95s   canary',
        '│  │  └──□ checkout-bbb-1  Pod          ◌ ContainerCreating  90s   ready:0/1',
        '│  └──α checkout-bbb-2-1   AnalysisRun  ✖ Failed             20s   ✔ 2,✖ 3',
        '│     └──∿ success-rate    Metric       ✖ Failed                   last:[0.35]',
        '├──# revision:1',
        '│  ├──⧉ checkout-aaa       ReplicaSet   ✔ Healthy            3d    stable',
      ].join('\n'),
    );
    expect(text).toContain('│  └──α checkout-aaa-1-1   AnalysisRun  ✔ Successful         3d    ✔ 3');
    expect(text).not.toContain('other-1');
  });

  it('renders a blue-green rollout’s active and preview ReplicaSets and no canary lines', () => {
    const blueGreen = {
      ...rollout,
      spec: { replicas: 4, strategy: { blueGreen: { activeService: 'a' } } },
      status: {
        phase: 'Healthy',
        observedGeneration: '3',
        currentPodHash: 'bbb',
        stableRS: 'aaa',
        blueGreen: { activeSelector: 'aaa', previewSelector: 'bbb' },
      },
    };
    const text = renderRolloutTree(rolloutInfo(blueGreen, replicaSets, []), now);
    expect(text).toContain(
      'Strategy:        BlueGreen\nImages:          shop/checkout:1 (active, stable)\n                 shop/checkout:2 (preview)\n',
    );
    expect(text).toContain('│  └──⧉ checkout-aaa  ReplicaSet  ✔ Healthy     3d    stable,active\n');
    expect(text).toContain('│  └──⧉ checkout-bbb  ReplicaSet  ✔ Healthy     95s   preview\n');
    expect(text).not.toContain('Step:');
  });
});

describe('the phase a client shows (Argo’s GetRolloutPhase)', () => {
  it.each([
    ['the controller’s phase', { ...rollout }, 'Paused', 'CanaryPauseStep'],
    [
      'a spec not yet observed',
      { ...rollout, metadata: { ...rollout.metadata, generation: 4 } },
      'Progressing',
      'waiting for rollout spec update to be observed',
    ],
    [
      'an unpause not yet observed',
      { ...rollout, status: { ...rollout.status, pauseConditions: null, controllerPause: true } },
      'Progressing',
      'waiting for rollout to unpause',
    ],
    ['no phase, manually paused', { metadata: {}, spec: { paused: true }, status: {} }, 'Paused', 'manually paused'],
    ['no phase, nothing updated yet', { metadata: {}, spec: { replicas: 2 } }, 'Progressing', 'more replicas need to be updated'],
    [
      'no phase, aborted',
      {
        metadata: {},
        status: {
          conditions: [{ type: 'Progressing', status: 'False', reason: 'RolloutAborted', message: 'Rollout aborted update to revision 2' }],
        },
      },
      'Degraded',
      'RolloutAborted: Rollout aborted update to revision 2',
    ],
  ])('%s', (_, object, phase, message) => {
    expect(rolloutPhase(object)).toEqual({ phase, message });
  });
});

describe('list rollouts', () => {
  it('prints Argo’s columns, with NAMESPACE for -A', () => {
    const other = {
      metadata: { name: 'payments-api', namespace: 'payments' },
      spec: { strategy: { blueGreen: {} } },
      status: { phase: 'Healthy' },
    };
    expect(renderRolloutList([rollout, other], false)).toBe(
      [
        'NAME          STRATEGY   STATUS        STEP  SET-WEIGHT  READY  DESIRED  UP-TO-DATE  AVAILABLE',
        'checkout      Canary     Paused        1/4   25          5/5    4        1           5',
        'payments-api  BlueGreen  Healthy       -     -           0/0    1        0           0',
        '',
      ].join('\n'),
    );
    expect(renderRolloutList([rollout], true)?.split('\n')[1]).toBe(
      'shop       checkout    Canary     Paused        1/4   25          5/5    4        1           5',
    );
    expect(renderRolloutList([], true)).toBeUndefined();
  });
});
