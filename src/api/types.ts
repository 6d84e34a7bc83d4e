import type { z } from 'zod';
import type { blueGreenStrategySchema } from './blue-green-strategy.js';
import type {
  canaryStepKinds,
  canaryStepSchema,
  canaryStrategySchema,
  rolloutPauseSchema,
  setCanaryScaleSchema,
} from './canary-strategy.js';
import type { antiAffinity, intOrString, labelSelector, PathSegment, podTemplateMetadata } from './common.js';
import type { rolloutSchema } from './rollout.js';
import type {
  objectMetaSchema,
  objectRefSchema,
  podTemplateSchema,
  rolloutSpecSchema,
  rolloutStrategySchema,
  workloadRefScaleDownValues,
} from './rollout-spec.js';
import type {
  analysisRunStatusSchema,
  blueGreenStatusSchema,
  canaryStatusSchema,
  pauseConditionSchema,
  pauseReasons,
  rolloutConditionSchema,
  rolloutConditionTypes,
  rolloutPhases,
  rolloutStatusSchema,
  trafficWeightsSchema,
  weightDestinationSchema,
} from './rollout-status.js';

export type { PathSegment } from './common.js';
export type { SetHeaderRoute, SetMirrorRoute, TrafficRouting } from './traffic-routing.js';

export type Rollout = z.infer<typeof rolloutSchema>;
export type ObjectMeta = z.infer<typeof objectMetaSchema>;
export type RolloutSpec = z.infer<typeof rolloutSpecSchema>;
export type RolloutStrategy = z.infer<typeof rolloutStrategySchema>;
export type PodTemplate = z.infer<typeof podTemplateSchema>;
export type ObjectRef = z.infer<typeof objectRefSchema>;
export type WorkloadRefScaleDown = (typeof workloadRefScaleDownValues)[number];
export type LabelSelector = z.infer<ReturnType<typeof labelSelector>>;
export type PodTemplateMetadata = z.infer<ReturnType<typeof podTemplateMetadata>>;
export type AntiAffinity = z.infer<ReturnType<typeof antiAffinity>>;
/** A number, or a string: a percentage such as "25%" (maxSurge, maxUnavailable) or a duration such as "30s" (pause). */
export type IntOrString = z.infer<ReturnType<typeof intOrString>>;

export type CanaryStrategy = z.infer<typeof canaryStrategySchema>;
export type CanaryStep = z.infer<typeof canaryStepSchema>;
export type CanaryStepKind = (typeof canaryStepKinds)[number];
export type RolloutPause = z.infer<typeof rolloutPauseSchema>;
export type SetCanaryScale = z.infer<typeof setCanaryScaleSchema>;
export type BlueGreenStrategy = z.infer<typeof blueGreenStrategySchema>;

export type RolloutStatus = z.infer<typeof rolloutStatusSchema>;
export type RolloutPhase = (typeof rolloutPhases)[number];
export type PauseReason = (typeof pauseReasons)[number];
export type RolloutConditionType = (typeof rolloutConditionTypes)[number];
export type PauseCondition = z.infer<typeof pauseConditionSchema>;
export type RolloutCondition = z.infer<typeof rolloutConditionSchema>;
export type RolloutAnalysisRunStatus = z.infer<typeof analysisRunStatusSchema>;
export type WeightDestination = z.infer<typeof weightDestinationSchema>;
export type TrafficWeights = z.infer<typeof trafficWeightsSchema>;
export type CanaryStatus = z.infer<typeof canaryStatusSchema>;
export type BlueGreenStatus = z.infer<typeof blueGreenStatusSchema>;

/** One thing wrong with a Rollout: where (a path into the object) and what, in words. */
export interface RolloutIssue {
  path: PathSegment[];
  message: string;
  /** Which part of the field the problem is about, for positions in a file: its name (unknown, unsupported) or its value (the default). */
  at?: 'key' | 'value';
  /**
   * Argo states this problem without a field (an error of its template resolver, not of its
   * validation): the InvalidSpec condition carries the message alone, Argo's words that tools
   * match on; lint still points at the path.
   */
  unplaced?: true;
}

export type ValidateRolloutResult = { ok: true; rollout: Rollout } | { ok: false; issues: RolloutIssue[] };

/** A problem found by lint, at a place in a file. Line and column count from 1. */
export interface LintProblem {
  file: string;
  line: number;
  column: number;
  /** The field, as `spec.strategy.canary.steps[2].setWeight`; empty for a YAML syntax error. */
  path: string;
  message: string;
}

export interface LintResult {
  files: number;
  rollouts: number;
  problems: LintProblem[];
}
