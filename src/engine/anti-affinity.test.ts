import type { V1Affinity, V1PodAntiAffinity, V1ReplicaSet } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import type { AntiAffinity, Rollout } from '../api/index.js';
import {
  antiAffinityStrategy,
  findInjectedTerm,
  injectedTermNeedsUpdate,
  replicaSetAffinity,
  wantedAffinity,
  withoutInjectedTerm,
} from './anti-affinity.js';
import { applyMergePatch, mergePatchBetween } from './json-merge-patch.js';
import { canaryRollout } from './testing/fixtures.js';

const PREFERRED: AntiAffinity = { preferredDuringSchedulingIgnoredDuringExecution: { weight: 50 } };
const REQUIRED: AntiAffinity = { requiredDuringSchedulingIgnoredDuringExecution: {} };
const USER: V1Affinity = {
  podAntiAffinity: {
    preferredDuringSchedulingIgnoredDuringExecution: [
      { weight: 10, podAffinityTerm: { labelSelector: { matchLabels: { app: 'demo' } }, topologyKey: 'zone' } },
    ],
  },
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] }],
    },
  },
};

/** The user's affinity with a change to its podAntiAffinity (a copy: USER stays as it is). */
function userWith(change: (anti: V1PodAntiAffinity) => void): V1Affinity {
  const copy = structuredClone(USER);
  const anti = copy.podAntiAffinity ?? {};
  change(anti);
  copy.podAntiAffinity = anti;
  return copy;
}

function term(hash: string) {
  return {
    labelSelector: { matchExpressions: [{ key: 'rollouts-pod-template-hash', operator: 'In', values: [hash] }] },
    namespaces: ['default'],
    topologyKey: 'kubernetes.io/hostname',
  };
}

function rollout(antiAffinity: AntiAffinity | undefined, affinity?: V1Affinity, stableRS?: string): Rollout {
  const base = canaryRollout();
  const canary = base.spec.strategy?.canary;
  if (canary !== undefined && antiAffinity !== undefined) canary.antiAffinity = antiAffinity;
  if (affinity !== undefined && base.spec.template?.spec !== undefined) base.spec.template.spec['affinity'] = affinity;
  if (stableRS !== undefined) base.status = { stableRS };
  return base;
}

describe('replicaSetAffinity (Argo GenerateReplicaSetAffinity)', () => {
  test.each([
    [
      'preferred, no affinity of its own',
      rollout(PREFERRED),
      'old',
      { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term('old') }] } },
    ],
    [
      'required, no affinity of its own',
      rollout(REQUIRED),
      'old',
      { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('old')] } },
    ],
    [
      "preferred, after the user's own terms, the rest of the affinity untouched",
      rollout(PREFERRED, USER),
      'old',
      userWith((anti) => anti.preferredDuringSchedulingIgnoredDuringExecution?.push({ weight: 50, podAffinityTerm: term('old') })),
    ],
    [
      'required next to user preferred terms',
      rollout(REQUIRED, USER),
      'old',
      userWith((anti) => (anti.requiredDuringSchedulingIgnoredDuringExecution = [term('old')])),
    ],
    ['no stable ReplicaSet: the template as it is', rollout(PREFERRED, USER), undefined, USER],
    ['no antiAffinity: the template as it is', rollout(undefined, USER), 'old', USER],
    ['an antiAffinity with neither kind is no antiAffinity', rollout({}), 'old', undefined],
  ])('%s', (_name, source, stableHash, expected) => {
    expect(replicaSetAffinity(source, stableHash)).toEqual(expected);
  });

  test("never changes the Rollout's own template", () => {
    const source = rollout(PREFERRED, USER);
    replicaSetAffinity(source, 'old');
    expect(source.spec.template?.spec?.['affinity']).toEqual(USER);
  });

  test('blue-green antiAffinity counts, the canary one wins when both are set (GetRolloutAffinity)', () => {
    const blueGreen = rollout(undefined);
    blueGreen.spec.strategy = { blueGreen: { activeService: 'a', antiAffinity: REQUIRED } };
    expect(antiAffinityStrategy(blueGreen)).toEqual(REQUIRED);
    expect(antiAffinityStrategy(rollout(PREFERRED))).toEqual(PREFERRED);
  });
});

describe('finding, retargeting and removing the injected term', () => {
  const injected = replicaSetAffinity(rollout(PREFERRED, USER), 'old');

  test("is found by its hash expression, not confused with the user's terms", () => {
    expect(findInjectedTerm(injected, rollout(PREFERRED))).toEqual({ index: 1, term: term('old') });
    expect(findInjectedTerm(USER, rollout(PREFERRED))).toBeUndefined();
    expect(findInjectedTerm(injected, rollout(REQUIRED))).toBeUndefined();
  });

  test.each([
    ['preferred with user terms', rollout(PREFERRED, USER), USER],
    ['required alone', rollout(REQUIRED), undefined],
    ['preferred alone', rollout(PREFERRED), undefined],
  ])('removing it from %s gives the template back', (_name, source, expected) => {
    expect(withoutInjectedTerm(replicaSetAffinity(source, 'old'), source)).toEqual(expected);
  });

  test.each([
    ['names the stable hash', 'old', 'new', false],
    ['names another hash during an update', 'other', 'new', true],
    ['fully promoted: left alone', 'new', 'new', false],
  ])('IfInjectedAntiAffinityRuleNeedsUpdate: %s', (_name, stableRS, currentHash, expected) => {
    expect(injectedTermNeedsUpdate(injected, rollout(PREFERRED, USER, stableRS), currentHash)).toBe(expected);
  });
});

describe('wantedAffinity', () => {
  function rs(hash: string, replicas: number, affinity?: V1Affinity): V1ReplicaSet {
    return {
      metadata: { name: `demo-${hash}`, labels: { 'rollouts-pod-template-hash': hash } },
      spec: { replicas, selector: {}, template: { spec: { containers: [], ...(affinity === undefined ? {} : { affinity }) } } },
      status: { replicas },
    };
  }
  const withTerm = (hash: string) => replicaSetAffinity(rollout(REQUIRED), hash);

  test.each([
    ['during an update the term naming the running stable stays', 'old', [rs('old', 3)], true, 'old', undefined],
    [
      'during an update the term follows a new stable hash',
      'other',
      [rs('old', 3), rs('other', 3)],
      true,
      'old',
      { affinity: withTerm('other') },
    ],
    ['promoted, the old stable still running: kept', 'new', [rs('old', 3)], true, 'old', undefined],
    ['promoted, the old stable scaled to zero: removed', 'new', [rs('old', 0)], true, 'old', { affinity: undefined }],
    ['promoted, the old stable deleted: removed', 'new', [], true, 'old', { affinity: undefined }],
    ['the stable ReplicaSet scaled to zero during an update: kept (it comes back on abort)', 'old', [rs('old', 0)], true, 'old', undefined],
    ['no injected term: nothing to do', 'new', [], false, undefined, undefined],
  ])('%s', (_name, stableRS, others, isNew, namedHash, expected) => {
    const source = rollout(REQUIRED, undefined, stableRS);
    const target = rs('new', 3, namedHash === undefined ? undefined : withTerm(namedHash));
    expect(wantedAffinity(target, isNew, { rollout: source, currentHash: 'new', all: [target, ...others] })).toEqual(expected);
  });
});

describe('JSON merge patches (RFC 7386)', () => {
  test.each([
    ['adds a field', { a: 1 }, { a: 1, b: { c: 2 } }, { b: { c: 2 } }],
    ['removes a field with null', { a: 1, b: 2 }, { a: 1 }, { b: null }],
    ['replaces arrays whole', { list: [1, 2] }, { list: [1] }, { list: [1] }],
    ['nested removal', { x: { y: 1, z: 2 } }, { x: { y: 1 } }, { x: { z: null } }],
    ['the whole value removed', { a: 1 }, undefined, null],
    ['key order is no difference', { list: [{ a: 1, b: 2 }] }, { list: [{ b: 2, a: 1 }] }, undefined],
    ['nothing to do', undefined, undefined, undefined],
  ])('%s', (_name, from, to, patch) => {
    expect(mergePatchBetween(from, to)).toEqual(patch);
    if (patch !== undefined) expect(applyMergePatch(from, patch)).toEqual(to);
  });

  test('removing the injected term from the live affinity is one small patch', () => {
    const source = rollout(PREFERRED, USER);
    const live = replicaSetAffinity(source, 'old');
    const patch = mergePatchBetween(live, withoutInjectedTerm(live, source));
    expect(patch).toEqual({
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: USER.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
      },
    });
    expect(applyMergePatch(live, patch)).toEqual(USER);
  });
});
