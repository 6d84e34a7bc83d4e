import { bindRouter } from '../apply-router-plan.js';
import { TrafficRoutingError } from '../errors.js';
import type {
  JsonObject,
  ObjectRef,
  RouterCall,
  RouterDecisions,
  RouterPlan,
  RouterRollout,
  TrafficKube,
  TrafficRouter,
} from '../types.js';
import { gatewayApiConfig, type GatewayApiConfig } from './config.js';
import { httpRouteRef, planHttpHeaderRoute, planHttpRouteWeight, planRemoveHttpManagedRoutes } from './http-route.js';

/**
 * The Gateway API router's decisions, built in where Argo has it as a plugin
 * (argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi, pkg/plugin):
 * HTTPRoutes one after the other; header routes and their removal only on
 * routes with useHeaderRoutes (the singular `httpRoute` has it). Mirror
 * routes and hashes are no-ops and verifyWeight answers true, as the
 * plugin does.
 */
export function gatewayApiRouterDecisions(rollout: RouterRollout): RouterDecisions {
  const parsed = gatewayApiConfig(rollout);
  if (!parsed.ok) throw new TrafficRoutingError(parsed.problem);
  const config: GatewayApiConfig = parsed.value;

  function eachRoute(headerRoutesOnly: boolean, decide: (ref: ObjectRef, object: JsonObject | undefined) => RouterPlan): RouterCall[] {
    return config.httpRoutes
      .filter((route) => !headerRoutesOnly || route.useHeaderRoutes)
      .map((route) => {
        const ref = httpRouteRef(config.namespace, route.name);
        return { refs: [ref], decide: ([object]) => decide(ref, object) };
      });
  }

  return {
    type: 'GatewayAPI',
    refs: () => config.httpRoutes.map((route) => httpRouteRef(config.namespace, route.name)),
    updateHash: () => [],
    setWeight: (desiredWeight) => eachRoute(false, (ref, object) => planHttpRouteWeight({ rollout, config, ref, object, desiredWeight })),
    setHeaderRoute: (step) => eachRoute(true, (ref, object) => planHttpHeaderRoute({ rollout, ref, object, step })),
    setMirrorRoute: () => [],
    verifyWeight: () => true,
    removeManagedRoutes: () => eachRoute(true, (ref, object) => planRemoveHttpManagedRoutes({ rollout, ref, object })),
  };
}

/** The Gateway API router's shell. */
export function createGatewayApiRouter(rollout: RouterRollout, kube: TrafficKube): TrafficRouter {
  return bindRouter(gatewayApiRouterDecisions(rollout), kube);
}
