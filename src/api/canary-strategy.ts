import { z } from 'zod';
import { antiAffinity, int32, intOrString, opaqueObject, podTemplateMetadata } from './common.js';
import { backgroundAnalysisSchema, rolloutAnalysisSchema } from './rollout-analysis.js';
import { rolloutExperimentStepSchema } from './rollout-experiment-step.js';
import { setHeaderRouteSchema, setMirrorRouteSchema, trafficRoutingSchema } from './traffic-routing.js';

/** `pause: {}` waits until promoted; `pause: {duration: 30s}` (or `30`, seconds) waits that long. */
export const rolloutPauseSchema = z
  .strictObject({
    duration: intOrString('seconds (an integer) or a Go duration such as 30s, 5m, 1h; absent: wait until promoted').optional(),
  })
  .meta({ description: 'pause the rollout, for a duration or until promoted' });

/** Scale the canary ReplicaSet independently of the traffic weight (Argo requires traffic routing for it). */
export const setCanaryScaleSchema = z
  .strictObject({
    weight: int32('percentage of spec.replicas for the canary ReplicaSet').optional(),
    replicas: int32('absolute number of canary replicas').optional(),
    matchTrafficWeight: z.boolean().meta({ description: 'go back to scaling the canary with the traffic weight' }).optional(),
  })
  .meta({ description: 'scale the canary ReplicaSet without changing traffic weight' });

/**
 * One canary step. Argo's step kinds are all known; `plugin` is accepted as an
 * opaque object here and rejected by name in not-yet-supported.ts.
 */
export const canaryStepSchema = z
  .strictObject({
    setWeight: int32('percentage of traffic (or, without traffic routing, of replicas) for the canary').optional(),
    pause: rolloutPauseSchema.optional(),
    setCanaryScale: setCanaryScaleSchema.optional(),
    experiment: rolloutExperimentStepSchema.optional(),
    analysis: rolloutAnalysisSchema
      .meta({ description: 'run an AnalysisRun and wait for it: Successful moves on, Failed or Error aborts, Inconclusive pauses' })
      .optional(),
    setHeaderRoute: setHeaderRouteSchema.optional(),
    setMirrorRoute: setMirrorRouteSchema.optional(),
    plugin: opaqueObject('run a step plugin (not yet supported by Gradual)').optional(),
  })
  .meta({ description: 'one step of the canary: exactly one of its fields' });

/** The step kinds, in Argo's order; a step sets exactly one of them. */
export const canaryStepKinds = [
  'setWeight',
  'pause',
  'setCanaryScale',
  'experiment',
  'analysis',
  'setHeaderRoute',
  'setMirrorRoute',
  'plugin',
] as const;

export const canaryStrategySchema = z
  .strictObject({
    canaryService: z.string().meta({ description: 'Service that Gradual points at the canary pods' }).optional(),
    stableService: z.string().meta({ description: 'Service that Gradual points at the stable pods' }).optional(),
    steps: z.array(canaryStepSchema).meta({ description: 'the steps of the canary; none: promote at once' }).optional(),
    trafficRouting: trafficRoutingSchema.optional(),
    maxUnavailable: intOrString('pods that may be unavailable during the update, a number or a percentage (default 25%)').optional(),
    maxSurge: intOrString('pods that may exist above spec.replicas during the update, a number or a percentage (default 25%)').optional(),
    analysis: backgroundAnalysisSchema.optional(),
    antiAffinity: antiAffinity().optional(),
    canaryMetadata: podTemplateMetadata('labels and annotations added to canary pods while they are the canary').optional(),
    stableMetadata: podTemplateMetadata('labels and annotations added to stable pods while they are stable').optional(),
    scaleDownDelaySeconds: int32('with traffic routing: seconds before the old ReplicaSet is scaled down (default 30)').optional(),
    scaleDownDelayRevisionLimit: int32('old ReplicaSets that may keep running during their scale-down delay').optional(),
    abortScaleDownDelaySeconds: int32(
      'with traffic routing: seconds before the canary is scaled down after an abort; 0: never (default 30)',
    ).optional(),
    dynamicStableScale: z
      .boolean()
      .meta({ description: 'with traffic routing: scale the stable ReplicaSet down as the canary takes traffic' })
      .optional(),
    pingPong: z
      .strictObject({ pingService: z.string(), pongService: z.string() })
      .meta({ description: 'with ALB or Istio: two Services that take turns holding the stable and the canary pods' })
      .optional(),
    minPodsPerReplicaSet: int32('with traffic routing: least number of pods for a non-empty canary or stable ReplicaSet').optional(),
    replicaProgressThreshold: z
      .strictObject({ type: z.enum(['Percent', 'Pods']), value: int32() })
      .meta({ description: 'available canary pods (Percent of the desired count, or Pods) enough for a step to complete' })
      .optional(),
  })
  .meta({ description: 'canary: move traffic and replicas to the new version step by step' });
