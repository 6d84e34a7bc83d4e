import { z } from 'zod';
import { blueGreenStrategySchema } from './blue-green-strategy.js';
import { canaryStrategySchema } from './canary-strategy.js';
import { int32, labelSelector, opaqueObject, stringMap, timestamp } from './common.js';

export const workloadRefScaleDownValues = ['never', 'onsuccess', 'progressively'] as const;

/**
 * The pod template. Gradual does not model Kubernetes' PodSpec: the API
 * server validates it when the ReplicaSet is created. What Gradual itself
 * reads is modelled: the labels (matched against the selector) and the
 * containers (a template needs at least one).
 */
export const podTemplateSchema = z
  .strictObject({
    metadata: z
      .looseObject({
        labels: stringMap().optional(),
        annotations: stringMap().optional(),
      })
      .meta({ description: 'labels (must match spec.selector) and annotations of the pods' })
      .optional(),
    spec: z
      .looseObject({
        containers: z.array(z.looseObject({ name: z.string(), image: z.string().optional() })).optional(),
      })
      .meta({ description: "the pods' PodSpec" })
      .optional(),
  })
  .meta({ description: 'the pods this Rollout runs' });

export const objectRefSchema = z
  .strictObject({
    apiVersion: z.string(),
    kind: z.string(),
    name: z.string(),
    scaleDown: z
      .enum(workloadRefScaleDownValues)
      .meta({ description: 'scale the referenced workload down: never (default), onsuccess, progressively' })
      .optional(),
  })
  .meta({ description: 'a workload (for example a Deployment) whose pod template and selector this Rollout uses' });

export const rolloutStrategySchema = z
  .strictObject({
    blueGreen: blueGreenStrategySchema.optional(),
    canary: canaryStrategySchema.optional(),
  })
  .meta({ description: 'how to replace the old pods with new ones: exactly one of canary and blueGreen' });

export const rolloutSpecSchema = z
  .strictObject({
    replicas: int32('desired pods (default 1)').optional(),
    selector: labelSelector('pods of this Rollout; must match the template labels; immutable')
      .meta({
        'x-kubernetes-map-type': 'atomic',
        'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: '.spec.selector is immutable' }],
      })
      .optional(),
    template: podTemplateSchema.optional(),
    workloadRef: objectRefSchema.optional(),
    minReadySeconds: int32('seconds a new pod must be ready to count as available (default 0)').optional(),
    rollbackWindow: z
      .strictObject({ revisions: int32('how many recent revisions a rollback to which skips the steps').optional() })
      .meta({ description: 'roll back to a recent revision at once, without the steps' })
      .optional(),
    strategy: rolloutStrategySchema.optional(),
    revisionHistoryLimit: int32('old ReplicaSets to keep (default 10)').optional(),
    paused: z.boolean().meta({ description: 'pause the rollout where it is' }).optional(),
    progressDeadlineSeconds: int32('seconds without progress before the rollout is Degraded (default 600)').optional(),
    progressDeadlineAbort: z.boolean().meta({ description: 'abort when the progress deadline is exceeded' }).optional(),
    restartAt: timestamp('restart every pod of the Rollout once this time has passed').optional(),
    analysis: z
      .strictObject({
        successfulRunHistoryLimit: int32('successful AnalysisRuns and Experiments to keep (default 5)').optional(),
        unsuccessfulRunHistoryLimit: int32('unsuccessful AnalysisRuns and Experiments to keep (default 5)').optional(),
      })
      .meta({ description: 'how many finished AnalysisRuns and Experiments to keep' })
      .optional(),
  })
  .meta({ description: 'the desired state of the Rollout' });

/**
 * Argo's ObjectMeta as Gradual reads it: what it needs typed, the rest kept.
 * (In the CRD the root metadata is plain `type: object`: Kubernetes validates it.)
 */
export const objectMetaSchema = z.looseObject({
  name: z.string().optional(),
  generateName: z.string().optional(),
  namespace: z.string().optional(),
  labels: stringMap().optional(),
  annotations: stringMap().optional(),
  generation: z.int().optional(),
  resourceVersion: z.string().optional(),
  uid: z.string().optional(),
  creationTimestamp: z.string().optional(),
  ownerReferences: z.array(opaqueObject()).optional(),
});
