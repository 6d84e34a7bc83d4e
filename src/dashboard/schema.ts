import { z } from 'zod';
import type { rolloutInfo } from '../rollout-view/rollout-info.js';
import { objectMetaLikeSchema } from '../rollout-view/rollout-object-schema.js';

/*
 * The objects the dashboard's informers receive, checked at the boundary.
 * Loose on purpose: the page must show objects written by Argo, by any
 * Gradual version and by hand (the strict api/ schema is the engine's
 * contract, and would hide an object it rejects). Each schema names the
 * fields the dashboard reads; everything else passes through untouched.
 * The Rollout's is the read model's (rollout-view/rollout-object-schema.ts).
 */

export const dashboardReplicaSetSchema = z.looseObject({ metadata: objectMetaLikeSchema });
export const dashboardPodSchema = z.looseObject({ metadata: objectMetaLikeSchema });

const measurementSchema = z.looseObject({
  phase: z.string(),
  value: z.string().optional(),
  message: z.string().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
});

export const dashboardAnalysisRunSchema = z.looseObject({
  metadata: objectMetaLikeSchema,
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
        .array(
          z.looseObject({
            name: z.string(),
            phase: z.string().optional(),
            measurements: z.array(measurementSchema).optional(),
            // The counts an Experiment's analyses show (rollout-view/experiment-info.ts).
            successful: z.number().optional(),
            failed: z.number().optional(),
            inconclusive: z.number().optional(),
            error: z.number().optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});

export type DashboardAnalysisRun = z.infer<typeof dashboardAnalysisRunSchema>;

/** An Experiment as the read model checks it (rollout-view/experiment-info.ts), loose for the same reason. */
export {
  experimentObjectSchema as dashboardExperimentSchema,
  type ExperimentObject as DashboardExperiment,
} from '../rollout-view/experiment-info.js';

/** The shapes rolloutInfo reads (every field optional); a checked object is handed over as one. */
export type TreeRollout = Parameters<typeof rolloutInfo>[0];
export type TreeReplicaSet = Parameters<typeof rolloutInfo>[1][number];
export type TreePod = Parameters<typeof rolloutInfo>[2][number];
