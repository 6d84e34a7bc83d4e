import { describe, expect, it, test } from 'vitest';
import { planRollout } from '../engine/plan-rollout.js';
import { canaryRollout } from '../engine/testing/fixtures.js';
import { runUntilSettled, simulatedCluster, updateSpec } from '../engine/testing/simulate.js';
import { formatPath } from './format-path.js';
import { lintManifests } from './lint.js';
import type { AntiAffinity } from './types.js';
import { validateRollout } from './validate-rollout.js';

const PREFERRED: AntiAffinity = { preferredDuringSchedulingIgnoredDuringExecution: { weight: 50 } };
const REQUIRED: AntiAffinity = { requiredDuringSchedulingIgnoredDuringExecution: {} };
const ANTI = 'spec.template.spec.affinity.podAntiAffinity';
const REQ = `${ANTI}.requiredDuringSchedulingIgnoredDuringExecution`;
const PREF = `${ANTI}.preferredDuringSchedulingIgnoredDuringExecution`;
const term = { labelSelector: { matchLabels: { app: 'demo' } }, topologyKey: 'zone' };

function withAffinity(affinity: unknown, antiAffinity: AntiAffinity) {
  const rollout = canaryRollout();
  const canary = rollout.spec.strategy?.canary;
  if (canary !== undefined) canary.antiAffinity = antiAffinity;
  if (rollout.spec.template?.spec !== undefined) rollout.spec.template.spec['affinity'] = affinity;
  return rollout;
}

/** Each shape the planner could not read (it threw on every reconcile before), and the first problem named. */
const refused: [name: string, affinity: unknown, path: string, message: string][] = [
  [
    'a null required term (the reported case)',
    { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [null] } },
    `${REQ}[0]`,
    'expected an object, got null',
  ],
  [
    'a null weighted term',
    { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [null] } },
    `${PREF}[0]`,
    'expected an object, got null',
  ],
  [
    'a misspelt podAffinityTerm',
    { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAfinityTerm: term }] } },
    `${PREF}[0].podAfinityTerm`,
    'unknown field "podAfinityTerm" (expected one of weight, podAffinityTerm)',
  ],
  [
    'a weighted term without its term',
    { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1 }] } },
    `${PREF}[0].podAffinityTerm`,
    'missing field "podAffinityTerm": a weighted term needs one',
  ],
  [
    'a misspelt list name',
    { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecuton: [term] } },
    `${ANTI}.requiredDuringSchedulingIgnoredDuringExecuton`,
    'unknown field "requiredDuringSchedulingIgnoredDuringExecuton" (expected one of requiredDuringSchedulingIgnoredDuringExecution, preferredDuringSchedulingIgnoredDuringExecution)',
  ],
  [
    'a list that is an object',
    { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: term } },
    REQ,
    'expected a list, got an object',
  ],
  ['a podAntiAffinity that is a string', { podAntiAffinity: 'spread' }, ANTI, 'expected an object, got string "spread"'],
  ['an affinity that is a list', [term], 'spec.template.spec.affinity', 'expected an object, got a list'],
  [
    'a null match expression',
    {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchExpressions: [null] }, topologyKey: 'zone' }],
      },
    },
    `${REQ}[0].labelSelector.matchExpressions[0]`,
    'expected an object, got null',
  ],
  [
    'match expression values that are a string',
    {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector: { matchExpressions: [{ key: 'a', operator: 'In', values: 'b' }] }, topologyKey: 'zone' },
        ],
      },
    },
    `${REQ}[0].labelSelector.matchExpressions[0].values`,
    'expected a list, got string "b"',
  ],
  [
    'a weight that is a string',
    { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: '10', podAffinityTerm: term }] } },
    `${PREF}[0].weight`,
    'expected an integer, got string "10"',
  ],
  [
    'podAffinity (the same shape) with a null term',
    { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [null] } },
    'spec.template.spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]',
    'expected an object, got null',
  ],
  [
    'a misspelt affinity kind',
    { podAntiAfinity: {} },
    'spec.template.spec.affinity.podAntiAfinity',
    'unknown field "podAntiAfinity" (expected one of nodeAffinity, podAffinity, podAntiAffinity)',
  ],
];

/** Shapes Kubernetes takes, which must stay accepted and plan. */
const accepted: [name: string, affinity: unknown][] = [
  ['no affinity', undefined],
  ['a null affinity', null],
  ['a null podAntiAffinity', { podAntiAffinity: null }],
  [
    'null lists',
    { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: null, preferredDuringSchedulingIgnoredDuringExecution: null } },
  ],
  [
    'user terms of both kinds',
    {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [term],
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: term }],
      },
    },
  ],
  [
    'every term field',
    {
      podAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { ...term, namespaces: ['a'], namespaceSelector: {}, matchLabelKeys: ['k'], mismatchLabelKeys: ['m'] },
        ],
      },
    },
  ],
  [
    'a node affinity (not read by the planner)',
    { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } },
  ],
];

describe('spec.template.spec.affinity: refused at the field where the planner could not read it', () => {
  test.each(
    refused.flatMap(
      ([name, affinity, path, message]) =>
        [
          [name, 'preferred', affinity, path, message, PREFERRED],
          [name, 'required', affinity, path, message, REQUIRED],
        ] as const,
    ),
  )('%s (%s antiAffinity)', (_name, _kind, affinity, path, message, antiAffinity) => {
    const rollout = withAffinity(affinity, antiAffinity);
    const validation = validateRollout(rollout);
    expect(validation.ok).toBe(false);
    const first = validation.ok ? undefined : validation.issues[0];
    expect(first === undefined ? '' : `${formatPath(first.path)}: ${first.message}`).toBe(`${path}: ${message}`);
    // The engine's answer is the InvalidSpec condition with that message, not an exception.
    const plan = planRollout({ rollout, replicaSets: [], services: {}, pods: [], now: new Date(0) });
    expect(plan.actions).toEqual([]);
    expect(plan.status.conditions?.find((c) => c.type === 'InvalidSpec')?.message).toBe(
      `The Rollout "demo" is invalid: ${path}: ${message}`,
    );
    expect(plan.status.phase).toBe('Degraded');
  });

  test.each(
    accepted.flatMap(
      ([name, affinity]) =>
        [
          [name, 'preferred', affinity, PREFERRED],
          [name, 'required', affinity, REQUIRED],
        ] as const,
    ),
  )('%s (%s antiAffinity): valid, and an update plans through to Healthy', (_name, _kind, affinity, antiAffinity) => {
    const rollout = withAffinity(affinity, antiAffinity);
    expect(validateRollout(rollout)).toMatchObject({ ok: true });
    const cluster = simulatedCluster(rollout, { readyAfterMs: 1_000 });
    expect(runUntilSettled(cluster).settled).toBe(true);
    updateSpec(cluster, (spec) => {
      const container = spec.template?.spec?.containers?.[0];
      if (container !== undefined) container.image = 'demo:2';
    });
    // The update injects the anti-affinity term next to the user's: the path that threw before.
    expect(() => runUntilSettled(cluster)).not.toThrow();
    expect(cluster.replicaSets.length).toBe(2);
  });

  it('lint points at the line of the null term', () => {
    const text = [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Rollout',
      'metadata: {name: web}',
      'spec:',
      '  selector: {matchLabels: {app: web}}',
      '  template:',
      '    metadata: {labels: {app: web}}',
      '    spec:',
      '      containers: [{name: web, image: web:1}]',
      '      affinity:',
      '        podAntiAffinity:',
      '          requiredDuringSchedulingIgnoredDuringExecution:',
      '            - null',
      '  strategy: {canary: {antiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {}}}}',
      '',
    ].join('\n');
    const problems = lintManifests([{ path: 'web.yaml', text }]).problems;
    expect(problems.map((p) => `${String(p.line)}: ${p.path}: ${p.message}`)).toEqual([`13: ${REQ}[0]: expected an object, got null`]);
  });
});
