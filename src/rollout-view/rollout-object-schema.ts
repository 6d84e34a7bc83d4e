import { z } from 'zod';
import type { ObjectMetaLike, RolloutObject } from './types.js';

/*
 * The check of a RolloutObject (types.ts) at a boundary that receives unknown JSON (the
 * dashboard's informers and its buttons' fresh GET). Loose on purpose: a page must show
 * Rollouts written by Argo, by any Gradual version and by hand (the strict api/ schema is the
 * engine's contract, and would hide an object it rejects). It names the fields whose type
 * would break a reader; everything else passes through untouched. Its output is the one loose
 * Rollout shape, RolloutObject, with the name a listed object always has.
 */

export type NamedRolloutObject = RolloutObject & { metadata: ObjectMetaLike & { name: string } };

export const objectMetaLikeSchema = z.looseObject({
  name: z.string(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  creationTimestamp: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  ownerReferences: z.array(z.looseObject({ uid: z.string(), controller: z.boolean().optional(), kind: z.string().optional() })).optional(),
});

const stepSchema = z.record(z.string(), z.unknown());

export const rolloutObjectSchema: z.ZodType<NamedRolloutObject> = z.looseObject({
  metadata: objectMetaLikeSchema,
  spec: z
    .looseObject({
      replicas: z.number().optional(),
      strategy: z
        .looseObject({
          canary: z
            .looseObject({
              steps: z.array(stepSchema).optional(),
              trafficRouting: z.looseObject({ maxTrafficWeight: z.number().optional() }).optional(),
            })
            .optional(),
          blueGreen: z.looseObject({}).optional(),
        })
        .optional(),
    })
    .optional(),
  status: z
    .looseObject({
      currentStepIndex: z.number().optional(),
      abort: z.boolean().optional(),
      currentPodHash: z.string().optional(),
      stableRS: z.string().optional(),
      canary: z
        .looseObject({
          currentExperiment: z.string().optional(),
          weights: z.looseObject({ canary: z.looseObject({ weight: z.number().optional() }).optional() }).optional(),
        })
        .optional(),
    })
    .optional(),
});
