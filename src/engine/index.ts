export * from '../api/argo-labels.js';
export {
  DEFAULT_MAX_SURGE,
  DEFAULT_MAX_UNAVAILABLE,
  blueGreenMaxUnavailable,
  canaryFenceposts,
  resolveFenceposts,
  scaledValueFromIntOrPercent,
  type Fenceposts,
} from './int-or-percent.js';
export {
  approximateCanaryStableSplit,
  basicCanaryDesiredWeight,
  basicCanaryOlderReplicaSets,
  basicCanaryReplicaCounts,
  minPodsPerReplicaSet,
  newestRevisionFirst,
  nextBasicCanaryScaling,
  replicasForScaleDown,
  type BasicCanaryInput,
  type BasicCanaryOlderInput,
  type BasicCanaryScaling,
  type CanaryWeightInput,
} from './canary-replica-counts.js';
export {
  DEFAULT_ABORT_SCALE_DOWN_DELAY_SECONDS,
  DEFAULT_SCALE_DOWN_DELAY_SECONDS,
  blueGreenNewReplicas,
  blueGreenReplicaSets,
  formatScaleDownDeadline,
  parseRfc3339,
  type BlueGreenInput,
  type BlueGreenPlan,
  type BlueGreenReplicaSet,
  type BlueGreenStatusView,
  type DesiredReplicaSet,
} from './blue-green-replica-counts.js';
export { computePodTemplateHash } from './pod-template-hash.js';
export {
  MAX_POD_TEMPLATE_HASH_LENGTH,
  MAX_REPLICA_SET_NAME_LENGTH,
  MAX_ROLLOUT_NAME_LENGTH,
  replicaSetName,
} from './replica-set-naming.js';
export type { CanaryReplicaCounts, IntOrPercent, OlderReplicaSet, ReplicaSetCounts, ReplicaSetScale } from './types.js';
export { planRollout } from './plan-rollout.js';
export { planCanary } from './canary-planner.js';
export { planBlueGreen } from './blue-green-planner.js';
export { calculateRolloutPhase } from './rollout-phase.js';
export { classifyReplicaSets, newReplicaSetFor } from './replica-set-classification.js';
export type { KubeAction, ReconcilePlan, RolloutEvent, RolloutObservation } from './reconcile-types.js';
