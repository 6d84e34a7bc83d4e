import { describe, expect, it } from 'vitest';
import { testRouterRollout } from '../testing/router-rollout.js';
import type { JsonObject } from '../types.js';
import { planTraefikService, traefikServiceRef } from './traefik-service.js';

const rollout = testRouterRollout({ traefik: { weightedTraefikServiceName: 'demo-weighted' } });
const ref = traefikServiceRef(rollout);

function service(services: JsonObject[] | undefined): JsonObject {
  return {
    apiVersion: 'traefik.containo.us/v1alpha1',
    kind: 'TraefikService',
    metadata: { name: 'demo-weighted', namespace: 'default', resourceVersion: '7' },
    spec: services === undefined ? {} : { weighted: { services } },
  };
}

const both = (canary: number, stable: number): JsonObject[] => [
  { name: 'rollouts-demo-stable', port: 80, weight: stable },
  { name: 'rollouts-demo-canary', port: 80, weight: canary },
  { name: 'other', port: 80, weight: 3 },
];

describe('planTraefikService', () => {
  it.each([
    { what: 'sets canary 20 / stable 80, keeping the other service and fields', from: both(0, 100), weight: 20, to: both(20, 80) },
    { what: 'back to 0 after promotion', from: both(100, 0), weight: 0, to: both(0, 100) },
  ])('$what', ({ from, weight, to }) => {
    expect(planTraefikService({ rollout, ref, object: service(from), desiredWeight: weight })).toEqual({
      ok: true,
      writes: [{ verb: 'patch', ref, patch: { spec: { weighted: { services: to } } }, resourceVersion: '7' }],
      events: [],
    });
  });

  it('writes nothing when the weights are already set (a second pass changes nothing)', () => {
    expect(planTraefikService({ rollout, ref, object: service(both(20, 80)), desiredWeight: 20 })).toEqual({
      ok: true,
      writes: [],
      events: [],
    });
  });

  it.each([
    {
      what: 'no spec.weighted.services',
      object: service(undefined),
      problem: {
        code: 'InvalidSpec',
        field: 'spec.weighted.services',
        message: 'spec.weighted.services was not found in traefik service manifest',
      },
    },
    {
      what: 'the canary service missing',
      object: service([{ name: 'rollouts-demo-stable', weight: 100 }]),
      problem: {
        code: 'InvalidSpec',
        field: 'spec.weighted.services',
        message: 'traefik canary service `rollouts-demo-canary` was not found',
      },
    },
    {
      what: 'a weight that is not a number',
      object: service([{ name: 'rollouts-demo-stable', weight: 'lots' }]),
      problem: { code: 'InvalidSpec', field: 'spec.weighted.services[0].weight' },
    },
    {
      what: 'the TraefikService absent',
      object: undefined,
      problem: { code: 'NotFound', field: '', message: 'TraefikService `demo-weighted` not found' },
    },
  ])('refuses $what, naming the object and field', ({ object, problem }) => {
    const plan = planTraefikService({ rollout, ref, object, desiredWeight: 20 });
    expect(plan.ok).toBe(false);
    if (!plan.ok) expect(plan.problem).toMatchObject({ kind: 'TraefikService', namespace: 'default', name: 'demo-weighted', ...problem });
  });
});
