import type { V1ReplicaSet } from '@kubernetes/client-node';
import type { LabelSelector, PauseCondition, PauseReason, Rollout, RolloutSpecWithDefaults, RolloutStatus } from '../api/index.js';
import { CONDITION_TYPES, MESSAGES, REASONS, formatTime, getCondition, newCondition, removeCondition, setCondition } from './conditions.js';
import { currentCanaryStep } from './canary-steps.js';
import { canonicalJson } from '../api/canonical-json.js';
import type { RolloutEvent } from './reconcile-types.js';
import { podTemplateHashOf } from './replica-set-classification.js';
import { calculateRolloutPhase } from './rollout-phase.js';

/**
 * Argo's persistRolloutStatus and the helpers it calls (rollout/sync.go, rollout/pause.go): the
 * pause and abort fields from what the reconcile decided, the conditions, the phase, the
 * RolloutPaused/RolloutResumed events and the progress-deadline requeue. The reconcile decides
 * into a PauseDecisions value, as Argo's pauseContext collects them, and this file turns
 * decisions plus the observed status into the whole desired status.
 */

/** What one reconcile decided about pauses and aborts (Argo's pauseContext). */
export interface PauseDecisions {
  addPause: PauseReason[];
  removePause: PauseReason[];
  clearPause: boolean;
  addAbort: boolean;
  removeAbort: boolean;
  abortMessage: string;
}

export function noPauseDecisions(): PauseDecisions {
  return { addPause: [], removePause: [], clearPause: false, addAbort: false, removeAbort: false, abortMessage: '' };
}

export function isAborted(decisions: PauseDecisions, observed: RolloutStatus): boolean {
  if (decisions.removeAbort) return false;
  return decisions.addAbort || observed.abort === true;
}

/** The ReplicaSets as the status reads them. */
export interface StatusReplicaSets {
  newRS: V1ReplicaSet | undefined;
  stableRS: V1ReplicaSet | undefined;
  others: readonly V1ReplicaSet[];
  all: readonly V1ReplicaSet[];
}

export function sumStatus(replicaSets: readonly (V1ReplicaSet | undefined)[], field: 'replicas' | 'readyReplicas' | 'availableReplicas'): number {
  return replicaSets.reduce((sum, rs) => sum + (rs?.status?.[field] ?? 0), 0);
}

/** metav1.FormatLabelSelector: requirements sorted by key, `<none>` for an empty selector. */
export function formatLabelSelector(selector: LabelSelector | undefined): string {
  const requirements: { key: string; text: string }[] = [];
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) requirements.push({ key, text: `${key}=${value}` });
  for (const expression of selector?.matchExpressions ?? []) {
    const values = [...(expression.values ?? [])].sort().join(',');
    const text =
      expression.operator === 'In'
        ? `${expression.key} in (${values})`
        : expression.operator === 'NotIn'
          ? `${expression.key} notin (${values})`
          : expression.operator === 'Exists'
            ? expression.key
            : `!${expression.key}`;
    requirements.push({ key: expression.key, text });
  }
  if (requirements.length === 0) return '<none>';
  return requirements
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((requirement) => requirement.text)
    .join(',');
}

/** The status fields Argo recomputes at every reconcile (calculateBaseStatus plus the canary additions). */
export function baseCanaryStatus(rollout: Rollout, observed: RolloutStatus, replicaSets: StatusReplicaSets, stepHash: string): RolloutStatus {
  const currentPodHash = replicaSets.newRS === undefined ? '' : podTemplateHashOf(replicaSets.newRS);
  const replicas = sumStatus(replicaSets.all, 'replicas');
  const stableRS = observed.stableRS ?? '';
  return {
    ...unknownFields(observed),
    ...(observed.restartedAt === undefined ? {} : { restartedAt: observed.restartedAt }),
    ...(observed.collisionCount === undefined ? {} : { collisionCount: observed.collisionCount }),
    ...(observed.alb === undefined ? {} : { alb: observed.alb }),
    ...(observed.albs === undefined ? {} : { albs: observed.albs }),
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
    canary: { ...(observed.canary?.weights === undefined || rollout.spec.strategy?.canary?.trafficRouting === undefined ? {} : { weights: observed.canary.weights }) },
    blueGreen: {},
  };
}

const KNOWN_STATUS_FIELDS = new Set([
  'abort', 'pauseConditions', 'controllerPause', 'abortedAt', 'currentPodHash', 'currentStepHash', 'replicas', 'updatedReplicas',
  'readyReplicas', 'availableReplicas', 'currentStepIndex', 'collisionCount', 'observedGeneration', 'conditions', 'canary', 'blueGreen',
  'HPAReplicas', 'selector', 'stableRS', 'restartedAt', 'promoteFull', 'phase', 'message', 'workloadObservedGeneration', 'alb', 'albs',
]);

/** Fields some other writer (a newer Gradual, Argo's duration tracking) put there: a merge patch would leave them alone, so do we. */
function unknownFields(observed: RolloutStatus): Record<string, unknown> {
  return Object.fromEntries(Object.entries(observed).filter(([key]) => !KNOWN_STATUS_FIELDS.has(key)));
}

export interface PersistInput {
  rollout: Rollout;
  spec: RolloutSpecWithDefaults;
  replicaSets: StatusReplicaSets;
  decisions: PauseDecisions;
  now: Date;
  events: RolloutEvent[];
}

/** Argo's persistRolloutStatus for the canary: returns the whole status and when to check progress again. */
export function persistCanaryStatus(input: PersistInput, draft: RolloutStatus): { status: RolloutStatus; requeueAfterMs: number | undefined } {
  const { rollout, decisions, now } = input;
  const observed = rollout.status ?? {};
  let status: RolloutStatus = { ...draft, observedGeneration: String(rollout.metadata?.generation ?? 0) };
  evaluateProgressDeadlineAbort(input, status);
  status = calculatePauseStatus(observed, decisions, status, now);
  status = calculateRolloutConditions(input, status);
  const { phase, message } = calculateRolloutPhase(rollout.spec, status);
  status = compactStatus({ ...status, phase, message });
  if (!sameStatus(observed, status)) sendStateChangeEvents(observed, status, input.events);
  return { status, requeueAfterMs: progressRequeue(input, status) };
}

function evaluateProgressDeadlineAbort(input: PersistInput, status: RolloutStatus): void {
  const { rollout, spec, decisions, replicaSets } = input;
  if (!spec.progressDeadlineAbort || isAborted(decisions, rollout.status ?? {})) return;
  if (rolloutCompleted(status) || rolloutProgressing(rollout, status)) return;
  if (isIndefiniteStep(rollout) || waitingForScaleDown(replicaSets)) return;
  if (!rolloutTimedOut(rollout, rollout.status ?? {}, input.now)) return;
  const name = rollout.metadata?.name ?? '';
  const message = replicaSets.newRS === undefined ? MESSAGES.rolloutTimeOut(name) : MESSAGES.replicaSetTimeOut(replicaSets.newRS.metadata?.name ?? '');
  decisions.addAbort = true;
  decisions.abortMessage = message;
  input.events.push({ type: 'Warning', reason: REASONS.rolloutAborted, message });
}

/** Argo's CalculatePauseStatus: the abort fields, then the pause conditions and controllerPause. */
function calculatePauseStatus(observed: RolloutStatus, decisions: PauseDecisions, status: RolloutStatus, now: Date): RolloutStatus {
  const rest: RolloutStatus = Object.fromEntries(
    Object.entries(status).filter(([key]) => !['abort', 'abortedAt', 'pauseConditions', 'controllerPause'].includes(key)),
  );
  if (decisions.addAbort || (!decisions.removeAbort && observed.abort === true)) {
    return { ...rest, abort: true, abortedAt: observed.abortedAt ?? formatTime(now) };
  }
  // `retry` writes abort: false; Argo's status patch (a two-way merge of false over false) never removes it.
  if (observed.abort === false) rest.abort = false;
  if (decisions.clearPause) return rest;
  let controllerPause = observed.controllerPause === true;
  const kept: PauseCondition[] = [];
  const existing = new Set<string>();
  for (const condition of observed.pauseConditions ?? []) {
    if (!decisions.removePause.includes(condition.reason as PauseReason)) kept.push(condition);
    existing.add(condition.reason);
  }
  for (const reason of decisions.addPause) {
    if (!existing.has(reason)) {
      kept.push({ reason, startTime: formatTime(now) });
      controllerPause = true;
    }
  }
  if (kept.length === 0) return rest;
  return { ...rest, pauseConditions: kept, controllerPause };
}

function calculateRolloutConditions(input: PersistInput, draft: RolloutStatus): RolloutStatus {
  const { rollout, spec, decisions, replicaSets, now, events } = input;
  const observed = rollout.status ?? {};
  const name = rollout.metadata?.name ?? '';
  const newRSName = replicaSets.newRS?.metadata?.name;
  let conditions = draft.conditions ?? [];
  const set = (condition: ReturnType<typeof newCondition>): boolean => {
    const result = setCondition(conditions, condition, now);
    conditions = result.conditions;
    return result.changed;
  };
  const isPaused = (draft.pauseConditions?.length ?? 0) > 0 || spec.paused;
  const aborted = isAborted(decisions, observed);
  const healthy = rolloutHealthy(rollout, spec, draft);

  let becameUnhealthy = false;
  if (!isPaused && healthy) {
    set(newCondition(CONDITION_TYPES.healthy, 'True', REASONS.rolloutHealthy, MESSAGES.rolloutHealthy, now));
  } else if (getCondition(observed.conditions, CONDITION_TYPES.healthy) !== undefined) {
    becameUnhealthy = set(newCondition(CONDITION_TYPES.healthy, 'False', REASONS.rolloutHealthy, MESSAGES.rolloutNotHealthy, now));
  }

  const revision = revisionOfRollout(replicaSets);
  if (aborted) {
    const base = MESSAGES.rolloutAborted(revision);
    const message = decisions.abortMessage === '' ? base : `${base}: ${decisions.abortMessage}`;
    if (set(newCondition(CONDITION_TYPES.progressing, 'False', REASONS.rolloutAborted, message, now))) {
      events.push({ type: 'Warning', reason: REASONS.rolloutAborted, message });
    }
  }

  // Argo's "isHealthyRollout" shortcut compares a condition's type with Progressing after finding it by that type, so it never holds; not reproduced.
  const current = getCondition(observed.conditions, CONDITION_TYPES.progressing);
  if (!aborted) {
    if (healthy) {
      set(newCondition(CONDITION_TYPES.progressing, 'True', REASONS.newReplicaSetAvailable, MESSAGES.replicaSetCompleted(newRSName ?? ''), now));
    } else if (rolloutProgressing(rollout, draft) || becameUnhealthy) {
      let reason: string = REASONS.replicaSetUpdated;
      let message = newRSName === undefined ? MESSAGES.rolloutProgressing(name) : MESSAGES.replicaSetProgressing(newRSName);
      if (draft.stableRS === draft.currentPodHash && becameUnhealthy) {
        reason = REASONS.replicaSetNotAvailable;
        message = MESSAGES.notAvailable;
      }
      // Progress refreshes lastUpdateTime even with an unchanged reason: remove, then set.
      const condition = newCondition(CONDITION_TYPES.progressing, 'True', reason, message, now);
      if (current?.status === 'True' && current.lastTransitionTime !== undefined) condition.lastTransitionTime = current.lastTransitionTime;
      conditions = removeCondition(conditions, CONDITION_TYPES.progressing);
      set(condition);
    } else if (!isIndefiniteStep(rollout) && !waitingForScaleDown(replicaSets) && rolloutTimedOut(rollout, { ...draft, conditions }, now)) {
      const message = newRSName === undefined ? MESSAGES.rolloutTimeOut(name) : MESSAGES.replicaSetTimeOut(newRSName);
      set(newCondition(CONDITION_TYPES.progressing, 'False', REASONS.progressDeadlineExceeded, message, now));
    }
  }

  if (sumStatus(replicaSets.all, 'availableReplicas') >= spec.replicas) {
    set(newCondition(CONDITION_TYPES.available, 'True', REASONS.available, MESSAGES.available, now));
  } else {
    set(newCondition(CONDITION_TYPES.available, 'False', REASONS.available, MESSAGES.notAvailable, now));
  }

  const failure = replicaFailure(replicaSets);
  if (failure === undefined) conditions = removeCondition(conditions, CONDITION_TYPES.replicaFailure);
  else set(failure);

  if (rolloutCompleted(draft)) {
    set(newCondition(CONDITION_TYPES.completed, 'True', REASONS.rolloutCompleted, REASONS.rolloutCompleted, now));
  } else if (set(newCondition(CONDITION_TYPES.completed, 'False', REASONS.rolloutCompleted, REASONS.rolloutCompleted, now))) {
    events.push({ type: 'Normal', reason: REASONS.rolloutNotCompleted, message: MESSAGES.rolloutNotCompleted(revision, draft.currentPodHash ?? '') });
  }
  return { ...draft, conditions };
}

/** Argo's getReplicaFailures: the new ReplicaSet's ReplicaFailure condition first, else any other's. */
function replicaFailure(replicaSets: StatusReplicaSets): ReturnType<typeof newCondition> | undefined {
  const candidates = [replicaSets.newRS, ...replicaSets.all];
  for (const rs of candidates) {
    const failure = rs?.status?.conditions?.find((condition) => condition.type === 'ReplicaFailure');
    if (failure !== undefined) {
      const at: unknown = failure.lastTransitionTime;
      const time = at instanceof Date ? formatTime(at) : typeof at === 'string' ? at : undefined;
      return {
        type: CONDITION_TYPES.replicaFailure,
        status: failure.status,
        ...(failure.reason === undefined ? {} : { reason: failure.reason }),
        ...(failure.message === undefined ? {} : { message: failure.message }),
        ...(time === undefined ? {} : { lastTransitionTime: time, lastUpdateTime: time }),
      };
    }
  }
  return undefined;
}

/** The revision of the update, as the Rollout's revision annotation holds it (Argo copies it from the new ReplicaSet). */
export function revisionOfRollout(replicaSets: Pick<StatusReplicaSets, 'newRS'>): number {
  const text = replicaSets.newRS?.metadata?.annotations?.['rollout.argoproj.io/revision'];
  return text !== undefined && /^\d+$/u.test(text) ? Number(text) : 0;
}

export function rolloutCompleted(status: RolloutStatus): boolean {
  return (status.stableRS ?? '') !== '' && status.stableRS === status.currentPodHash;
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
  const stepIndexChanged = status.currentStepIndex !== undefined && old.currentStepIndex !== undefined && status.currentStepIndex !== old.currentStepIndex;
  const strategyProgress = (status.stableRS ?? '') !== (old.stableRS ?? '') || stepIndexChanged || (status.currentStepHash ?? '') !== (old.currentStepHash ?? '');
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
  return (
    (status.updatedReplicas ?? 0) !== (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0) ||
    strategyProgress
  );
}

/** Argo's RolloutTimedOut: the Progressing condition not refreshed for progressDeadlineSeconds. */
export function rolloutTimedOut(rollout: Rollout, status: RolloutStatus, now: Date): boolean {
  const condition = getCondition(status.conditions, CONDITION_TYPES.progressing);
  if (condition === undefined || condition.reason === REASONS.rolloutAborted || condition.reason === REASONS.rolloutPaused) return false;
  if (condition.reason === REASONS.progressDeadlineExceeded) return true;
  const from = Date.parse(condition.lastUpdateTime ?? '');
  if (Number.isNaN(from)) return false;
  return from + (rollout.spec.progressDeadlineSeconds ?? 600) * 1000 < now.getTime();
}

/** Argo's isIndefiniteStep: pause (and analysis/experiment) steps and a True Paused condition do not count against the deadline. */
export function isIndefiniteStep(rollout: Rollout): boolean {
  const { step } = currentCanaryStep(rollout);
  if (step !== undefined && (step.pause !== undefined || step.analysis !== undefined || step.experiment !== undefined)) return true;
  return getCondition(rollout.status?.conditions, CONDITION_TYPES.paused)?.status === 'True';
}

function waitingForScaleDown(replicaSets: StatusReplicaSets): boolean {
  return replicaSets.others.some((rs) => rs.metadata?.annotations?.['scale-down-deadline'] !== undefined);
}

/** Argo's sendStateChangeEvents, sent only when the status changed. */
function sendStateChangeEvents(previous: RolloutStatus, next: RolloutStatus, events: RolloutEvent[]): void {
  const wasPaused = (previous.pauseConditions?.length ?? 0) > 0;
  const firstPause = next.pauseConditions?.[0];
  if (wasPaused === (firstPause !== undefined)) return;
  if (firstPause !== undefined) {
    events.push({ type: 'Normal', reason: REASONS.rolloutPaused, message: `${MESSAGES.rolloutPaused} (${firstPause.reason})` });
  } else if (next.abortedAt === undefined) {
    events.push({ type: 'Normal', reason: REASONS.rolloutResumed, message: MESSAGES.rolloutResumed });
  }
}

/** Argo's requeueStuckRollout: wake up when the progress deadline would pass. */
function progressRequeue(input: PersistInput, status: RolloutStatus): number | undefined {
  const { rollout, spec, now } = input;
  const observed = rollout.status ?? {};
  const current = getCondition(observed.conditions, CONDITION_TYPES.progressing);
  if (current === undefined) return undefined;
  const isPaused = (observed.pauseConditions?.length ?? 0) > 0 || spec.paused;
  if (rolloutHealthy(rollout, spec, status) || current.reason === REASONS.progressDeadlineExceeded || isPaused || observed.abort === true || isIndefiniteStep(rollout)) {
    return undefined;
  }
  const progressing = getCondition(status.conditions, CONDITION_TYPES.progressing) ?? current;
  const last = Date.parse(progressing.lastUpdateTime ?? '');
  if (Number.isNaN(last)) return undefined;
  // Argo adds a second to stay clear of the deadline's own rounding.
  return Math.max(1000, last + spec.progressDeadlineSeconds * 1000 - now.getTime() + 1000);
}

/** Go's omitempty: zero numbers, false, empty strings and lists are not written. */
export function compactStatus(status: RolloutStatus): RolloutStatus {
  return Object.fromEntries(
    Object.entries(status).filter(([key, value]) => {
      // Go's omitempty, except a stored abort: false (retry's), which Argo's status patch leaves in place.
      if (value === undefined || (value === false && key !== 'abort') || value === '') return false;
      if (value === 0 && key !== 'currentStepIndex' && key !== 'collisionCount') return false;
      return !(Array.isArray(value) && value.length === 0);
    }),
  );
}

export function sameStatus(a: RolloutStatus, b: RolloutStatus): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
