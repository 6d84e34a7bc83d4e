import { describe, expect, it } from 'vitest';
import { rolloutSummary, rolloutView, type RolloutObjects } from './rollout-view.js';

const steps = [
  { setWeight: 20 },
  { pause: {} },
  { setWeight: 40 },
  { analysis: { templates: [{ templateName: 'rate' }] } },
  { setWeight: 60 },
  { pause: { duration: '10s' } },
  { setWeight: 80 },
];

function objects(currentStepIndex: number | undefined, extra: Partial<RolloutObjects> = {}): RolloutObjects {
  const owner = (uid: string) => [{ uid, controller: true, kind: 'ReplicaSet' }];
  return {
    rollout: {
      metadata: { name: 'web', namespace: 'shop', uid: 'r1' },
      spec: { replicas: 5, strategy: { canary: { steps } } },
      status: {
        phase: 'Paused',
        message: 'CanaryPauseStep',
        currentStepIndex,
        currentPodHash: 'new',
        stableRS: 'old',
        availableReplicas: 5,
        readyReplicas: 5,
        pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-01-01T00:00:00Z' }],
      },
    },
    replicaSets: [
      {
        metadata: {
          name: 'web-old',
          uid: 'rs-old',
          labels: { 'rollouts-pod-template-hash': 'old' },
          annotations: { 'rollout.argoproj.io/revision': '1' },
          ownerReferences: [{ uid: 'r1', controller: true }],
        },
        spec: { replicas: 4 },
        status: { replicas: 4, availableReplicas: 4 },
      },
      {
        metadata: {
          name: 'web-new',
          uid: 'rs-new',
          labels: { 'rollouts-pod-template-hash': 'new' },
          annotations: { 'rollout.argoproj.io/revision': '2' },
          ownerReferences: [{ uid: 'r1', controller: true }],
        },
        spec: { replicas: 1 },
        status: { replicas: 1, availableReplicas: 1 },
      },
      { metadata: { name: 'other', uid: 'rs-x', ownerReferences: [{ uid: 'someone-else' }] } },
    ],
    pods: [{ metadata: { name: 'web-new-a', ownerReferences: owner('rs-new') }, status: { phase: 'Running' } }],
    analysisRuns: [
      {
        metadata: {
          name: 'web-new-2-3',
          uid: 'a2',
          creationTimestamp: '2026-01-01T00:01:00Z',
          ownerReferences: [{ uid: 'r1', controller: true }],
        },
        status: { phase: 'Successful' },
      },
      {
        metadata: {
          name: 'web-old-1-3',
          uid: 'a1',
          creationTimestamp: '2026-01-01T00:00:00Z',
          ownerReferences: [{ uid: 'r1', controller: true }],
        },
        status: { phase: 'Failed' },
      },
      { metadata: { name: 'not-ours', uid: 'a3', ownerReferences: [{ uid: 'r2' }] } },
    ],
    ...extra,
  };
}

describe('rolloutView', () => {
  it('shows a canary paused at step 2 of 7: the pause marked current, the weights, the revisions and its runs newest first', () => {
    const view = rolloutView(objects(1));
    expect([view.currentStep, view.stepCount, view.step]).toEqual([2, 7, '1/7']);
    expect(view.steps.map((step) => `${step.state} ${step.text}`)).toEqual([
      'done setWeight 20',
      'current pause',
      'pending setWeight 40',
      'pending analysis rate',
      'pending setWeight 60',
      'pending pause 10s',
      'pending setWeight 80',
    ]);
    expect(view.weights).toEqual({ set: 20, actual: 20, stable: 80 });
    expect(view.status).toBe('Paused');
    expect(view.tree.replicaSets.map((rs) => [rs.name, rs.revision, rs.stable, rs.canary, rs.pods.map((pod) => pod.name)])).toEqual([
      ['web-new', 2, false, true, ['web-new-a']],
      ['web-old', 1, true, false, []],
    ]);
    expect(view.analysisRuns.map((run) => [run.name, run.phase])).toEqual([
      ['web-new-2-3', 'Successful'],
      ['web-old-1-3', 'Failed'],
    ]);
  });

  it.each([
    [undefined, 1],
    [0, 1],
    [6, 7],
    [7, 7],
  ])('currentStepIndex %s is step %s of 7', (index, step) => {
    expect(rolloutView(objects(index)).currentStep).toBe(step);
  });

  it('has no steps, current step or weights for a blue-green rollout', () => {
    const base = objects(undefined);
    const view = rolloutView({ ...base, rollout: { ...base.rollout, spec: { replicas: 1, strategy: { blueGreen: {} } } } });
    expect([view.steps, view.currentStep, view.stepCount, view.weights, view.strategy]).toEqual([[], undefined, 0, undefined, 'BlueGreen']);
  });
});

describe('rolloutView at an experiment step', () => {
  const experimentSteps = [
    { setWeight: 20 },
    { experiment: { duration: '5m', templates: [{ name: 'baseline', specRef: 'stable' }], analyses: [{ name: 'a', templateName: 't' }] } },
  ];
  const experiment = (owner: string, name = 'web-new-2-1') => ({
    metadata: {
      name,
      uid: `uid-${name}`,
      creationTimestamp: '2026-01-01T00:02:00Z',
      labels: { 'rollouts-pod-template-hash': 'new' },
      ownerReferences: [{ uid: owner, controller: true, kind: 'Rollout' }],
    },
    spec: { duration: '5m', templates: [{ name: 'baseline' }], analyses: [{ name: 'a', templateName: 't' }] },
    status: {
      phase: 'Running',
      message: '<script>alert(1)</script> @octocat',
      availableAt: '2026-01-01T00:03:00Z',
      templateStatuses: [{ name: 'baseline', replicas: 1, readyReplicas: 1, availableReplicas: 1, status: 'Running' }],
      analysisRuns: [{ name: 'a', analysisRun: 'web-new-2-1-a', phase: 'Running' }],
    },
  });
  const run = {
    metadata: { name: 'web-new-2-1-a', ownerReferences: [{ uid: 'uid-web-new-2-1', controller: true }] },
    status: { phase: 'Running', metricResults: [{ name: 'm', successful: 2, failed: 1 }] },
  };
  function at(index: number, experiments: NonNullable<RolloutObjects['experiments']>, currentExperiment?: string): RolloutObjects {
    const base = objects(index);
    return {
      ...base,
      rollout: {
        ...base.rollout,
        spec: { replicas: 5, strategy: { canary: { steps: experimentSteps } } },
        status: { ...base.rollout.status, currentStepIndex: index, canary: { currentExperiment } },
      },
      analysisRuns: [...base.analysisRuns, run],
      experiments,
    };
  }

  it.each([
    ['the named Experiment', at(1, [experiment('r1')], 'web-new-2-1'), 'web-new-2-1'],
    ['the newest of the current hash when none is named', at(1, [experiment('r1'), experiment('r1', 'web-new-2-1-1')]), 'web-new-2-1-1'],
    ['none before the step', at(0, [experiment('r1')], 'web-new-2-1'), undefined],
    ['none past the last step', at(2, [experiment('r1')], 'web-new-2-1'), undefined],
    ['none that another Rollout owns', at(1, [experiment('r2')], 'web-new-2-1'), undefined],
    [
      'the failed one after an abort set the step back to 0',
      (() => {
        const aborted = at(0, [{ ...experiment('r1'), status: { phase: 'Failed' } }]);
        return { ...aborted, rollout: { ...aborted.rollout, status: { ...aborted.rollout.status, abort: true } } };
      })(),
      'web-new-2-1',
    ],
    [
      'none after an abort by hand while it ran',
      (() => {
        const aborted = at(0, [experiment('r1')]);
        return { ...aborted, rollout: { ...aborted.rollout, status: { ...aborted.rollout.status, abort: true } } };
      })(),
      undefined,
    ],
  ])('shows %s', (_, objectsAt, name) => {
    expect(rolloutView(objectsAt).experiment?.name).toBe(name);
  });

  it('has the phase, the message as written (the page draws it as text), the templates, the analyses with their counts and the end', () => {
    const view = rolloutView(at(1, [experiment('r1')], 'web-new-2-1'));
    expect(view.steps[1]).toMatchObject({ state: 'current', text: 'experiment baseline (stable) 5m' });
    expect(view.experiment).toMatchObject({
      status: 'Running',
      message: '<script>alert(1)</script> @octocat',
      duration: '5m',
      endsAt: Date.parse('2026-01-01T00:08:00Z'),
      finished: false,
      templates: [{ name: 'baseline', replicaSet: 'web-new-2-1-baseline', status: 'Running', ready: 1, replicas: 1 }],
      analyses: [{ name: 'a', analysisRun: 'web-new-2-1-a', status: 'Running', successful: 2, failed: 1 }],
    });
  });
});

describe('rolloutSummary', () => {
  it('is the list row', () => {
    expect(rolloutSummary(objects(1))).toEqual({
      namespace: 'shop',
      name: 'web',
      strategy: 'Canary',
      status: 'Paused',
      message: 'CanaryPauseStep',
      step: '1/7',
      setWeight: '20',
      actualWeight: '20',
      desired: 5,
      ready: 5,
      available: 5,
    });
  });
});
