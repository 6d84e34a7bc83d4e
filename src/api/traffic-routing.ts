import { z } from 'zod';
import { int32 } from './common.js';

/**
 * The canary's `trafficRouting` block and the two route steps, in Argo's
 * field names (pkg/apis/rollouts/v1alpha1/types.go: RolloutTrafficRouting,
 * SetHeaderRoute, SetMirrorRoute). Strict, so a misspelt field is an
 * error that names it. canary-strategy.ts points at them.
 */

/** Argo's StringMatch: exactly one of exact, prefix, regex. */
export const stringMatchSchema = z
  .strictObject({
    exact: z.string().optional(),
    prefix: z.string().optional(),
    regex: z.string().optional(),
  })
  .meta({ description: 'match a string exactly, by prefix or by regular expression' });

export const headerRoutingMatchSchema = z.strictObject({
  headerName: z.string().meta({ description: 'the request header to match' }),
  headerValue: stringMatchSchema,
});

/** A step: send requests whose headers match to the canary; without `match`, remove the route. */
export const setHeaderRouteSchema = z
  .strictObject({
    name: z.string().meta({ description: 'the route name; must be listed in trafficRouting.managedRoutes' }),
    match: z.array(headerRoutingMatchSchema).optional(),
  })
  .meta({ description: 'route requests by header to the canary' });

export const routeMatchSchema = z.strictObject({
  method: stringMatchSchema.optional(),
  path: stringMatchSchema.optional(),
  headers: z.record(z.string(), stringMatchSchema).optional(),
});

/** A step: copy matching requests to the canary; without `match`, remove the route. */
export const setMirrorRouteSchema = z
  .strictObject({
    name: z.string().meta({ description: 'the route name; must be listed in trafficRouting.managedRoutes' }),
    match: z.array(routeMatchSchema).optional(),
    percentage: int32('percentage of matching requests to mirror (default 100)').optional(),
  })
  .meta({ description: 'mirror matching requests to the canary' });

export const istioVirtualServiceRefSchema = z.strictObject({
  name: z.string().meta({ description: 'VirtualService name, or name.namespace' }),
  routes: z.array(z.string()).optional(),
  tlsRoutes: z.array(z.strictObject({ port: z.number().int().optional(), sniHosts: z.array(z.string()).optional() })).optional(),
  tcpRoutes: z.array(z.strictObject({ port: z.number().int().optional() })).optional(),
});

export const istioDestinationRuleRefSchema = z.strictObject({
  name: z.string(),
  canarySubsetName: z.string(),
  stableSubsetName: z.string(),
  additionalSubsetNames: z.array(z.string()).optional(),
});

export const istioTrafficRoutingSchema = z.strictObject({
  virtualService: istioVirtualServiceRefSchema.optional(),
  virtualServices: z.array(istioVirtualServiceRefSchema).optional(),
  destinationRule: istioDestinationRuleRefSchema.optional(),
});

export const nginxTrafficRoutingSchema = z.strictObject({
  annotationPrefix: z.string().optional(),
  stableIngress: z.string().optional(),
  stableIngresses: z.array(z.string()).optional(),
  additionalIngressAnnotations: z.record(z.string(), z.string()).optional(),
  canaryIngressAnnotations: z.record(z.string(), z.string()).optional(),
});

export const smiTrafficRoutingSchema = z.strictObject({
  rootService: z.string().optional(),
  trafficSplitName: z.string().optional(),
});

/**
 * The Gateway API router's config, in the field names of Argo's plugin
 * (argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi pkg/plugin/types.go),
 * HTTPRoutes only. Loose: the plugin's other fields (grpcRoutes, selectors, ...)
 * are rejected by name in parseTrafficRouting, not here, so the message says
 * which one.
 */
export const gatewayApiTrafficRoutingSchema = z.looseObject({
  httpRoute: z.string().optional(),
  httpRoutes: z.array(z.strictObject({ name: z.string(), useHeaderRoutes: z.boolean().optional() })).optional(),
  namespace: z.string().optional(),
  disableInProgressLabel: z.boolean().optional(),
  inProgressLabelKey: z.string().optional(),
  inProgressLabelValue: z.string().optional(),
});

/** Argo's TraefikTrafficRouting: the weighted TraefikService whose canary and stable weights the router sets. */
export const traefikTrafficRoutingSchema = z.strictObject({
  weightedTraefikServiceName: z.string().meta({ description: 'the TraefikService (spec.weighted.services) to set the weights in' }),
});

/** Argo's ALBTrafficRouting: the Ingress(es) whose action annotations the AWS Load Balancer Controller turns into weighted target groups. */
export const albTrafficRoutingSchema = z.strictObject({
  ingress: z.string().optional().meta({ description: 'the Ingress, in the Rollout namespace' }),
  ingresses: z.array(z.string()).optional().meta({ description: 'several Ingresses (instead of ingress)' }),
  servicePort: int32('the Service port the actions forward to'),
  rootService: z
    .string()
    .optional()
    .meta({ description: 'the Service the Ingress routes to and the action is named after (default: stableService)' }),
  annotationPrefix: z
    .string()
    .optional()
    .meta({ description: 'the AWS Load Balancer Controller annotation prefix (default alb.ingress.kubernetes.io)' }),
  stickinessConfig: z
    .strictObject({ enabled: z.boolean(), durationSeconds: z.number().int() })
    .optional()
    .meta({ description: 'target group stickiness for the forward action' }),
});

/** Argo's ApisixTrafficRouting: the ApisixRoute and the http rules (default: the rule named like the route) to set weights in. */
export const apisixTrafficRoutingSchema = z.strictObject({
  route: z
    .strictObject({
      name: z.string().meta({ description: 'the ApisixRoute' }),
      rules: z
        .array(z.string())
        .optional()
        .meta({ description: 'the spec.http rules to set weights in (default: the rule named like the route)' }),
    })
    .optional(),
});

/** Argo's AmbassadorTrafficRouting: the base Mappings a weighted `<name>-canary` Mapping is copied from. */
export const ambassadorTrafficRoutingSchema = z.strictObject({
  mappings: z
    .array(z.string())
    .meta({ description: 'the Ambassador Mappings, in the Rollout namespace, that route to the stable Service' }),
});

const appMeshVirtualNodeRefSchema = z.strictObject({ name: z.string().meta({ description: 'the VirtualNode' }) });

/** Argo's AppMeshTrafficRouting: the VirtualService (through its VirtualRouter) and the canary/stable VirtualNodes. */
export const appMeshTrafficRoutingSchema = z.strictObject({
  virtualService: z
    .strictObject({
      name: z.string().meta({ description: 'the App Mesh VirtualService, whose provider is a VirtualRouter' }),
      routes: z.array(z.string()).optional().meta({ description: 'the VirtualRouter routes to set weights in (default: every route)' }),
    })
    .optional(),
  virtualNodeGroup: z
    .strictObject({
      canaryVirtualNodeRef: appMeshVirtualNodeRefSchema,
      stableVirtualNodeRef: appMeshVirtualNodeRefSchema,
    })
    .optional(),
});

/** Argo's name for the Gateway API plugin; Gradual accepts its config under `plugins` as an alias of `gatewayAPI`. */
export const gatewayApiPluginName = 'argoproj-labs/gatewayAPI';

export const trafficRoutingSchema = z
  .strictObject({
    istio: istioTrafficRoutingSchema.optional(),
    nginx: nginxTrafficRoutingSchema.optional(),
    smi: smiTrafficRoutingSchema.optional(),
    gatewayAPI: gatewayApiTrafficRoutingSchema.optional(),
    plugins: z.record(z.string(), z.unknown()).optional(),
    alb: albTrafficRoutingSchema.optional(),
    ambassador: ambassadorTrafficRoutingSchema.optional(),
    apisix: apisixTrafficRoutingSchema.optional(),
    appMesh: appMeshTrafficRoutingSchema.optional(),
    traefik: traefikTrafficRoutingSchema.optional(),
    managedRoutes: z.array(z.strictObject({ name: z.string() })).optional(),
    maxTrafficWeight: int32('the total weight of traffic (default 100)').optional(),
  })
  .meta({ description: 'shift traffic with a mesh or ingress' });

export type StringMatch = z.infer<typeof stringMatchSchema>;
export type SetHeaderRoute = z.infer<typeof setHeaderRouteSchema>;
export type SetMirrorRoute = z.infer<typeof setMirrorRouteSchema>;
export type RouteMatch = z.infer<typeof routeMatchSchema>;
export type IstioVirtualServiceRef = z.infer<typeof istioVirtualServiceRefSchema>;
export type IstioDestinationRuleRef = z.infer<typeof istioDestinationRuleRefSchema>;
export type IstioTrafficRouting = z.infer<typeof istioTrafficRoutingSchema>;
export type NginxTrafficRouting = z.infer<typeof nginxTrafficRoutingSchema>;
export type SmiTrafficRouting = z.infer<typeof smiTrafficRoutingSchema>;
export type AlbTrafficRouting = z.infer<typeof albTrafficRoutingSchema>;
export type TraefikTrafficRouting = z.infer<typeof traefikTrafficRoutingSchema>;
export type ApisixTrafficRouting = z.infer<typeof apisixTrafficRoutingSchema>;
export type AmbassadorTrafficRouting = z.infer<typeof ambassadorTrafficRoutingSchema>;
export type AppMeshTrafficRouting = z.infer<typeof appMeshTrafficRoutingSchema>;
export type GatewayApiTrafficRouting = z.infer<typeof gatewayApiTrafficRoutingSchema>;
export type TrafficRouting = z.infer<typeof trafficRoutingSchema>;
