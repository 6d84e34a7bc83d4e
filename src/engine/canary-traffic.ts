import type { V1ReplicaSet } from '@kubernetes/client-node';
import type { CanaryStrategyWithDefaults, Rollout, RolloutSpecWithDefaults, TrafficWeights } from '../api/index.js';
import type { ExperimentWeightDestination } from './canary-experiment.js';
import { specReplicas } from './canary-replica-sets.js';
import { currentCanaryStep } from './canary-steps.js';
import type { RolloutEvent, TrafficOperation } from './reconcile-types.js';
import { podTemplateHashOf, revisionOf, type ReplicaSetClassification } from './replica-set-classification.js';
import { currentSetWeight, desiredCanaryWeight, trafficRoutedReplicaCounts, type TrafficCanaryInput } from './traffic-replica-counts.js';
import { replicaProgressThresholdMet } from './replica-progress-threshold.js';

/** Argo's TrafficWeightUpdatedReason (utils/conditions). */
export const TRAFFIC_WEIGHT_UPDATED_REASON = 'TrafficWeightUpdated';

/** The canary reconcile's view of a traffic-routed Rollout, built once per reconcile. */
export interface TrafficContext {
  rollout: Rollout;
  spec: RolloutSpecWithDefaults;
  canary: CanaryStrategyWithDefaults;
  replicaSets: ReplicaSetClassification;
  newRS: V1ReplicaSet;
  /** The abort as this reconcile decided it (an abort of a fully promoted rollout is dropped). */
  aborted: boolean;
  /** The running experiment's weighted templates (experimentWeightDestinations); absent reads as none. */
  experimentDestinations?: readonly ExperimentWeightDestination[];
}

/** What reconcileTrafficRouting decided: the router calls in order, the new weights, the canary Service's switch on abort. */
export interface TrafficDecision {
  operations: TrafficOperation[];
  /** status.canary.weights after the calls; undefined leaves the observed value. */
  weights: TrafficWeights | undefined;
  events: RolloutEvent[];
  /** On abort the canary Service is pointed back at the stable pods (without waiting for availability). */
  canaryServiceToStable: boolean;
}

export function maxTrafficWeight(canary: CanaryStrategyWithDefaults): number {
  return canary.trafficRouting?.maxTrafficWeight ?? 100;
}

/** The calculation's input from the Rollout, its status and its ReplicaSets. */
export function trafficCanaryInput(context: Omit<TrafficContext, 'newRS'> & { newRS: V1ReplicaSet | undefined }): TrafficCanaryInput {
  const { rollout, spec, canary, replicaSets, newRS } = context;
  const observed = rollout.status ?? {};
  return {
    replicas: spec.replicas,
    maxWeight: maxTrafficWeight(canary),
    steps: canary.steps,
    currentStepIndex: observed.currentStepIndex,
    aborted: context.aborted,
    promoteFull: observed.promoteFull === true,
    stableHash: observed.stableRS,
    currentPodHash: observed.currentPodHash,
    dynamicStableScale: canary.dynamicStableScale,
    abortScaleDownDelaySeconds: rollout.spec.strategy?.canary?.abortScaleDownDelaySeconds,
    minPodsPerReplicaSet: canary.minPodsPerReplicaSet,
    canaryAvailable: newRS?.status?.availableReplicas ?? (newRS === undefined ? undefined : 0),
    stableAvailable:
      replicaSets.stableRS === undefined || newRS === undefined ? undefined : (replicaSets.stableRS.status?.availableReplicas ?? 0),
  };
}

/**
 * Argo's AtDesiredReplicaCountsForCanary with a router: every desired canary
 * pod available (or replicaProgressThreshold met), and (without dynamicStableScale) every desired stable pod
 * created; older ReplicaSets may keep pods, the router sends them nothing.
 */
export function atDesiredTrafficReplicaCounts(context: TrafficContext, weights: TrafficWeights | undefined): boolean {
  const desired = trafficRoutedReplicaCounts(trafficCanaryInput(context), weights);
  const { newRS } = context;
  if (!replicaProgressThresholdMet(context.canary.replicaProgressThreshold, newRS, desired.canary)) return false;
  if (!context.canary.dynamicStableScale) {
    const stable = context.replicaSets.stableRS;
    if (stable === undefined || desired.stable !== specReplicas(stable) || desired.stable !== (stable.status?.replicas ?? 0)) return false;
  }
  return true;
}

/** Argo's calculateDesiredWeightOnAbortOrStableRollback. */
function abortWeight(context: TrafficContext): number {
  const { canary, spec, replicaSets } = context;
  const stable = replicaSets.stableRS;
  if (!canary.dynamicStableScale || stable === undefined || spec.replicas === 0) return 0;
  const maxWeight = maxTrafficWeight(canary);
  const input = trafficCanaryInput(context);
  const desired = desiredCanaryWeight(input);
  const stableAvailable = stable.status?.availableReplicas ?? 0;
  const expected = Math.max(0, maxWeight - Math.trunc((maxWeight * stableAvailable) / spec.replicas));
  const current = context.rollout.status?.canary?.weights?.canary.weight;
  if (current === undefined) return Math.max(expected, desired);
  if (desired <= 0) return Math.min(expected, current);
  const stableWeight = Math.trunc((maxWeight * stableAvailable) / spec.replicas);
  if (stableWeight < maxWeight - desired) return current;
  return Math.min(desired, current);
}

/** Argo's checkReplicasAvailable: the stable ReplicaSet can take the traffic it is about to get. */
function stableCanTake(context: TrafficContext, stableWeight: number): boolean {
  const stable = context.replicaSets.stableRS;
  if (stable === undefined) return false;
  const wanted = Math.trunc((stableWeight * context.spec.replicas) / maxTrafficWeight(context.canary));
  return (
    (stable.status?.availableReplicas ?? 0) >= wanted ||
    replicaProgressThresholdMet(context.canary.replicaProgressThreshold, stable, wanted)
  );
}

/**
 * Argo's reconcileTrafficRouting (rollout/trafficrouting.go) as a decision:
 * the weight the routers must hold now, the header/mirror route of the
 * current step, the managed routes to remove (fully promoted, aborted, or a
 * canary without pods), and status.canary.weights with its
 * TrafficWeightUpdated event. The calls are idempotent (a router writes only
 * what differs), so they are planned at every reconcile: a router object
 * edited by hand is put back by the next one.
 */
export function decideTrafficRouting(context: TrafficContext): TrafficDecision {
  const { rollout, canary, replicaSets, newRS } = context;
  const observed = rollout.status ?? {};
  const maxWeight = maxTrafficWeight(canary);
  const canaryHash = podTemplateHashOf(newRS);
  const stableHash = replicaSets.stableRS === undefined ? '' : podTemplateHashOf(replicaSets.stableRS);
  const removeRoutes: TrafficOperation = { op: 'removeManagedRoutes' };
  const operations: TrafficOperation[] = [];
  const { step, index } = currentCanaryStep(rollout);
  const newAvailable = newRS.status?.availableReplicas ?? 0;
  let desiredWeight = 0;
  let canaryServiceToStable = false;
  // Argo adds the experiment's destinations in the branches below that keep the rollout stepping.
  let additional: ExperimentWeightDestination[] = [];
  const experiment = [...(context.experimentDestinations ?? [])];

  if ((observed.stableRS ?? '') === (observed.currentPodHash ?? '')) {
    operations.push(removeRoutes);
  } else if (context.aborted) {
    desiredWeight = abortWeight(context);
    canaryServiceToStable = !canary.dynamicStableScale || desiredWeight === 0;
    operations.push(removeRoutes);
  } else if (newAvailable === 0) {
    // A canary without an available pod never gets traffic, nor the routes a defunct one may have had.
    additional = experiment;
    operations.push(removeRoutes);
  } else if (observed.promoteFull === true) {
    desiredWeight = canary.dynamicStableScale
      ? Math.trunc((maxWeight * newAvailable) / context.spec.replicas)
      : (observed.canary?.weights?.canary.weight ?? 0);
    operations.push(removeRoutes);
  } else if (index !== undefined) {
    if (!atDesiredTrafficReplicaCounts(context, undefined)) {
      // The canary is not sized for the new weight yet: hold the previous setWeight.
      for (let i = index - 1; i >= 0; i--) {
        const weight = canary.steps[i]?.setWeight;
        if (weight !== undefined) {
          desiredWeight = weight;
          break;
        }
      }
      additional = experiment;
    } else if (index !== canary.steps.length) {
      desiredWeight = currentSetWeight({ aborted: false, steps: canary.steps, currentStepIndex: index, maxWeight });
      additional = experiment;
    } else {
      desiredWeight = maxWeight;
    }
  }

  if (!stableCanTake(context, maxWeight - desiredWeight)) return { operations: [], weights: undefined, events: [], canaryServiceToStable };

  // Argo skips route steps on the first revision (the install runs step 0 too).
  if (step !== undefined && revisionOf(newRS) > 1) {
    if (step.setHeaderRoute !== undefined) operations.push({ op: 'setHeaderRoute', route: step.setHeaderRoute });
    if (step.setMirrorRoute !== undefined) operations.push({ op: 'setMirrorRoute', route: step.setMirrorRoute });
  }
  const previousCanaryWeight = observed.canary?.weights?.canary.weight ?? 0;
  // Weight to 0 before the hash moves to an empty canary, or the old weight would reach pods that do not exist.
  const withAdditional = additional.length === 0 ? {} : { additional };
  if (newAvailable === 0 && previousCanaryWeight > 0) operations.push({ op: 'setWeight', weight: desiredWeight, ...withAdditional });
  operations.push({ op: 'updateHash', canaryHash, stableHash, ...withAdditional });
  operations.push({ op: 'setWeight', weight: desiredWeight, ...withAdditional });

  const weights: TrafficWeights = {
    // Argo's serviceName is omitempty: absent when splitting by DestinationRule subsets without the Services.
    canary: { weight: desiredWeight, podTemplateHash: canaryHash, ...serviceNameOf(canary.canaryService) },
    // Argo's calculateWeightStatus: the stable gets what the canary and the additional destinations leave.
    stable: {
      weight: maxWeight - desiredWeight - additional.reduce((sum, destination) => sum + destination.weight, 0),
      podTemplateHash: stableHash,
      ...serviceNameOf(canary.stableService),
    },
    ...(additional.length === 0 ? {} : { additional: additional.map(weightDestinationStatus) }),
  };
  const previous = observed.canary?.weights;
  const modified =
    previous === undefined ||
    !sameDestination(previous.canary, weights.canary) ||
    !sameDestination(previous.stable, weights.stable) ||
    !sameAdditional(previous.additional ?? [], weights.additional ?? []);
  const events: RolloutEvent[] = [];
  const verified = weightVerified(canary);
  if (modified) {
    // Argo's trafficWeightUpdatedMessage, Go's %v of the additional destinations included.
    const details: string[] = [];
    if (previous === undefined) details.push(`to ${String(desiredWeight)}`);
    else if (previous.canary.weight !== desiredWeight) details.push(`from ${String(previous.canary.weight)} to ${String(desiredWeight)}`);
    if (previous !== undefined && !sameAdditional(previous.additional ?? [], weights.additional ?? []))
      details.push(`additional: ${goAdditional(weights.additional ?? [])}`);
    events.push({
      type: 'Normal',
      reason: TRAFFIC_WEIGHT_UPDATED_REASON,
      message: `Traffic weight updated ${details.join(', ')}`.trimEnd(),
    });
  }
  const next: TrafficWeights = previous === undefined || modified ? weights : { ...previous };
  if (verified === undefined) delete next.verified;
  else next.verified = verified;
  return { operations, weights: next, events, canaryServiceToStable };
}

function serviceNameOf(name: string | undefined): { serviceName?: string } {
  return name === undefined || name === '' ? {} : { serviceName: name };
}

type Destination = TrafficWeights['canary'];

function weightDestinationStatus(destination: ExperimentWeightDestination): Destination {
  return {
    weight: destination.weight,
    ...serviceNameOf(destination.serviceName),
    ...(destination.podTemplateHash === '' ? {} : { podTemplateHash: destination.podTemplateHash }),
  };
}

function sameAdditional(a: readonly Destination[], b: readonly Destination[]): boolean {
  return a.length === b.length && a.every((destination, index) => sameDestination(destination, b[index] as Destination));
}

/** Go's %v of a []WeightDestination: `[{10 svc hash}]`, a nil slice `[]`. */
function goAdditional(destinations: readonly Destination[]): string {
  return `[${destinations.map((d) => `{${String(d.weight)} ${d.serviceName ?? ''} ${d.podTemplateHash ?? ''}}`).join(' ')}]`;
}

function sameDestination(a: TrafficWeights['canary'], b: TrafficWeights['canary']): boolean {
  return (
    a.weight === b.weight && (a.podTemplateHash ?? '') === (b.podTemplateHash ?? '') && (a.serviceName ?? '') === (b.serviceName ?? '')
  );
}

/**
 * Argo's VerifyWeight answer, known without asking: Istio, SMI and NGINX
 * cannot tell (nil: no `verified` field); the Gateway API plugin always says
 * true. Argo keeps the last router's answer; so does this.
 */
function weightVerified(canary: CanaryStrategyWithDefaults): boolean | undefined {
  const routing = canary.trafficRouting;
  if (routing === undefined) return undefined;
  return routing.gatewayAPI !== undefined || routing.plugins !== undefined ? true : undefined;
}

/** The counts of both serving ReplicaSets, for the scaling reconcile (Argo passes the observed weights there). */
export function trafficReplicaCounts(context: TrafficContext): { canary: number; stable: number } {
  return trafficRoutedReplicaCounts(trafficCanaryInput(context), context.rollout.status?.canary?.weights);
}
