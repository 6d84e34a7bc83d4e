import type { V1ReplicaSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  experimentStatusSchema,
  type AnalysisRun,
  type AnalysisTemplate,
  type Experiment,
  type ExperimentStatus,
} from '../../api/index.js';
import type { AnalysisTemplateCatalog } from '../analysis-templates.js';
import { experimentReplicaSet } from './experiment-objects.js';
import { planExperiment, resolveExperimentArg, type ExperimentObservation } from './plan-experiment.js';

const T0 = '2026-12-07T12:00:00Z';
const at = (seconds: number): Date => new Date(Date.parse(T0) + seconds * 1000);
const iso = (seconds: number): string => at(seconds).toISOString().replace('.000Z', 'Z');

function experiment(spec: Partial<Experiment['spec']> = {}, status?: ExperimentStatus): Experiment {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Experiment',
    metadata: { name: 'ex', namespace: 'ns', uid: 'uid-ex' },
    spec: {
      templates: [
        {
          name: 'baseline',
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'web', image: 'nginx:1', ports: [{ containerPort: 8080 }] }] },
          },
        },
      ],
      ...spec,
    },
    ...(status === undefined ? {} : { status }),
  };
}

const passTemplate: AnalysisTemplate = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisTemplate',
  metadata: { name: 'pass' },
  spec: { args: [{ name: 'hash' }], metrics: [{ name: 'm', provider: { web: { url: 'http://127.0.0.1/{{args.hash}}' } } }] },
};
function baseline(): Experiment['spec']['templates'][number] {
  const [template] = experiment().spec.templates;
  if (template === undefined) throw new Error('no template');
  return template;
}

const catalog: AnalysisTemplateCatalog = { namespaced: { pass: { ok: true, template: passTemplate } }, cluster: {} };

function rs(ex: Experiment, replicas: number, available: number, annotations: Record<string, string> = {}): V1ReplicaSet {
  const template = ex.spec.templates[0];
  if (template === undefined) throw new Error('no template');
  const object = experimentReplicaSet(ex, template, undefined, replicas);
  object.metadata = Object.assign({}, object.metadata, { annotations: Object.assign({}, object.metadata?.annotations, annotations) });
  object.status = { replicas: available, readyReplicas: available, availableReplicas: available };
  return object;
}

function observe(ex: Experiment, now: number, extra: Partial<ExperimentObservation> = {}): ExperimentObservation {
  return {
    experiment: ex,
    replicaSets: new Map(),
    services: new Map(),
    analysisRuns: new Map(),
    templates: catalog,
    now: at(now),
    ...extra,
  };
}

const running = (more: Partial<ExperimentStatus> = {}): ExperimentStatus => ({
  phase: 'Running',
  availableAt: iso(0),
  templateStatuses: [
    {
      name: 'baseline',
      replicas: 1,
      updatedReplicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
      status: 'Running',
      lastTransitionTime: iso(0),
    },
  ],
  ...more,
});

function run(phase: AnalysisRun['status'] extends infer S ? (S extends { phase?: infer P } ? P : never) : never): AnalysisRun {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: { name: 'ex-pass', namespace: 'ns', ownerReferences: [{ kind: 'Experiment', uid: 'uid-ex', controller: true }] },
    spec: { metrics: [] },
    ...(phase === undefined ? {} : { status: { phase } }),
  };
}

describe('planExperiment', () => {
  const analyses = [{ name: 'pass', templateName: 'pass', args: [{ name: 'hash', value: '{{templates.baseline.podTemplateHash}}' }] }];
  const cases: {
    name: string;
    observation: () => ExperimentObservation;
    actions: string[];
    phase: string | undefined;
    events: string[];
    message?: string;
    requeueAfterMs?: number;
  }[] = [
    {
      name: 'a new Experiment: its ReplicaSet created at zero, Pending',
      observation: () => observe(experiment(), 0),
      actions: ['createReplicaSet ex-baseline 0'],
      phase: 'Pending',
      events: [
        "TemplateProgressing: Template 'baseline' transitioned from  -> Progressing",
        'ExperimentPending: Experiment transitioned from  -> Pending',
      ],
      requeueAfterMs: 600_001,
    },
    {
      name: 'the ReplicaSet at zero is scaled up to the template replicas',
      observation: () => {
        const ex = experiment(
          {},
          { phase: 'Pending', templateStatuses: [{ name: 'baseline', status: 'Progressing', lastTransitionTime: iso(0) }] },
        );
        return observe(ex, 1, { replicaSets: new Map([['baseline', rs(ex, 0, 0)]]) });
      },
      actions: ['scaleReplicaSet ex-baseline 1'],
      phase: 'Pending',
      events: ['ScalingReplicaSet: Scaled up ReplicaSet ex-baseline from 0 to 1'],
      requeueAfterMs: 600_001 - 1000 + 1000,
    },
    {
      name: 'available: Running, availableAt marked, the analysis template only verified',
      observation: () => {
        const ex = experiment(
          { analyses, duration: '30s' },
          { phase: 'Pending', templateStatuses: [{ name: 'baseline', status: 'Progressing', lastTransitionTime: iso(0) }] },
        );
        return observe(ex, 5, { replicaSets: new Map([['baseline', rs(ex, 1, 1)]]) });
      },
      actions: [],
      phase: 'Running',
      events: [
        "TemplateRunning: Template 'baseline' transitioned from Progressing -> Running",
        'ExperimentRunning: Experiment transitioned from Pending -> Running',
      ],
      requeueAfterMs: 30_001,
    },
    {
      name: 'available since the last pass: the AnalysisRun is created, its argument resolved from the template hash',
      observation: () => {
        const ex = experiment({ analyses, duration: '30s' }, running());
        return observe(ex, 6, { replicaSets: new Map([['baseline', rs(ex, 1, 1)]]) });
      },
      actions: ['createAnalysisRun ex-pass'],
      phase: 'Running',
      events: ["AnalysisRunPending: AnalysisRun 'pass' transitioned from  -> Pending"],
      requeueAfterMs: 24_001,
    },
    {
      name: 'a missing AnalysisTemplate is an Error before anything runs',
      observation: () => {
        const ex = experiment({ analyses: [{ name: 'x', templateName: 'does-not-exist' }] }, { phase: 'Pending' });
        return observe(ex, 1, { replicaSets: new Map([['baseline', rs(ex, 1, 0)]]) });
      },
      actions: [],
      phase: 'Error',
      message: `AnalysisTemplate verification failed for analysis 'x': analysistemplate.argoproj.io "does-not-exist" not found`,
      events: [
        "TemplateProgressing: Template 'baseline' transitioned from  -> Progressing",
        `AnalysisRunError: AnalysisRun 'x' transitioned from  -> Error: AnalysisTemplate verification failed for analysis 'x': analysistemplate.argoproj.io "does-not-exist" not found`,
        'ExperimentError: Experiment transitioned from Pending -> Error',
      ],
    },
    {
      name: 'a failed AnalysisRun fails the Experiment while its templates run',
      observation: () => {
        const ex = experiment(
          { analyses, duration: '30s' },
          running({ analysisRuns: [{ name: 'pass', analysisRun: 'ex-pass', phase: 'Running' }] }),
        );
        return observe(ex, 10, { replicaSets: new Map([['baseline', rs(ex, 1, 1)]]), analysisRuns: new Map([['ex-pass', run('Failed')]]) });
      },
      actions: [],
      phase: 'Failed',
      events: [
        "AnalysisRunFailed: AnalysisRun 'pass' transitioned from Running -> Failed",
        'ExperimentFailed: Experiment transitioned from Running -> Failed',
      ],
    },
    {
      name: 'the duration passed: the template is Successful and so is the Experiment (a run not required is left to be terminated)',
      observation: () => {
        const ex = experiment(
          { analyses, duration: '30s' },
          running({ analysisRuns: [{ name: 'pass', analysisRun: 'ex-pass', phase: 'Running' }] }),
        );
        return observe(ex, 31, {
          replicaSets: new Map([['baseline', rs(ex, 1, 1)]]),
          analysisRuns: new Map([['ex-pass', run('Running')]]),
        });
      },
      actions: [],
      phase: 'Successful',
      events: [
        "TemplateSuccessful: Template 'baseline' transitioned from Running -> Successful",
        'ExperimentSuccessful: Experiment transitioned from Running -> Successful',
      ],
    },
    {
      name: 'a required run that succeeds completes the Experiment before its duration',
      observation: () => {
        const ex = experiment(
          { analyses: [{ name: 'pass', templateName: 'pass', args: analyses[0]?.args ?? [], requiredForCompletion: true }] },
          running({ analysisRuns: [{ name: 'pass', analysisRun: 'ex-pass', phase: 'Running' }] }),
        );
        return observe(ex, 10, {
          replicaSets: new Map([['baseline', rs(ex, 1, 1)]]),
          analysisRuns: new Map([['ex-pass', run('Successful')]]),
        });
      },
      actions: [],
      phase: 'Successful',
      message: 'Required AnalysisRuns completed',
      events: [
        "AnalysisRunSuccessful: AnalysisRun 'pass' transitioned from Running -> Successful",
        'ExperimentSuccessful: Experiment transitioned from Running -> Successful',
      ],
    },
    {
      name: 'finished: the scale-down deadline is set and the pods kept until it passes; the running run is terminated',
      observation: () => {
        const ex = experiment(
          { analyses, duration: '30s', scaleDownDelaySeconds: 5 },
          { ...running({ analysisRuns: [{ name: 'pass', analysisRun: 'ex-pass', phase: 'Running' }] }), phase: 'Successful' },
        );
        return observe(ex, 32, {
          replicaSets: new Map([['baseline', rs(ex, 1, 1)]]),
          analysisRuns: new Map([['ex-pass', run('Running')]]),
        });
      },
      actions: [`setScaleDownDeadline ex-baseline ${iso(37)}`, 'terminateAnalysisRun ex-pass'],
      phase: 'Successful',
      events: [
        "TemplateSuccessful: Template 'baseline' transitioned from Running -> Successful",
        'AnalysisRunTerminating: Terminating pass (ex-pass)',
      ],
      requeueAfterMs: 5001,
    },
    {
      name: 'past the scale-down deadline the ReplicaSet goes to zero',
      observation: () => {
        const ex = experiment({ scaleDownDelaySeconds: 5 }, { ...running(), phase: 'Successful' });
        return observe(ex, 40, { replicaSets: new Map([['baseline', rs(ex, 1, 1, { 'scale-down-deadline': iso(37) })]]) });
      },
      actions: ['scaleReplicaSet ex-baseline 0'],
      phase: 'Successful',
      events: [
        "TemplateSuccessful: Template 'baseline' transitioned from Running -> Successful",
        'ScalingReplicaSet: Scaled down ReplicaSet ex-baseline from 1 to 0',
      ].reverse(),
    },
    {
      name: 'a template not available within progressDeadlineSeconds fails',
      observation: () => {
        const ex = experiment(
          { progressDeadlineSeconds: 30 },
          { phase: 'Pending', templateStatuses: [{ name: 'baseline', status: 'Progressing', lastTransitionTime: iso(0) }] },
        );
        return observe(ex, 31, { replicaSets: new Map([['baseline', rs(ex, 1, 0)]]) });
      },
      actions: [],
      phase: 'Failed',
      message: "Template 'baseline' exceeded its progressDeadlineSeconds (30)",
      events: [
        "TemplateFailed: Template 'baseline' transitioned from Progressing -> Failed: Template 'baseline' exceeded its progressDeadlineSeconds (30)",
        'ExperimentFailed: Experiment transitioned from Pending -> Failed',
      ],
    },
    {
      name: 'terminate while running: Successful, as Argo ends a terminated Experiment',
      observation: () => {
        const ex = experiment({ terminate: true, scaleDownDelaySeconds: 0 }, running());
        return observe(ex, 3, { replicaSets: new Map([['baseline', rs(ex, 1, 1)]]) });
      },
      actions: ['scaleReplicaSet ex-baseline 0'],
      phase: 'Successful',
      events: [
        'ScalingReplicaSet: Scaled down ReplicaSet ex-baseline from 1 to 0',
        "TemplateSuccessful: Template 'baseline' transitioned from Running -> Successful",
        'ExperimentSuccessful: Experiment transitioned from Running -> Successful',
      ],
    },
  ];

  it.each(cases)('$name', ({ observation, actions, phase, events, message, requeueAfterMs }) => {
    const plan = planExperiment(observation());
    expect(
      plan.actions.map((action) => {
        switch (action.kind) {
          case 'createReplicaSet':
            return `createReplicaSet ${action.replicaSet.metadata?.name ?? ''} ${String(action.replicaSet.spec?.replicas)}`;
          case 'scaleReplicaSet':
            return `scaleReplicaSet ${action.name} ${String(action.replicas)}`;
          case 'setScaleDownDeadline':
            return `setScaleDownDeadline ${action.name} ${String(action.deadline)}`;
          case 'createAnalysisRun':
            return `createAnalysisRun ${action.run.metadata?.name ?? ''}`;
          case 'createService':
            return `createService ${action.service.metadata?.name ?? ''}`;
          default:
            return `${action.kind} ${action.name}`;
        }
      }),
    ).toEqual(actions);
    expect(plan.status.phase).toBe(phase);
    if (message !== undefined) expect(plan.status.message).toBe(message);
    expect(plan.events.map((event) => `${event.reason}: ${event.message}`)).toEqual(events);
    if (requeueAfterMs !== undefined) expect(plan.requeueAfterMs).toBe(requeueAfterMs);
  });

  // Argo's ExperimentAnalysisRunStatus has `analysisRun` and `phase` without omitempty and its CRD requires both: an
  // entry without them is a 422 on every status write (seen ~40 times per run against Argo's CRD before this).
  it('lists an analysis not started yet as Argo serialises it: analysisRun and phase empty, not absent', () => {
    const ex = experiment({ analyses }, { phase: 'Pending' });
    const plan = planExperiment(observe(ex, 1, { replicaSets: new Map([['baseline', rs(ex, 1, 0)]]) }));
    expect(plan.status.analysisRuns).toEqual([{ name: 'pass', analysisRun: '', phase: '' }]);
  });

  it("copies a run's empty phase as '' (a run its controller has not looked at yet), with no event", () => {
    const ex = experiment({ analyses }, running({ analysisRuns: [{ name: 'pass', analysisRun: 'ex-pass', phase: 'Pending' }] }));
    const plan = planExperiment(
      observe(ex, 1, { replicaSets: new Map([['baseline', rs(ex, 1, 1)]]), analysisRuns: new Map([['ex-pass', run(undefined)]]) }),
    );
    expect(plan.status.analysisRuns).toEqual([{ name: 'pass', analysisRun: 'ex-pass', phase: '' }]);
    expect(plan.events.filter((event) => event.reason.startsWith('AnalysisRun'))).toEqual([]);
    // The status reads back through the schema (as the next pass reads it from the API server).
    expect(experimentStatusSchema.safeParse(plan.status).success).toBe(true);
  });

  it("tells an experiment step's Rollout of each AnalysisRun transition, as a Warning whatever the phase (Argo #4009)", () => {
    const status = running({ analysisRuns: [{ name: 'pass', analysisRun: 'ex-pass', phase: 'Running' }] });
    const owned = experiment({ analyses }, status);
    owned.metadata = {
      ...owned.metadata,
      ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'web', uid: 'uid-web', controller: true }],
    };
    const extra = { replicaSets: new Map([['baseline', rs(owned, 1, 1)]]), analysisRuns: new Map([['ex-pass', run('Successful')]]) };
    const plan = planExperiment(observe(owned, 10, extra));
    expect(plan.rolloutEvents).toEqual([
      { type: 'Warning', reason: 'AnalysisRunSuccessful', message: "AnalysisRun 'pass' transitioned from Running -> Successful" },
    ]);
    expect(plan.events.find((event) => event.reason === 'AnalysisRunSuccessful')?.type).toBe('Normal');
    // A standalone Experiment has no Rollout to tell.
    expect(planExperiment(observe(experiment({ analyses }, status), 10, extra)).rolloutEvents).toEqual([]);
  });

  it('refuses an invalid spec with only its InvalidSpec condition, in Argo words', () => {
    const plan = planExperiment(observe(experiment({ templates: [{ ...baseline(), selector: {} }] }), 0));
    expect(plan.actions).toEqual([]);
    expect(plan.status.conditions?.map((condition) => `${condition.type} ${condition.message ?? ''}`)).toEqual([
      'InvalidSpec This experiment is selecting all pods at index 0. A non-empty selector is required.',
    ]);
  });

  it('creates the template Service once the ReplicaSet exists, named as it, selecting its labels', () => {
    const ex = experiment({ templates: [{ ...baseline(), service: {} }] }, { phase: 'Pending' });
    const plan = planExperiment(observe(ex, 1, { replicaSets: new Map([['baseline', rs(ex, 1, 0)]]) }));
    const action = plan.actions.find((candidate) => candidate.kind === 'createService');
    expect(action?.kind === 'createService' ? action.service.spec : undefined).toEqual({
      selector: rs(ex, 1, 0).metadata?.labels,
      ports: [{ port: 8080, targetPort: 8080 }],
    });
    expect(plan.status.templateStatuses?.[0]?.serviceName).toBe('ex-baseline');
  });

  it('names a template Service that exists but that its status lost (a lost status write), without creating another', () => {
    const ex = experiment({ templates: [{ ...baseline(), service: {} }] }, { phase: 'Pending' });
    const replicaSet = rs(ex, 1, 0);
    const service = { metadata: { name: 'ex-baseline' } };
    const plan = planExperiment(
      observe(ex, 1, { replicaSets: new Map([['baseline', replicaSet]]), services: new Map([['baseline', service]]) }),
    );
    expect(plan.actions.filter((candidate) => candidate.kind === 'createService')).toEqual([]);
    expect(plan.status.templateStatuses?.[0]).toMatchObject({
      serviceName: 'ex-baseline',
      podTemplateHash: replicaSet.metadata?.labels?.['rollouts-pod-template-hash'],
    });
  });

  it('names the ReplicaSet <experiment>-<template> with a hash that differs from the bare template (the hash label is not hashed)', () => {
    const ex = experiment();
    const template = baseline();
    const plain = experimentReplicaSet(ex, template, undefined, 0);
    const labelled = experimentReplicaSet(
      ex,
      { ...template, template: { ...template.template, metadata: { labels: { app: 'web', 'rollouts-pod-template-hash': 'x' } } } },
      undefined,
      0,
    );
    expect(plain.metadata?.name).toBe('ex-baseline');
    expect(labelled.metadata?.labels).toEqual(plain.metadata?.labels);
    expect(experimentReplicaSet(ex, template, 1, 0).metadata?.labels?.['rollouts-pod-template-hash']).not.toBe(
      plain.metadata?.labels?.['rollouts-pod-template-hash'],
    );
  });

  it.each([
    ['{{templates.baseline.podTemplateHash}}', 'HASH'],
    ['{{ templates.baseline.replicaset.name }}', 'ex-baseline'],
    ['{{experiment.availableAt}}', iso(0)],
    ['{{experiment.finishedAt}}', iso(30)],
    ['{{templates.canary.podTemplateHash}}', 'failed to resolve {{templates.canary.podTemplateHash}}'],
  ])('resolves %s', (text, expected) => {
    const ex = experiment({ duration: '30s' }, { availableAt: iso(0) });
    const replicaSet = { metadata: { name: 'ex-baseline', labels: { 'rollouts-pod-template-hash': 'HASH' } } };
    const value = resolveExperimentArg(text, ex, new Map([['baseline', replicaSet]]));
    expect(value instanceof Error ? value.message : value).toBe(expected);
  });
});

describe('planExperiment: a scale is conditional on the ReplicaSet version it was planned from', () => {
  it('carries the observed resourceVersion, so a pass on a stale copy conflicts instead of scaling and telling twice', () => {
    const ex = experiment(
      {},
      { phase: 'Pending', templateStatuses: [{ name: 'baseline', status: 'Progressing', lastTransitionTime: iso(0) }] },
    );
    const stale = rs(ex, 0, 0);
    stale.metadata = Object.assign({}, stale.metadata, { resourceVersion: '41' });
    const plan = planExperiment(observe(ex, 1, { replicaSets: new Map([['baseline', stale]]) }));
    expect(plan.actions).toEqual([
      { kind: 'scaleReplicaSet', name: 'ex-baseline', replicas: 1, template: 'baseline', resourceVersion: '41' },
    ]);
  });
});
