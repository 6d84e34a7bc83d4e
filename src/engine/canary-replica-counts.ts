import { canaryFenceposts } from './int-or-percent.js';
import type { CanaryReplicaCounts, IntOrPercent, OlderReplicaSet, ReplicaSetCounts, ReplicaSetScale } from './types.js';

/**
 * Replica arithmetic of the basic canary — no traffic router, so the traffic split *is* the
 * pod split — reproducing Argo Rollouts' `CalculateReplicaCountsForBasicCanary`
 * (utils/replicaset/canary.go, identical in v1.9.1 and on master), including its quirks, so a
 * Rollout steps through the same ReplicaSet sizes under Gradual as under Argo — with one
 * deliberate exception, explained in {@link approximateCanaryStableSplit}.
 *
 * Seam: the traffic-routed calculation (`CalculateReplicaCountsForTrafficRoutedCanary`, with
 * setCanaryScale, dynamicStableScale and minPodsPerReplicaSet) is a later issue; it will sit
 * beside this one and share {@link minPodsPerReplicaSet}.
 */

/** Basic canary weights are percentages: `trafficRouting.maxTrafficWeight` only exists with a router. */
const MAX_WEIGHT = 100;

export interface BasicCanaryInput {
  /** The Rollout's `spec.replicas` (Argo defaults an absent value to 1; resolve it before calling). */
  replicas: number;
  /** Desired canary weight, 0–100: see {@link basicCanaryDesiredWeight}. */
  canaryWeight: number;
  /** Defaults to 25%, as in Argo. */
  maxSurge?: IntOrPercent | undefined;
  /** Defaults to 25%, as in Argo. */
  maxUnavailable?: IntOrPercent | undefined;
  /** The ReplicaSet of the current pod template, if it exists yet. */
  canary: ReplicaSetCounts | undefined;
  /** The ReplicaSet named by `status.stableRS`; may be the canary itself (same name) once promoted. */
  stable: ReplicaSetCounts | undefined;
  /** Every other ReplicaSet of the Rollout. */
  older: readonly ReplicaSetCounts[];
}

/**
 * The desired `spec.replicas` of the canary and stable ReplicaSets for one reconcile.
 *
 * In order: find the closest split of spec.replicas (or spec.replicas + 1 when surging
 * brings the ratio closer) for the weight; scale up — stable first, then canary — only within
 * `replicas + maxSurge` total pods; stop there while older ReplicaSets still have pods (they
 * are drained first, see {@link basicCanaryOlderReplicaSets}); otherwise scale down only what
 * keeps `replicas - maxUnavailable` pods available, draining the side that is shrinking.
 * Without a distinct stable ReplicaSet the canary simply goes to 100 %.
 */
export function basicCanaryReplicaCounts(input: BasicCanaryInput): CanaryReplicaCounts {
  const { replicas, canary, stable, older } = input;
  const { maxSurge, maxUnavailable } = canaryFenceposts(replicas, input.maxSurge, input.maxUnavailable);

  let [desiredCanary, desiredStable] = approximateCanaryStableSplit(replicas, input.canaryWeight, MAX_WEIGHT, maxSurge);
  let canaryCount = canary?.replicas ?? 0;
  let stableCount = 0;

  const distinctStable = stable !== undefined && (canary === undefined || canary.name !== stable.name) ? stable : undefined;
  if (distinctStable === undefined) {
    desiredCanary = replicas;
    desiredStable = 0;
  } else {
    stableCount = distinctStable.replicas;
  }

  const maxTotal = replicas + maxSurge;
  const olderReplicas = sumReplicas(older);
  let scaleUpRoom = maxTotal - (olderReplicas + (canary?.replicas ?? 0) + (distinctStable?.replicas ?? 0));

  // The stable side scales up first so that an interrupted or aborted update regains capacity
  // on the known-good version before any more canary pods are added.
  if (distinctStable !== undefined && distinctStable.replicas < desiredStable && scaleUpRoom > 0) {
    stableCount = Math.min(desiredStable, distinctStable.replicas + scaleUpRoom);
    scaleUpRoom -= stableCount - distinctStable.replicas;
  }
  if (canary !== undefined && canary.replicas < desiredCanary && scaleUpRoom > 0) {
    canaryCount = Math.min(desiredCanary, canary.replicas + scaleUpRoom);
  }

  // Older ReplicaSets serve traffic too; their pods go before canary or stable pods do.
  if (olderReplicas > 0) {
    return { canary: canaryCount, stable: stableCount };
  }

  const minAvailable = replicas - maxUnavailable;
  // Growing the canary: count stable pods by spec (a crash-looping stable must still be able to
  // shrink to make room). Shrinking the canary (lower weight, abort): count canary pods by spec.
  const increasing = canary === undefined || desiredCanary >= canary.replicas;
  // Argo passes the stable ReplicaSet here even when it is the canary itself; kept for fidelity.
  const countedAvailable = replicasForScaleDown(canary, !increasing) + replicasForScaleDown(stable, increasing);
  if (countedAvailable <= minAvailable) {
    return { canary: canaryCount, stable: stableCount };
  }
  const scaleDownRoom = countedAvailable - minAvailable;

  if (!increasing) {
    canaryCount = drainTowards(canary, desiredCanary, scaleDownRoom, canaryCount);
    const adjusted = adjustWithinLimits(canary, stable, canaryCount, stableCount, maxTotal, minAvailable);
    // With no distinct stable, Argo's adjustment can hand "stable" pods to the canary's own
    // ReplicaSet; its callers ignore that number, and we report 0 so none can act on it.
    return { canary: adjusted.drained, stable: distinctStable === undefined ? 0 : adjusted.adjusted };
  }
  if (distinctStable !== undefined) {
    stableCount = drainTowards(distinctStable, desiredStable, scaleDownRoom, stableCount);
    const adjusted = adjustWithinLimits(distinctStable, canary, stableCount, canaryCount, maxTotal, minAvailable);
    return { canary: adjusted.adjusted, stable: adjusted.drained };
  }
  return { canary: canaryCount, stable: stableCount };
}

/**
 * The canary/stable pair whose ratio is closest to `weight / maxWeight`, over a total of
 * `replicas` or — when surge is allowed — `replicas + 1`. On an exact tie the larger canary
 * wins; a weight strictly between 0 and max never rounds the canary to zero pods unless the
 * only pod cannot be doubled (one replica, no surge). Argo: `approximateWeightedCanaryStableReplicaCounts`.
 */
export function approximateCanaryStableSplit(
  replicas: number,
  weight: number,
  maxWeight: number,
  maxSurge: number,
): [canary: number, stable: number] {
  if (replicas === 0) {
    return [0, 0];
  }
  const ceil = Math.ceil((replicas * weight) / maxWeight);
  const floor = Math.floor((replicas * weight) / maxWeight);
  const zeroAllowed = weight === maxWeight || weight === 0 || (replicas === 1 && maxSurge === 0);

  const options: { canary: number; total: number }[] = [];
  if (ceil < replicas || zeroAllowed) {
    options.push({ canary: ceil, total: replicas });
  }
  if (!isTie(weight, maxWeight, replicas) && (floor !== 0 || zeroAllowed)) {
    options.push({ canary: floor, total: replicas });
  }
  if (maxSurge > 0) {
    options.push({ canary: ceil, total: replicas + 1 });
    if (!isTie(weight, maxWeight, replicas + 1) && (floor !== 0 || zeroAllowed)) {
      options.push({ canary: floor, total: replicas + 1 });
    }
  }

  let best = options[0];
  if (best === undefined) {
    // Deliberate difference from Argo. Reachable only without surge when the weight lies exactly
    // half a pod below 100 % (5 pods at 90 %, 2 at 75 %, 10 at 95 %, 25 at 98 %, 50 at 99 %): the
    // ceiling would leave no stable pod and the tie rule discarded the floor. Argo's "should not
    // get here" fallback then returns 0 canary pods, tearing the canary down one step before
    // 100 %; the floor is the split its rules leave standing, so we use it.
    return [floor, replicas - floor];
  }
  // Strictly smaller only: among equally close options the first listed (ceil, no surge) wins.
  for (const option of options.slice(1)) {
    if (weightDelta(weight, maxWeight, option.canary, option.total) < weightDelta(weight, maxWeight, best.canary, best.total)) {
      best = option;
    }
  }
  return [best.canary, best.total - best.canary];
}

/** Floor and ceiling are equally far from the weight (e.g. 50 % of 3 pods); same float operations as Argo. */
function isTie(weight: number, maxWeight: number, total: number): boolean {
  const exact = total * (weight / maxWeight);
  return exact - Math.trunc(exact) === 0.5;
}

function weightDelta(weight: number, maxWeight: number, canary: number, total: number): number {
  return Math.abs((canary * maxWeight) / total - weight);
}

/**
 * How many of a ReplicaSet's pods count as available when deciding how far we may scale down.
 * Pods above spec are already leaving and never count; `ignoreAvailability` counts unready pods
 * too (see the call site). Argo: `GetReplicasForScaleDown`.
 */
export function replicasForScaleDown(rs: ReplicaSetCounts | undefined, ignoreAvailability: boolean): number {
  if (rs === undefined) {
    return 0;
  }
  if (rs.replicas < rs.availableReplicas || ignoreAvailability) {
    return rs.replicas;
  }
  return rs.availableReplicas;
}

/** Shrink towards `desired` by at most `room` pods. Argo: `calculateScaleDownReplicaCount`. */
function drainTowards(rs: ReplicaSetCounts | undefined, desired: number, room: number, current: number): number {
  if (rs !== undefined && rs.replicas > desired) {
    return Math.max(desired, rs.replicas - room);
  }
  return current;
}

/**
 * After draining one side, trims the other side back under the surge ceiling, but returns it
 * as many of its available pods as the availability floor still needs, and takes any excess
 * that remains from the drained side. Argo: `adjustReplicaWithinLimits`.
 */
function adjustWithinLimits(
  drainRS: ReplicaSetCounts | undefined,
  adjustRS: ReplicaSetCounts | undefined,
  drainCount: number,
  adjustCount: number,
  maxTotal: number,
  minAvailable: number,
): { drained: number; adjusted: number } {
  if (adjustRS === undefined) {
    return { drained: drainCount, adjusted: adjustCount };
  }
  let available = drainRS === undefined ? 0 : Math.min(drainRS.availableReplicas, drainCount);
  let adjusted = adjustCount - Math.max(0, adjustCount + drainCount - maxTotal);
  available += Math.min(adjustRS.availableReplicas, adjusted);
  const lostAvailable = Math.max(0, adjustRS.availableReplicas - adjusted);
  const stillNeeded = Math.max(0, minAvailable - available);
  adjusted += Math.min(lostAvailable, stillNeeded);
  const drained = drainCount - Math.max(0, adjusted + drainCount - maxTotal);
  return { drained, adjusted };
}

/** What a basic canary's step list and status say about the weight to aim for. */
export interface CanaryWeightInput {
  /** `spec.strategy.canary.steps`; only `setWeight` matters without a traffic router. */
  steps: readonly { setWeight?: number | undefined }[];
  /** `status.currentStepIndex` (absent reads as 0). */
  currentStepIndex: number | undefined;
  /** `status.abort`. */
  aborted: boolean;
  /** `status.promoteFull`. */
  promoteFull: boolean;
  /** `status.stableRS` (a pod template hash; empty or absent before the first rollout completes). */
  stableHash: string | undefined;
  /** `status.currentPodHash`. */
  currentPodHash: string | undefined;
}

/**
 * The canary weight Argo's `GetCanaryReplicasOrWeight` yields without a traffic router:
 * 100 when fully promoting, on the very first rollout or when the current template is the
 * stable one; 0 when aborted; 100 past the last step or without steps; otherwise the latest
 * `setWeight` at or before the current step (0 if none yet). `setCanaryScale` and
 * `dynamicStableScale` only act with a traffic router, so they are not inputs here.
 */
export function basicCanaryDesiredWeight(input: CanaryWeightInput): number {
  const { steps } = input;
  if (input.promoteFull || input.stableHash === undefined || input.stableHash === '' || input.currentPodHash === input.stableHash) {
    return MAX_WEIGHT;
  }
  if (input.aborted) {
    return 0;
  }
  const index = input.currentStepIndex ?? 0;
  if (steps.length === 0 || index >= steps.length) {
    return MAX_WEIGHT;
  }
  for (let i = index; i >= 0; i--) {
    const weight = steps[i]?.setWeight;
    if (weight !== undefined) {
      return weight;
    }
  }
  return 0;
}

/**
 * `minPodsPerReplicaSet` as Argo applies it: a non-zero count is raised to the minimum, capped
 * at spec.replicas (a cap added after v1.9.1 to stop a reconcile loop). Argo applies it only to
 * the traffic-routed calculation and silently ignores the field for a basic canary, so
 * {@link basicCanaryReplicaCounts} does not take it either; this is for the traffic-routed seam.
 */
export function minPodsPerReplicaSet(count: number, minimum: number | undefined, replicas: number): number {
  if (count === 0 || minimum === undefined) {
    return count;
  }
  return Math.max(count, Math.min(minimum, replicas));
}

export interface BasicCanaryOlderInput {
  replicas: number;
  maxSurge?: IntOrPercent | undefined;
  maxUnavailable?: IntOrPercent | undefined;
  /** Available pods of every ReplicaSet of the Rollout (canary, stable and older). */
  totalAvailableReplicas: number;
  /** The older ReplicaSets, oldest created first. */
  older: readonly OlderReplicaSet[];
}

/**
 * Desired sizes of the older ReplicaSets of a basic canary, as Argo's
 * `scaleDownOldReplicaSetsForCanary` decides them. Every older ReplicaSet must reach zero (its
 * pods receive traffic), but: unready pods go first and unconditionally (they add nothing to
 * availability); then ready pods only down to `replicas - maxUnavailable` available pods in
 * total, newest revision first. If an older ReplicaSet still has more available pods than its
 * spec (a scale-down in flight), Argo abandons the pass at that point and so do we.
 * Returns every older ReplicaSet's desired size, in input order.
 */
export function basicCanaryOlderReplicaSets(input: BasicCanaryOlderInput): ReplicaSetScale[] {
  const changes = new Map<string, number>();
  for (const rs of input.older) {
    if (rs.replicas === 0 || rs.replicas === rs.availableReplicas) {
      continue;
    }
    if (rs.availableReplicas > rs.replicas) {
      return withReplicas(input.older, changes);
    }
    changes.set(rs.name, rs.availableReplicas);
  }

  const { maxUnavailable } = canaryFenceposts(input.replicas, input.maxSurge, input.maxUnavailable);
  let room = input.totalAvailableReplicas - (input.replicas - maxUnavailable);
  if (room <= 0) {
    return withReplicas(input.older, changes);
  }
  for (const rs of newestRevisionFirst(input.older)) {
    if (room <= 0) {
      break;
    }
    const current = changes.get(rs.name) ?? rs.replicas;
    if (current === 0) {
      continue;
    }
    const desired = current > room ? current - room : 0;
    changes.set(rs.name, desired);
    room -= current - desired;
  }
  return withReplicas(input.older, changes);
}

/** One reconcile's scaling of a basic canary: which side moves, and to what. */
export interface BasicCanaryScaling {
  target: 'stable' | 'canary' | 'older';
  /** The ReplicaSets whose size changes. */
  scales: ReplicaSetScale[];
}

/**
 * The single scaling step Argo takes in one reconcile (`reconcileCanaryReplicaSets`): the
 * stable ReplicaSet if its size is off, else the canary, else the older ReplicaSets; then it
 * requeues and recomputes from the new observed state. Applying both counts of
 * {@link basicCanaryReplicaCounts} at once would skip that recomputation and can end on
 * different sizes, so the reconcile applies this instead. Undefined when nothing changes.
 */
export function nextBasicCanaryScaling(input: BasicCanaryInput & { older: readonly OlderReplicaSet[] }): BasicCanaryScaling | undefined {
  const { canary, stable } = input;
  const counts = basicCanaryReplicaCounts(input);
  if (stable !== undefined && stable.name !== canary?.name && counts.stable !== stable.replicas) {
    return { target: 'stable', scales: [{ name: stable.name, replicas: counts.stable }] };
  }
  if (canary !== undefined && counts.canary !== canary.replicas) {
    return { target: 'canary', scales: [{ name: canary.name, replicas: counts.canary }] };
  }
  if (sumReplicas(input.older) === 0) {
    return undefined;
  }
  const all = [...input.older, ...(canary ? [canary] : []), ...(stable && stable.name !== canary?.name ? [stable] : [])];
  const desired = basicCanaryOlderReplicaSets({
    replicas: input.replicas,
    maxSurge: input.maxSurge,
    maxUnavailable: input.maxUnavailable,
    totalAvailableReplicas: all.reduce((sum, rs) => sum + rs.availableReplicas, 0),
    older: input.older,
  });
  const scales = desired.filter((scale, i) => scale.replicas !== input.older[i]?.replicas);
  return scales.length === 0 ? undefined : { target: 'older', scales };
}

/**
 * Highest revision first; among equal revisions the later created first (the input is in
 * creation order). Argo: `sort.Reverse(ReplicaSetsByRevisionNumber)`.
 */
export function newestRevisionFirst<T extends OlderReplicaSet>(replicaSets: readonly T[]): T[] {
  return replicaSets
    .map((rs, created) => ({ rs, created }))
    .sort((a, b) => b.rs.revision - a.rs.revision || b.created - a.created)
    .map(({ rs }) => rs);
}

function withReplicas(older: readonly OlderReplicaSet[], changes: ReadonlyMap<string, number>): ReplicaSetScale[] {
  return older.map((rs) => ({ name: rs.name, replicas: changes.get(rs.name) ?? rs.replicas }));
}

function sumReplicas(replicaSets: readonly ReplicaSetCounts[]): number {
  return replicaSets.reduce((sum, rs) => sum + rs.replicas, 0);
}
