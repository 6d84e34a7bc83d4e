import { describe, expect, it } from 'vitest';
import { gatewayApiPluginName, type TrafficRouting } from '../../api/traffic-routing.js';
import { testRouterRollout } from '../testing/router-rollout.js';
import type { JsonObject, RouterPlan } from '../types.js';
import { gatewayApiConfig } from './config.js';
import { httpRouteRef, planHttpHeaderRoute, planHttpRouteWeight, planRemoveHttpManagedRoutes } from './http-route.js';

const ref = httpRouteRef('default', 'argo-rollouts-http-route');
const backends = (stable: number, canary: number): JsonObject[] => [
  { group: '', kind: 'Service', name: 'rollouts-demo-stable', port: 80, weight: stable },
  { group: '', kind: 'Service', name: 'rollouts-demo-canary', port: 80, weight: canary },
];
const primaryRule = (stable: number, canary: number): JsonObject => ({
  matches: [{ path: { type: 'PathPrefix', value: '/' } }],
  backendRefs: backends(stable, canary),
});

function httpRoute(rules: unknown[], labels?: Record<string, string>): JsonObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'argo-rollouts-http-route', namespace: 'default', resourceVersion: '3', ...(labels === undefined ? {} : { labels }) },
    spec: { parentRefs: [{ name: 'argo-rollouts-gateway' }], rules },
  };
}

function written(result: RouterPlan): JsonObject {
  if (!result.ok || result.writes[0]?.verb !== 'replace') throw new Error(JSON.stringify(result));
  return result.writes[0].object;
}

const routing: TrafficRouting = {
  plugins: { [gatewayApiPluginName]: { httpRoute: 'argo-rollouts-http-route' } },
  managedRoutes: [{ name: 'canary-header' }],
};
const rollout = testRouterRollout(routing);

function config(trafficRouting: TrafficRouting = routing) {
  const parsed = gatewayApiConfig(testRouterRollout(trafficRouting));
  if (!parsed.ok) throw new Error(parsed.problem.message);
  return parsed.value;
}

describe('planHttpRouteWeight', () => {
  it.each([
    { desiredWeight: 30, stable: 70, canary: 30, labels: { app: 'demo', 'rollouts.argoproj.io/gatewayapi-canary': 'in-progress' } },
    { desiredWeight: 0, stable: 100, canary: 0, labels: { app: 'demo' } },
  ])('weight $desiredWeight: stable $stable / canary $canary and the in-progress label', ({ desiredWeight, stable, canary, labels }) => {
    const after = written(
      planHttpRouteWeight({
        rollout,
        config: config(),
        ref,
        object: httpRoute([primaryRule(90, 10)], { app: 'demo', 'rollouts.argoproj.io/gatewayapi-canary': 'in-progress' }),
        desiredWeight,
      }),
    );
    expect(after).toEqual(httpRoute([primaryRule(stable, canary)], labels));
    expect(planHttpRouteWeight({ rollout, config: config(), ref, object: after, desiredWeight })).toEqual({
      ok: true,
      writes: [],
      events: [],
    });
  });

  it('accepts the native gatewayAPI key as well, and leaves header rules alone', () => {
    const header = {
      name: 'canary-header',
      matches: [{ headers: [{ name: 'x', type: 'Exact', value: 'y' }] }],
      backendRefs: [{ name: 'rollouts-demo-canary', port: 80 }],
    };
    const native = config({
      gatewayAPI: { httpRoutes: [{ name: 'argo-rollouts-http-route' }] },
      managedRoutes: [{ name: 'canary-header' }],
    });
    expect(native).toEqual({
      namespace: 'default',
      httpRoutes: [{ name: 'argo-rollouts-http-route', useHeaderRoutes: false }],
      inProgressLabel: { key: 'rollouts.argoproj.io/gatewayapi-canary', value: 'in-progress' },
    });
    const after = written(
      planHttpRouteWeight({
        rollout,
        config: { ...native, inProgressLabel: undefined },
        ref,
        object: httpRoute([primaryRule(100, 0), header]),
        desiredWeight: 50,
      }),
    );
    expect((after['spec'] as { rules: unknown }).rules).toEqual([primaryRule(50, 50), header]);
  });

  it.each([
    { name: 'a missing HTTPRoute', object: undefined, problem: { code: 'NotFound', kind: 'HTTPRoute', name: 'argo-rollouts-http-route' } },
    {
      name: 'no stable backendRef',
      object: httpRoute([{ backendRefs: [{ name: 'rollouts-demo-canary' }] }, { backendRefs: [{ name: 'x' }] }]),
      problem: { code: 'InvalidSpec', field: 'spec.rules' },
    },
  ])('refuses $name', ({ object, problem }) => {
    expect(planHttpRouteWeight({ rollout, config: config(), ref, object, desiredWeight: 10 })).toMatchObject({ ok: false, problem });
  });

  it('names a plugin field Gradual does not support yet', () => {
    expect(gatewayApiConfig(testRouterRollout({ plugins: { [gatewayApiPluginName]: { grpcRoute: 'g' } } }))).toMatchObject({
      ok: false,
      problem: {
        code: 'InvalidSpec',
        kind: 'Rollout',
        field: 'spec.strategy.canary.trafficRouting.plugins["argoproj-labs/gatewayAPI"].grpcRoute',
      },
    });
  });
});

describe('planHttpHeaderRoute and planRemoveHttpManagedRoutes', () => {
  const step = {
    name: 'canary-header',
    match: [
      { headerName: 'X-Canary', headerValue: { exact: 'yes' } },
      { headerName: 'agent', headerValue: { prefix: 'fire' } },
    ],
  };
  const headerRule = {
    name: 'canary-header',
    matches: [
      {
        path: { type: 'PathPrefix', value: '/' },
        headers: [
          { name: 'X-Canary', type: 'Exact', value: 'yes' },
          { name: 'agent', type: 'RegularExpression', value: 'fire.*' },
        ],
      },
    ],
    backendRefs: [{ group: '', kind: 'Service', name: 'rollouts-demo-canary', port: 80 }],
  };

  it('appends a canary-only rule copying the source rule’s matches plus the headers; a second pass changes nothing', () => {
    const after = written(planHttpHeaderRoute({ rollout, ref, object: httpRoute([primaryRule(80, 20)]), step }));
    expect((after['spec'] as { rules: unknown }).rules).toEqual([primaryRule(80, 20), headerRule]);
    expect(planHttpHeaderRoute({ rollout, ref, object: after, step })).toEqual({ ok: true, writes: [], events: [] });
  });

  it('removes managed rules when the step has no match, and at the end of the rollout', () => {
    const object = httpRoute([primaryRule(80, 20), headerRule]);
    for (const result of [
      planHttpHeaderRoute({ rollout, ref, object, step: { name: 'canary-header' } }),
      planRemoveHttpManagedRoutes({ rollout, ref, object }),
    ]) {
      expect((written(result)['spec'] as { rules: unknown }).rules).toEqual([primaryRule(80, 20)]);
    }
    expect(planRemoveHttpManagedRoutes({ rollout, ref, object: httpRoute([primaryRule(80, 20)]) })).toEqual({
      ok: true,
      writes: [],
      events: [],
    });
  });

  it('refuses a header match without a value, naming the step field', () => {
    expect(
      planHttpHeaderRoute({
        rollout,
        ref,
        object: httpRoute([primaryRule(80, 20)]),
        step: { name: 'canary-header', match: [{ headerName: 'x', headerValue: {} }] },
      }),
    ).toMatchObject({
      ok: false,
      problem: { code: 'InvalidSpec', kind: 'Rollout', field: 'setHeaderRoute.match[0].headerValue', message: 'invalid header match type' },
    });
  });
});
