import { z } from 'zod';

/** Argo's default TrafficSplit version (utils/defaults: DefaultSMITrafficSplitVersion). */
export const defaultSmiApiVersion = 'v1alpha1';
export const smiApiVersions = ['v1alpha1', 'v1alpha2', 'v1alpha3'] as const;

/** v1alpha1 writes weights as Kubernetes quantities (`"20"`), later versions as integers. */
const weightSchema = z.union([z.number().int(), z.string().regex(/^\d+$/u)]);

export const trafficSplitSchema = z.looseObject({
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string().optional(),
    resourceVersion: z.string().optional(),
    ownerReferences: z.array(z.looseObject({ uid: z.string().optional(), controller: z.boolean().optional() })).optional(),
  }),
  spec: z
    .looseObject({
      service: z.string().optional(),
      backends: z.array(z.looseObject({ service: z.string(), weight: weightSchema.optional() })).optional(),
    })
    .optional(),
});

export type TrafficSplit = z.infer<typeof trafficSplitSchema>;
export type TrafficSplitBackend = NonNullable<NonNullable<TrafficSplit['spec']>['backends']>[number];
