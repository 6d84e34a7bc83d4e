import type { RouterProblem, RouterRollout } from './types.js';
import { gatewayApiPluginName } from '../api/traffic-routing.js';

/** Argo's messages (pkg/apis/rollouts/validation/validation.go), Gradual's routers named. */
export const headerRouteUnsupported = 'SetHeaderRoute requires TrafficRouting, supports Istio, ALB, Apisix and Gateway API';
export const mirrorRouteUnsupported = 'SetMirrorRoute requires TrafficRouting, supports Istio and Gateway API';
export const albHeaderValueInvalid = "SetHeaderRoute match value invalid. ALB supports 'exact' value only";
export const routeNotManaged = 'Steps define a route that does not exist in spec.strategy.canary.trafficRouting.managedRoutes';

export interface RouteStep {
  index: number;
  kind: 'setHeaderRoute' | 'setMirrorRoute';
  name: string;
  /** A setHeaderRoute's matches: ALB can only match exact values. */
  match?: readonly { headerValue: { exact?: string | undefined; prefix?: string | undefined; regex?: string | undefined } }[] | undefined;
}

/**
 * Argo refuses a setHeaderRoute step unless Istio, ALB, Apisix (or a
 * plugin) routes the traffic, and a setMirrorRoute unless Istio (or a
 * plugin) does; SMI and NGINX would ignore them silently. The route must
 * also be listed in managedRoutes. For the engine and lint to report at
 * spec.strategy.canary.steps[i]. ALB matches exact header values only.
 */
export function checkRouteSteps(rollout: RouterRollout, steps: readonly RouteStep[]): RouterProblem[] {
  const routing = rollout.trafficRouting;
  const gateway = routing.gatewayAPI !== undefined || routing.plugins?.[gatewayApiPluginName] !== undefined;
  const managed = new Set((routing.managedRoutes ?? []).map((route) => route.name));
  const place = { kind: 'Rollout', namespace: rollout.namespace, name: rollout.name };
  return steps.flatMap((step): RouterProblem[] => {
    const field = `spec.strategy.canary.steps[${step.index}].${step.kind}`;
    // Argo's validation: header routes with Istio, ALB, Apisix or a plugin; mirror routes with Istio or a plugin.
    const supported =
      routing.istio !== undefined ||
      gateway ||
      (step.kind === 'setHeaderRoute' && (routing.apisix !== undefined || routing.alb !== undefined));
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
    if (routing.alb === undefined) return [];
    return (step.match ?? []).flatMap(({ headerValue }, index): RouterProblem[] =>
      (headerValue.exact ?? '') === '' || (headerValue.regex ?? '') !== '' || (headerValue.prefix ?? '') !== ''
        ? [{ ...place, code: 'InvalidSpec', field: `${field}.match[${String(index)}].headerValue`, message: albHeaderValueInvalid }]
        : [],
    );
  });
}
