import { z } from 'zod';

/** The parts of a networking.k8s.io/v1 Ingress the NGINX router reads; everything else passes through. */
export const ingressSchema = z.looseObject({
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string().optional(),
    resourceVersion: z.string().optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    labels: z.record(z.string(), z.string()).optional(),
    ownerReferences: z.array(z.looseObject({ uid: z.string().optional(), controller: z.boolean().optional() })).optional(),
  }),
  spec: z
    .looseObject({
      ingressClassName: z.string().optional(),
      tls: z.array(z.unknown()).optional(),
      rules: z
        .array(
          z.looseObject({
            http: z
              .looseObject({
                paths: z.array(z.looseObject({ backend: z.looseObject({ service: z.looseObject({ name: z.string() }).optional() }) })),
              })
              .optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});

export type Ingress = z.infer<typeof ingressSchema>;
export type IngressRule = NonNullable<NonNullable<Ingress['spec']>['rules']>[number];
