import { describe, expect, it } from 'vitest';
import type { Rollout } from '../api/index.js';
import { MANAGED_BY_ROLLOUTS_ANNOTATION, POD_TEMPLATE_HASH_LABEL } from '../api/argo-labels.js';
import {
  referencedDestinationRuleName,
  releaseDestinationRules,
  releasedDestinationRules,
  subsetsWithoutHash,
} from './destination-rule-references.js';
import { planRollout } from './plan-rollout.js';
import type { ObservedDestinationRule, RolloutObservation } from './reconcile-types.js';

const managed = { [MANAGED_BY_ROLLOUTS_ANNOTATION]: 'web' };

function rollout(destinationRule?: string): Rollout {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'web', namespace: 'ns', uid: 'u1', generation: 2 },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'example.test/web:1' }] } },
      strategy: {
        canary:
          destinationRule === undefined
            ? {}
            : {
                trafficRouting: {
                  istio: {
                    virtualService: { name: 'web-vs' },
                    destinationRule: { name: destinationRule, canarySubsetName: 'canary', stableSubsetName: 'stable' },
                  },
                },
              },
      },
    },
  };
}

function rule(name: string, annotations: Record<string, string> | undefined, subsets: unknown): ObservedDestinationRule {
  return {
    metadata: { name, resourceVersion: '7', ...(annotations === undefined ? {} : { annotations }) },
    spec: { host: 'web', subsets },
  };
}

const hashed = [
  { name: 'stable', labels: { app: 'web', [POD_TEMPLATE_HASH_LABEL]: 'abc' }, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
  { name: 'canary', labels: { [POD_TEMPLATE_HASH_LABEL]: 'def' } },
  { name: 'other', labels: { app: 'web' } },
];

describe('releasedDestinationRules (Argo syncDestinationRule: which rules a Rollout gives back)', () => {
  it.each([
    { case: 'routing turned off: its marked rule', spec: undefined, rules: [rule('web-dr', managed, hashed)], released: ['web-dr'] },
    { case: 'still named: kept', spec: 'web-dr', rules: [rule('web-dr', managed, hashed)], released: [] },
    {
      case: 'another rule named: the old one',
      spec: 'web-dr2',
      rules: [rule('web-dr', managed, hashed), rule('web-dr2', managed, hashed)],
      released: ['web-dr'],
    },
    {
      case: 'marked by another Rollout: not ours',
      spec: undefined,
      rules: [rule('web-dr', { [MANAGED_BY_ROLLOUTS_ANNOTATION]: 'api' }, hashed)],
      released: [],
    },
    { case: 'not marked at all: never touched', spec: undefined, rules: [rule('web-dr', undefined, hashed)], released: [] },
    {
      case: 'marked without hash labels: released (the annotation alone)',
      spec: undefined,
      rules: [rule('web-dr', managed, [{ name: 'stable' }])],
      released: ['web-dr'],
    },
  ])('$case', ({ spec, rules, released }) => {
    expect(releasedDestinationRules(rollout(spec), rules).map((r) => r.metadata?.name)).toEqual(released);
  });

  it('reads an invalid Rollout defensively (a destinationRule that is not an object names nothing)', () => {
    const hostile = {
      ...rollout(),
      spec: { strategy: { canary: { trafficRouting: { istio: { destinationRule: 'web-dr' } } } } },
    } as unknown as Rollout;
    expect(referencedDestinationRuleName(hostile)).toBeUndefined();
    expect(releasedDestinationRules(hostile, [rule('web-dr', managed, hashed)]).map((r) => r.metadata?.name)).toEqual(['web-dr']);
  });
});

describe('subsetsWithoutHash (Argo cleanDestRule)', () => {
  it('drops the hash label from every subset, keeping the rest of each (an emptied map stays, as Go deletes the key)', () => {
    expect(subsetsWithoutHash({ subsets: hashed })).toEqual([
      { name: 'stable', labels: { app: 'web' }, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
      { name: 'canary', labels: {} },
      { name: 'other', labels: { app: 'web' } },
    ]);
  });

  it.each([
    { case: 'no subset carries the hash', spec: { subsets: [{ name: 'stable', labels: { app: 'web' } }] } },
    { case: 'no subsets', spec: { host: 'web' } },
    { case: 'subsets not a list (hostile or broken object)', spec: { subsets: 'stable' } },
    { case: 'no spec', spec: undefined },
    { case: 'subsets of junk', spec: { subsets: [null, 3, 'x', { labels: 'x' }] } },
  ])('leaves the spec alone: $case', ({ spec }) => {
    expect(subsetsWithoutHash(spec)).toBeUndefined();
  });
});

describe('releaseDestinationRules in planRollout', () => {
  const base: RolloutObservation = { rollout: rollout(), replicaSets: [], services: {}, pods: [], now: new Date('2026-01-01T00:00:00Z') };

  it('plans the release first, on the observed resourceVersion: annotation removed, subsets without the hash', () => {
    const plan = planRollout({ ...base, releasedDestinationRules: [rule('web-dr', managed, hashed)] });
    expect(plan.actions[0]).toEqual({
      kind: 'releaseDestinationRule',
      name: 'web-dr',
      resourceVersion: '7',
      annotations: { [MANAGED_BY_ROLLOUTS_ANNOTATION]: null },
      subsets: subsetsWithoutHash({ subsets: hashed }),
    });
    expect(plan.events.map((event) => event.reason)).not.toContain('UpdatedDestinationRule');
  });

  it('only the annotation when no subset carries the hash', () => {
    expect(releaseDestinationRules({ ...base, releasedDestinationRules: [rule('web-dr', managed, [{ name: 'stable' }])] })[0]).toEqual({
      kind: 'releaseDestinationRule',
      name: 'web-dr',
      resourceVersion: '7',
      annotations: { [MANAGED_BY_ROLLOUTS_ANNOTATION]: null },
    });
  });

  it('releases even when the Rollout is invalid, as Argo cleans whatever the Rollout holds', () => {
    const invalid = { ...rollout(), spec: { ...rollout().spec, replicas: -1 } } as Rollout;
    const plan = planRollout({ ...base, rollout: invalid, releasedDestinationRules: [rule('web-dr', managed, hashed)] });
    expect(plan.actions.map((action) => action.kind)).toEqual(['releaseDestinationRule']);
    expect(plan.status.conditions?.some((condition) => condition.type === 'InvalidSpec')).toBe(true);
  });
});
