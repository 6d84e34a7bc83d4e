import { describe, expect, it } from 'vitest';
import { routerOperationCalls } from '../router-operations.js';
import { testRouterRollout } from '../testing/router-rollout.js';
import type { JsonObject } from '../types.js';
import { ambassadorRouterDecisions } from './index.js';
import { canaryMappingName, mappingRef, planMappingWeight } from './mapping.js';

const rollout = testRouterRollout({ ambassador: { mappings: ['demo'] } });
const baseRef = mappingRef('default', 'demo');
const canaryRef = mappingRef('default', 'demo-canary');

const base: JsonObject = {
  apiVersion: 'getambassador.io/v2',
  kind: 'Mapping',
  metadata: { name: 'demo', namespace: 'default', resourceVersion: '3', uid: 'u-1', labels: { team: 'a' } },
  spec: { prefix: '/demo/', service: 'rollouts-demo-stable:80', rewrite: '/' },
  status: { state: 'Running' },
};

function canary(weight: number): JsonObject {
  return {
    apiVersion: 'getambassador.io/v2',
    kind: 'Mapping',
    metadata: { name: 'demo-canary', namespace: 'default', resourceVersion: '9' },
    spec: { prefix: '/demo/', service: 'rollouts-demo-canary:80', rewrite: '/', weight },
  };
}

const plan = (input: { base?: JsonObject | undefined; canary?: JsonObject | undefined; weight: number }) =>
  planMappingWeight({ rollout, baseRef, canaryRef, base: input.base, canary: input.canary, desiredWeight: input.weight });

describe('mappingRef (Argo’s toMappingGVR)', () => {
  it.each([
    [undefined, { group: 'getambassador.io', version: 'v2', resource: 'mappings', kind: 'Mapping' }],
    ['getambassador.io/v3alpha1', { group: 'getambassador.io', version: 'v3alpha1', resource: 'mappings', kind: 'Mapping' }],
    [
      'x.getambassador.io/v3alpha1',
      { group: 'x.getambassador.io', version: 'v3alpha1', resource: 'ambassadormappings', kind: 'AmbassadorMapping' },
    ],
    ['v3alpha1', { group: 'getambassador.io', version: 'v3alpha1', resource: 'mappings', kind: 'Mapping' }],
    ['example.com/v1', { group: 'example.com', version: 'v1', resource: 'mappings', kind: 'Mapping' }],
  ])('%s', (apiVersion, expected) => {
    expect(mappingRef('ns', 'm', apiVersion)).toEqual({ ...expected, namespace: 'ns', name: 'm' });
  });

  it('names the canary Mapping after the base, cut to 246 characters as Argo does', () => {
    expect(canaryMappingName('demo')).toBe('demo-canary');
    expect(canaryMappingName('a'.repeat(300))).toBe(`${'a'.repeat(246)}-canary`);
  });
});

describe('planMappingWeight', () => {
  it('creates the canary Mapping from the base: metadata and status dropped, the stable Service swapped once, the weight set', () => {
    expect(plan({ base, weight: 20 })).toEqual({
      ok: true,
      writes: [
        {
          verb: 'create',
          ref: canaryRef,
          object: {
            apiVersion: 'getambassador.io/v2',
            kind: 'Mapping',
            metadata: { name: 'demo-canary', namespace: 'default' },
            spec: { prefix: '/demo/', service: 'rollouts-demo-canary:80', rewrite: '/', weight: 20 },
          },
        },
      ],
      events: [{ type: 'Normal', reason: 'CanaryMappingWeightUpdate', message: 'Set canary mapping weight to 20' }],
    });
  });

  it('updates the weight of an existing canary Mapping on the resourceVersion read', () => {
    expect(plan({ base, canary: canary(20), weight: 40 })).toMatchObject({
      ok: true,
      writes: [{ verb: 'patch', ref: canaryRef, patch: { spec: { weight: 40 } }, resourceVersion: '9' }],
    });
  });

  it.each([
    ['the weight already set', { base, canary: canary(40), weight: 40 }],
    ['weight 0 and no canary Mapping (at rest, or after the delete)', { base, weight: 0 }],
    ['weight 0, the base Mapping gone too', { weight: 0 }],
  ])('writes nothing: %s', (_what, input) => {
    expect(plan(input)).toEqual({ ok: true, writes: [], events: [] });
  });

  it('deletes the canary Mapping at weight 0 (completion, abort), on the resourceVersion read', () => {
    expect(plan({ base, canary: canary(60), weight: 0 })).toMatchObject({
      ok: true,
      writes: [{ verb: 'delete', ref: canaryRef, resourceVersion: '9' }],
    });
  });

  it.each([
    {
      what: 'the base Mapping absent',
      input: { weight: 20 },
      problem: { code: 'NotFound', kind: 'Mapping', name: 'demo', field: '', message: 'Ambassador mapping "demo" not found' },
    },
    {
      what: 'a base Mapping with a weight of its own',
      input: { base: { ...base, spec: { service: 'rollouts-demo-stable', weight: 10 } }, weight: 20 },
      problem: {
        code: 'InvalidSpec',
        kind: 'Mapping',
        name: 'demo',
        field: 'spec.weight',
        message: 'Ambassador mapping "demo" can not define weight',
      },
    },
    {
      what: 'a canary Mapping whose weight is not a number',
      input: { base, canary: { ...canary(1), spec: { weight: 'half' } }, weight: 20 },
      problem: { code: 'InvalidSpec', kind: 'Mapping', name: 'demo-canary', field: 'spec.weight' },
    },
  ])('refuses $what, naming the object and field, writing nothing', ({ input, problem }) => {
    const result = plan(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatchObject({ namespace: 'default', ...problem });
  });
});

describe('ambassadorRouterDecisions', () => {
  it('drives every listed Mapping, at the API version configured', () => {
    const decisions = ambassadorRouterDecisions(testRouterRollout({ ambassador: { mappings: ['a', 'b'] } }), {
      ambassadorApiVersion: 'x.getambassador.io/v3alpha1',
    });
    expect(decisions.type).toBe('Ambassador');
    expect(decisions.refs().map((ref) => `${ref.group}/${ref.resource}/${ref.name}`)).toEqual([
      'x.getambassador.io/ambassadormappings/a',
      'x.getambassador.io/ambassadormappings/a-canary',
      'x.getambassador.io/ambassadormappings/b',
      'x.getambassador.io/ambassadormappings/b-canary',
    ]);
    expect(decisions.setWeight(20)).toHaveLength(2);
    expect(decisions.verifyWeight(20)).toBe('notSupported');
  });

  it('has no header or mirror routes, hashes or managed routes (Argo’s no-ops)', () => {
    const calls = routerOperationCalls(rollout, [
      { op: 'updateHash', canaryHash: 'c', stableHash: 's' },
      { op: 'setHeaderRoute', route: { name: 'h' } },
      { op: 'setMirrorRoute', route: { name: 'm' } },
      { op: 'removeManagedRoutes' },
    ]);
    expect(calls).toEqual([]);
  });

  it.each([
    [{ mappings: [] }, 'spec.strategy.canary.trafficRouting.ambassador.mappings: must name at least one Mapping'],
    [{ mappings: ['ok', ''] }, 'spec.strategy.canary.trafficRouting.ambassador.mappings[1]: must be set'],
  ])('refuses %j on the Rollout', (ambassador, message) => {
    expect(() => ambassadorRouterDecisions(testRouterRollout({ ambassador }))).toThrow(message);
  });
});
