import { z } from 'zod';
import { int32, labelSelector, stringMap, timestamp } from './common.js';
import { dryRunSchema, measurementRetentionSchema } from './analysis-template.js';
import { podTemplateSchema, objectMetaSchema } from './rollout-spec.js';
import { analysisPhases } from './analysis-run.js';

/*
 * Experiment (argoproj.io/v1alpha1), Argo v1.9's experiment_types.go: templates run as
 * ReplicaSets side by side for a duration, with AnalysisRuns over them. Spec strict (a typo
 * is an error that names it), status loose as every status in src/api. The pod template is
 * the Rollout's schema, so an Experiment's pods obey the same rules as a Rollout's.
 */

export const experimentKind = 'Experiment';

export const experimentTemplateSchema = z
  .strictObject({
    name: z.string().meta({ description: 'the template name; the ReplicaSet is <experiment>-<name>' }),
    replicas: int32('pods of this template (default 1)').optional(),
    minReadySeconds: int32('seconds a new pod must be ready to count as available (default 0)').optional(),
    selector: labelSelector('pods of this template; must match the template labels').optional(),
    template: podTemplateSchema,
    service: z
      .strictObject({ name: z.string().optional() })
      .meta({ description: 'create a Service for the pods (named as the ReplicaSet unless name is given)' })
      .optional(),
  })
  .meta({ description: 'one ReplicaSet the experiment runs' });

export const experimentAnalysisSchema = z
  .strictObject({
    name: z.string().min(1),
    templateName: z.string().min(1),
    clusterScope: z.boolean().optional(),
    args: z
      .array(
        z.strictObject({
          name: z.string().min(1),
          value: z.string().optional(),
          valueFrom: z
            .strictObject({
              secretKeyRef: z.strictObject({ name: z.string(), key: z.string() }).optional(),
              fieldRef: z.strictObject({ fieldPath: z.string() }).optional(),
            })
            .optional(),
        }),
      )
      .optional(),
    requiredForCompletion: z
      .boolean()
      .meta({ description: 'the experiment completes when this run succeeds, whatever its duration' })
      .optional(),
  })
  .meta({ description: 'an AnalysisRun the experiment starts once its templates are available' });

export const experimentSpecSchema = z
  .strictObject({
    templates: z.array(experimentTemplateSchema),
    duration: z
      .string()
      .meta({ description: 'how long the templates run once available (Go duration); unset: until terminated' })
      .optional(),
    progressDeadlineSeconds: int32('seconds a template may take to become available (default 600)').optional(),
    terminate: z.boolean().meta({ description: 'stop the experiment: scale its ReplicaSets down, terminate its runs' }).optional(),
    analyses: z.array(experimentAnalysisSchema).optional(),
    scaleDownDelaySeconds: int32('seconds before the ReplicaSets are scaled down at the end (default 30)').optional(),
    dryRun: z.array(dryRunSchema).optional(),
    measurementRetention: z.array(measurementRetentionSchema).optional(),
    analysisRunMetadata: z.strictObject({ labels: stringMap().optional(), annotations: stringMap().optional() }).optional(),
  })
  .meta({ description: 'the templates to run and the analyses over them' });

export const templateStatusCodes = ['Progressing', 'Running', 'Successful', 'Failed', 'Error'] as const;

const phase = z.enum(analysisPhases);

export const templateStatusSchema = z.looseObject({
  name: z.string(),
  replicas: z.int().optional(),
  updatedReplicas: z.int().optional(),
  readyReplicas: z.int().optional(),
  availableReplicas: z.int().optional(),
  collisionCount: z.int().optional(),
  status: z.enum(templateStatusCodes).optional(),
  message: z.string().optional(),
  lastTransitionTime: timestamp().optional(),
  serviceName: z.string().optional(),
  podTemplateHash: z.string().optional(),
});

export const experimentConditionSchema = z.looseObject({
  type: z.string(),
  status: z.string(),
  lastUpdateTime: timestamp().optional(),
  lastTransitionTime: timestamp().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
});

/**
 * Argo's ExperimentAnalysisRunStatus serialises `analysisRun` and `phase` without omitempty, and its
 * CRD requires both: an analysis not started yet, or whose run has no phase yet, reads `''`.
 */
export const experimentAnalysisRunStatusSchema = z.looseObject({
  name: z.string(),
  analysisRun: z.string().optional(),
  phase: z.enum(['', ...analysisPhases]).optional(),
  message: z.string().optional(),
});

export const experimentStatusSchema = z.looseObject({
  phase: phase.optional(),
  message: z.string().optional(),
  templateStatuses: z.array(templateStatusSchema).optional(),
  availableAt: timestamp().optional(),
  conditions: z.array(experimentConditionSchema).optional(),
  analysisRuns: z.array(experimentAnalysisRunStatusSchema).optional(),
});

export const experimentSchema = z.strictObject({
  apiVersion: z.literal('argoproj.io/v1alpha1'),
  kind: z.literal(experimentKind),
  metadata: objectMetaSchema.optional(),
  spec: experimentSpecSchema,
  status: experimentStatusSchema.optional(),
});

export type Experiment = z.infer<typeof experimentSchema>;
export type ExperimentSpec = z.infer<typeof experimentSpecSchema>;
export type ExperimentTemplate = z.infer<typeof experimentTemplateSchema>;
export type ExperimentAnalysis = z.infer<typeof experimentAnalysisSchema>;
export type ExperimentStatus = z.infer<typeof experimentStatusSchema>;
export type TemplateStatus = z.infer<typeof templateStatusSchema>;
export type TemplateStatusCode = (typeof templateStatusCodes)[number];
export type ExperimentCondition = z.infer<typeof experimentConditionSchema>;
export type ExperimentAnalysisRunStatus = z.infer<typeof experimentAnalysisRunStatusSchema>;

/** Argo's defaults (utils/defaults): the progress deadline and the delay before the end's scale-down. */
export const experimentDefaults = { progressDeadlineSeconds: 600, scaleDownDelaySeconds: 30, replicas: 1 } as const;
