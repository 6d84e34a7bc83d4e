import { describe, expect, it } from 'vitest';
import { formatPath } from './format-path.js';
import { issuesOf, rawRollout as rollout } from './testing/raw-rollout.js';
import { validateRollout } from './validate-rollout.js';

describe('validateRollout accepts', () => {
  it.each([
    ['a minimal canary', rollout()],
    [
      'the Ambassador and App Mesh routers, in Argo’s fields',
      rollout({
        strategy: {
          canary: {
            canaryService: 'web-canary',
            stableService: 'web-stable',
            trafficRouting: {
              ambassador: { mappings: ['web'] },
              appMesh: {
                virtualService: { name: 'web', routes: ['primary'] },
                virtualNodeGroup: { canaryVirtualNodeRef: { name: 'web-canary' }, stableVirtualNodeRef: { name: 'web-stable' } },
              },
            },
          },
        },
      }),
    ],
    [
      'a canary with every supported field',
      rollout({
        replicas: 3,
        minReadySeconds: 10,
        revisionHistoryLimit: 3,
        paused: false,
        progressDeadlineSeconds: 120,
        progressDeadlineAbort: true,
        analysis: { successfulRunHistoryLimit: 1, unsuccessfulRunHistoryLimit: 2 },
        strategy: {
          canary: {
            canaryService: 'web-canary',
            stableService: 'web-stable',
            maxSurge: '25%',
            maxUnavailable: 0,
            abortScaleDownDelaySeconds: 5,
            scaleDownDelayRevisionLimit: 1,
            minPodsPerReplicaSet: 1,
            canaryMetadata: { labels: { role: 'canary' } },
            stableMetadata: { annotations: { a: 'b' } },
            steps: [
              { setWeight: 0 },
              { pause: { duration: '1h' } },
              { pause: { duration: 30 } },
              { pause: { duration: '45' } },
              { setWeight: 100 },
            ],
          },
        },
      }),
    ],
    [
      'a blue-green',
      rollout({
        strategy: {
          blueGreen: { activeService: 'web', previewService: 'web-preview', autoPromotionEnabled: false, previewReplicaCount: 1 },
        },
      }),
    ],
    ['a percentage without its sign, as Argo reads it', rollout({ strategy: { canary: { maxSurge: '30', maxUnavailable: '10%' } } })],
    [
      'selector expressions',
      rollout({
        selector: {
          matchExpressions: [
            { key: 'app', operator: 'In', values: ['web', 'www'] },
            { key: 'legacy', operator: 'DoesNotExist' },
          ],
        },
      }),
    ],
    [
      'a status written by someone else',
      rollout({}, { status: { phase: 'Healthy', observedGeneration: '3', somethingNew: { x: 1 }, replicas: 'many' } }),
    ],
    [
      'unknown fields inside the pod spec',
      rollout({
        template: {
          metadata: { labels: { app: 'web' }, name: 'ignored' },
          spec: { containers: [{ name: 'web', image: 'web:1', env: [] }], priorityClassName: 'high' },
        },
      }),
    ],
  ])('%s', (_name, object) => {
    expect(issuesOf(object)).toEqual([]);
  });

  it('returns the Rollout as written (no defaults filled in) with a lenient status', () => {
    const result = validateRollout(rollout({}, { status: { phase: 'Paused', replicas: 'many', currentStepIndex: 1 } }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.rollout.spec.replicas).toBeUndefined();
    expect(result.rollout.status).toEqual({ phase: 'Paused', currentStepIndex: 1 });
  });
});

describe('validateRollout refuses', () => {
  it.each([
    ['an unknown top-level spec field', rollout({ replica: 3 }), ['spec.replica: unknown field "replica" (did you mean "replicas"?)']],
    [
      'an unknown field in a step',
      rollout({ strategy: { canary: { steps: [{ setWieght: 20 }] } } }),
      ['spec.strategy.canary.steps[0].setWieght: unknown field "setWieght" (did you mean "setWeight"?)'],
    ],
    [
      'an unknown step kind',
      rollout({ strategy: { canary: { steps: [{ setWeight: 5 }, { rollback: {} }] } } }),
      ['spec.strategy.canary.steps[1].rollback: unknown field "rollback"'],
    ],
    ['an unknown top-level field', rollout({}, { specs: {} }), ['specs: unknown field "specs" (did you mean "spec"?)']],
    ['a string for an integer', rollout({ replicas: '3' }), ['spec.replicas: expected an integer, got the string "3"']],
    [
      'a fraction for an integer',
      rollout({ strategy: { canary: { steps: [{ setWeight: 2.5 }] } } }),
      ['spec.strategy.canary.steps[0].setWeight: expected an integer, got the number 2.5'],
    ],
    ['a number beyond int32', rollout({ replicas: 2 ** 31 }), ['spec.replicas: expected a 32-bit integer, got the number 2147483648']],
    ['a list for an object', rollout({ strategy: { canary: [] } }), ['spec.strategy.canary: expected a map of fields, got a list']],
    [
      'a boolean for IntOrString',
      rollout({ strategy: { canary: { maxSurge: false } } }),
      ['spec.strategy.canary.maxSurge: expected an integer or a string, got false'],
    ],
    [
      'a number label value',
      rollout({}, { metadata: { name: 'web', labels: { version: 2 } } }),
      ['metadata.labels.version: expected a string, got the number 2'],
    ],
    ['a missing spec', { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'x' } }, ['spec: missing field "spec"']],
    [
      'a missing activeService',
      rollout({ strategy: { blueGreen: {} } }),
      ['spec.strategy.blueGreen.activeService: missing field "activeService"'],
    ],
    [
      'a missing selector',
      rollout({ selector: undefined }),
      ['spec.selector: missing field "selector": a Rollout without a workloadRef needs one'],
    ],
    [
      'an empty selector',
      rollout({ selector: {} }),
      ['spec.selector: an empty selector would select every pod: give matchLabels or matchExpressions'],
    ],
    [
      'a selector that does not match the labels',
      rollout({ selector: { matchLabels: { app: 'api' } } }),
      ['spec.template.metadata.labels: do not match spec.selector, which needs app=api'],
    ],
    [
      'a selector expression that does not match',
      rollout({ selector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] } }),
      ['spec.template.metadata.labels: do not match spec.selector, which needs app notin (web)'],
    ],
    [
      'an In expression without values',
      rollout({ selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In' }] } }),
      [
        'spec.selector.matchExpressions[0].operator: operator In needs at least one value',
        'spec.template.metadata.labels: do not match spec.selector, which needs tier in ()',
      ],
    ],
    [
      'a template without containers',
      rollout({ template: { metadata: { labels: { app: 'web' } } } }),
      ['spec.template.spec.containers: missing containers: the pod template needs at least one'],
    ],
    ['no strategy', rollout({ strategy: {} }), ['spec.strategy: missing strategy: set exactly one of canary and blueGreen']],
    [
      'a pause duration that is not a duration',
      rollout({ strategy: { canary: { steps: [{ pause: { duration: '10 minutes' } }] } } }),
      ['spec.strategy.canary.steps[0].pause.duration: expected seconds or a duration such as 30s, 5m, 1h; got "10 minutes"'],
    ],
    [
      'a negative pause',
      rollout({ strategy: { canary: { steps: [{ pause: { duration: '-5s' } }] } } }),
      ['spec.strategy.canary.steps[0].pause.duration: must not be negative (got "-5s")'],
    ],
    [
      'maxSurge and maxUnavailable both zero',
      rollout({ strategy: { canary: { maxSurge: '0%', maxUnavailable: 0 } } }),
      ['spec.strategy.canary.maxSurge: maxSurge and maxUnavailable are both zero: the update could never make progress'],
    ],
    [
      'a fractional percentage for maxSurge',
      rollout({ strategy: { canary: { maxSurge: '2.5%' } } }),
      ['spec.strategy.canary.maxSurge: expected a non-negative integer or a percentage such as "25%", got "2.5%"'],
    ],
    [
      'a zero percentage written without the sign',
      rollout({ strategy: { canary: { maxSurge: '0', maxUnavailable: 0 } } }),
      ['spec.strategy.canary.maxSurge: maxSurge and maxUnavailable are both zero: the update could never make progress'],
    ],
    ['no name', rollout({}, { metadata: {} }), ['metadata.name: missing field "name": a Rollout needs a name']],
  ])('%s', (_name, object, expected) => {
    expect(issuesOf(object)).toEqual(expected);
  });

  it.each([
    [
      // Experiment template weights are supported with SMI, ALB and Istio; without a router they get Argo's refusal (experiment-weight-checks.test.ts).
      'plugin steps (analysis, experiment with template weights, header and mirror route steps are supported)',
      {
        canary: {
          steps: [
            { analysis: { templates: [{ templateName: 'rate' }] } },
            { experiment: { templates: [{ name: 'canary', specRef: 'canary', weight: 10 }] } },
            { setHeaderRoute: { name: 'h' } },
            { setMirrorRoute: { name: 'm' } },
            { plugin: {} },
          ],
        },
      },
      ['spec.strategy.canary.steps[4].plugin'],
    ],
  ])('%s as not yet supported, naming the field', (_name, strategy, paths) => {
    const result = validateRollout(rollout({ strategy }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const unsupported = result.issues.filter((issue) => issue.message.startsWith('not yet supported by Gradual: '));
    expect(unsupported.map((issue) => formatPath(issue.path))).toEqual(paths);
    for (const issue of unsupported) expect(issue.message).toBe(`not yet supported by Gradual: ${String(issue.path.at(-1))}`);
  });

  it('reports not-yet-supported fields beside schema errors', () => {
    expect(issuesOf(rollout({ replicas: 'x', strategy: { canary: { steps: [{ plugin: {} }] } } }))).toEqual([
      'spec.replicas: expected an integer, got the string "x"',
      'spec.strategy.canary.steps[0].plugin: not yet supported by Gradual: plugin',
    ]);
  });

  it('refuses what is not an object at all', () => {
    expect(issuesOf('Rollout')).toEqual([': expected a map of fields, got the string "Rollout"']);
  });
});
