import { describe, expect, it } from 'vitest';
import type { TrafficRouting } from '../../api/traffic-routing.js';
import { testRouterRollout } from '../testing/router-rollout.js';
import type { JsonObject, RouterPlan, RouterRollout } from '../types.js';
import { destinationRuleRef, virtualServiceRef } from './refs.js';
import {
  planRemoveManagedRoutes,
  planVirtualServiceHeaderRoute,
  planVirtualServiceMirrorRoute,
  type VirtualServiceRouteInput,
} from './virtual-service-routes.js';

const managedRoutes = [{ name: 'mirror-1' }, { name: 'mirror-2' }, { name: 'header-1' }];
const hostLevel: TrafficRouting = { istio: { virtualService: { name: 'vsvc', routes: ['primary'] } }, managedRoutes };

const primary = {
  name: 'primary',
  route: [
    { destination: { host: 'rollouts-demo-stable', port: { number: 8080 } }, weight: 80, headers: { request: { set: { a: 'b' } } } },
    { destination: { host: 'rollouts-demo-canary', port: { number: 8080 } }, weight: 20 },
  ],
};
const secondary = { name: 'secondary', route: [{ destination: { host: 'rollouts-demo-stable' }, weight: 100 }] };

function virtualService(http: unknown[]): JsonObject {
  return {
    apiVersion: 'networking.istio.io/v1alpha3',
    kind: 'VirtualService',
    metadata: { name: 'vsvc', namespace: 'default', resourceVersion: '3' },
    spec: { hosts: ['demo'], http },
  };
}

function input(rollout: RouterRollout, object: JsonObject | undefined, rule?: JsonObject): VirtualServiceRouteInput {
  const ruleName = rollout.trafficRouting.istio?.destinationRule?.name;
  return {
    rollout,
    reference: rollout.trafficRouting.istio?.virtualService ?? { name: 'vsvc' },
    ref: virtualServiceRef(rollout, 'vsvc', 'v1alpha3'),
    object,
    ...(ruleName === undefined ? {} : { destinationRule: { ref: destinationRuleRef(rollout, ruleName, 'v1alpha3'), object: rule } }),
  };
}

function httpWritten(result: RouterPlan): unknown[] {
  if (!result.ok) throw new Error(result.problem.message);
  const [write] = result.writes;
  if (write?.verb !== 'replace') throw new Error('expected one replace');
  return (write.object['spec'] as { http: unknown[] }).http;
}

const headerStep = {
  name: 'header-1',
  match: [
    { headerName: 'agent', headerValue: { exact: 'firefox' } },
    { headerName: 'x-canary', headerValue: { regex: '^(yes|1)$' } },
  ],
};
const headerRoute = {
  name: 'header-1',
  match: [{ headers: { agent: { exact: 'firefox' } } }, { headers: { 'x-canary': { regex: '^(yes|1)$' } } }],
  route: [{ destination: { host: 'rollouts-demo-canary', port: { number: 8080 } }, weight: 100 }],
};
const mirrorStep = { name: 'mirror-1', match: [{ method: { exact: 'GET' }, path: { prefix: '/api' } }], percentage: 35 };
const mirrorRoute = {
  name: 'mirror-1',
  match: [{ method: { exact: 'GET' }, uri: { prefix: '/api' } }],
  // The set-weight route's destinations as Argo's typed copy keeps them: no `headers`.
  route: [
    { destination: { host: 'rollouts-demo-stable', port: { number: 8080 } }, weight: 80 },
    { destination: { host: 'rollouts-demo-canary', port: { number: 8080 } }, weight: 20 },
  ],
  mirror: { host: 'rollouts-demo-canary', port: { number: 8080 } },
  mirrorPercentage: { value: 35 },
};

describe('setHeaderRoute on a VirtualService', () => {
  const rollout = testRouterRollout(hostLevel);

  it('adds the route first (managed order) with the set-weight route’s port, and a second pass changes nothing', () => {
    const http = httpWritten(planVirtualServiceHeaderRoute(input(rollout, virtualService([primary, secondary])), headerStep));
    expect(http).toEqual([headerRoute, primary, secondary]);
    expect(planVirtualServiceHeaderRoute(input(rollout, virtualService(http)), headerStep)).toEqual({ ok: true, writes: [], events: [] });
  });

  it('replaces a route of the same name instead of adding a second one', () => {
    const stale = { ...headerRoute, match: [{ headers: { agent: { prefix: 'chrome' } } }] };
    expect(httpWritten(planVirtualServiceHeaderRoute(input(rollout, virtualService([stale, primary])), headerStep))).toEqual([
      headerRoute,
      primary,
    ]);
  });

  it('removes the route when the step has no match', () => {
    expect(
      httpWritten(planVirtualServiceHeaderRoute(input(rollout, virtualService([headerRoute, primary, secondary])), { name: 'header-1' })),
    ).toEqual([primary, secondary]);
  });

  it('sends to the DestinationRule host and canary subset under subset-level splitting', () => {
    const subsetLevel = testRouterRollout({
      ...hostLevel,
      istio: {
        virtualService: { name: 'vsvc', routes: ['primary'] },
        destinationRule: { name: 'destrule', canarySubsetName: 'canary', stableSubsetName: 'stable' },
      },
    });
    const rule = {
      metadata: { name: 'destrule', namespace: 'default' },
      spec: { host: 'rollouts-demo.default.svc.cluster.local', subsets: [{ name: 'stable' }, { name: 'canary' }] },
    };
    const http = httpWritten(planVirtualServiceHeaderRoute(input(subsetLevel, virtualService([primary]), rule), headerStep));
    expect(http[0]).toEqual({
      ...headerRoute,
      route: [{ destination: { host: 'rollouts-demo.default.svc.cluster.local', port: { number: 8080 }, subset: 'canary' }, weight: 100 }],
    });
  });

  it('is a NotFound on the DestinationRule when it is missing, and InvalidSpec without spec.http', () => {
    const subsetLevel = testRouterRollout({
      ...hostLevel,
      istio: {
        virtualService: { name: 'vsvc' },
        destinationRule: { name: 'destrule', canarySubsetName: 'canary', stableSubsetName: 'stable' },
      },
    });
    expect(planVirtualServiceHeaderRoute(input(subsetLevel, virtualService([primary])), headerStep)).toMatchObject({
      ok: false,
      problem: { code: 'NotFound', kind: 'DestinationRule', name: 'destrule' },
    });
    const noHttp = { ...virtualService([]), spec: { tcp: [] } };
    expect(planVirtualServiceHeaderRoute(input(rollout, noHttp), headerStep)).toMatchObject({
      ok: false,
      problem: { code: 'InvalidSpec', field: 'spec.http', message: 'spec.http not found' },
    });
  });
});

describe('setMirrorRoute on a VirtualService', () => {
  const rollout = testRouterRollout(hostLevel);

  it('puts the mirror route first with the current split and the percentage', () => {
    const result = planVirtualServiceMirrorRoute(input(rollout, virtualService([primary, secondary])), mirrorStep);
    expect(httpWritten(result)).toEqual([mirrorRoute, primary, secondary]);
    expect(result.ok && result.events).toEqual([
      { type: 'Normal', reason: 'Updated VirtualService', message: "VirtualService `vsvc` set mirrorRoute 'mirror-1'" },
    ]);
  });

  it('orders two mirror routes as managedRoutes lists them, whatever order the steps ran in; 100 % by default', () => {
    const second = { ...mirrorRoute, name: 'mirror-2', mirrorPercentage: { value: 100 } };
    const http = httpWritten(
      planVirtualServiceMirrorRoute(input(rollout, virtualService([mirrorRoute, primary])), { name: 'mirror-2', match: mirrorStep.match }),
    );
    expect(http).toEqual([mirrorRoute, second, primary]);
  });

  it('removes the route without match, and a route name not found is an InvalidSpec', () => {
    expect(
      httpWritten(planVirtualServiceMirrorRoute(input(rollout, virtualService([mirrorRoute, primary])), { name: 'mirror-1' })),
    ).toEqual([primary]);
    const missing = testRouterRollout({ ...hostLevel, istio: { virtualService: { name: 'vsvc', routes: ['absent'] } } });
    expect(planVirtualServiceMirrorRoute(input(missing, virtualService([primary])), mirrorStep)).toMatchObject({
      ok: false,
      problem: {
        code: 'InvalidSpec',
        kind: 'VirtualService',
        field: 'spec.http',
        message: "HTTP Route 'absent' is not found in the defined Virtual Service.",
      },
    });
  });
});

describe('removeManagedRoutes on a VirtualService', () => {
  it.each([
    {
      name: 'managed routes',
      rollout: testRouterRollout(hostLevel),
      http: [mirrorRoute, headerRoute, primary, secondary],
      kept: [primary, secondary],
    },
    {
      name: 'step routes without managedRoutes',
      rollout: testRouterRollout({ istio: { virtualService: { name: 'vsvc' } } }, { stepRouteNames: ['header-1'] }),
      http: [headerRoute, primary],
      kept: [primary],
    },
  ])('removes $name and keeps the rest', ({ rollout, http, kept }) => {
    const result = planRemoveManagedRoutes({ rollout, ref: virtualServiceRef(rollout, 'vsvc', 'v1alpha3'), object: virtualService(http) });
    expect(httpWritten(result)).toEqual(kept);
    expect(result.ok && result.events[0]?.message).toBe('VirtualService `vsvc` removed all managed routes.');
  });

  it.each([
    { name: 'nothing to remove', object: virtualService([primary]) },
    { name: 'a missing VirtualService', object: undefined },
    { name: 'no http routes', object: { ...virtualService([]), spec: { tls: [] } } },
  ])('writes nothing for $name', ({ object }) => {
    const rollout = testRouterRollout(hostLevel);
    expect(planRemoveManagedRoutes({ rollout, ref: virtualServiceRef(rollout, 'vsvc', 'v1alpha3'), object })).toEqual({
      ok: true,
      writes: [],
      events: [],
    });
  });
});
