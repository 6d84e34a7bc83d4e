import { applyRouterPlan, sumOutcomes } from '../apply-router-plan.js';
import { TrafficRoutingError } from '../errors.js';
import type { JsonObject, ObjectRef, RouterOutcome, RouterPlan, RouterRollout, TrafficKube, TrafficRouter } from '../types.js';
import { gatewayApiConfig, type GatewayApiConfig } from './config.js';
import { httpRouteRef, planHttpHeaderRoute, planHttpRouteWeight, planRemoveHttpManagedRoutes } from './http-route.js';

const nothing = { writes: 0, events: [] };

/**
 * The Gateway API router's shell, built in where Argo has it as a plugin
 * (argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi, pkg/plugin):
 * HTTPRoutes one after the other; header routes and their removal only on
 * routes with useHeaderRoutes (the singular `httpRoute` has it). Mirror
 * routes and hashes are no-ops and verifyWeight answers true, as the
 * plugin does.
 */
export function createGatewayApiRouter(rollout: RouterRollout, kube: TrafficKube): TrafficRouter {
  const parsed = gatewayApiConfig(rollout);
  if (!parsed.ok) throw new TrafficRoutingError(parsed.problem);
  const config: GatewayApiConfig = parsed.value;

  async function eachRoute(headerRoutesOnly: boolean, decide: (ref: ObjectRef, object: JsonObject | undefined) => RouterPlan): Promise<RouterOutcome> {
    const outcomes: RouterOutcome[] = [];
    for (const route of config.httpRoutes) {
      if (headerRoutesOnly && !route.useHeaderRoutes) continue;
      const ref = httpRouteRef(config.namespace, route.name);
      outcomes.push(await applyRouterPlan(kube, [ref], ([object]) => decide(ref, object)));
    }
    return sumOutcomes(outcomes);
  }

  return {
    type: 'GatewayAPI',
    updateHash: () => Promise.resolve(nothing),
    setWeight: (desiredWeight) => eachRoute(false, (ref, object) => planHttpRouteWeight({ rollout, config, ref, object, desiredWeight })),
    setHeaderRoute: (step) => eachRoute(true, (ref, object) => planHttpHeaderRoute({ rollout, ref, object, step })),
    setMirrorRoute: () => Promise.resolve(nothing),
    verifyWeight: () => Promise.resolve(true),
    removeManagedRoutes: () => eachRoute(true, (ref, object) => planRemoveHttpManagedRoutes({ rollout, ref, object })),
  };
}
