import { z } from 'zod';
import type { rolloutInfo } from '../rollout-view/rollout-info.js';

/*
 * The objects the dashboard's informers receive, checked at the boundary.
 * Loose on purpose: the page must show Rollouts written by Argo, by any
 * Gradual version and by hand (the strict api/ schema is the engine's
 * contract, and would hide an object it rejects). Each schema names the
 * fields the dashboard reads; everything else passes through untouched.
 */

const metadataSchema = z.looseObject({
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

export const dashboardRolloutSchema = z.looseObject({
  metadata: metadataSchema,
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
        .looseObject({ weights: z.looseObject({ canary: z.looseObject({ weight: z.number().optional() }).optional() }).optional() })
        .optional(),
    })
    .optional(),
});

export const dashboardReplicaSetSchema = z.looseObject({ metadata: metadataSchema });
export const dashboardPodSchema = z.looseObject({ metadata: metadataSchema });

const measurementSchema = z.looseObject({
  phase: z.string(),
  value: z.string().optional(),
  message: z.string().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
});

export const dashboardAnalysisRunSchema = z.looseObject({
  metadata: metadataSchema,
  spec: z
    .looseObject({
      metrics: z
        .array(z.looseObject({ name: z.string(), successCondition: z.string().optional(), failureCondition: z.string().optional() }))
        .optional(),
    })
    .optional(),
  status: z
    .looseObject({
      phase: z.string().optional(),
      message: z.string().optional(),
      metricResults: z
        .array(z.looseObject({ name: z.string(), phase: z.string().optional(), measurements: z.array(measurementSchema).optional() }))
        .optional(),
    })
    .optional(),
});

export type DashboardRollout = z.infer<typeof dashboardRolloutSchema>;
export type DashboardAnalysisRun = z.infer<typeof dashboardAnalysisRunSchema>;

/** The shapes rolloutInfo reads (every field optional); a checked object is handed over as one. */
export type TreeRollout = Parameters<typeof rolloutInfo>[0];
export type TreeReplicaSet = Parameters<typeof rolloutInfo>[1][number];
export type TreePod = Parameters<typeof rolloutInfo>[2][number];
