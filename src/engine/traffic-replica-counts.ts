import type { CanaryStep, SetCanaryScale, TrafficWeights } from '../api/index.js';
import { minPodsPerReplicaSet } from './canary-replica-counts.js';

/**
 * Replica arithmetic of the traffic-routed canary, after Argo Rollouts v1.9.1
 * (utils/replicaset/canary.go: GetCanaryReplicasOrWeight, GetDesiredCanaryWeight,
 * GetCurrentSetWeight, UseSetCanaryScale, CalculateReplicaCountsForTrafficRoutedCanary).
 * With a router the traffic split no longer follows the pod split: the stable
 * ReplicaSet stays at spec.replicas (unless dynamicStableScale) and the canary
 * gets ceil(weight × replicas / maxWeight) pods, or what setCanaryScale says.
 */

/** What the traffic-routed calculation reads of the Rollout and its ReplicaSets. */
export interface TrafficCanaryInput {
  /** spec.replicas (defaulted). */
  replicas: number;
  /** trafficRouting.maxTrafficWeight, default 100. */
  maxWeight: number;
  steps: readonly CanaryStep[];
  /** status.currentStepIndex (absent reads 0). */
  currentStepIndex: number | undefined;
  aborted: boolean;
  promoteFull: boolean;
  stableHash: string | undefined;
  currentPodHash: string | undefined;
  dynamicStableScale: boolean;
  /** abortScaleDownDelaySeconds as written (undefined when absent): 0 means "leave the canary up". */
  abortScaleDownDelaySeconds: number | undefined;
  minPodsPerReplicaSet: number | undefined;
  /** Available pods of the canary and stable ReplicaSets (dynamicStableScale on abort reads them). */
  canaryAvailable: number | undefined;
  stableAvailable: number | undefined;
}

/** Argo's trafficWeightToReplicas: rounds up. */
export function trafficWeightToReplicas(replicas: number, weight: number, maxWeight: number): number {
  return Math.ceil((weight * replicas) / maxWeight);
}

/** Argo's GetCurrentSetWeight: 0 on abort, max past the last step, else the last setWeight at or before the current step. */
export function currentSetWeight(input: Pick<TrafficCanaryInput, 'aborted' | 'steps' | 'currentStepIndex' | 'maxWeight'>): number {
  if (input.aborted) return 0;
  const index = input.currentStepIndex ?? 0;
  if (input.steps.length === 0 || index >= input.steps.length) return input.maxWeight;
  for (let i = index; i >= 0; i--) {
    const weight = input.steps[i]?.setWeight;
    if (weight !== undefined) return weight;
  }
  return 0;
}

/** Argo's GetAbortScaleDownDelaySecondsOrDefault with traffic routing: undefined when explicitly 0 ("never"), else the delay (default 30). */
export function abortScaleDownDelay(written: number | undefined): number | undefined {
  if (written === 0) return undefined;
  return written ?? 30;
}

/** Argo's UseSetCanaryScale: the setCanaryScale in force at the current step, unless a later matchTrafficWeight cancelled it or an abort scales down. */
export function setCanaryScaleInForce(input: TrafficCanaryInput): SetCanaryScale | undefined {
  if (input.aborted && abortScaleDownDelay(input.abortScaleDownDelaySeconds) !== undefined) return undefined;
  if (input.steps.length === 0) return undefined;
  const index = input.currentStepIndex ?? 0;
  if (index >= input.steps.length) return undefined;
  for (let i = index; i >= 0; i--) {
    const scale = input.steps[i]?.setCanaryScale;
    if (scale === undefined) continue;
    if (scale.matchTrafficWeight === true) return undefined;
    return scale;
  }
  return undefined;
}

/**
 * Argo's GetDesiredCanaryWeight: the current setWeight, except on an abort
 * with dynamicStableScale, where the canary steps back through the setWeight
 * values as the stable ReplicaSet regains pods (no surge of stable pods at once).
 */
export function desiredCanaryWeight(input: TrafficCanaryInput): number {
  if (input.aborted && input.dynamicStableScale && input.canaryAvailable !== undefined && input.stableAvailable !== undefined) {
    const expectedCanary = input.replicas - input.stableAvailable;
    const explicitDelay = input.abortScaleDownDelaySeconds !== undefined && input.abortScaleDownDelaySeconds !== 0;
    // An explicit abort delay keeps the canary at full size until its deadline, so its size must not hold the weight up.
    const canaryReplicas = explicitDelay ? expectedCanary : Math.max(expectedCanary, input.canaryAvailable);
    for (let i = input.steps.length - 1; i >= 0; i--) {
      const weight = input.steps[i]?.setWeight;
      if (weight !== undefined && trafficWeightToReplicas(input.replicas, weight, input.maxWeight) < canaryReplicas) return weight;
    }
    return 0;
  }
  return currentSetWeight(input);
}

/** Argo's GetCanaryReplicasOrWeight: an explicit canary size (setCanaryScale.replicas) or the weight to size it by. */
export function canaryReplicasOrWeight(input: TrafficCanaryInput): { replicas?: number; weight: number } {
  if (input.promoteFull || (input.stableHash ?? '') === '' || input.currentPodHash === input.stableHash) return { weight: input.maxWeight };
  const scale = setCanaryScaleInForce(input);
  if (scale?.replicas !== undefined) return { replicas: scale.replicas, weight: 0 };
  if (scale?.weight !== undefined) return { weight: scale.weight };
  return { weight: desiredCanaryWeight(input) };
}

/**
 * Argo's CalculateReplicaCountsForTrafficRoutedCanary. `weights` is the
 * status.canary.weights the router was last set to: with dynamicStableScale
 * the stable keeps the pods its current traffic needs (and, on abort, the
 * canary too) until the router has moved the traffic away.
 */
export function trafficRoutedReplicaCounts(
  input: TrafficCanaryInput,
  weights: TrafficWeights | undefined,
): { canary: number; stable: number } {
  const { replicas, maxWeight } = input;
  const wanted = canaryReplicasOrWeight(input);
  let canary =
    wanted.replicas ??
    minPodsPerReplicaSet(trafficWeightToReplicas(replicas, wanted.weight, maxWeight), input.minPodsPerReplicaSet, replicas);
  if (!input.dynamicStableScale) return { canary, stable: replicas };
  let stable = trafficWeightToReplicas(replicas, maxWeight - wanted.weight, maxWeight);
  if (weights !== undefined) {
    stable = Math.max(stable, trafficWeightToReplicas(replicas, weights.stable.weight, maxWeight));
    if (input.aborted) canary = Math.max(canary, trafficWeightToReplicas(replicas, weights.canary.weight, maxWeight));
  }
  return {
    canary: minPodsPerReplicaSet(canary, input.minPodsPerReplicaSet, replicas),
    stable: minPodsPerReplicaSet(stable, input.minPodsPerReplicaSet, replicas),
  };
}
