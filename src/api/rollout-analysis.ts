import { z } from 'zod';
import { int32, stringMap } from './common.js';

/*
 * How a Rollout asks for analysis (Argo's RolloutAnalysis): the templates to
 * combine into one AnalysisRun, the arguments the Rollout supplies, and the
 * run's dry-run and retention rules and extra metadata. Used by canary steps,
 * background analysis and blue-green pre/post-promotion analysis.
 */

/**
 * An argument a Rollout passes to its AnalysisRuns. Unlike a template's
 * argument it cannot read a Secret (the run resolves those); it can read the
 * stable or latest pod-template hash, or a field of the Rollout.
 */
export const rolloutAnalysisArgumentSchema = z
  .strictObject({
    name: z.string().min(1),
    value: z.string().optional(),
    valueFrom: z
      .strictObject({
        podTemplateHashValue: z
          .enum(['Stable', 'Latest'])
          .meta({ description: "the stable or the latest ReplicaSet's pod-template hash" })
          .optional(),
        fieldRef: z
          .strictObject({ fieldPath: z.string() })
          .meta({ description: 'a field of the Rollout, e.g. metadata.labels[app] or spec.template.spec.containers[0].image' })
          .optional(),
      })
      .optional(),
  })
  .meta({ description: 'an argument for the templates' });

/** Shared with AnalysisTemplate and AnalysisRun (analysis-template.ts re-exports them); here to keep the Rollout schema free of an import cycle. */
export const dryRunSchema = z.strictObject({
  metricName: z.string().meta({ description: 'a metric name, or a regular expression such as .*' }),
});
export const measurementRetentionSchema = z.strictObject({
  metricName: z.string(),
  limit: int32('measurements to keep for the metric (default 10)'),
});
export const analysisTemplateRefSchema = z.strictObject({ templateName: z.string(), clusterScope: z.boolean().optional() });

export const rolloutAnalysisFields = {
  templates: z
    .array(analysisTemplateRefSchema)
    .meta({ description: 'AnalysisTemplates (or ClusterAnalysisTemplates with clusterScope) combined into one AnalysisRun' })
    .optional(),
  args: z.array(rolloutAnalysisArgumentSchema).meta({ description: "values for the templates' arguments" }).optional(),
  dryRun: z.array(dryRunSchema).meta({ description: 'metrics whose failure does not fail the run' }).optional(),
  measurementRetention: z.array(measurementRetentionSchema).meta({ description: 'how many measurements to keep per metric' }).optional(),
  analysisRunMetadata: z
    .strictObject({
      labels: stringMap('labels added to the AnalysisRun').optional(),
      annotations: stringMap('annotations added to the AnalysisRun').optional(),
    })
    .optional(),
};

export const rolloutAnalysisSchema = z.strictObject(rolloutAnalysisFields).meta({ description: 'an AnalysisRun made from templates' });

export const backgroundAnalysisSchema = z
  .strictObject({
    ...rolloutAnalysisFields,
    startingStep: int32('the step index at which the background analysis starts (default 0)').optional(),
  })
  .meta({ description: 'an AnalysisRun that runs beside the steps; its failure aborts the rollout at any step' });

export type RolloutAnalysis = z.infer<typeof rolloutAnalysisSchema>;
export type BackgroundAnalysis = z.infer<typeof backgroundAnalysisSchema>;
export type RolloutAnalysisArgument = z.infer<typeof rolloutAnalysisArgumentSchema>;
