import type { PlanCollector } from './plan-collector.js';
import type { V1ReplicaSet } from '@kubernetes/client-node';
import type { BlueGreenStrategyWithDefaults, RolloutSpecWithDefaults, RolloutStatus } from '../api/index.js';
import { DESIRED_REPLICAS_ANNOTATION, SCALE_DOWN_DEADLINE_ANNOTATION } from '../api/argo-labels.js';
import {
  blueGreenNewReplicas,
  blueGreenReplicaSets,
  type BlueGreenReplicaSet,
  type BlueGreenStatusView,
  type DesiredReplicaSet,
} from './blue-green-replica-counts.js';
import { addUpdate, nameOf, revisionHistoryDeletions, specReplicas } from './canary-replica-sets.js';
import { MESSAGES, REASONS } from './conditions.js';
import { podTemplateHashOf, revisionOf, type ReplicaSetClassification } from './replica-set-classification.js';

/**
 * ReplicaSet writes of the blue-green reconcile (Argo's reconcileBlueGreenReplicaSets): the
 * sizes and scale-down deadlines come from the pure blueGreenReplicaSets; this file turns them
 * into updates with Argo's events and annotations, and applies the revision history limit.
 */

export function blueGreenReplicaSetOf(rs: V1ReplicaSet): BlueGreenReplicaSet {
  return {
    name: nameOf(rs),
    podTemplateHash: podTemplateHashOf(rs),
    replicas: specReplicas(rs),
    availableReplicas: rs.status?.availableReplicas ?? 0,
    revision: revisionOf(rs),
    scaleDownDeadline: rs.metadata?.annotations?.[SCALE_DOWN_DEADLINE_ANNOTATION],
  };
}

/** The status fields that size the new ReplicaSet (Argo's NewRSNewReplicas reads the observed Rollout). */
export function blueGreenStatusView(
  spec: RolloutSpecWithDefaults,
  observed: RolloutStatus,
  replicaSets: ReplicaSetClassification,
  aborted: boolean,
): BlueGreenStatusView {
  const active = observed.blueGreen?.activeSelector ?? '';
  const activeRS = active === '' ? undefined : replicaSets.all.find((rs) => podTemplateHashOf(rs) === active);
  return {
    currentPodHash: observed.currentPodHash,
    activeHash: activeRS === undefined ? undefined : active,
    promoteFull: observed.promoteFull === true,
    aborted,
    paused: spec.paused || (observed.pauseConditions?.length ?? 0) > 0,
    scaleUpPreviewCheckPoint: observed.blueGreen?.scaleUpPreviewCheckPoint === true,
  };
}

/** Argo's ReadyForPause: the new ReplicaSet is at its desired size and all of it available. */
export function readyForPause(
  spec: RolloutSpecWithDefaults,
  blueGreen: BlueGreenStrategyWithDefaults,
  newRS: V1ReplicaSet,
  status: BlueGreenStatusView,
): boolean {
  const desired = blueGreenNewReplicas({
    replicas: spec.replicas,
    previewReplicaCount: blueGreen.previewReplicaCount,
    newRS: blueGreenReplicaSetOf(newRS),
    status,
  });
  return specReplicas(newRS) === desired && (newRS.status?.availableReplicas ?? 0) === desired;
}

/** Argo's IsSaturated: sized for the whole Rollout, recorded so, and all of it available. */
export function isSaturated(spec: RolloutSpecWithDefaults, rs: V1ReplicaSet | undefined): boolean {
  if (rs === undefined) return false;
  return (
    specReplicas(rs) === spec.replicas &&
    rs.metadata?.annotations?.[DESIRED_REPLICAS_ANNOTATION] === String(spec.replicas) &&
    (rs.status?.availableReplicas ?? 0) === spec.replicas
  );
}

export interface BlueGreenReplicaSetsInput {
  spec: RolloutSpecWithDefaults;
  blueGreen: BlueGreenStrategyWithDefaults;
  replicaSets: ReplicaSetClassification;
  newRS: V1ReplicaSet;
  status: BlueGreenStatusView;
  /** Argo's shouldDelayScaleDownOnAbort: aborted, a stable ReplicaSet exists, and abortScaleDownDelaySeconds is not 0. */
  delayScaleDownOnAbort: boolean;
  referencedHashes: ReadonlySet<string>;
  /** Keep the older ReplicaSets as they are (analysis still needs them to switch back to). */
  holdOlder: boolean;
  now: number;
}

/**
 * Argo's reconcileBlueGreenReplicaSets: deadlines off the new and stable ReplicaSets, the stable
 * one at spec.replicas, the new one at its size, older ones kept until their deadline, then the
 * revision history limit. Returns the earliest deadline still waited for (epoch ms).
 */
export function reconcileBlueGreenReplicaSets(input: BlueGreenReplicaSetsInput, collector: PlanCollector): number | undefined {
  const { spec, blueGreen, replicaSets, newRS, delayScaleDownOnAbort } = input;
  const stableRS = replicaSets.stableRS;
  const plan = blueGreenReplicaSets({
    replicas: spec.replicas,
    previewReplicaCount: blueGreen.previewReplicaCount,
    scaleDownDelaySeconds: blueGreen.scaleDownDelaySeconds,
    scaleDownDelayRevisionLimit: blueGreen.scaleDownDelayRevisionLimit,
    abortScaleDownDelaySeconds: blueGreen.abortScaleDownDelaySeconds,
    newRS: blueGreenReplicaSetOf(newRS),
    stableRS: stableRS === undefined ? undefined : blueGreenReplicaSetOf(stableRS),
    older: replicaSets.others.map(blueGreenReplicaSetOf),
    status: input.status,
    referencedHashes: input.referencedHashes,
    holdOlder: input.holdOlder,
    now: input.now,
  });
  const byName = new Map(replicaSets.all.map((rs) => [nameOf(rs), rs]));
  // Argo's removeScaleDownDeadlines, then the stable, the new and the older ReplicaSets, in that order.
  if (!delayScaleDownOnAbort) removeDeadline(newRS, collector);
  if (stableRS !== undefined && stableRS !== newRS) removeDeadline(stableRS, collector);
  if (plan.stableRS !== undefined && stableRS !== undefined) scale(stableRS, plan.stableRS.replicas, input, collector);
  if (plan.newRS !== undefined) applyDesired(newRS, plan.newRS, input, collector, true);
  for (const desired of plan.older) {
    const rs = byName.get(desired.name);
    if (rs !== undefined) applyDesired(rs, desired, input, collector, false);
  }
  collector.actions.push(...revisionHistoryDeletions(replicaSets.others, spec.revisionHistoryLimit));
  return plan.nextWakeUp;
}

function removeDeadline(rs: V1ReplicaSet, collector: PlanCollector): void {
  if ((rs.metadata?.annotations?.[SCALE_DOWN_DEADLINE_ANNOTATION] ?? '') === '') return;
  addUpdate(collector, {
    kind: 'updateReplicaSet',
    name: nameOf(rs),
    resourceVersion: rs.metadata?.resourceVersion ?? '',
    annotations: { [SCALE_DOWN_DEADLINE_ANNOTATION]: null },
  });
}

/** A new deadline is stamped on its own (Argo's addScaleDownDelay); a size change goes through scale(). */
function applyDesired(
  rs: V1ReplicaSet,
  desired: DesiredReplicaSet,
  input: BlueGreenReplicaSetsInput,
  collector: PlanCollector,
  syncAnnotation: boolean,
): void {
  const current = rs.metadata?.annotations?.[SCALE_DOWN_DEADLINE_ANNOTATION];
  if (desired.scaleDownDeadline !== undefined && desired.scaleDownDeadline !== current) {
    addUpdate(collector, {
      kind: 'updateReplicaSet',
      name: nameOf(rs),
      resourceVersion: rs.metadata?.resourceVersion ?? '',
      annotations: { [SCALE_DOWN_DEADLINE_ANNOTATION]: desired.scaleDownDeadline },
    });
  }
  // Argo's scaleDownOldReplicaSetsForBlueGreen leaves an older ReplicaSet at its size alone; the new one also gets its desired-replicas annotation synced.
  if (syncAnnotation || specReplicas(rs) !== desired.replicas) scale(rs, desired.replicas, input, collector);
}

/** Argo's scaleReplicaSetAndRecordEvent: size and desired-replicas annotation; a full scale-down drops the deadline unless an abort delays it. */
function scale(rs: V1ReplicaSet, replicas: number, input: BlueGreenReplicaSetsInput, collector: PlanCollector): void {
  const { spec, delayScaleDownOnAbort } = input;
  const from = specReplicas(rs);
  const annotations: Record<string, string | null> = {};
  if (rs.metadata?.annotations?.[DESIRED_REPLICAS_ANNOTATION] !== String(spec.replicas))
    annotations[DESIRED_REPLICAS_ANNOTATION] = String(spec.replicas);
  const deadline = rs.metadata?.annotations?.[SCALE_DOWN_DEADLINE_ANNOTATION] ?? '';
  if (replicas === 0 && deadline !== '' && !delayScaleDownOnAbort) annotations[SCALE_DOWN_DEADLINE_ANNOTATION] = null;
  if (from === replicas && Object.keys(annotations).length === 0) return;
  addUpdate(collector, {
    kind: 'updateReplicaSet',
    name: nameOf(rs),
    resourceVersion: rs.metadata?.resourceVersion ?? '',
    ...(from === replicas ? {} : { replicas }),
    ...(Object.keys(annotations).length === 0 ? {} : { annotations }),
  });
  if (from !== replicas) {
    const direction = from < replicas ? 'up' : 'down';
    collector.events.push({
      type: 'Normal',
      reason: REASONS.scalingReplicaSet,
      message: MESSAGES.scalingReplicaSet(direction, nameOf(rs), revisionOf(rs), from, replicas),
    });
  }
}
