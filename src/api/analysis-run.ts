import { z } from 'zod';
import { timestamp } from './common.js';
import { argumentSchema, dryRunSchema, measurementRetentionSchema, metricSchema } from './analysis-template.js';
import { objectMetaSchema } from './rollout-spec.js';

/*
 * AnalysisRun (argoproj.io/v1alpha1): a template's metrics with their arguments resolved,
 * and their measurements in the status, in Argo v1.9's shape. The spec is strict; the status
 * is loose (passthrough of unknown fields) because other controllers and tools write and read
 * it too, and a status field Gradual does not know must never make a run unreadable.
 */

export const analysisPhases = ['Pending', 'Running', 'Successful', 'Failed', 'Error', 'Inconclusive'] as const;

export const analysisRunSpecSchema = z
  .strictObject({
    metrics: z.array(metricSchema),
    args: z.array(argumentSchema).optional(),
    terminate: z.boolean().meta({ description: 'stop measuring; the run ends with what it has' }).optional(),
    dryRun: z.array(dryRunSchema).optional(),
    measurementRetention: z.array(measurementRetentionSchema).optional(),
    ttlStrategy: z
      .strictObject({
        secondsAfterCompletion: z.int32().optional(),
        secondsAfterFailure: z.int32().optional(),
        secondsAfterSuccess: z.int32().optional(),
      })
      .optional(),
  })
  .meta({ description: 'the metrics to measure, with their arguments' });

const phase = z.enum(analysisPhases);

export const measurementSchema = z.looseObject({
  phase,
  message: z.string().optional(),
  startedAt: timestamp().optional(),
  finishedAt: timestamp().optional(),
  value: z.string().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  /** When a measurement that is still running (a Job) should be checked again. */
  resumeAt: timestamp().optional(),
});

export const metricResultSchema = z.looseObject({
  name: z.string(),
  phase,
  measurements: z.array(measurementSchema).optional(),
  message: z.string().optional(),
  count: z.int().optional(),
  successful: z.int().optional(),
  failed: z.int().optional(),
  inconclusive: z.int().optional(),
  error: z.int().optional(),
  consecutiveError: z.int().optional(),
  consecutiveSuccess: z.int().optional(),
  dryRun: z.boolean().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
});

const runSummarySchema = z.looseObject({
  count: z.int().optional(),
  successful: z.int().optional(),
  failed: z.int().optional(),
  inconclusive: z.int().optional(),
  error: z.int().optional(),
});

export const analysisRunStatusSchema = z.looseObject({
  phase: phase.optional(),
  message: z.string().optional(),
  metricResults: z.array(metricResultSchema).optional(),
  startedAt: timestamp().optional(),
  completedAt: timestamp().optional(),
  runSummary: runSummarySchema.optional(),
  dryRunSummary: runSummarySchema.optional(),
});

export const analysisRunKind = 'AnalysisRun';

export const analysisRunSchema = z.strictObject({
  apiVersion: z.literal('argoproj.io/v1alpha1'),
  kind: z.literal(analysisRunKind),
  metadata: objectMetaSchema.optional(),
  spec: analysisRunSpecSchema,
  status: analysisRunStatusSchema.optional(),
});

export type AnalysisPhase = (typeof analysisPhases)[number];
export type Measurement = z.infer<typeof measurementSchema>;
export type MetricResult = z.infer<typeof metricResultSchema>;
export type AnalysisRunSpec = z.infer<typeof analysisRunSpecSchema>;
export type AnalysisRunStatus = z.infer<typeof analysisRunStatusSchema>;
export type AnalysisRun = z.infer<typeof analysisRunSchema>;
