import type { PlanCollector } from './plan-collector.js';
import type { V1ReplicaSet, V1Service } from '@kubernetes/client-node';
import type { TrafficWeights } from '../api/index.js';
import { POD_TEMPLATE_HASH_LABEL, SCALE_DOWN_DEADLINE_ANNOTATION } from '../api/argo-labels.js';
import { newestRevisionFirst } from './canary-replica-counts.js';
import { addUpdate, nameOf, olderCountsOf, removeScaleDownDeadlines, scaleReplicaSet, specReplicas } from './canary-replica-sets.js';
import { trafficCanaryInput, type TrafficContext } from './canary-traffic.js';
import { canaryFenceposts } from './int-or-percent.js';
import { podTemplateHashOf } from './replica-set-classification.js';
import { abortScaleDownDelay, trafficRoutedReplicaCounts } from './traffic-replica-counts.js';

/**
 * Argo's reconcileCanaryReplicaSets with a traffic router (rollout/canary.go,
 * rollout/replicaset.go): one scaling per reconcile — the stable ReplicaSet
 * (sized by the weights the router holds, so it shrinks only after traffic
 * left it), else the canary (held at its size during the abort scale-down
 * delay, and never before the stable can take all traffic), else the older
 * ReplicaSets (the previous stable after its scaleDownDelaySeconds). A
 * deadline is a wake-up returned to the caller, never a sleep.
 */
export interface TrafficReplicaSetsInput {
  context: TrafficContext;
  /** status.canary.weights as this reconcile set them (the canary's size follows them). */
  newWeights: TrafficWeights | undefined;
  services: Readonly<Record<string, V1Service>>;
  now: Date;
}

export interface TrafficScaling {
  /** A ReplicaSet was scaled: the steps wait for the next reconcile. */
  scaled: boolean;
  /** When a scale-down deadline passes. */
  wakeUpMs: number | undefined;
}

/** Argo's shouldDelayScaleDownOnAbort for the canary with traffic routing. */
export function delayScaleDownOnAbort(context: TrafficContext): boolean {
  if (!context.aborted || context.replicaSets.stableRS === undefined) return false;
  const written = context.rollout.spec.strategy?.canary?.abortScaleDownDelaySeconds;
  if (abortScaleDownDelay(written) === undefined) return false;
  // dynamicStableScale steps the canary down with the weight unless a delay was asked for explicitly.
  if (context.canary.dynamicStableScale && written === undefined) return false;
  return true;
}

export function reconcileTrafficReplicaSets(input: TrafficReplicaSetsInput, plan: PlanCollector): TrafficScaling {
  const { context, now } = input;
  const { spec, newRS, replicaSets } = context;
  const stableRS = replicaSets.stableRS;
  const delayOnAbort = delayScaleDownOnAbort(context);
  removeScaleDownDeadlines(delayOnAbort ? [stableRS] : [newRS, stableRS], plan);

  const distinctStable = stableRS !== undefined && nameOf(stableRS) !== nameOf(newRS) ? stableRS : undefined;
  if (distinctStable !== undefined) {
    // The weights the router held before this reconcile: the stable shrinks a reconcile after the traffic moved.
    const desiredStable = trafficRoutedReplicaCounts(trafficCanaryInput(context), context.rollout.status?.canary?.weights).stable;
    if (desiredStable !== specReplicas(distinctStable)) {
      scaleReplicaSet(distinctStable, desiredStable, spec, plan);
      return { scaled: true, wakeUpMs: undefined };
    }
  }

  let desiredCanary = trafficRoutedReplicaCounts(trafficCanaryInput(context), input.newWeights).canary;
  if (delayOnAbort && stableRS !== undefined && specReplicas(newRS) > 0) {
    const deadline = newRS.metadata?.annotations?.[SCALE_DOWN_DEADLINE_ANNOTATION];
    if (deadline !== undefined && deadline !== '') {
      const remaining = Date.parse(deadline) - now.getTime();
      if (Number.isFinite(remaining) && remaining > 0) return { scaled: false, wakeUpMs: remaining };
      desiredCanary = 0;
    } else {
      // The deadline starts only once the stable can serve all traffic: the canary is never scaled down before.
      if ((stableRS.status?.availableReplicas ?? 0) >= spec.replicas) {
        const delaySeconds = abortScaleDownDelay(context.rollout.spec.strategy?.canary?.abortScaleDownDelaySeconds) ?? 0;
        addUpdate(plan, {
          kind: 'updateReplicaSet',
          name: nameOf(newRS),
          resourceVersion: newRS.metadata?.resourceVersion ?? '',
          annotations: { [SCALE_DOWN_DEADLINE_ANNOTATION]: rfc3339(new Date(now.getTime() + delaySeconds * 1000)) },
        });
        return { scaled: false, wakeUpMs: delaySeconds * 1000 };
      }
      return { scaled: false, wakeUpMs: undefined };
    }
  }
  if (desiredCanary !== specReplicas(newRS)) {
    scaleReplicaSet(newRS, desiredCanary, spec, plan);
    return { scaled: true, wakeUpMs: undefined };
  }
  return reconcileOlderReplicaSets(input, plan);
}

/** Argo's scaleDownOldReplicaSetsForCanary with traffic routing. */
function reconcileOlderReplicaSets(input: TrafficReplicaSetsInput, plan: PlanCollector): TrafficScaling {
  const { context, now } = input;
  const { spec, canary, replicaSets, rollout } = context;
  const others = replicaSets.others.filter((rs) => specReplicas(rs) > 0);
  if (others.length === 0) return { scaled: false, wakeUpMs: undefined };
  let scaled = false;
  // Unready pods go first: they add nothing to availability.
  for (const rs of others) {
    const available = rs.status?.availableReplicas ?? 0;
    if (available < specReplicas(rs) && !isReferenced(rs, input)) {
      scaleReplicaSet(rs, available, spec, plan);
      scaled = true;
    }
  }
  if (scaled) return { scaled, wakeUpMs: undefined };
  const { maxUnavailable } = canaryFenceposts(spec.replicas, canary.maxSurge, canary.maxUnavailable);
  const available = replicaSets.all.reduce((sum, rs) => sum + (rs.status?.availableReplicas ?? 0), 0);
  let room = available - (spec.replicas - maxUnavailable);
  if (room <= 0) return { scaled: false, wakeUpMs: undefined };
  const fullyPromoted = (rollout.status?.stableRS ?? '') === (rollout.status?.currentPodHash ?? '');
  const byName = new Map(others.map((rs) => [nameOf(rs), rs]));
  let wakeUpMs: number | undefined;
  let annotated = 0;
  const limit = canary.scaleDownDelayRevisionLimit ?? Number.MAX_SAFE_INTEGER;
  for (const counts of newestRevisionFirst(others.map(olderCountsOf))) {
    const rs = byName.get(counts.name);
    if (rs === undefined || isReferenced(rs, input)) continue;
    if (room <= 0) break;
    let desired = 0;
    const deadline = rs.metadata?.annotations?.[SCALE_DOWN_DEADLINE_ANNOTATION] ?? '';
    if ((fullyPromoted || deadline !== '') && !canary.dynamicStableScale) {
      // The previous stable keeps its pods for scaleDownDelaySeconds, so traffic still in flight to it drains.
      if (deadline === '') {
        annotated += 1;
        if (annotated <= limit) {
          addUpdate(plan, {
            kind: 'updateReplicaSet',
            name: nameOf(rs),
            resourceVersion: rs.metadata?.resourceVersion ?? '',
            annotations: { [SCALE_DOWN_DEADLINE_ANNOTATION]: rfc3339(new Date(now.getTime() + canary.scaleDownDelaySeconds * 1000)) },
          });
          wakeUpMs = earliest(wakeUpMs, canary.scaleDownDelaySeconds * 1000);
          desired = specReplicas(rs);
        }
      } else {
        annotated += 1;
        const remaining = Date.parse(deadline) - now.getTime();
        if (annotated <= limit && Number.isFinite(remaining) && remaining > 0) {
          wakeUpMs = earliest(wakeUpMs, remaining);
          desired = specReplicas(rs);
        }
      }
    }
    if (desired === specReplicas(rs)) continue;
    scaleReplicaSet(rs, desired, spec, plan);
    room -= specReplicas(rs) - desired;
    scaled = true;
  }
  return { scaled, wakeUpMs };
}

/** Argo's isReplicaSetReferenced: a ReplicaSet a Service or the recorded weights still point at is not scaled down. */
function isReferenced(rs: V1ReplicaSet, input: TrafficReplicaSetsInput): boolean {
  const hash = podTemplateHashOf(rs);
  if (hash === '') return false;
  const status = input.context.rollout.status ?? {};
  const weights = status.canary?.weights;
  const references = [status.stableRS, status.currentPodHash, weights?.canary.podTemplateHash, weights?.stable.podTemplateHash];
  if (references.includes(hash)) return true;
  const canary = input.context.canary;
  return [canary.canaryService, canary.stableService].some(
    (name) => name !== undefined && name !== '' && input.services[name]?.spec?.selector?.[POD_TEMPLATE_HASH_LABEL] === hash,
  );
}

function earliest(a: number | undefined, b: number): number {
  return a === undefined ? b : Math.min(a, b);
}

/** Go's time.RFC3339 in UTC, whole seconds, as Argo writes the scale-down deadline. */
function rfc3339(time: Date): string {
  return `${time.toISOString().slice(0, 19)}Z`;
}
