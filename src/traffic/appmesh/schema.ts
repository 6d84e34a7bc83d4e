import { z } from 'zod';

/** Argo's default App Mesh CRD version (utils/defaults: DefaultAppMeshCRDVersion, --appmesh-crd-version). */
export const appMeshGroup = 'appmesh.k8s.aws';
export const appMeshVersion = 'v1beta2';

const metadataSchema = z.looseObject({
  name: z.string(),
  namespace: z.string().optional(),
  resourceVersion: z.string().optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

/** The parts of an App Mesh VirtualService the router reads: its VirtualRouter provider. */
export const meshVirtualServiceSchema = z.looseObject({
  metadata: metadataSchema,
  spec: z
    .looseObject({
      provider: z
        .looseObject({
          virtualRouter: z
            .looseObject({
              virtualRouterRef: z.looseObject({ name: z.string(), namespace: z.string().optional() }).optional(),
            })
            .optional(),
        })
        .optional(),
    })
    .optional(),
});

/** The parts of a VirtualNode the router reads: the pod selector's matchLabels. */
export const virtualNodeSchema = z.looseObject({
  metadata: metadataSchema,
  spec: z
    .looseObject({
      podSelector: z.looseObject({ matchLabels: z.record(z.string(), z.string()).optional() }).optional(),
    })
    .optional(),
});

const weightedTargetSchema = z.looseObject({
  virtualNodeRef: z.looseObject({ name: z.string().optional(), namespace: z.string().optional() }),
  weight: z.number().int(),
});

const routeRuleSchema = z.looseObject({
  action: z.looseObject({ weightedTargets: z.array(weightedTargetSchema) }),
});

/** Argo's supportedRouteTypes, in the order it looks for them. */
export const routeTypes = ['httpRoute', 'tcpRoute', 'http2Route', 'grpcRoute'] as const;

/** The parts of a VirtualRouter the router reads: each route's weighted targets. */
export const virtualRouterSchema = z.looseObject({
  metadata: metadataSchema,
  spec: z
    .looseObject({
      routes: z
        .array(
          z.looseObject({
            name: z.string(),
            httpRoute: routeRuleSchema.optional(),
            tcpRoute: routeRuleSchema.optional(),
            http2Route: routeRuleSchema.optional(),
            grpcRoute: routeRuleSchema.optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});

export type MeshVirtualService = z.infer<typeof meshVirtualServiceSchema>;
export type VirtualRouter = z.infer<typeof virtualRouterSchema>;
