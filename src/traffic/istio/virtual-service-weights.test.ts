import { describe, expect, it } from 'vitest';
import type { TrafficRouting } from '../../api/traffic-routing.js';
import { testRouterRollout } from '../testing/router-rollout.js';
import type { JsonObject, RouterPlan, WeightDestination } from '../types.js';
import { virtualServiceRef } from './refs.js';
import { planVirtualServiceWeight } from './virtual-service-weights.js';

const hostLevel: TrafficRouting = { istio: { virtualService: { name: 'rollouts-demo-vsvc', routes: ['primary'] } } };

/** Argo's getting-started VirtualService (docs/getting-started/istio), as a person applies it. */
function seedVirtualService(stable: number, canary: number): JsonObject {
  return {
    apiVersion: 'networking.istio.io/v1alpha3',
    kind: 'VirtualService',
    metadata: { name: 'rollouts-demo-vsvc', namespace: 'default', resourceVersion: '7' },
    spec: {
      gateways: ['rollouts-demo-gateway'],
      hosts: ['rollouts-demo.local'],
      http: [
        {
          name: 'primary',
          retries: { attempts: 3 },
          route: [
            { destination: { host: 'rollouts-demo-stable', port: { number: 80 } }, weight: stable },
            { destination: { host: 'rollouts-demo-canary', port: { number: 80 } }, weight: canary },
          ],
        },
      ],
    },
  };
}

function plan(
  trafficRouting: TrafficRouting,
  object: JsonObject | undefined,
  desiredWeight: number,
  additional: WeightDestination[] = [],
): RouterPlan {
  const rollout = testRouterRollout(trafficRouting);
  const reference = trafficRouting.istio?.virtualService ?? { name: 'rollouts-demo-vsvc' };
  return planVirtualServiceWeight({
    rollout,
    reference,
    ref: virtualServiceRef(rollout, reference.name, 'v1alpha3'),
    object,
    desiredWeight,
    additional,
  });
}

function written(result: RouterPlan): JsonObject {
  if (!result.ok) throw new Error(result.problem.message);
  const [write] = result.writes;
  if (write?.verb !== 'replace') throw new Error(`expected one replace, got ${JSON.stringify(result.writes)}`);
  return write.object;
}

describe('planVirtualServiceWeight: the seed scenario', () => {
  // 100/0 → 80/20 → 60/40 → 100/0: each step writes the whole object once, with only the two weights changed.
  let current = seedVirtualService(100, 0);
  it.each([
    { desiredWeight: 20, stable: 80, canary: 20 },
    { desiredWeight: 40, stable: 60, canary: 40 },
    { desiredWeight: 0, stable: 100, canary: 0 },
  ])('setWeight $desiredWeight writes stable $stable / canary $canary', ({ desiredWeight, stable, canary }) => {
    const result = plan(hostLevel, current, desiredWeight);
    const object = written(result);
    expect(object).toEqual(seedVirtualService(stable, canary));
    expect(result.ok && result.events).toEqual([
      {
        type: 'Normal',
        reason: 'Updated VirtualService',
        message: `VirtualService \`rollouts-demo-vsvc\` set to desiredWeight '${desiredWeight}'`,
      },
    ]);
    // A second pass on the written object changes nothing.
    expect(plan(hostLevel, object, desiredWeight)).toEqual({ ok: true, writes: [], events: [] });
    current = object;
  });
});

describe('planVirtualServiceWeight: route selection', () => {
  const l4 = (port: number, sniHosts?: string[]): JsonObject => ({
    match: [{ port, ...(sniHosts === undefined ? {} : { sniHosts }) }],
    route: [
      { destination: { host: 'rollouts-demo-stable' }, weight: 100 },
      { destination: { host: 'rollouts-demo-canary' }, weight: 0 },
    ],
  });
  const other = (port: number): JsonObject => ({ match: [{ port }], route: [{ destination: { host: 'other' }, weight: 100 }] });
  const virtualService = (spec: JsonObject): JsonObject => ({
    metadata: { name: 'rollouts-demo-vsvc', namespace: 'default', resourceVersion: '1' },
    spec,
  });

  it.each([
    {
      name: 'the only unnamed http route when routes is omitted',
      routing: { istio: { virtualService: { name: 'rollouts-demo-vsvc' } } },
      spec: {
        http: [
          {
            route: [
              { destination: { host: 'rollouts-demo-stable.default.svc.cluster.local' }, weight: 100 },
              { destination: { host: 'rollouts-demo-canary' } },
            ],
          },
        ],
      },
      expected: {
        http: [
          {
            route: [
              { destination: { host: 'rollouts-demo-stable.default.svc.cluster.local' }, weight: 70 },
              { destination: { host: 'rollouts-demo-canary' }, weight: 30 },
            ],
          },
        ],
      },
    },
    {
      name: 'a tls route by port and SNI hosts (in any order), others untouched',
      routing: {
        istio: { virtualService: { name: 'rollouts-demo-vsvc', tlsRoutes: [{ port: 443, sniHosts: ['b.example', 'a.example'] }] } },
      },
      spec: { tls: [other(443), l4(443, ['a.example', 'b.example'])] },
      expected: {
        tls: [
          other(443),
          {
            ...l4(443, ['a.example', 'b.example']),
            route: [
              { destination: { host: 'rollouts-demo-stable' }, weight: 70 },
              { destination: { host: 'rollouts-demo-canary' }, weight: 30 },
            ],
          },
        ],
      },
    },
    {
      name: 'a tcp route by port',
      routing: { istio: { virtualService: { name: 'rollouts-demo-vsvc', tcpRoutes: [{ port: 3000 }] } } },
      spec: { tcp: [other(4000), l4(3000)] },
      expected: {
        tcp: [
          other(4000),
          {
            ...l4(3000),
            route: [
              { destination: { host: 'rollouts-demo-stable' }, weight: 70 },
              { destination: { host: 'rollouts-demo-canary' }, weight: 30 },
            ],
          },
        ],
      },
    },
  ])('$name', ({ routing, spec, expected }) => {
    expect(written(plan(routing, virtualService(spec), 30))['spec']).toEqual(expected);
  });

  it('splits subsets under subset-level splitting and keeps additional subsets’ weights', () => {
    const routing: TrafficRouting = {
      istio: {
        virtualService: { name: 'rollouts-demo-vsvc', routes: ['primary'] },
        destinationRule: {
          name: 'rollouts-demo-destrule',
          canarySubsetName: 'canary',
          stableSubsetName: 'stable',
          additionalSubsetNames: ['mirror'],
        },
      },
    };
    const route = (stable: number, canary: number): JsonObject[] => [
      { destination: { host: 'rollouts-demo', subset: 'stable' }, weight: stable },
      { destination: { host: 'rollouts-demo', subset: 'canary' }, weight: canary },
      { destination: { host: 'rollouts-demo', subset: 'mirror' }, weight: 10 },
    ];
    const result = plan(routing, virtualService({ http: [{ name: 'primary', route: route(90, 0) }] }), 25);
    expect(written(result)['spec']).toEqual({ http: [{ name: 'primary', route: route(65, 25) }] });
  });

  it('gives additional destinations their weight, appends missing ones sorted, and drops a stray one', () => {
    const spec = {
      http: [
        {
          route: [
            { destination: { host: 'rollouts-demo-stable' }, weight: 60 },
            { destination: { host: 'rollouts-demo-canary' }, weight: 20 },
            { destination: { host: 'old-experiment' }, weight: 20 },
          ],
        },
      ],
    };
    const additional = [
      { serviceName: 'exp-b', weight: 10, podTemplateHash: 'b' },
      { serviceName: 'exp-a', weight: 5, podTemplateHash: 'a' },
    ];
    expect(
      written(plan({ istio: { virtualService: { name: 'rollouts-demo-vsvc' } } }, virtualService(spec), 20, additional))['spec'],
    ).toEqual({
      http: [
        {
          route: [
            { destination: { host: 'rollouts-demo-stable' }, weight: 65 },
            { destination: { host: 'rollouts-demo-canary' }, weight: 20 },
            { destination: { host: 'exp-a' }, weight: 5 },
            { destination: { host: 'exp-b' }, weight: 10 },
          ],
        },
      ],
    });
  });

  it('puts managed routes first and moves a managed mirror route with the weights', () => {
    const routing: TrafficRouting = { ...hostLevel, managedRoutes: [{ name: 'mirror-1' }, { name: 'header-1' }] };
    const weights = (stable: number, canary: number): JsonObject[] => [
      { destination: { host: 'rollouts-demo-stable' }, weight: stable },
      { destination: { host: 'rollouts-demo-canary' }, weight: canary },
    ];
    const header = {
      name: 'header-1',
      match: [{ headers: { x: { exact: 'y' } } }],
      route: [{ destination: { host: 'rollouts-demo-canary' }, weight: 100 }],
    };
    const mirror = (stable: number, canary: number): JsonObject => ({
      name: 'mirror-1',
      match: null,
      route: weights(stable, canary),
      mirror: { host: 'rollouts-demo-canary' },
      mirrorPercentage: { value: 50 },
    });
    const spec = { http: [{ name: 'primary', route: weights(90, 10) }, header, mirror(90, 10)] };
    expect(written(plan(routing, virtualService(spec), 40))['spec']).toEqual({
      http: [mirror(60, 40), header, { name: 'primary', route: weights(60, 40) }],
    });
  });
});

describe('planVirtualServiceWeight: problems name the object and the field, and nothing is written', () => {
  const place = { kind: 'VirtualService', namespace: 'default', name: 'rollouts-demo-vsvc' };
  it.each([
    { name: 'a missing VirtualService', routing: hostLevel, object: undefined, problem: { ...place, code: 'NotFound', field: '' } },
    {
      name: 'a route name not found',
      routing: { istio: { virtualService: { name: 'rollouts-demo-vsvc', routes: ['secondary'] } } },
      object: seedVirtualService(100, 0),
      problem: {
        ...place,
        code: 'InvalidSpec',
        field: 'spec.http',
        message: "HTTP Route 'secondary' is not found in the defined Virtual Service.",
      },
    },
    {
      name: 'the canary Service not in the route',
      routing: hostLevel,
      object: {
        ...seedVirtualService(100, 0),
        spec: { http: [{ name: 'primary', route: [{ destination: { host: 'rollouts-demo-stable' }, weight: 100 }] }] },
      },
      problem: {
        ...place,
        code: 'InvalidSpec',
        field: 'spec.http[0].route',
        message: "Canary Service 'rollouts-demo-canary' not found in route",
      },
    },
    {
      name: 'two http routes and no route names',
      routing: { istio: { virtualService: { name: 'rollouts-demo-vsvc' } } },
      object: {
        ...seedVirtualService(100, 0),
        spec: { http: [(seedVirtualService(100, 0)['spec'] as { http: unknown[] }).http[0], { name: 'other', route: [] }] },
      },
      problem: { ...place, code: 'InvalidSpec', field: 'spec.http' },
    },
    {
      name: 'a weight of the wrong type',
      routing: hostLevel,
      object: {
        ...seedVirtualService(100, 0),
        spec: { http: [{ name: 'primary', route: [{ destination: { host: 'rollouts-demo-stable' }, weight: 'all' }] }] },
      },
      problem: { ...place, code: 'InvalidSpec', field: 'spec.http[0].route[0].weight' },
    },
  ])('$name', ({ routing, object, problem }) => {
    const result = plan(routing, object, 20);
    expect(result.ok).toBe(false);
    expect(result.ok ? undefined : result.problem).toMatchObject(problem);
  });
});
