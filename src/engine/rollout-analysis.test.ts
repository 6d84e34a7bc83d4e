import { describe, expect, it } from 'vitest';
import type { AnalysisRun, AnalysisTemplate, CanaryStep, Rollout } from '../api/index.js';
import type { AnalysisTemplateCatalog } from './analysis-templates.js';
import { canaryRollout } from './testing/fixtures.js';
import { reconcileOnce, runUntilSettled, simulatedCluster, updateSpec, type SimulatedCluster } from './testing/simulate.js';

/*
 * The Rollout side of analysis, driven through the whole planner on the simulated cluster: the
 * test plays the AnalysisRun controller by setting the phases of the runs the planner created.
 */

function template(name: string, args: { name: string; value?: string }[] = []): AnalysisTemplate {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name, namespace: 'default' },
    spec: {
      args,
      metrics: [
        {
          name: 'success-rate',
          interval: '20s',
          successCondition: 'result[0] >= 0.90',
          provider: { prometheus: { address: 'http://prometheus', query: 'up' } },
        },
      ],
    },
  };
}

function catalogOf(...templates: AnalysisTemplate[]): AnalysisTemplateCatalog {
  return {
    namespaced: Object.fromEntries(templates.map((t) => [t.metadata?.name ?? '', { ok: true as const, template: t }])),
    cluster: {},
  };
}

function released(
  steps: CanaryStep[],
  strategy: Record<string, unknown> = {},
  templates: AnalysisTemplate[] = [template('rate')],
): SimulatedCluster {
  const rollout: Rollout = canaryRollout({ replicas: 4, steps });
  rollout.spec.strategy = { canary: { steps, ...strategy } };
  const cluster = simulatedCluster(rollout);
  cluster.analysisTemplates = catalogOf(...templates);
  expect(runUntilSettled(cluster).settled).toBe(true);
  updateSpec(cluster, (spec) => {
    spec.template = { ...spec.template, spec: { containers: [{ name: 'app', image: 'demo:2' }] } };
  });
  return cluster;
}

function setPhase(
  cluster: SimulatedCluster,
  name: string,
  phase: NonNullable<AnalysisRun['status']>['phase'],
  extra: Partial<NonNullable<AnalysisRun['status']>> = {},
): void {
  const run = cluster.analysisRuns.find((candidate) => candidate.metadata?.name === name);
  if (run === undefined) throw new Error(`no run ${name}; have ${cluster.analysisRuns.map((r) => r.metadata?.name ?? '').join(', ')}`);
  run.status = { ...(run.status ?? {}), phase, ...extra };
}

const stepAnalysis: CanaryStep = { analysis: { templates: [{ templateName: 'rate' }] } };

describe('step analysis', () => {
  it('creates the run with Argo’s name, labels and owner, holds the step until it succeeds, then moves on', () => {
    const cluster = released([{ setWeight: 25 }, stepAnalysis, { setWeight: 75 }]);
    runUntilSettled(cluster);
    const hash = cluster.rollout.status?.currentPodHash ?? '';
    expect(cluster.rollout.status?.currentStepIndex).toBe(1);
    expect(cluster.analysisRuns.map((run) => run.metadata?.name)).toEqual([`demo-${hash}-2-1`]);
    const run = cluster.analysisRuns[0];
    expect(run?.metadata?.labels).toEqual({ 'rollouts-pod-template-hash': hash, 'rollout-type': 'Step', 'step-index': '1', app: 'demo' });
    expect(run?.metadata?.annotations).toEqual({ 'rollout.argoproj.io/revision': '2' });
    expect(run?.metadata?.ownerReferences).toEqual([
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'demo', uid: 'uid-1', controller: true, blockOwnerDeletion: true },
    ]);
    expect(run?.spec.metrics.map((metric) => metric.name)).toEqual(['success-rate']);
    expect(cluster.rollout.status?.canary?.currentStepAnalysisRunStatus).toEqual({ name: `demo-${hash}-2-1`, status: '' });

    setPhase(cluster, `demo-${hash}-2-1`, 'Running');
    runUntilSettled(cluster);
    expect(cluster.rollout.status?.currentStepIndex).toBe(1);
    expect(cluster.events.at(-1)).toEqual({
      type: 'Normal',
      reason: 'AnalysisRunRunning',
      message: `Step Analysis Run 'demo-${hash}-2-1' Status New: 'Running' Previous: ''`,
    });

    setPhase(cluster, `demo-${hash}-2-1`, 'Successful');
    runUntilSettled(cluster);
    expect(cluster.rollout.status).toMatchObject({ phase: 'Healthy', stableRS: hash, currentStepIndex: 3 });
    expect(cluster.rollout.status?.canary?.currentStepAnalysisRunStatus).toBeUndefined();
    expect(cluster.events.map((event) => event.reason)).toContain('AnalysisRunSuccessful');
  });

  it.each([
    ['Failed', 'Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)'],
    ['Error', 'Metric "success-rate" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4)'],
  ] as const)('a %s run aborts the rollout with the run’s message; the canary scales to 0', (phase, message) => {
    const cluster = released([{ setWeight: 25 }, stepAnalysis, { setWeight: 75 }]);
    runUntilSettled(cluster);
    const hash = cluster.rollout.status?.currentPodHash ?? '';
    setPhase(cluster, `demo-${hash}-2-1`, phase, { message });
    runUntilSettled(cluster);
    expect(cluster.rollout.status).toMatchObject({ abort: true, phase: 'Degraded', currentStepIndex: 0 });
    expect(cluster.rollout.status?.message).toBe(
      `RolloutAborted: Rollout aborted update to revision 2: Step-based analysis phase error/failed: ${message}`,
    );
    const canary = cluster.replicaSets.find((rs) => rs.metadata?.labels?.['rollouts-pod-template-hash'] === hash);
    expect(canary?.spec?.replicas).toBe(0);
    expect(cluster.events.filter((event) => event.reason === `AnalysisRun${phase}`).map((event) => event.type)).toEqual(['Warning']);
  });

  it('an Inconclusive run pauses the rollout (InconclusiveAnalysisRun); a promote starts a new run under the next name', () => {
    const cluster = released([{ setWeight: 25 }, stepAnalysis, { setWeight: 75 }]);
    runUntilSettled(cluster);
    const hash = cluster.rollout.status?.currentPodHash ?? '';
    setPhase(cluster, `demo-${hash}-2-1`, 'Inconclusive');
    runUntilSettled(cluster);
    expect(cluster.rollout.status?.pauseConditions?.map((condition) => condition.reason)).toEqual(['InconclusiveAnalysisRun']);
    expect(cluster.rollout.status).toMatchObject({ phase: 'Paused', controllerPause: true, currentStepIndex: 1 });
    // `gradual promote` (as Argo's plugin) removes the pause conditions.
    cluster.rollout.status = { ...cluster.rollout.status, pauseConditions: [] };
    runUntilSettled(cluster);
    expect(cluster.analysisRuns.map((run) => run.metadata?.name)).toEqual([`demo-${hash}-2-1`, `demo-${hash}-2-1.1`]);
    expect(cluster.rollout.status.canary?.currentStepAnalysisRunStatus?.name).toBe(`demo-${hash}-2-1.1`);
  });

  it('a new template while a run measures terminates it', () => {
    const cluster = released([{ setWeight: 25 }, stepAnalysis, { setWeight: 75 }]);
    runUntilSettled(cluster);
    const hash = cluster.rollout.status?.currentPodHash ?? '';
    setPhase(cluster, `demo-${hash}-2-1`, 'Running');
    updateSpec(cluster, (spec) => {
      spec.template = { ...spec.template, spec: { containers: [{ name: 'app', image: 'demo:3' }] } };
    });
    runUntilSettled(cluster);
    expect(cluster.analysisRuns.find((run) => run.metadata?.name === `demo-${hash}-2-1`)?.spec.terminate).toBe(true);
  });
});

describe('background analysis', () => {
  it('starts at startingStep, runs beside the steps, and a Failed run aborts at any step', () => {
    const cluster = released([{ setWeight: 25 }, { pause: {} }, { setWeight: 75 }, { pause: {} }], {
      analysis: { templates: [{ templateName: 'rate' }], startingStep: 1 },
    });
    runUntilSettled(cluster);
    const hash = cluster.rollout.status?.currentPodHash ?? '';
    expect(cluster.rollout.status?.currentStepIndex).toBe(1);
    expect(cluster.analysisRuns.map((run) => [run.metadata?.name, run.metadata?.labels?.['rollout-type']])).toEqual([
      [`demo-${hash}-2`, 'Background'],
    ]);
    setPhase(cluster, `demo-${hash}-2`, 'Failed', { message: 'bad' });
    runUntilSettled(cluster);
    expect(cluster.rollout.status?.message).toBe(
      'RolloutAborted: Rollout aborted update to revision 2: Background analysis phase error/failed: bad',
    );
  });

  it('is not started before startingStep, and is terminated once the rollout is fully promoted', () => {
    const cluster = released([{ setWeight: 25 }, { pause: {} }, { setWeight: 75 }], {
      analysis: { templates: [{ templateName: 'rate' }], startingStep: 2 },
    });
    runUntilSettled(cluster);
    expect(cluster.analysisRuns).toEqual([]);
    cluster.rollout.status = { ...cluster.rollout.status, pauseConditions: [] };
    runUntilSettled(cluster);
    expect(cluster.rollout.status.phase).toBe('Healthy');
    expect(cluster.analysisRuns.map((run) => run.spec.terminate)).toEqual([true]);
    expect(cluster.rollout.status.canary?.currentBackgroundAnalysisRunStatus).toBeUndefined();
  });
});

describe('arguments and templates', () => {
  it('fills template arguments from the Rollout: values, pod-template hashes and fields', () => {
    const steps: CanaryStep[] = [
      { setWeight: 25 },
      {
        analysis: {
          templates: [{ templateName: 'args' }],
          args: [
            { name: 'latest', valueFrom: { podTemplateHashValue: 'Latest' } },
            { name: 'stable', valueFrom: { podTemplateHashValue: 'Stable' } },
            { name: 'app', valueFrom: { fieldRef: { fieldPath: "metadata.labels['team']" } } },
            { name: 'image', valueFrom: { fieldRef: { fieldPath: 'spec.template.spec.containers[0].image' } } },
          ],
        },
      },
    ];
    const cluster = released(steps, {}, [
      template('args', [{ name: 'latest' }, { name: 'stable' }, { name: 'app' }, { name: 'image' }, { name: 'fixed', value: 'x' }]),
    ]);
    cluster.rollout.metadata = { ...cluster.rollout.metadata, labels: { team: 'web' } };
    const stable = cluster.rollout.status?.stableRS ?? '';
    runUntilSettled(cluster);
    const hash = cluster.rollout.status?.currentPodHash ?? '';
    expect(cluster.analysisRuns[0]?.spec.args).toEqual([
      { name: 'latest', value: hash },
      { name: 'stable', value: stable },
      { name: 'app', value: 'web' },
      { name: 'image', value: 'demo:2' },
      { name: 'fixed', value: 'x' },
    ]);
  });

  it.each([
    [
      'a missing template',
      [{ templateName: 'nowhere' }],
      [],
      "spec.strategy.canary.steps[1].analysis.templates: AnalysisTemplate 'nowhere' not found",
    ],
    [
      'a missing cluster template',
      [{ templateName: 'nowhere', clusterScope: true }],
      [],
      "spec.strategy.canary.steps[1].analysis.templates: ClusterAnalysisTemplate 'nowhere' not found",
    ],
    [
      'an argument without a value',
      [{ templateName: 'needs-arg' }],
      [],
      'spec.strategy.canary.steps[1].analysis.args: args.service was not resolved',
    ],
    [
      'an unparsable condition',
      [{ templateName: 'broken' }],
      [],
      "spec.strategy.canary.steps[1].analysis.templates: AnalysisTemplate 'broken': ",
    ],
    [
      'a metric twice',
      [{ templateName: 'rate' }, { templateName: 'rate-again' }],
      [],
      "spec.strategy.canary.steps[1].analysis.templates: two metrics have the same name 'success-rate'",
    ],
    // Argo's validateAnalysisMetrics: every {{…}} in a metric must name an argument (issue 28, item 1).
    [
      'a setting naming no argument',
      [{ templateName: 'unknown-arg' }],
      [],
      "spec.strategy.canary.steps[1].analysis.templates: AnalysisTemplate 'unknown-arg': failed to resolve {{args.nowhere}}",
    ],
  ])('%s is an InvalidSpec naming it, and nothing else moves', (_name, templates, args, message) => {
    const broken = template('broken');
    broken.spec.metrics = [
      { name: 'success-rate', successCondition: 'result[0] >=', provider: { prometheus: { address: 'http://p', query: 'up' } } },
    ];
    const unknownArg = template('unknown-arg');
    unknownArg.spec.metrics = [
      { name: 'success-rate', interval: '20s', count: '{{args.nowhere}}', provider: { prometheus: { address: 'http://p', query: 'up' } } },
    ];
    const cluster = released([{ setWeight: 25 }, stepAnalysis], {}, [
      template('rate'),
      template('rate-again'),
      template('needs-arg', [{ name: 'service' }]),
      broken,
      unknownArg,
    ]);
    const before = structuredClone(cluster.replicaSets);
    updateSpec(cluster, (spec) => {
      spec.strategy = { canary: { steps: [{ setWeight: 25 }, { analysis: { templates, args } }] } };
    });
    // An invalid Rollout is retried every 20 s, so it never settles: a few reconciles show nothing moves.
    for (let i = 0; i < 3; i++) expect(reconcileOnce(cluster).actions).toEqual([]);
    const condition = cluster.rollout.status?.conditions?.find((candidate) => candidate.type === 'InvalidSpec');
    expect(condition?.message).toContain(`The Rollout "demo" is invalid: ${message}`);
    expect(cluster.replicaSets).toEqual(before);
    expect(cluster.analysisRuns).toEqual([]);
  });
});

describe('templated metric settings', () => {
  it('a condition and settings made of arguments are checked resolved, and the run carries them as written (Argo resolves them in the run)', () => {
    const templated = template('rate', [{ name: 'threshold' }, { name: 'runs', value: '5' }]);
    const written = {
      name: 'success-rate',
      interval: '20s',
      count: '{{args.runs}}',
      successCondition: 'result[0] >= {{args.threshold}}',
      provider: { prometheus: { address: 'http://p', query: 'up' } },
    };
    templated.spec.metrics = [written];
    const cluster = released(
      [{ setWeight: 25 }, { analysis: { templates: [{ templateName: 'rate' }], args: [{ name: 'threshold', value: '0.9' }] } }],
      {},
      [templated],
    );
    runUntilSettled(cluster);
    expect(cluster.rollout.status?.conditions?.find((candidate) => candidate.type === 'InvalidSpec')).toBeUndefined();
    expect(cluster.analysisRuns[0]?.spec.metrics).toEqual([written]);
    expect(cluster.analysisRuns[0]?.spec.args).toEqual([
      { name: 'threshold', value: '0.9' },
      { name: 'runs', value: '5' },
    ]);
  });

  it('a background analysis naming no argument is not refused: Argo creates the run, which errs as it starts', () => {
    const unknownArg = template('rate');
    unknownArg.spec.metrics = [
      { name: 'success-rate', interval: '20s', count: '{{args.nowhere}}', provider: { prometheus: { address: 'http://p', query: 'up' } } },
    ];
    const cluster = released([{ setWeight: 25 }, { pause: {} }], { analysis: { templates: [{ templateName: 'rate' }] } }, [unknownArg]);
    runUntilSettled(cluster);
    expect(cluster.rollout.status?.conditions?.find((candidate) => candidate.type === 'InvalidSpec')).toBeUndefined();
    expect(cluster.analysisRuns.map((run) => run.metadata?.labels?.['rollout-type'])).toEqual(['Background']);
  });
});

describe('history limits', () => {
  it('keeps successfulRunHistoryLimit finished runs of other revisions and deletes the oldest', () => {
    const cluster = released([{ setWeight: 25 }, stepAnalysis]);
    cluster.rollout.spec.analysis = { successfulRunHistoryLimit: 1 };
    for (const image of ['demo:3', 'demo:4']) {
      runUntilSettled(cluster);
      const hash = cluster.rollout.status?.currentPodHash ?? '';
      setPhase(cluster, cluster.analysisRuns.at(-1)?.metadata?.name ?? '', 'Successful');
      runUntilSettled(cluster);
      expect(cluster.rollout.status?.stableRS).toBe(hash);
      cluster.now += 1000;
      updateSpec(cluster, (spec) => {
        spec.template = { ...spec.template, spec: { containers: [{ name: 'app', image }] } };
      });
    }
    runUntilSettled(cluster);
    // Two finished runs (revisions 2 and 3), one kept: the newer; revision 4's run is current.
    expect(cluster.analysisRuns.map((run) => run.metadata?.name?.split('-').slice(-2).join('-'))).toEqual(['3-1', '4-1']);
  });
});
