// The api area's surface: the argoproj.io/v1alpha1 Rollout schema, its types,
// Argo's defaults, the shared validation (lint and reconcile) and the CRD.
export { rolloutApiVersion, rolloutGroup, rolloutKind, rolloutSchema, rolloutVersion } from './rollout.js';
export { objectMetaSchema, podTemplateSchema, rolloutSpecSchema, workloadRefScaleDownValues } from './rollout-spec.js';
export { canaryStepKinds, canaryStepSchema, canaryStrategySchema } from './canary-strategy.js';
export { blueGreenStrategySchema } from './blue-green-strategy.js';
export { parseRolloutStatus, pauseReasons, rolloutConditionTypes, rolloutPhases, rolloutStatusSchema } from './rollout-status.js';
export {
  rolloutDefaults,
  withDefaults,
  type BlueGreenStrategyWithDefaults,
  type CanaryStrategyWithDefaults,
  type RolloutSpecWithDefaults,
} from './defaults.js';
export { parseGoDuration, pauseDurationSeconds } from './duration.js';
export { matchesLabelSelector, unmetRequirements } from './label-selector.js';
export { notYetSupportedFields } from './not-yet-supported.js';
export { validateRollout } from './validate-rollout.js';
export { formatPath } from './format-path.js';
export { documentPosition, offsetToPosition, positionOf, type Position } from './yaml-positions.js';
export { MAX_YAML_DEPTH, measureYaml, parseYamlDocument, parseYamlDocuments, type YamlMeasure } from './bounded-yaml.js';
export { withoutNulls } from './without-nulls.js';
export { describeValue, fromZodIssues, zodIssueProblems, type ZodIssueWording } from './zod-issues.js';
export { lintLimits, lintManifests, type ManifestFile, type RolloutCheck } from './lint.js';
export { rolloutCrd, rolloutCrdYaml } from './crd.js';
export { analysisCrds, analysisCrdYamls } from './analysis-crd.js';
export * from './analysis-template.js';
export * from './analysis-run.js';
export * from './rollout-analysis.js';
export * from './experiment.js';
export * from './rollout-experiment-step.js';
export { checkExperimentSpec, validateExperiment, type ExperimentIssue, type ValidateExperimentResult } from './validate-experiment.js';
export type * from './types.js';
