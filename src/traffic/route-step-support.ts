import type { RouterProblem, RouterRollout } from './types.js';
import { gatewayApiPluginName } from '../api/traffic-routing.js';

/** Argo's messages (pkg/apis/rollouts/validation/validation.go), Gradual's routers named. */
export const headerRouteUnsupported = 'SetHeaderRoute requires TrafficRouting, supports Istio, Apisix and Gateway API';
export const mirrorRouteUnsupported = 'SetMirrorRoute requires TrafficRouting, supports Istio and Gateway API';
export const routeNotManaged = 'Steps define a route that does not exist in spec.strategy.canary.trafficRouting.managedRoutes';

export interface RouteStep {
  index: number;
  kind: 'setHeaderRoute' | 'setMirrorRoute';
  name: string;
}

/**
 * Argo refuses a setHeaderRoute step unless Istio, Apisix (or ALB, a
 * plugin) routes the traffic, and a setMirrorRoute unless Istio (or a
 * plugin) does; SMI and NGINX would ignore them silently. The route must
 * also be listed in managedRoutes. For the engine and lint to report at
 * spec.strategy.canary.steps[i].
 */
export function checkRouteSteps(rollout: RouterRollout, steps: readonly RouteStep[]): RouterProblem[] {
  const routing = rollout.trafficRouting;
  const gateway = routing.gatewayAPI !== undefined || routing.plugins?.[gatewayApiPluginName] !== undefined;
  const managed = new Set((routing.managedRoutes ?? []).map((route) => route.name));
  const place = { kind: 'Rollout', namespace: rollout.namespace, name: rollout.name };
  return steps.flatMap((step): RouterProblem[] => {
    const field = `spec.strategy.canary.steps[${step.index}].${step.kind}`;
    // Argo's validation: header routes with Istio, ALB, Apisix or a plugin; mirror routes with Istio or a plugin.
    const supported = routing.istio !== undefined || gateway || (step.kind === 'setHeaderRoute' && routing.apisix !== undefined);
    if (!supported)
      return [
        { ...place, code: 'InvalidSpec', field, message: step.kind === 'setHeaderRoute' ? headerRouteUnsupported : mirrorRouteUnsupported },
      ];
    if (routing.managedRoutes === undefined)
      return [
        {
          ...place,
          code: 'InvalidSpec',
          field: 'spec.strategy.canary.trafficRouting.managedRoutes',
          message: 'spec.strategy.canary.trafficRouting.managedRoutes must be specified',
        },
      ];
    if (!managed.has(step.name)) return [{ ...place, code: 'InvalidSpec', field, message: routeNotManaged }];
    return [];
  });
}
