import type { V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import type { RolloutSpecWithDefaults, RolloutStatus } from '../api/index.js';
import { canaryFenceposts } from './int-or-percent.js';
import type { KubeAction } from './reconcile-types.js';
import { byCreation } from './replica-set-classification.js';

/*
 * `spec.restartAt`: a rolling re-creation of the Rollout's pods without a new revision, as
 * Argo's RolloutPodRestarter does it (rollout/restart.go, v1.9). Pods created before restartAt
 * are evicted (so PodDisruptionBudgets are honoured) — as many at once as keep the available
 * pods at spec.replicas minus maxUnavailable, at least one — and their ReplicaSets replace them.
 * Once no pod is older than restartAt, status.restartedAt records it.
 */

/**
 * Argo requeues a restarting Rollout every 30 s: an eviction whose replacement becomes ready
 * before the evicted pod is gone leaves the ReplicaSet's counts unchanged, so no informer event
 * would wake the rollout again.
 */
export const RESTART_POD_CHECK_MS = 30_000;

function millis(time: unknown): number | undefined {
  if (time instanceof Date) return time.getTime();
  if (typeof time === 'string') {
    const parsed = Date.parse(time);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

/** Argo's NeedsRestart: restartAt has passed and status.restartedAt does not yet record it. */
export function needsRestart(spec: Pick<RolloutSpecWithDefaults, 'restartAt'>, status: RolloutStatus, now: Date): boolean {
  const restartAt = millis(spec.restartAt);
  if (restartAt === undefined || now.getTime() < restartAt) return false;
  const restartedAt = millis(status.restartedAt);
  return restartedAt === undefined || restartedAt < restartAt;
}

/** When restartAt lies ahead, how long until then: the reconcile wakes the rollout at that instant. */
export function restartWakeUpMs(spec: Pick<RolloutSpecWithDefaults, 'restartAt'>, now: Date): number | undefined {
  const restartAt = millis(spec.restartAt);
  if (restartAt === undefined || restartAt <= now.getTime()) return undefined;
  return restartAt - now.getTime();
}

/** Kubernetes' IsPodAvailable: Ready, for at least minReadySeconds, and not being deleted. */
export function isPodAvailable(pod: V1Pod, minReadySeconds: number, now: Date): boolean {
  if (pod.metadata?.deletionTimestamp !== undefined) return false;
  const ready = pod.status?.conditions?.find((condition) => condition.type === 'Ready');
  if (ready?.status !== 'True') return false;
  if (minReadySeconds === 0) return true;
  const since = millis(ready.lastTransitionTime);
  return since !== undefined && since + minReadySeconds * 1000 <= now.getTime();
}

export interface PodRestartInput {
  spec: RolloutSpecWithDefaults;
  /** The Rollout's ReplicaSets. */
  all: readonly V1ReplicaSet[];
  stableRS: V1ReplicaSet | undefined;
  newRS: V1ReplicaSet | undefined;
  /** The pods of those ReplicaSets. */
  pods: readonly V1Pod[];
  now: Date;
}

export type PodRestartDecision =
  /** Nothing to restart (no restartAt, not due yet, or already recorded). */
  | { kind: 'none' }
  /** Evict these pods and end the reconcile: the counts this reconcile read no longer hold. */
  | { kind: 'evict'; actions: KubeAction[]; requeueAfterMs: number }
  /** Old pods remain but none may go now (too few available, or one is still terminating). */
  | { kind: 'waiting'; requeueAfterMs: number }
  /** Every pod is newer than restartAt: record it in status.restartedAt and go on. */
  | { kind: 'done'; restartedAt: string };

/** Argo's SortReplicaSetsByPriority: the stable ReplicaSet first, then the new one, then the rest oldest first. */
function restartOrder(input: PodRestartInput): V1ReplicaSet[] {
  const rank = (rs: V1ReplicaSet): number => (rs === input.stableRS ? 0 : rs === input.newRS ? 1 : 2);
  return [...input.all].sort((a, b) => rank(a) - rank(b) || byCreation(a, b));
}

function podOrder(input: PodRestartInput): V1Pod[] {
  const order = new Map(restartOrder(input).map((rs, index) => [rs.metadata?.uid ?? '', index]));
  const position = (pod: V1Pod): number => {
    const owner = pod.metadata?.ownerReferences?.find((reference) => reference.controller === true);
    return order.get(owner?.uid ?? '') ?? order.size;
  };
  const name = (pod: V1Pod): string => pod.metadata?.name ?? '';
  return [...input.pods].sort((a, b) => position(a) - position(b) || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
}

/**
 * One reconcile of a restart. Pods created at or after restartAt are current; older ones are
 * evicted in restart order while the available count allows, one at a time when
 * maxUnavailable is 0.
 */
export function planPodRestart(input: PodRestartInput, status: RolloutStatus): PodRestartDecision {
  const { spec, now } = input;
  if (!needsRestart(spec, status, now) || spec.restartAt === undefined) return { kind: 'none' };
  const restartAt = millis(spec.restartAt) ?? 0;
  const canary = spec.strategy.canary;
  const { maxUnavailable } = canaryFenceposts(
    spec.replicas,
    canary?.maxSurge,
    canary?.maxUnavailable ?? spec.strategy.blueGreen?.maxUnavailable,
  );
  // A canary weight that does not divide the replicas leaves more pods than spec.replicas; keep them all.
  const totalReplicas = input.all.reduce((sum, rs) => sum + (rs.spec?.replicas ?? 0), 0);
  const available = input.pods.filter((pod) => isPodAvailable(pod, spec.minReadySeconds, now)).length;
  let canRestart = available - (Math.max(spec.replicas, totalReplicas) - Math.max(maxUnavailable, 1));

  const actions: KubeAction[] = [];
  let outdated = 0;
  for (const pod of podOrder(input)) {
    const created = millis(pod.metadata?.creationTimestamp) ?? 0;
    if (created >= restartAt) continue;
    outdated += 1;
    if (canRestart <= 0 || pod.metadata?.deletionTimestamp !== undefined) continue;
    actions.push({ kind: 'evictPod', name: pod.metadata?.name ?? '', reason: `created before spec.restartAt ${spec.restartAt}` });
    canRestart -= 1;
  }
  if (actions.length > 0) return { kind: 'evict', actions, requeueAfterMs: RESTART_POD_CHECK_MS };
  if (outdated > 0) return { kind: 'waiting', requeueAfterMs: RESTART_POD_CHECK_MS };
  return { kind: 'done', restartedAt: spec.restartAt };
}
