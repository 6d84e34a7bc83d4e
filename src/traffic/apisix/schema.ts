import { z } from 'zod';

/** Argo's default APISIX version (utils/defaults: DefaultApisixVersion). */
export const apisixGroup = 'apisix.apache.org';
export const apisixVersion = 'v2';

const backendSchema = z.looseObject({ serviceName: z.string(), weight: z.number().int().optional() });

export const apisixHttpRuleSchema = z.looseObject({
  name: z.string(),
  priority: z.number().int().optional(),
  backends: z.array(backendSchema).optional(),
});

/** The parts of an ApisixRoute the router reads; everything else passes through. */
export const apisixRouteSchema = z.looseObject({
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string().optional(),
    resourceVersion: z.string().optional(),
    ownerReferences: z.array(z.looseObject({ uid: z.string().optional(), controller: z.boolean().optional() })).optional(),
  }),
  spec: z.looseObject({ http: z.array(apisixHttpRuleSchema).optional() }).optional(),
});

export type ApisixRoute = z.infer<typeof apisixRouteSchema>;
export type ApisixHttpRule = z.infer<typeof apisixHttpRuleSchema>;
