import { z } from 'zod';

/*
 * The parts of Istio's VirtualService and DestinationRule the router reads,
 * as loose objects: every other field (retries, timeouts, trafficPolicy, ...)
 * passes through untouched, so a replace built from a parsed object drops
 * nothing. Field names from Argo's istio_types.go and Istio's API.
 */

const metadataSchema = z.looseObject({
  name: z.string(),
  namespace: z.string().optional(),
  resourceVersion: z.string().optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

export const istioDestinationSchema = z.looseObject({
  host: z.string(),
  subset: z.string().optional(),
  port: z.looseObject({ number: z.number().int().optional() }).optional(),
});

export const routeDestinationSchema = z.looseObject({
  destination: istioDestinationSchema,
  weight: z.number().int().optional(),
});

export const httpRouteSchema = z.looseObject({
  name: z.string().optional(),
  match: z.array(z.unknown()).nullish(),
  route: z.array(routeDestinationSchema).optional(),
  mirror: z.unknown().optional(),
});

const l4MatchSchema = z.looseObject({ port: z.number().int().optional(), sniHosts: z.array(z.string()).optional() });

export const l4RouteSchema = z.looseObject({
  match: z.array(l4MatchSchema).optional(),
  route: z.array(routeDestinationSchema).optional(),
});

export const virtualServiceSchema = z.looseObject({
  metadata: metadataSchema,
  spec: z.looseObject({
    http: z.array(httpRouteSchema).nullish(),
    tls: z.array(l4RouteSchema).nullish(),
    tcp: z.array(l4RouteSchema).nullish(),
  }),
});

export const destinationRuleSchema = z.looseObject({
  metadata: metadataSchema,
  spec: z.looseObject({
    host: z.string().optional(),
    subsets: z.array(z.looseObject({ name: z.string(), labels: z.record(z.string(), z.string()).optional() })).optional(),
  }),
});

export type RouteDestination = z.infer<typeof routeDestinationSchema>;
export type HttpRoute = z.infer<typeof httpRouteSchema>;
export type L4Route = z.infer<typeof l4RouteSchema>;
export type VirtualService = z.infer<typeof virtualServiceSchema>;
export type DestinationRule = z.infer<typeof destinationRuleSchema>;
/** The three route kinds Argo shifts weights on, named as the VirtualService's spec fields. */
export type RouteKind = 'http' | 'tls' | 'tcp';
