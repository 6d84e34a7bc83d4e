import { describe, expect, it } from 'vitest';
import type { Rollout } from '../api/index.js';
import { checkRouteSteps } from './route-step-support.js';
import { routerRollout } from './router-rollout.js';
import { testRouterRollout } from './testing/router-rollout.js';

function rollout(canary: Record<string, unknown>): Rollout {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'web', namespace: 'shop', uid: 'u-1' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web:1' }] } },
      strategy: { canary },
    },
  };
}

describe('routerRollout', () => {
  it('takes the Services, the parsed trafficRouting and the route step names', () => {
    const parsed = routerRollout(
      rollout({
        canaryService: 'web-canary',
        stableService: 'web-stable',
        trafficRouting: { istio: { virtualService: { name: 'web' } }, managedRoutes: [{ name: 'h' }] },
        steps: [{ setWeight: 10 }, { setHeaderRoute: { name: 'h', match: [] } }, { setMirrorRoute: { name: 'm' } }],
      }),
    );
    expect(parsed).toEqual({
      ok: true,
      value: {
        name: 'web',
        namespace: 'shop',
        uid: 'u-1',
        canaryService: 'web-canary',
        stableService: 'web-stable',
        trafficRouting: { istio: { virtualService: { name: 'web' } }, managedRoutes: [{ name: 'h' }] },
        stepRouteNames: ['h', 'm'],
      },
    });
  });

  it.each([
    {
      name: 'the same canary and stable Service',
      canary: { canaryService: 's', stableService: 's', trafficRouting: { smi: {} } },
      field: 'spec.strategy.canary.stableService',
    },
    {
      name: 'an App Mesh field Argo does not have',
      canary: { canaryService: 'c', stableService: 's', trafficRouting: { appMesh: { virtualRouter: { name: 'x' } } } },
      field: 'spec.strategy.canary.trafficRouting.appMesh',
    },
    {
      name: 'a misspelt Istio field',
      canary: { canaryService: 'c', stableService: 's', trafficRouting: { istio: { virtualservice: { name: 'x' } } } },
      field: 'spec.strategy.canary.trafficRouting.istio',
    },
  ])('refuses $name, naming the field on the Rollout', ({ canary, field }) => {
    expect(routerRollout(rollout(canary))).toMatchObject({
      ok: false,
      problem: { code: 'InvalidSpec', kind: 'Rollout', namespace: 'shop', name: 'web', field },
    });
  });
});

describe('checkRouteSteps', () => {
  it.each([
    {
      name: 'a header route with SMI',
      routing: { smi: {} },
      steps: [{ index: 2, kind: 'setHeaderRoute' as const, name: 'h' }],
      message: 'SetHeaderRoute requires TrafficRouting, supports Istio, ALB, Apisix and Gateway API',
    },
    {
      name: 'a mirror route with NGINX',
      routing: { nginx: { stableIngress: 'i' } },
      steps: [{ index: 0, kind: 'setMirrorRoute' as const, name: 'm' }],
      message: 'SetMirrorRoute requires TrafficRouting, supports Istio and Gateway API',
    },
    {
      name: 'a route missing from managedRoutes',
      routing: { istio: { virtualService: { name: 'v' } }, managedRoutes: [{ name: 'other' }] },
      steps: [{ index: 1, kind: 'setHeaderRoute' as const, name: 'h' }],
      message: 'Steps define a route that does not exist in spec.strategy.canary.trafficRouting.managedRoutes',
    },
  ])('refuses $name as Argo does', ({ routing, steps, message }) => {
    expect(checkRouteSteps(testRouterRollout(routing), steps)).toMatchObject([{ code: 'InvalidSpec', message }]);
  });

  it('accepts managed header and mirror routes with Istio', () => {
    const steps = [
      { index: 0, kind: 'setHeaderRoute' as const, name: 'h' },
      { index: 1, kind: 'setMirrorRoute' as const, name: 'm' },
    ];
    expect(
      checkRouteSteps(
        testRouterRollout({ istio: { virtualService: { name: 'v' } }, managedRoutes: [{ name: 'h' }, { name: 'm' }] }),
        steps,
      ),
    ).toEqual([]);
  });
});

describe('routerRollout with canary.pingPong (Argo validation.go)', () => {
  const base = (canary: Record<string, unknown>, stablePingPong?: string): Rollout =>
    ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'web', namespace: 'shop', uid: 'u' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: {}, strategy: { canary } },
      ...(stablePingPong === undefined ? {} : { status: { canary: { stablePingPong } } }),
    }) as unknown as Rollout;
  const alb = { alb: { ingress: 'i', servicePort: 80, rootService: 'web-root' } };

  it.each([
    {
      what: 'with SMI',
      canary: { pingPong: { pingService: 'a', pongService: 'b' }, trafficRouting: { smi: {} } },
      field: 'trafficRouting.alb',
      message: 'Ping-pong feature works with the ALB and Istio traffic routers only',
    },
    {
      what: 'no pong',
      canary: { pingPong: { pingService: 'a', pongService: '' }, trafficRouting: alb },
      field: 'pingPong.pongService',
      message: 'Ping service and Pong service must to be set to use Ping-Pong feature',
    },
    {
      what: 'the same Service twice',
      canary: { pingPong: { pingService: 'a', pongService: 'a' }, trafficRouting: alb },
      field: 'pingPong.pingService',
      message: 'This rollout uses the same service for the ping and pong services, but two different services are required.',
    },
    {
      what: 'ALB without rootService',
      canary: { pingPong: { pingService: 'a', pongService: 'b' }, trafficRouting: { alb: { ingress: 'i', servicePort: 80 } } },
      field: 'trafficRouting.alb.rootService',
      message: 'Root service field is required for the configuration with ALB and ping-pong feature enabled',
    },
  ])('refuses $what at Argo’s field', ({ canary, field, message }) => {
    expect(routerRollout(base(canary))).toEqual({
      ok: false,
      problem: { code: 'InvalidSpec', kind: 'Rollout', namespace: 'shop', name: 'web', field: `spec.strategy.canary.${field}`, message },
    });
  });

  it.each([
    { stablePingPong: undefined, pingPong: { stable: 'b', canary: 'a' } },
    { stablePingPong: 'ping', pingPong: { stable: 'a', canary: 'b' } },
  ])('ALB forwards to ping/pong as status.canary.stablePingPong says ($stablePingPong)', ({ stablePingPong, pingPong }) => {
    const parsed = routerRollout(base({ pingPong: { pingService: 'a', pongService: 'b' }, trafficRouting: alb }, stablePingPong));
    expect(parsed.ok && parsed.value.pingPong).toEqual(pingPong);
  });

  it('Istio uses ping/pong as canary and stable only when neither Service is set', () => {
    const istio = { istio: { virtualService: { name: 'vs', routes: ['primary'] } } };
    const only = routerRollout(base({ pingPong: { pingService: 'a', pongService: 'b' }, trafficRouting: istio }, 'ping'));
    expect(only.ok && [only.value.stableService, only.value.canaryService]).toEqual(['a', 'b']);
    const both = routerRollout(
      base({ pingPong: { pingService: 'a', pongService: 'b' }, canaryService: 'c', stableService: 's', trafficRouting: istio }, 'ping'),
    );
    expect(both.ok && [both.value.stableService, both.value.canaryService]).toEqual(['s', 'c']);
  });
});
