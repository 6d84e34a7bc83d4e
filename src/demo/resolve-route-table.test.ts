import { describe, expect, it } from 'vitest';
import { backendsOf, podsBehindService, resolveRouteTable, type RouteTableInput } from './resolve-route-table.js';
import type { DemoPod, DemoService } from './schema.js';
import type { Backend } from './types.js';

const namespace = 'demo';

function pod(name: string, labels: Record<string, string>, ready = true): DemoPod {
  return {
    metadata: { name, namespace, labels },
    spec: { containers: [{ name: 'demo', image: 'demo:blue' }] },
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

function service(name: string, selector?: Record<string, string>): DemoService {
  return { metadata: { name, namespace }, spec: selector === undefined ? {} : { selector } };
}

const pods = [
  pod('blue-1', { app: 'demo', 'rollouts-pod-template-hash': 'b1' }),
  pod('blue-2', { app: 'demo', 'rollouts-pod-template-hash': 'b1' }),
  pod('yellow-1', { app: 'demo', 'rollouts-pod-template-hash': 'y1' }),
  pod('yellow-starting', { app: 'demo', 'rollouts-pod-template-hash': 'y1' }, false),
  pod('other', { app: 'other' }),
];
const services = [
  service('stable', { app: 'demo', 'rollouts-pod-template-hash': 'b1' }),
  service('canary', { app: 'demo', 'rollouts-pod-template-hash': 'y1' }),
  service('manual'),
];

function virtualService(http: unknown[]): Record<string, unknown> {
  return {
    apiVersion: 'networking.istio.io/v1alpha3',
    kind: 'VirtualService',
    metadata: { name: 'vs', namespace },
    spec: { hosts: ['demo'], http },
  };
}

const split = (stable: number, canary: number) => [
  { destination: { host: 'stable' }, weight: stable },
  { destination: { host: 'canary' }, weight: canary },
];

function input(routeObject: Record<string, unknown> | undefined, routeName?: string): RouteTableInput {
  return {
    ref: { kind: 'VirtualService', name: 'vs', ...(routeName === undefined ? {} : { routeName }) },
    namespace,
    routeObject,
    services,
    pods,
    observedAt: 1000,
  };
}

describe('podsBehindService', () => {
  it('lists the Ready pods the selector matches, sorted; none for a Service without selector or a missing one', () => {
    expect(podsBehindService(services[0], pods)).toEqual(['blue-1', 'blue-2']);
    expect(podsBehindService(services[1], pods)).toEqual(['yellow-1']);
    expect(podsBehindService(services[2], pods)).toEqual([]);
    expect(podsBehindService(undefined, pods)).toEqual([]);
  });
});

describe('resolveRouteTable', () => {
  it("resolves the first route's destinations to their pods", () => {
    expect(resolveRouteTable(input(virtualService([{ name: 'primary', route: split(80, 20) }])))).toEqual({
      source: 'VirtualService demo/vs http[0] (primary)',
      destinations: [
        { service: 'stable', namespace, weight: 80, pods: ['blue-1', 'blue-2'] },
        { service: 'canary', namespace, weight: 20, pods: ['yellow-1'] },
      ],
      observedAt: 1000,
    });
  });

  it('picks a named route (Argo puts header routes before the primary one)', () => {
    const object = virtualService([
      { name: 'canary-header', match: [{ headers: { x: { exact: 'y' } } }], route: split(0, 100) },
      { name: 'primary', route: split(60, 40) },
    ]);
    expect(resolveRouteTable(input(object, 'primary')).destinations.map((d) => d.weight)).toEqual([60, 40]);
    expect(resolveRouteTable(input(object, 'absent')).problem).toBe('VirtualService demo/vs has no route named "absent"');
  });

  it('reads an HTTPRoute through the same reader', () => {
    const route = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'route', namespace },
      spec: {
        rules: [
          {
            backendRefs: [
              { name: 'stable', port: 80, weight: 70 },
              { name: 'canary', port: 80, weight: 30 },
            ],
          },
        ],
      },
    };
    const table = resolveRouteTable({ ...input(route), ref: { kind: 'HTTPRoute', name: 'route' } });
    expect(table.destinations.map((d) => [d.service, d.weight, d.pods.length])).toEqual([
      ['stable', 70, 2],
      ['canary', 30, 1],
    ]);
  });

  it.each([
    ['a missing object', undefined, 'VirtualService demo/vs does not exist'],
    [
      'an invalid spec',
      { kind: 'VirtualService', metadata: { name: 'vs', namespace }, spec: { http: 'nope' } },
      /^VirtualService demo\/vs: /,
    ],
    [
      'subset-level routing',
      virtualService([{ route: [{ destination: { host: 'demo', subset: 'canary' }, weight: 100 }] }]),
      /subset "canary"/,
    ],
  ])('reports %s as a problem with no destinations', (_what, object, problem) => {
    const table = resolveRouteTable(input(object));
    expect(table.destinations).toEqual([]);
    expect(table.problem).toMatch(problem);
  });
});

describe('backendsOf', () => {
  it('maps each pod to the backend running for it, skipping pods without one yet', () => {
    const backend = { color: 'blue', port: 1 } as Backend;
    const found = backendsOf({ service: 'stable', namespace, weight: 80, pods: ['blue-1', 'blue-2'] }, (ns, name) =>
      ns === namespace && name === 'blue-2' ? backend : undefined,
    );
    expect(found).toEqual([backend]);
  });
});
