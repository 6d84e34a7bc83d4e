import type { RolloutCondition, RolloutConditionType } from '../api/index.js';

/**
 * Argo's Rollout condition types, reasons and messages (utils/conditions/conditions.go,
 * v1.9), kept in one place as Argo keeps them: Argo CD's health check, Argo's kubectl plugin
 * and notification triggers match on these strings, so each is Argo's byte for byte. Messages
 * with placeholders are functions so the format cannot be misused.
 */

export const CONDITION_TYPES = {
  invalidSpec: 'InvalidSpec',
  available: 'Available',
  progressing: 'Progressing',
  replicaFailure: 'ReplicaFailure',
  paused: 'Paused',
  completed: 'Completed',
  healthy: 'Healthy',
} as const satisfies Record<string, RolloutConditionType>;

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** Condition reasons, which double as event reasons where Argo uses them so. */
export const REASONS = {
  invalidSpec: 'InvalidSpec',
  available: 'AvailableReason',
  replicaSetUpdated: 'ReplicaSetUpdated',
  failedReplicaSetCreate: 'ReplicaSetCreateError',
  newReplicaSetCreated: 'NewReplicaSetCreated',
  foundNewReplicaSet: 'FoundNewReplicaSet',
  rolloutUpdated: 'RolloutUpdated',
  rolloutCompleted: 'RolloutCompleted',
  rolloutNotCompleted: 'RolloutNotCompleted',
  rolloutHealthy: 'RolloutHealthy',
  rolloutAborted: 'RolloutAborted',
  rolloutRetry: 'RolloutRetry',
  rolloutPaused: 'RolloutPaused',
  rolloutResumed: 'RolloutResumed',
  replicaSetNotAvailable: 'ReplicaSetNotAvailable',
  rolloutStepCompleted: 'RolloutStepCompleted',
  newReplicaSetAvailable: 'NewReplicaSetAvailable',
  progressDeadlineExceeded: 'ProgressDeadlineExceeded',
  scalingReplicaSet: 'ScalingReplicaSet',
  /** Event only: a rollback to the stable ReplicaSet skips the steps. */
  skipSteps: 'SkipSteps',
  /** Event only: the Rollout entered the controller's informer (rollout/controller.go's AddFunc). */
  rolloutAddedToInformer: 'RolloutAddedToInformer',
} as const;

export const MESSAGES = {
  notAvailable: 'Rollout does not have minimum availability',
  available: 'Rollout has minimum availability',
  rolloutProgressing: (rollout: string): string => `Rollout ${goQuote(rollout)} is progressing.`,
  replicaSetProgressing: (replicaSet: string): string => `ReplicaSet ${goQuote(replicaSet)} is progressing.`,
  newReplicaSet: (replicaSet: string): string => `Created new replica set ${goQuote(replicaSet)}`,
  newReplicaSetDetailed: (replicaSet: string, revision: number): string =>
    `Created ReplicaSet ${replicaSet} (revision ${String(revision)})`,
  foundNewReplicaSet: (replicaSet: string): string => `Found new replica set ${goQuote(replicaSet)}`,
  rolloutUpdated: (revision: string): string => `Rollout updated to revision ${revision}`,
  rolloutCompleted: (revision: number, podHash: string, reason: string): string =>
    `Rollout completed update to revision ${String(revision)} (${podHash}): ${reason}`,
  rolloutNotCompleted: (revision: number, podHash: string): string =>
    `Rollout not completed, started update to revision ${String(revision)} (${podHash})`,
  rolloutHealthy: 'Rollout is healthy',
  rolloutNotHealthy: 'Rollout is not healthy',
  rolloutAborted: (revision: number): string => `Rollout aborted update to revision ${String(revision)}`,
  rolloutRetry: 'Retrying Rollout after abort',
  rolloutPaused: 'Rollout is paused',
  rolloutResumed: 'Rollout is resumed',
  rolloutStepCompleted: (step: number, steps: number, description: string): string =>
    `Rollout step ${String(step)}/${String(steps)} completed (${description})`,
  rolloutTimeOut: (rollout: string): string => `Rollout ${goQuote(rollout)} has timed out progressing.`,
  replicaSetTimeOut: (replicaSet: string): string => `ReplicaSet ${goQuote(replicaSet)} has timed out progressing.`,
  replicaSetCompleted: (replicaSet: string): string => `ReplicaSet ${goQuote(replicaSet)} has successfully progressed.`,
  scalingReplicaSet: (direction: 'up' | 'down', replicaSet: string, revision: number, from: number, to: number): string =>
    `Scaled ${direction} ReplicaSet ${replicaSet} (revision ${String(revision)}) from ${String(from)} to ${String(to)}`,
  invalidSpec: (rollout: string, error: string): string => `The Rollout "${rollout}" is invalid: ${error}`,
  failedReplicaSetCreate: (replicaSet: string, error: string): string =>
    `Failed to create new replica set ${goQuote(replicaSet)}: ${error}`,
  rollbackToStable: 'Rollback to stable ReplicaSets',
  rollbackWithinWindow: 'Rollback to active ReplicaSets within RollbackWindow',
  rolloutAddedToInformer: (namespace: string, rollout: string): string => `Rollout resource added to informer: ${namespace}/${rollout}`,
} as const;

/** Go's %q for the names Argo quotes: Kubernetes names never need escaping, so JSON's quoting is the same. */
function goQuote(text: string): string {
  return JSON.stringify(text);
}

/** Kubernetes' metav1.Time: RFC 3339 in UTC, whole seconds. */
export function formatTime(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/u, 'Z');
}

export function newCondition(
  type: RolloutConditionType,
  status: ConditionStatus,
  reason: string,
  message: string,
  now: Date,
): RolloutCondition {
  const at = formatTime(now);
  return { type, status, reason, message, lastUpdateTime: at, lastTransitionTime: at };
}

export function getCondition(conditions: readonly RolloutCondition[] | undefined, type: string): RolloutCondition | undefined {
  return conditions?.find((condition) => condition.type === type);
}

export interface SetConditionResult {
  conditions: RolloutCondition[];
  /** False when a condition of the same type, status and reason already existed (nothing was written). */
  changed: boolean;
}

/**
 * Argo's SetRolloutCondition: a condition with the same type, status and reason as the
 * existing one changes nothing (not even the message or lastUpdateTime — the Progressing
 * condition's "progress seen" refresh is done by the caller removing it first); otherwise the
 * old one is removed and the new one appended, keeping lastTransitionTime when only the reason
 * changed. `now` stamps a condition given without times.
 */
export function setCondition(
  conditions: readonly RolloutCondition[] | undefined,
  condition: RolloutCondition,
  now: Date,
): SetConditionResult {
  const current = getCondition(conditions, condition.type);
  const list = conditions ?? [];
  if (current !== undefined && current.status === condition.status && current.reason === condition.reason) {
    return { conditions: [...list], changed: false };
  }
  const at = formatTime(now);
  let next: RolloutCondition = {
    ...condition,
    lastUpdateTime: condition.lastUpdateTime ?? at,
    lastTransitionTime: condition.lastTransitionTime ?? at,
  };
  if (current !== undefined && current.status === condition.status && current.lastTransitionTime !== undefined) {
    next = { ...next, lastTransitionTime: current.lastTransitionTime };
  }
  return { conditions: [...removeCondition(list, condition.type), next], changed: true };
}

export function removeCondition(conditions: readonly RolloutCondition[] | undefined, type: string): RolloutCondition[] {
  return (conditions ?? []).filter((condition) => condition.type !== type);
}
