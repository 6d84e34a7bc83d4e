import type { Rollout, RolloutSpecWithDefaults, RolloutStatus } from '../api/index.js';
import { CONDITION_TYPES, MESSAGES, REASONS, removeCondition } from './conditions.js';
import type { PlanCollector } from './plan-collector.js';
import { podTemplateHashOf } from './replica-set-classification.js';
import { calculateRolloutPhase } from './rollout-phase.js';
import {
  carriedStatusFields,
  compactStatus,
  countsProgressing,
  formatLabelSelector,
  isAborted,
  isIndefiniteStep,
  progressRequeue,
  rolloutCompleted,
  rolloutConditions,
  rolloutTimedOut,
  sameStatus,
  stateChangeEvents,
  sumStatus,
  waitingForScaleDown,
  withPauseStatus,
  type PauseDecisions,
  type StatusReplicaSets,
} from './rollout-status.js';

/**
 * The canary's part of Argo's syncRolloutStatusCanary and persistRolloutStatus (rollout/canary.go,
 * rollout/sync.go): the counts and step fields Argo recomputes at every reconcile, the
 * progress-deadline abort evaluated before the pause fields, and the canary's RolloutHealthy and
 * RolloutProgressing. The pause fields, the conditions, the state-change events and the
 * progress-deadline requeue are the ones both strategies share (rollout-status.ts).
 */

/** The status fields Argo recomputes at every reconcile (calculateBaseStatus plus the canary additions). */
export function baseCanaryStatus(
  rollout: Rollout,
  observed: RolloutStatus,
  replicaSets: StatusReplicaSets,
  stepHash: string,
): RolloutStatus {
  const currentPodHash = replicaSets.newRS === undefined ? '' : podTemplateHashOf(replicaSets.newRS);
  const replicas = sumStatus(replicaSets.all, 'replicas');
  const stableRS = observed.stableRS ?? '';
  return {
    ...carriedStatusFields(observed),
    currentPodHash,
    replicas,
    updatedReplicas: replicaSets.newRS?.status?.replicas ?? 0,
    readyReplicas: sumStatus(replicaSets.all, 'readyReplicas'),
    availableReplicas: sumStatus(replicaSets.all, 'availableReplicas'),
    HPAReplicas: replicas,
    selector: formatLabelSelector(rollout.spec.selector),
    stableRS,
    currentStepHash: stepHash,
    conditions: removeCondition(observed.conditions, CONDITION_TYPES.invalidSpec),
    promoteFull: currentPodHash !== stableRS && observed.promoteFull === true,
    // Argo's reconcileTrafficRouting sets weights to nil when the Rollout no longer routes traffic (trafficRouting removed).
    canary: {
      ...(observed.canary?.weights === undefined || rollout.spec.strategy?.canary?.trafficRouting === undefined
        ? {}
        : { weights: observed.canary.weights }),
      // Argo's newStatus.Canary.StablePingPong: carried over; it flips only when a new stable is set (canary-planner).
      ...(observed.canary?.stablePingPong === undefined ? {} : { stablePingPong: observed.canary.stablePingPong }),
    },
    blueGreen: {},
  };
}

export interface PersistInput {
  rollout: Rollout;
  spec: RolloutSpecWithDefaults;
  replicaSets: StatusReplicaSets;
  decisions: PauseDecisions;
  now: Date;
}

/** Argo's persistRolloutStatus for the canary: returns the whole status and when to check progress again; its events go to the plan. */
export function persistCanaryStatus(
  input: PersistInput,
  draft: RolloutStatus,
  plan: PlanCollector,
): { status: RolloutStatus; requeueAfterMs: number | undefined } {
  const { rollout, decisions, now } = input;
  const observed = rollout.status ?? {};
  let status: RolloutStatus = { ...draft, observedGeneration: String(rollout.metadata?.generation ?? 0) };
  evaluateProgressDeadlineAbort(input, status, plan);
  status = withPauseStatus(status, observed, decisions, now);
  const { conditions, events } = rolloutConditions(
    {
      rollout,
      spec: input.spec,
      decisions,
      replicaSets: input.replicaSets,
      now,
      isPaused: (status.pauseConditions?.length ?? 0) > 0 || input.spec.paused,
      healthy: rolloutHealthy(rollout, input.spec, status),
      progressing: rolloutProgressing(rollout, status),
      available: sumStatus(input.replicaSets.all, 'availableReplicas') >= input.spec.replicas,
    },
    status,
  );
  plan.events.push(...events);
  status = { ...status, conditions };
  const { phase, message } = calculateRolloutPhase(rollout.spec, status);
  status = compactStatus({ ...status, phase, message });
  if (!sameStatus(observed, status)) plan.events.push(...stateChangeEvents(observed, status));
  return { status, requeueAfterMs: progressRequeue(rollout, input.spec, status, rolloutHealthy(rollout, input.spec, status), now) };
}

function evaluateProgressDeadlineAbort(input: PersistInput, status: RolloutStatus, plan: PlanCollector): void {
  const { rollout, spec, decisions, replicaSets } = input;
  if (!spec.progressDeadlineAbort || isAborted(decisions, rollout.status ?? {})) return;
  if (rolloutCompleted(status) || rolloutProgressing(rollout, status)) return;
  if (isIndefiniteStep(rollout) || waitingForScaleDown(replicaSets)) return;
  if (!rolloutTimedOut(rollout, rollout.status ?? {}, input.now)) return;
  const name = rollout.metadata?.name ?? '';
  const message =
    replicaSets.newRS === undefined ? MESSAGES.rolloutTimeOut(name) : MESSAGES.replicaSetTimeOut(replicaSets.newRS.metadata?.name ?? '');
  decisions.addAbort = true;
  decisions.abortMessage = message;
  plan.events.push({ type: 'Warning', reason: REASONS.rolloutAborted, message });
}

/** Argo's RolloutHealthy for the canary. */
export function rolloutHealthy(rollout: Rollout, spec: RolloutSpecWithDefaults, status: RolloutStatus): boolean {
  const steps = spec.strategy.canary?.steps.length ?? 0;
  const executedAllSteps = steps === 0 || status.currentStepIndex === undefined || status.currentStepIndex === steps;
  const completedStrategy = executedAllSteps && rolloutCompleted(status) && (status.replicas ?? 0) === spec.replicas;
  return (
    (status.updatedReplicas ?? 0) === spec.replicas &&
    (status.availableReplicas ?? 0) === spec.replicas &&
    rollout.status?.observedGeneration === String(rollout.metadata?.generation ?? 0) &&
    completedStrategy
  );
}

/** Argo's RolloutProgressing: anything moved since the observed status. */
export function rolloutProgressing(rollout: Rollout, status: RolloutStatus): boolean {
  const old = rollout.status ?? {};
  const stepIndexChanged =
    status.currentStepIndex !== undefined && old.currentStepIndex !== undefined && status.currentStepIndex !== old.currentStepIndex;
  const strategyProgress =
    (status.stableRS ?? '') !== (old.stableRS ?? '') || stepIndexChanged || (status.currentStepHash ?? '') !== (old.currentStepHash ?? '');
  return countsProgressing(rollout, status, strategyProgress);
}
