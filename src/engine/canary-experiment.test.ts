import { describe, expect, test } from 'vitest';
import type { V1ReplicaSet } from '@kubernetes/client-node';
import { validateRollout, type CanaryStep, type Experiment, type ExperimentStatus, type RolloutExperimentStep } from '../api/index.js';

type Phase = NonNullable<ExperimentStatus['phase']>;
import { experimentFromStep, experimentWeightDestinations, reconcileCanaryExperiment, sameExperimentSpec } from './canary-experiment.js';
import { canaryRollout } from './testing/fixtures.js';
import { runUntilSettled, simulatedCluster, updateSpec, type SimulatedCluster } from './testing/simulate.js';
import { noPauseDecisions } from './rollout-status.js';

const OLD = '5bbc6ffc5c';
const NEW = '5c8d7f54c6';

function replicaSet(hash: string, image: string, revision: string): V1ReplicaSet {
  return {
    metadata: {
      name: `demo-${hash}`,
      labels: { app: 'demo', 'rollouts-pod-template-hash': hash },
      annotations: { 'rollout.argoproj.io/revision': revision },
    },
    spec: {
      replicas: 5,
      minReadySeconds: 3,
      selector: { matchLabels: { app: 'demo', 'rollouts-pod-template-hash': hash } },
      template: {
        metadata: { labels: { app: 'demo', 'rollouts-pod-template-hash': hash } },
        spec: { containers: [{ name: 'app', image }] },
      },
    },
  };
}

const stableRS = replicaSet(OLD, 'demo:1', '1');
const newRS = replicaSet(NEW, 'demo:2', '2');

describe('experimentFromStep (Argo GetExperimentFromTemplate)', () => {
  const rollout = { ...canaryRollout(), metadata: { name: 'demo', namespace: 'team', uid: 'uid-1', labels: { team: 'a' } } };
  const cases: { name: string; step: RolloutExperimentStep; check: (experiment: Experiment) => void }[] = [
    {
      name: 'named <rollout>-<hash>-<revision>-<step>, labelled with the hash, owned by the Rollout',
      step: { templates: [{ name: 'canary', specRef: 'canary' }] },
      check: (experiment) => {
        expect(experiment.metadata).toMatchObject({
          name: `demo-${NEW}-2-1`,
          namespace: 'team',
          labels: { team: 'a', 'rollouts-pod-template-hash': NEW },
          annotations: { 'rollout.argoproj.io/revision': '2' },
          ownerReferences: [{ kind: 'Rollout', name: 'demo', uid: 'uid-1', controller: true, blockOwnerDeletion: true }],
        });
      },
    },
    {
      name: "templates copy the stable or the canary ReplicaSet's pod template, selector and minReadySeconds",
      step: {
        templates: [
          { name: 'baseline', specRef: 'stable', replicas: 2 },
          { name: 'canary', specRef: 'canary' },
        ],
        duration: '5m',
      },
      check: (experiment) => {
        expect(experiment.spec.duration).toBe('5m');
        const [baseline, canary] = experiment.spec.templates;
        expect(baseline).toMatchObject({ name: 'baseline', replicas: 2, minReadySeconds: 3 });
        expect(baseline?.template.spec?.containers?.[0]?.image).toBe('demo:1');
        expect(baseline?.selector?.matchLabels).toEqual({ app: 'demo', 'rollouts-pod-template-hash': OLD });
        expect(canary?.replicas).toBeUndefined();
        expect(canary?.template.spec?.containers?.[0]?.image).toBe('demo:2');
        expect(canary?.service).toBeUndefined();
      },
    },
    {
      name: "the step's metadata labels go to the pods and the selector; annotations to the pods; a service template gets one",
      step: {
        templates: [
          {
            name: 'canary',
            specRef: 'canary',
            metadata: { labels: { role: 'exp' }, annotations: { note: 'x' } },
            service: { name: 'svc' },
          },
        ],
      },
      check: (experiment) => {
        const template = experiment.spec.templates[0];
        expect(template?.template.metadata?.labels).toMatchObject({ role: 'exp', app: 'demo' });
        expect(template?.template.metadata?.annotations).toEqual({ note: 'x' });
        expect(template?.selector?.matchLabels).toMatchObject({ role: 'exp' });
        expect(template?.service).toEqual({ name: 'svc' });
        // The ReplicaSet it was copied from is not changed.
        expect(newRS.spec?.template?.metadata?.labels?.['role']).toBeUndefined();
      },
    },
    {
      name: "analyses carry their args resolved from the Rollout; the experiment's own placeholders stay for its controller",
      step: {
        templates: [{ name: 'canary', specRef: 'canary' }],
        analyses: [
          {
            name: 'echo',
            templateName: 'echo-pod-hash',
            requiredForCompletion: true,
            args: [
              { name: 'stable-hash', valueFrom: { podTemplateHashValue: 'Stable' } },
              { name: 'latest-hash', valueFrom: { podTemplateHashValue: 'Latest' } },
              { name: 'canary-hash', value: '{{templates.canary.podTemplateHash}}' },
              { name: 'team', valueFrom: { fieldRef: { fieldPath: "metadata.labels['team']" } } },
            ],
          },
        ],
      },
      check: (experiment) => {
        expect(experiment.spec.analyses).toEqual([
          {
            name: 'echo',
            templateName: 'echo-pod-hash',
            requiredForCompletion: true,
            args: [
              { name: 'stable-hash', value: OLD },
              { name: 'latest-hash', value: NEW },
              { name: 'canary-hash', value: '{{templates.canary.podTemplateHash}}' },
              { name: 'team', value: 'a' },
            ],
          },
        ]);
      },
    },
  ];
  test.each(cases)('$name', ({ step, check }) => {
    check(experimentFromStep(rollout, step, 1, stableRS, newRS));
  });

  test('sameExperimentSpec ignores terminate only', () => {
    const experiment = experimentFromStep(rollout, { templates: [{ name: 'canary', specRef: 'canary' }] }, 1, stableRS, newRS);
    expect(sameExperimentSpec(experiment.spec, { ...experiment.spec, terminate: true })).toBe(true);
    expect(sameExperimentSpec(experiment.spec, { ...experiment.spec, duration: '1m' })).toBe(false);
  });
});

describe('reconcileCanaryExperiment', () => {
  const steps: CanaryStep[] = [{ setWeight: 20 }, { experiment: { templates: [{ name: 'canary', specRef: 'canary' }] } }, { pause: {} }];
  const base = canaryRollout({ steps });
  const at = (status: NonNullable<typeof base.status>) => ({ ...base, status: { stableRS: OLD, currentPodHash: NEW, ...status } });
  const wanted = experimentFromStep(base, { templates: [{ name: 'canary', specRef: 'canary' }] }, 1, stableRS, newRS);
  const named = (name: string, phase: Phase | undefined, owner = 'uid-1', terminate = false): Experiment => ({
    ...wanted,
    metadata: { ...wanted.metadata, name, uid: `uid-${name}`, ownerReferences: [{ kind: 'Rollout', uid: owner, controller: true }] },
    spec: { ...wanted.spec, ...(terminate ? { terminate } : {}) },
    ...(phase === undefined ? {} : { status: { phase } }),
  });
  const NAME = `demo-${NEW}-2-1`;
  const cases: {
    name: string;
    status: NonNullable<typeof base.status>;
    experiments: Experiment[];
    actions: unknown[];
    statusName: string | undefined;
    abort?: string;
    pause?: boolean;
  }[] = [
    {
      name: 'at the step with none: creates it and names it',
      status: { currentStepIndex: 1 },
      experiments: [],
      actions: [{ kind: 'createExperiment', experiment: wanted }],
      statusName: NAME,
    },
    {
      name: 'running: names it, writes nothing',
      status: { currentStepIndex: 1, canary: { currentExperiment: NAME } },
      experiments: [named(NAME, 'Running')],
      actions: [],
      statusName: NAME,
    },
    {
      name: 'successful: the status stops naming it (the step completes)',
      status: { currentStepIndex: 1, canary: { currentExperiment: NAME } },
      experiments: [named(NAME, 'Successful')],
      actions: [],
      statusName: undefined,
    },
    {
      name: 'failed: aborts with its message',
      status: { currentStepIndex: 1, canary: { currentExperiment: NAME } },
      experiments: [{ ...named(NAME, 'Failed'), status: { phase: 'Failed', message: 'Metric "x" assessed Failed' } }],
      actions: [],
      statusName: undefined,
      abort: 'Experiment analysis phase is error/failed: Metric "x" assessed Failed',
    },
    {
      name: 'inconclusive: pauses',
      status: { currentStepIndex: 1, canary: { currentExperiment: NAME } },
      experiments: [named(NAME, 'Inconclusive')],
      actions: [],
      statusName: undefined,
      pause: true,
    },
    {
      name: 'aborted: terminates the running one',
      status: { currentStepIndex: 1, abort: true, canary: { currentExperiment: NAME } },
      experiments: [named(NAME, 'Running')],
      actions: [{ kind: 'terminateExperiment', name: NAME }],
      statusName: undefined,
    },
    {
      name: 'past the step: terminates the one still running, keeps it within the history limit',
      status: { currentStepIndex: 2, canary: { currentExperiment: NAME } },
      experiments: [named(NAME, 'Running')],
      actions: [{ kind: 'terminateExperiment', name: NAME }],
      statusName: undefined,
    },
    {
      name: 'an unfinished equal one of ours not named in the status is adopted (stale cache)',
      status: { currentStepIndex: 1 },
      experiments: [named(NAME, undefined)],
      actions: [],
      statusName: NAME,
    },
    {
      name: 'hostile: a stranger owns the name: the next name is taken, the stranger is left alone',
      status: { currentStepIndex: 1, abort: false },
      experiments: [named(NAME, 'Running', 'uid-mallory')],
      actions: [{ kind: 'createExperiment', experiment: { ...wanted, metadata: { ...wanted.metadata, name: `${NAME}-1` } } }],
      statusName: `${NAME}-1`,
    },
    {
      name: 'hostile: a stranger naming itself in our status is neither adopted nor terminated',
      status: { currentStepIndex: 2, canary: { currentExperiment: 'other' } },
      experiments: [named('other', 'Running', 'uid-mallory')],
      actions: [],
      statusName: undefined,
    },
    {
      name: 'one whose ReplicaSet is gone is deleted',
      status: { currentStepIndex: 2 },
      experiments: [
        { ...named('demo-gone-1-1', 'Successful'), metadata: { ...named('demo-gone-1-1', 'Successful').metadata, labels: {} } },
      ],
      actions: [{ kind: 'deleteExperiment', name: 'demo-gone-1-1' }],
      statusName: undefined,
    },
  ];
  test.each(cases)('$name', ({ status, experiments, actions, statusName, abort, pause }) => {
    const decisions = noPauseDecisions();
    const result = reconcileCanaryExperiment({
      rollout: at(status),
      newRS,
      stableRS,
      allReplicaSets: [stableRS, newRS],
      experiments,
      decisions,
    });
    expect(result.actions).toEqual(actions);
    expect(result.statusName).toBe(statusName);
    expect(decisions.addAbort).toBe(abort !== undefined);
    if (abort !== undefined) expect(decisions.abortMessage).toBe(abort);
    expect(decisions.addPause.includes('InconclusiveExperiment')).toBe(pause === true);
  });
});

describe('planCanary with an experiment step', () => {
  const steps: CanaryStep[] = [
    { setWeight: 20 },
    {
      experiment: {
        templates: [
          { name: 'baseline', specRef: 'stable' },
          { name: 'canary', specRef: 'canary' },
        ],
        analyses: [{ name: 'check', templateName: 'check', requiredForCompletion: true }],
      },
    },
    { setWeight: 60 },
  ];

  function atExperimentStep(): SimulatedCluster {
    const cluster = simulatedCluster(canaryRollout({ steps }));
    expect(runUntilSettled(cluster).settled).toBe(true);
    updateSpec(cluster, (spec) => {
      const container = spec.template?.spec?.containers?.[0];
      if (container !== undefined) container.image = 'demo:2';
    });
    cluster.events.length = 0;
    expect(runUntilSettled(cluster).settled).toBe(true);
    return cluster;
  }

  function setPhase(cluster: SimulatedCluster, phase: Phase, message?: string): void {
    const experiment = cluster.experiments[0];
    if (experiment === undefined) throw new Error('no Experiment');
    experiment.status = { phase, ...(message === undefined ? {} : { message }) };
  }

  test("Argo's example with an experiment step is a valid Rollout", () => {
    expect(validateRollout(canaryRollout({ steps })).ok).toBe(true);
  });

  test('waits at the step with its Experiment named in the status, then moves on when it succeeds', () => {
    const cluster = atExperimentStep();
    expect(cluster.rollout.status?.currentStepIndex).toBe(1);
    expect(cluster.experiments.map((experiment) => experiment.metadata?.name)).toEqual([`demo-${NEW}-2-1`]);
    expect(cluster.rollout.status?.canary?.currentExperiment).toBe(`demo-${NEW}-2-1`);
    expect(cluster.events.filter((event) => event.reason === 'ExperimentCreated').map((event) => event.message)).toEqual([
      `Created Experiment 'demo-${NEW}-2-1'`,
    ]);
    const [baseline, canary] = cluster.experiments[0]?.spec.templates ?? [];
    expect(baseline?.template.spec?.containers?.[0]?.image).toBe('demo:1');
    expect(canary?.template.spec?.containers?.[0]?.image).toBe('demo:2');

    setPhase(cluster, 'Running');
    expect(runUntilSettled(cluster).settled).toBe(true);
    expect(cluster.rollout.status?.currentStepIndex).toBe(1);

    setPhase(cluster, 'Successful');
    expect(runUntilSettled(cluster).settled).toBe(true);
    expect(cluster.rollout.status?.canary?.currentExperiment).toBeUndefined();
    expect(cluster.rollout.status?.phase).toBe('Healthy');
    expect(cluster.rollout.status?.stableRS).toBe(NEW);
    // The step's Experiment is not created again after it succeeded, and it is kept (history limit 5).
    expect(cluster.experiments).toHaveLength(1);
    expect(cluster.events.map((event) => event.reason)).toContain('RolloutStepCompleted');
  });

  test('aborts when it fails, with its message, and does not move on', () => {
    const cluster = atExperimentStep();
    setPhase(cluster, 'Failed', 'Metric "check" assessed Failed due to failed (1) > failureLimit (0)');
    expect(runUntilSettled(cluster).settled).toBe(true);
    expect(cluster.rollout.status).toMatchObject({ abort: true, phase: 'Degraded', stableRS: OLD, currentStepIndex: 0 });
    const aborted = cluster.events.find((event) => event.reason === 'RolloutAborted');
    expect(aborted?.message).toContain('Experiment analysis phase is error/failed: Metric "check" assessed Failed');
    expect(cluster.experiments).toHaveLength(1);
  });

  test('an Error aborts too; Inconclusive pauses with InconclusiveExperiment', () => {
    const errored = atExperimentStep();
    setPhase(errored, 'Error');
    expect(runUntilSettled(errored).settled).toBe(true);
    expect(errored.rollout.status?.abort).toBe(true);

    const inconclusive = atExperimentStep();
    setPhase(inconclusive, 'Inconclusive');
    runUntilSettled(inconclusive, 20);
    expect(inconclusive.rollout.status?.pauseConditions?.map((condition) => condition.reason)).toContain('InconclusiveExperiment');
    expect(inconclusive.rollout.status?.abort).not.toBe(true);
  });
});

describe("experimentWeightDestinations (Argo's calculateWeightDestinationsFromExperiment)", () => {
  const templates = [
    { name: 'baseline', specRef: 'stable' as const, weight: 5 },
    { name: 'canary', specRef: 'canary' as const, weight: 10 },
    { name: 'unweighted', specRef: 'canary' as const },
  ];
  const steps: CanaryStep[] = [{ setWeight: 20 }, { experiment: { templates } }, { pause: {} }, { setWeight: 50 }];
  const NAME = `demo-${NEW}-2-1`;
  const rolloutAt = (currentStepIndex: number, currentExperiment = NAME) => {
    const rollout = canaryRollout({ steps });
    return { ...rollout, status: { stableRS: OLD, currentPodHash: NEW, currentStepIndex, canary: { currentExperiment } } };
  };
  const experiment = (
    phase: Phase,
    owner = 'uid-1',
    serviceOf: (name: string) => string | undefined = (name) => `${NAME}-${name}`,
  ): Experiment => ({
    ...experimentFromStep(canaryRollout({ steps }), { templates }, 1, stableRS, newRS),
    metadata: { name: NAME, namespace: 'default', ownerReferences: [{ kind: 'Rollout', uid: owner, controller: true }] },
    status: {
      phase,
      templateStatuses: ['canary', 'baseline', 'unweighted'].map((name) => {
        const service = serviceOf(name);
        return { name, podTemplateHash: `h-${name}`, ...(service === undefined ? {} : { serviceName: service }) };
      }),
    },
  });
  const both = [
    { weight: 10, serviceName: `${NAME}-canary`, podTemplateHash: 'h-canary' },
    { weight: 5, serviceName: `${NAME}-baseline`, podTemplateHash: 'h-baseline' },
  ];
  const cases: { name: string; index: number; experiments: Experiment[]; currentExperiment?: string; want: unknown[] }[] = [
    {
      name: 'running at the step: each weighted template, in template-status order',
      index: 1,
      experiments: [experiment('Running')],
      want: both,
    },
    { name: 'running, a step later (Argo looks back to the experiment step)', index: 2, experiments: [experiment('Running')], want: both },
    { name: 'pending: none yet', index: 1, experiments: [experiment('Pending')], want: [] },
    { name: 'successful: gone', index: 1, experiments: [experiment('Successful')], want: [] },
    { name: 'failed (the abort): gone', index: 1, experiments: [experiment('Failed')], want: [] },
    { name: 'before the experiment step: none', index: 0, experiments: [experiment('Running')], want: [] },
    { name: 'past the last step: none', index: 4, experiments: [experiment('Running')], want: [] },
    { name: 'status names no experiment: none', index: 1, experiments: [experiment('Running')], currentExperiment: '', want: [] },
    { name: "another Rollout's Experiment of that name: none", index: 1, experiments: [experiment('Running', 'uid-other')], want: [] },
    {
      name: 'a template whose Service is not created yet waits for it (Argo would send an empty service name)',
      index: 1,
      experiments: [experiment('Running', 'uid-1', (name) => (name === 'baseline' ? undefined : `${NAME}-${name}`))],
      want: [both[0]],
    },
  ];
  test.each(cases)('$name', ({ index, experiments, currentExperiment, want }) => {
    expect(experimentWeightDestinations(rolloutAt(index, currentExperiment), experiments)).toEqual(want);
  });
});
