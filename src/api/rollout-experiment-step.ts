import { z } from 'zod';
import { int32, labelSelector, podTemplateMetadata, stringMap } from './common.js';
import { dryRunSchema, rolloutAnalysisArgumentSchema } from './rollout-analysis.js';

/*
 * The canary step `experiment` (Argo v1.9's RolloutExperimentStep): the Rollout creates an
 * Experiment whose templates are copies of its stable or canary ReplicaSet's pod template, with
 * AnalysisRuns over them, and waits for it: Successful moves on, Failed or Error aborts.
 */

export const rolloutExperimentTemplateSchema = z
  .strictObject({
    name: z.string().min(1).meta({ description: 'the template name; its ReplicaSet is <experiment>-<name>' }),
    specRef: z.enum(['stable', 'canary']).meta({ description: "whose pod template to run: the stable or the canary ReplicaSet's" }),
    replicas: int32('pods of this template (default 1)').optional(),
    metadata: podTemplateMetadata("labels and annotations added to the template's pods (and labels to its selector)").optional(),
    selector: labelSelector("the template's selector; absent: the copied ReplicaSet's").optional(),
    weight: int32(
      'with SMI, ALB or Istio traffic routing: percentage of traffic for the template, taken from the stable while the experiment runs',
    ).optional(),
    service: z
      .strictObject({ name: z.string().optional() })
      .meta({ description: 'create a Service for the pods (named as the ReplicaSet unless name is given)' })
      .optional(),
  })
  .meta({ description: 'one ReplicaSet of the experiment, copied from the stable or the canary' });

export const rolloutExperimentAnalysisSchema = z
  .strictObject({
    name: z.string().min(1),
    templateName: z.string().min(1),
    clusterScope: z.boolean().optional(),
    args: z.array(rolloutAnalysisArgumentSchema).optional(),
    requiredForCompletion: z
      .boolean()
      .meta({ description: 'the experiment completes when this run succeeds, whatever its duration' })
      .optional(),
  })
  .meta({ description: 'an AnalysisRun the experiment starts once its templates are available' });

export const rolloutExperimentStepSchema = z
  .strictObject({
    templates: z.array(rolloutExperimentTemplateSchema),
    duration: z
      .string()
      .meta({ description: 'how long the templates run once available (Go duration); unset: until the analyses finish' })
      .optional(),
    analyses: z.array(rolloutExperimentAnalysisSchema).optional(),
    dryRun: z.array(dryRunSchema).optional(),
    analysisRunMetadata: z.strictObject({ labels: stringMap().optional(), annotations: stringMap().optional() }).optional(),
    scaleDownDelaySeconds: int32("seconds before the experiment's ReplicaSets are scaled down at its end (default 30)").optional(),
  })
  .meta({ description: 'run an Experiment and wait for it: Successful moves on, Failed or Error aborts' });

export type RolloutExperimentStep = z.infer<typeof rolloutExperimentStepSchema>;
export type RolloutExperimentTemplate = z.infer<typeof rolloutExperimentTemplateSchema>;
