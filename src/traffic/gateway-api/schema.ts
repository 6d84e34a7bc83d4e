import { z } from 'zod';

/** The parts of a gateway.networking.k8s.io/v1 HTTPRoute the router reads; everything else passes through. */
export const httpBackendRefSchema = z.looseObject({
  name: z.string(),
  group: z.string().optional(),
  kind: z.string().optional(),
  port: z.number().int().optional(),
  weight: z.number().int().optional(),
});

export const httpHeaderMatchSchema = z.looseObject({ name: z.string(), type: z.string().optional(), value: z.string() });

export const httpRouteMatchSchema = z.looseObject({
  path: z.unknown().optional(),
  headers: z.array(httpHeaderMatchSchema).optional(),
  queryParams: z.unknown().optional(),
  method: z.unknown().optional(),
});

export const httpRouteRuleSchema = z.looseObject({
  name: z.string().optional(),
  matches: z.array(httpRouteMatchSchema).optional(),
  filters: z.array(z.unknown()).optional(),
  backendRefs: z.array(httpBackendRefSchema).optional(),
});

export const httpRouteSchema = z.looseObject({
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string().optional(),
    resourceVersion: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.looseObject({ rules: z.array(httpRouteRuleSchema).optional() }),
});

export type HttpRoute = z.infer<typeof httpRouteSchema>;
export type HttpRouteRule = z.infer<typeof httpRouteRuleSchema>;
export type HttpHeaderMatch = z.infer<typeof httpHeaderMatchSchema>;
