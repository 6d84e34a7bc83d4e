import { bindRouter } from '../apply-router-plan.js';
import { invalidRolloutSpec } from '../errors.js';
import type { RouterDecisions, RouterRollout, TrafficKube, TrafficRouter } from '../types.js';
import { apisixRouteRef, planApisixHeaderRoute, planApisixRemoveRoute, planApisixWeight } from './apisix-route.js';

/**
 * The APISIX router's decisions (Argo's rollout/trafficrouting/apisix/apisix.go):
 * backend weights in the named rules of one ApisixRoute, and header routes as
 * ApisixRoutes of their own, owned by the Rollout and deleted by
 * removeManagedRoutes. Mirror routes and hashes are no-ops (Argo's validation
 * refuses setMirrorRoute without Istio); the weight cannot be verified.
 */
export function apisixRouterDecisions(rollout: RouterRollout): RouterDecisions {
  const name = rollout.trafficRouting.apisix?.route?.name ?? '';
  if (name === '') throw invalidRolloutSpec(rollout, 'spec.strategy.canary.trafficRouting.apisix.route.name', 'must be set');
  const routeRef = apisixRouteRef(rollout.namespace, name);
  const managedRefs = (rollout.trafficRouting.managedRoutes ?? []).map((route) => apisixRouteRef(rollout.namespace, route.name));
  return {
    type: 'Apisix',
    refs: () => [routeRef, ...managedRefs],
    updateHash: () => [],
    setWeight: (desiredWeight) => [
      { refs: [routeRef], decide: ([object]) => planApisixWeight({ rollout, ref: routeRef, object, desiredWeight }) },
    ],
    setHeaderRoute: (step) => {
      const headerRef = apisixRouteRef(rollout.namespace, step.name);
      return [
        {
          refs: [routeRef, headerRef],
          decide: ([route, header]) => planApisixHeaderRoute({ rollout, routeRef, headerRef, route, header, step }),
        },
      ];
    },
    setMirrorRoute: () => [],
    verifyWeight: () => 'notSupported',
    removeManagedRoutes: () =>
      managedRefs.map((ref) => ({ refs: [ref], decide: ([object]) => planApisixRemoveRoute(rollout, ref, object) })),
  };
}

/** The APISIX router's shell. */
export function createApisixRouter(rollout: RouterRollout, kube: TrafficKube): TrafficRouter {
  return bindRouter(apisixRouterDecisions(rollout), kube);
}
