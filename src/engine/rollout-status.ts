import type { V1ReplicaSet } from '@kubernetes/client-node';
import type {
  LabelSelector,
  PauseCondition,
  PauseReason,
  Rollout,
  RolloutCondition,
  RolloutSpecWithDefaults,
  RolloutStatus,
} from '../api/index.js';
import { SCALE_DOWN_DEADLINE_ANNOTATION } from '../api/argo-labels.js';
import { currentCanaryStep } from './canary-steps.js';
import { CONDITION_TYPES, MESSAGES, REASONS, formatTime, getCondition, newCondition, removeCondition, setCondition } from './conditions.js';
import { canonicalJson } from '../api/canonical-json.js';
import type { RolloutEvent } from './reconcile-types.js';

/**
 * The status both strategies compute the same way, once (Argo's rollout/sync.go and pause.go,
 * which both syncRolloutStatusCanary and syncRolloutStatusBlueGreen call): the pause and abort
 * fields from what the reconcile decided, the conditions, the state-change events and the
 * progress-deadline requeue. What differs by strategy (healthy, progressing, available, the
 * status counts) is computed by canary-status.ts and blue-green-status.ts and passed in.
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

export function sumStatus(
  replicaSets: readonly (V1ReplicaSet | undefined)[],
  field: 'replicas' | 'readyReplicas' | 'availableReplicas',
): number {
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

const KNOWN_STATUS_FIELDS = new Set([
  'abort',
  'pauseConditions',
  'controllerPause',
  'abortedAt',
  'currentPodHash',
  'currentStepHash',
  'replicas',
  'updatedReplicas',
  'readyReplicas',
  'availableReplicas',
  'currentStepIndex',
  'collisionCount',
  'observedGeneration',
  'conditions',
  'canary',
  'blueGreen',
  'HPAReplicas',
  'selector',
  'stableRS',
  'restartedAt',
  'promoteFull',
  'phase',
  'message',
  'workloadObservedGeneration',
  'alb',
  'albs',
]);

/**
 * The observed fields every reconcile carries over as they are: the ones some other writer (a newer Gradual, Argo's
 * duration tracking) put there — a merge patch would leave them alone, so do we — and restartedAt, collisionCount and
 * the ALB status, which no step of the strategies recomputes.
 */
export function carriedStatusFields(observed: RolloutStatus): RolloutStatus {
  return {
    ...Object.fromEntries(Object.entries(observed).filter(([key]) => !KNOWN_STATUS_FIELDS.has(key))),
    ...(observed.restartedAt === undefined ? {} : { restartedAt: observed.restartedAt }),
    ...(observed.collisionCount === undefined ? {} : { collisionCount: observed.collisionCount }),
    ...(observed.alb === undefined ? {} : { alb: observed.alb }),
    ...(observed.albs === undefined ? {} : { albs: observed.albs }),
  };
}

/** Argo's CalculatePauseStatus: the abort fields, else the pause conditions and controllerPause, in place of the draft's. */
export function withPauseStatus(status: RolloutStatus, observed: RolloutStatus, decisions: PauseDecisions, now: Date): RolloutStatus {
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

/** What the strategy knows that the shared conditions depend on. */
export interface ConditionsInput {
  rollout: Rollout;
  spec: RolloutSpecWithDefaults;
  decisions: PauseDecisions;
  replicaSets: StatusReplicaSets;
  now: Date;
  /** Whether the Rollout counts as paused (the canary reads the new pause fields, blue-green the observed ones, as v1.9.1). */
  isPaused: boolean;
  /** The strategy's RolloutHealthy and RolloutProgressing on the draft, and its Available. */
  healthy: boolean;
  progressing: boolean;
  available: boolean;
  /**
   * Called when the progress deadline passes (the Progressing condition set to ProgressDeadlineExceeded; `changed`
   * when it was not already): the Events to record right then (blue-green's progressDeadlineAbort).
   */
  onProgressDeadlineExceeded?: (message: string, changed: boolean) => RolloutEvent[];
}

/** Argo's calculateRolloutConditions (v1.9.1): the conditions of the draft, and the Events their changes record. */
export function rolloutConditions(
  input: ConditionsInput,
  draft: RolloutStatus,
): { conditions: RolloutCondition[]; events: RolloutEvent[] } {
  const { rollout, decisions, replicaSets, now, isPaused, healthy } = input;
  const observed = rollout.status ?? {};
  const name = rollout.metadata?.name ?? '';
  const newRSName = replicaSets.newRS?.metadata?.name;
  const events: RolloutEvent[] = [];
  let conditions = draft.conditions ?? [];
  const set = (condition: RolloutCondition): boolean => {
    const result = setCondition(conditions, condition, now);
    conditions = result.conditions;
    return result.changed;
  };
  const aborted = isAborted(decisions, observed);

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
      set(
        newCondition(
          CONDITION_TYPES.progressing,
          'True',
          REASONS.newReplicaSetAvailable,
          MESSAGES.replicaSetCompleted(newRSName ?? ''),
          now,
        ),
      );
    } else if (input.progressing || becameUnhealthy) {
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
      const changed = set(newCondition(CONDITION_TYPES.progressing, 'False', REASONS.progressDeadlineExceeded, message, now));
      events.push(...(input.onProgressDeadlineExceeded?.(message, changed) ?? []));
    }
  }

  if (input.available) set(newCondition(CONDITION_TYPES.available, 'True', REASONS.available, MESSAGES.available, now));
  else set(newCondition(CONDITION_TYPES.available, 'False', REASONS.available, MESSAGES.notAvailable, now));

  const failure = replicaFailure(replicaSets);
  if (failure === undefined) conditions = removeCondition(conditions, CONDITION_TYPES.replicaFailure);
  else set(failure);

  if (rolloutCompleted(draft)) {
    set(newCondition(CONDITION_TYPES.completed, 'True', REASONS.rolloutCompleted, REASONS.rolloutCompleted, now));
  } else if (set(newCondition(CONDITION_TYPES.completed, 'False', REASONS.rolloutCompleted, REASONS.rolloutCompleted, now))) {
    events.push({
      type: 'Normal',
      reason: REASONS.rolloutNotCompleted,
      message: MESSAGES.rolloutNotCompleted(revision, draft.currentPodHash ?? ''),
    });
  }
  return { conditions, events };
}

/** Argo's getReplicaFailures: the new ReplicaSet's ReplicaFailure condition first, else any other's. */
function replicaFailure(replicaSets: StatusReplicaSets): RolloutCondition | undefined {
  for (const rs of [replicaSets.newRS, ...replicaSets.all]) {
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

/**
 * Argo's RolloutProgressing: the counts moved since the observed status (more updated, fewer old, more ready or
 * available), or the strategy's own progress (`strategyMoved`: the canary's stable hash, step or step hash; the
 * blue-green selectors).
 */
export function countsProgressing(rollout: Rollout, status: RolloutStatus, strategyMoved: boolean): boolean {
  const old = rollout.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
  return (
    (status.updatedReplicas ?? 0) !== (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0) ||
    strategyMoved
  );
}

/** The revision of the update, as the Rollout's revision annotation holds it (Argo copies it from the new ReplicaSet). */
export function revisionOfRollout(replicaSets: Pick<StatusReplicaSets, 'newRS'>): number {
  const text = replicaSets.newRS?.metadata?.annotations?.['rollout.argoproj.io/revision'];
  return text !== undefined && /^\d+$/u.test(text) ? Number(text) : 0;
}

export function rolloutCompleted(status: RolloutStatus): boolean {
  return (status.stableRS ?? '') !== '' && status.stableRS === status.currentPodHash;
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

/** Argo's HasScaleDownDeadline over the older ReplicaSets: the annotation set and not empty. */
export function waitingForScaleDown(replicaSets: Pick<StatusReplicaSets, 'others'>): boolean {
  return replicaSets.others.some((rs) => (rs.metadata?.annotations?.[SCALE_DOWN_DEADLINE_ANNOTATION] ?? '') !== '');
}

/** Argo's sendStateChangeEvents, for a status that changed. */
export function stateChangeEvents(previous: RolloutStatus, next: RolloutStatus): RolloutEvent[] {
  const wasPaused = (previous.pauseConditions?.length ?? 0) > 0;
  const firstPause = next.pauseConditions?.[0];
  if (wasPaused === (firstPause !== undefined)) return [];
  if (firstPause !== undefined)
    return [{ type: 'Normal', reason: REASONS.rolloutPaused, message: `${MESSAGES.rolloutPaused} (${firstPause.reason})` }];
  if (next.abortedAt === undefined) return [{ type: 'Normal', reason: REASONS.rolloutResumed, message: MESSAGES.rolloutResumed }];
  return [];
}

/** Argo's requeueStuckRollout: when the progress deadline would pass, unless healthy (by the strategy's RolloutHealthy), paused, aborted or waiting indefinitely. */
export function progressRequeue(
  rollout: Rollout,
  spec: RolloutSpecWithDefaults,
  status: RolloutStatus,
  healthy: boolean,
  now: Date,
): number | undefined {
  const observed = rollout.status ?? {};
  const current = getCondition(observed.conditions, CONDITION_TYPES.progressing);
  if (current === undefined) return undefined;
  const isPaused = (observed.pauseConditions?.length ?? 0) > 0 || spec.paused;
  if (healthy || current.reason === REASONS.progressDeadlineExceeded || isPaused || observed.abort === true || isIndefiniteStep(rollout))
    return undefined;
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
