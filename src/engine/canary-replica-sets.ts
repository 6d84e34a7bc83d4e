import type { PlanCollector } from './plan-collector.js';
import type { V1ReplicaSet } from '@kubernetes/client-node';
import type { RolloutSpecWithDefaults } from '../api/index.js';
import { DESIRED_REPLICAS_ANNOTATION, SCALE_DOWN_DEADLINE_ANNOTATION } from '../api/argo-labels.js';
import { MESSAGES, REASONS } from './conditions.js';
import type { KubeAction } from './reconcile-types.js';
import { byCreation, revisionOf } from './replica-set-classification.js';
import type { OlderReplicaSet, ReplicaSetCounts } from './types.js';

/**
 * ReplicaSet writes of the canary reconcile: scaling with Argo's event and desired-replicas
 * annotation, removal of stale scale-down deadlines, and the revision history limit. Each
 * write carries the resourceVersion the decision was made on, and writes to the same
 * ReplicaSet in one plan are merged so the second never fails on the first's new version.
 */

export function nameOf(rs: V1ReplicaSet): string {
  return rs.metadata?.name ?? '';
}

/** Argo reads an unset spec.replicas as 1 (GetReplicasOrDefault). */
export function specReplicas(rs: V1ReplicaSet): number {
  return rs.spec?.replicas ?? 1;
}

export function countsOf(rs: V1ReplicaSet): ReplicaSetCounts {
  return { name: nameOf(rs), replicas: specReplicas(rs), availableReplicas: rs.status?.availableReplicas ?? 0 };
}

export function olderCountsOf(rs: V1ReplicaSet): OlderReplicaSet {
  return { ...countsOf(rs), revision: revisionOf(rs) };
}

type UpdateAction = Extract<KubeAction, { kind: 'updateReplicaSet' }>;

/** Adds an update, merged into an earlier update of the same ReplicaSet. */
export function addUpdate(plan: PlanCollector, update: UpdateAction): void {
  const { actions } = plan;
  const earlier = actions.find((action): action is UpdateAction => action.kind === 'updateReplicaSet' && action.name === update.name);
  if (earlier === undefined) {
    actions.push(update);
    return;
  }
  if (update.replicas !== undefined) earlier.replicas = update.replicas;
  if (update.annotations !== undefined) earlier.annotations = { ...(earlier.annotations ?? {}), ...update.annotations };
  if (update.labels !== undefined) earlier.labels = { ...(earlier.labels ?? {}), ...update.labels };
}

/** Argo's scaleReplicaSetAndRecordEvent: the size, the desired-replicas annotation, and a ScalingReplicaSet event. */
export function scaleReplicaSet(rs: V1ReplicaSet, replicas: number, spec: RolloutSpecWithDefaults, plan: PlanCollector): void {
  const from = specReplicas(rs);
  const annotations: Record<string, string | null> = {};
  if (rs.metadata?.annotations?.[DESIRED_REPLICAS_ANNOTATION] !== String(spec.replicas))
    annotations[DESIRED_REPLICAS_ANNOTATION] = String(spec.replicas);
  // A ReplicaSet scaled to zero no longer waits for a deadline (basic canary never delays an abort's scale-down).
  if (replicas === 0 && rs.metadata?.annotations?.[SCALE_DOWN_DEADLINE_ANNOTATION] !== undefined)
    annotations[SCALE_DOWN_DEADLINE_ANNOTATION] = null;
  addUpdate(plan, {
    kind: 'updateReplicaSet',
    name: nameOf(rs),
    resourceVersion: rs.metadata?.resourceVersion ?? '',
    replicas,
    ...(Object.keys(annotations).length === 0 ? {} : { annotations }),
  });
  if (from !== replicas) {
    const direction = from < replicas ? 'up' : 'down';
    plan.events.push({
      type: 'Normal',
      reason: REASONS.scalingReplicaSet,
      message: MESSAGES.scalingReplicaSet(direction, nameOf(rs), revisionOf(rs), from, replicas),
    });
  }
}

/** Argo's removeScaleDownDeadlines: the new and stable ReplicaSets serve traffic, so no deadline may scale them down. */
export function removeScaleDownDeadlines(replicaSets: readonly (V1ReplicaSet | undefined)[], plan: PlanCollector): void {
  const seen = new Set<string>();
  for (const rs of replicaSets) {
    if (rs === undefined || seen.has(nameOf(rs))) continue;
    seen.add(nameOf(rs));
    if (rs.metadata?.annotations?.[SCALE_DOWN_DEADLINE_ANNOTATION] === undefined) continue;
    addUpdate(plan, {
      kind: 'updateReplicaSet',
      name: nameOf(rs),
      resourceVersion: rs.metadata.resourceVersion ?? '',
      annotations: { [SCALE_DOWN_DEADLINE_ANNOTATION]: null },
    });
  }
}

/**
 * Argo's reconcileRevisionHistoryLimit: beyond revisionHistoryLimit, the oldest other
 * ReplicaSets are deleted — only those fully scaled down and observed so by the ReplicaSet
 * controller; one still holding pods is skipped, not waited for.
 */
export function revisionHistoryDeletions(others: readonly V1ReplicaSet[], limit: number): KubeAction[] {
  const alive = others.filter((rs) => rs.metadata?.deletionTimestamp === undefined).sort(byCreation);
  const excess = alive.length - limit;
  const deletions: KubeAction[] = [];
  for (const rs of alive.slice(0, Math.max(0, excess))) {
    const settled =
      (rs.status?.replicas ?? 0) === 0 && specReplicas(rs) === 0 && (rs.metadata?.generation ?? 0) <= (rs.status?.observedGeneration ?? 0);
    if (settled) deletions.push({ kind: 'deleteReplicaSet', name: nameOf(rs), resourceVersion: rs.metadata?.resourceVersion ?? '' });
  }
  return deletions;
}
