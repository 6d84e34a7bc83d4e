import type { V1ReplicaSet } from '@kubernetes/client-node';
import type { BlueGreenStrategyWithDefaults, PauseCondition, Rollout, RolloutCondition, RolloutSpecWithDefaults, RolloutStatus } from '../api/index.js';
import { SCALE_DOWN_DEADLINE_ANNOTATION } from '../api/argo-labels.js';
import { isSaturated } from './blue-green-replica-sets.js';
import {
  compactStatus,
  formatLabelSelector,
  isAborted,
  isIndefiniteStep,
  revisionOfRollout,
  rolloutCompleted,
  rolloutTimedOut,
  sameStatus,
  sumStatus,
  type PauseDecisions,
} from './canary-status.js';
import { CONDITION_TYPES, MESSAGES, REASONS, formatTime, getCondition, newCondition, removeCondition, setCondition } from './conditions.js';
import type { RolloutEvent } from './reconcile-types.js';
import { podTemplateHashOf, type ReplicaSetClassification } from './replica-set-classification.js';
import { calculateRolloutPhase } from './rollout-phase.js';

/**
 * Argo's syncRolloutStatusBlueGreen, calculateRolloutConditions and persistRolloutStatus for
 * the blue-green strategy (rollout/bluegreen.go, rollout/sync.go, v1.9.1): the selectors the
 * Services hold after this reconcile's writes, promotion of the new ReplicaSet to stable once
 * the active Service selects it, the preview scale-up checkpoint, the counts of the active
 * ReplicaSet, the conditions (computed before the pause fields, as v1.9.1 does), the pause and
 * abort fields, the phase and the state-change events.
 */

export interface BlueGreenStatusInput {
  rollout: Rollout;
  spec: RolloutSpecWithDefaults;
  blueGreen: BlueGreenStrategyWithDefaults;
  replicaSets: ReplicaSetClassification;
  newRS: V1ReplicaSet;
  decisions: PauseDecisions;
  now: Date;
  events: RolloutEvent[];
  /** What the preview Service selects after this reconcile ('' without one). */
  previewSelector: string;
  /** What the active Service selects after this reconcile. */
  activeSelector: string;
  /** Argo's CheckPodSpecChange: the template changed since status.currentPodHash was recorded. */
  podSpecChanged: boolean;
  /** Argo's CompletedBlueGreenPause, as decided in this reconcile. */
  completedPause: boolean;
  /** A rollback within spec.rollbackWindow: like a full promotion, it is never paused or aborted. */
  rollbackWithinWindow: boolean;
  /** Argo's completedPrePromotionAnalysis (true without pre-promotion analysis). */
  completedPrePromotion?: boolean;
  /** Whether the current post-promotion run succeeded; undefined without post-promotion analysis. */
  postPromotionSucceeded?: boolean | undefined;
  /** The current runs' entries for status.blueGreen. */
  prePromotionRun?: { name: string; status: string; message?: string } | undefined;
  postPromotionRun?: { name: string; status: string; message?: string } | undefined;
}

const KNOWN_STATUS_FIELDS = new Set([
  'abort', 'pauseConditions', 'controllerPause', 'abortedAt', 'currentPodHash', 'currentStepHash', 'replicas', 'updatedReplicas',
  'readyReplicas', 'availableReplicas', 'currentStepIndex', 'collisionCount', 'observedGeneration', 'conditions', 'canary', 'blueGreen',
  'HPAReplicas', 'selector', 'stableRS', 'restartedAt', 'promoteFull', 'phase', 'message', 'workloadObservedGeneration', 'alb', 'albs',
]);

/** The whole desired status, and when to check the progress deadline again (undefined: no need). */
export function syncBlueGreenStatus(input: BlueGreenStatusInput): { status: RolloutStatus; requeueAfterMs: number | undefined } {
  const { rollout, replicaSets, newRS, decisions, events } = input;
  const observed = rollout.status ?? {};
  const currentPodHash = podTemplateHashOf(newRS);
  let promoteFull = observed.promoteFull === true;
  let checkPoint = observed.blueGreen?.scaleUpPreviewCheckPoint === true;
  if (input.podSpecChanged) {
    decisions.clearPause = true;
    decisions.removeAbort = true;
    promoteFull = false;
    checkPoint = false;
  }
  if (observed.promoteFull === true || input.rollbackWithinWindow) {
    decisions.clearPause = true;
    decisions.removeAbort = true;
  }
  let stableRS = observed.stableRS ?? '';
  const reason = fullPromotionReason(input, currentPodHash);
  if (reason === undefined) {
    checkPoint = scaleUpPreviewCheckPoint(input, checkPoint);
  } else {
    decisions.clearPause = true;
    decisions.removeAbort = true;
    promoteFull = false;
    checkPoint = false;
    if (stableRS !== currentPodHash) {
      stableRS = currentPodHash;
      events.push({ type: 'Normal', reason: REASONS.rolloutCompleted, message: MESSAGES.rolloutCompleted(revisionOfRollout(replicaSets), currentPodHash, reason) });
    }
  }

  const activeRS = input.activeSelector === '' ? undefined : replicaSets.all.find((rs) => podTemplateHashOf(rs) === input.activeSelector);
  const replicas = sumStatus(replicaSets.all, 'replicas');
  const blueGreenStatus: NonNullable<RolloutStatus['blueGreen']> = {};
  if (input.previewSelector !== '') blueGreenStatus.previewSelector = input.previewSelector;
  if (input.activeSelector !== '') blueGreenStatus.activeSelector = input.activeSelector;
  if (checkPoint) blueGreenStatus.scaleUpPreviewCheckPoint = true;
  if (input.prePromotionRun !== undefined) blueGreenStatus.prePromotionAnalysisRunStatus = input.prePromotionRun;
  if (input.postPromotionRun !== undefined) blueGreenStatus.postPromotionAnalysisRunStatus = input.postPromotionRun;
  let status: RolloutStatus = {
    ...Object.fromEntries(Object.entries(observed).filter(([key]) => !KNOWN_STATUS_FIELDS.has(key))),
    ...(observed.restartedAt === undefined ? {} : { restartedAt: observed.restartedAt }),
    ...(observed.collisionCount === undefined ? {} : { collisionCount: observed.collisionCount }),
    ...(observed.alb === undefined ? {} : { alb: observed.alb }),
    ...(observed.albs === undefined ? {} : { albs: observed.albs }),
    currentPodHash,
    replicas,
    updatedReplicas: newRS.status?.replicas ?? 0,
    readyReplicas: activeRS === undefined ? sumStatus(replicaSets.all, 'readyReplicas') : (activeRS.status?.readyReplicas ?? 0),
    availableReplicas: activeRS === undefined ? sumStatus(replicaSets.all, 'availableReplicas') : (activeRS.status?.availableReplicas ?? 0),
    HPAReplicas: activeRS === undefined ? replicas : (activeRS.status?.replicas ?? 0),
    selector: formatLabelSelector(activeRS === undefined ? rollout.spec.selector : (activeRS.spec?.selector as Parameters<typeof formatLabelSelector>[0])),
    stableRS,
    conditions: removeCondition(observed.conditions, CONDITION_TYPES.invalidSpec),
    promoteFull,
    canary: {},
    blueGreen: blueGreenStatus,
  };
  status = calculateConditions(input, status, activeRS);
  status = { ...status, ...pauseFields(observed, decisions, input.now), observedGeneration: String(rollout.metadata?.generation ?? 0) };
  const { phase, message } = calculateRolloutPhase(rollout.spec, status);
  status = compactStatus({ ...status, phase, message });
  if (!sameStatus(observed, status)) sendStateChangeEvents(observed, status, events);
  return { status, requeueAfterMs: progressRequeue(input, status) };
}

/** Argo's shouldFullPromote for blue-green (target verification is ALB-only and refused by validation; Argo's blue-green ignores rollback windows here). */
function fullPromotionReason(input: BlueGreenStatusInput, currentPodHash: string): string | undefined {
  const observed = input.rollout.status ?? {};
  if (input.replicaSets.stableRS === undefined) return 'Initial deploy';
  // The active Service selects nothing yet: the first revision must become stable before the Service can follow it.
  if (input.activeSelector === '') return 'Initial deploy';
  if (input.activeSelector !== currentPodHash) return undefined;
  if (observed.promoteFull === true) return 'Full promotion requested';
  if (isAborted(input.decisions, observed)) return undefined;
  // Post-promotion analysis must succeed before the new ReplicaSet is stable; its failure switches back.
  if (input.postPromotionSucceeded === false) return undefined;
  return 'Completed blue-green update';
}

/** Argo's calculateScaleUpPreviewCheckPoint: a one-way switch once the paused preview is fully available at previewReplicaCount. */
function scaleUpPreviewCheckPoint(input: BlueGreenStatusInput, previous: boolean): boolean {
  const count = input.blueGreen.previewReplicaCount;
  if (count === undefined) return false;
  if (previous) return true;
  if (!input.completedPause || input.completedPrePromotion === false) return false;
  return count === (input.newRS.status?.availableReplicas ?? 0);
}

/** Argo's RolloutHealthy for blue-green. */
export function blueGreenHealthy(rollout: Rollout, spec: RolloutSpecWithDefaults, status: RolloutStatus): boolean {
  const current = status.currentPodHash ?? '';
  const activeComplete = (status.blueGreen?.activeSelector ?? '') === current;
  const previewComplete = (spec.strategy.blueGreen?.previewService ?? '') === '' || (status.blueGreen?.previewSelector ?? '') === current;
  return (
    (status.updatedReplicas ?? 0) === spec.replicas &&
    (status.availableReplicas ?? 0) === spec.replicas &&
    rollout.status?.observedGeneration === String(rollout.metadata?.generation ?? 0) &&
    activeComplete &&
    previewComplete
  );
}

/** Argo's RolloutProgressing for blue-green: the counts or either selector moved. */
function blueGreenProgressing(rollout: Rollout, status: RolloutStatus): boolean {
  const old = rollout.status ?? {};
  const selectorMoved =
    (old.blueGreen?.activeSelector ?? '') !== (status.blueGreen?.activeSelector ?? '') || (old.blueGreen?.previewSelector ?? '') !== (status.blueGreen?.previewSelector ?? '');
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
  return (
    (status.updatedReplicas ?? 0) !== (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0) ||
    selectorMoved
  );
}

function waitingForScaleDown(replicaSets: ReplicaSetClassification): boolean {
  return replicaSets.others.some((rs) => (rs.metadata?.annotations?.[SCALE_DOWN_DEADLINE_ANNOTATION] ?? '') !== '');
}

/** Argo's calculateRolloutConditions (v1.9.1) for blue-green. */
function calculateConditions(input: BlueGreenStatusInput, draft: RolloutStatus, activeRS: V1ReplicaSet | undefined): RolloutStatus {
  const { rollout, spec, decisions, replicaSets, now, events, newRS } = input;
  const observed = rollout.status ?? {};
  const newRSName = newRS.metadata?.name ?? '';
  let conditions = draft.conditions ?? [];
  const set = (condition: RolloutCondition): boolean => {
    const result = setCondition(conditions, condition, now);
    conditions = result.conditions;
    return result.changed;
  };
  const isPaused = (observed.pauseConditions?.length ?? 0) > 0 || spec.paused;
  const aborted = isAborted(decisions, observed);
  const healthy = blueGreenHealthy(rollout, spec, draft);

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

  const current = getCondition(observed.conditions, CONDITION_TYPES.progressing);
  if (!aborted) {
    if (healthy) {
      set(newCondition(CONDITION_TYPES.progressing, 'True', REASONS.newReplicaSetAvailable, MESSAGES.replicaSetCompleted(newRSName), now));
    } else if (blueGreenProgressing(rollout, draft) || becameUnhealthy) {
      let reason: string = REASONS.replicaSetUpdated;
      let message = MESSAGES.replicaSetProgressing(newRSName);
      if (draft.stableRS === draft.currentPodHash && becameUnhealthy) {
        reason = REASONS.replicaSetNotAvailable;
        message = MESSAGES.notAvailable;
      }
      const condition = newCondition(CONDITION_TYPES.progressing, 'True', reason, message, now);
      if (current?.status === 'True' && current.lastTransitionTime !== undefined) condition.lastTransitionTime = current.lastTransitionTime;
      conditions = removeCondition(conditions, CONDITION_TYPES.progressing);
      set(condition);
    } else if (!isIndefiniteStep(rollout) && !waitingForScaleDown(replicaSets) && rolloutTimedOut(rollout, { ...draft, conditions }, now)) {
      const message = MESSAGES.replicaSetTimeOut(newRSName);
      const changed = set(newCondition(CONDITION_TYPES.progressing, 'False', REASONS.progressDeadlineExceeded, message, now));
      if (spec.progressDeadlineAbort && (changed || !isAborted(decisions, observed))) {
        decisions.addAbort = true;
        decisions.abortMessage = message;
        events.push({ type: 'Warning', reason: REASONS.rolloutAborted, message });
      }
    }
  }

  if (isSaturated(spec, activeRS)) {
    set(newCondition(CONDITION_TYPES.available, 'True', REASONS.available, MESSAGES.available, now));
  } else {
    set(newCondition(CONDITION_TYPES.available, 'False', REASONS.available, MESSAGES.notAvailable, now));
  }

  const failure = replicaFailure(replicaSets, newRS);
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
function replicaFailure(replicaSets: ReplicaSetClassification, newRS: V1ReplicaSet): RolloutCondition | undefined {
  for (const rs of [newRS, ...replicaSets.all]) {
    const failure = rs.status?.conditions?.find((condition) => condition.type === 'ReplicaFailure');
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

/** Argo's CalculatePauseStatus: the abort fields, else the pause conditions and controllerPause. */
function pauseFields(observed: RolloutStatus, decisions: PauseDecisions, now: Date): Pick<RolloutStatus, 'abort' | 'abortedAt' | 'pauseConditions' | 'controllerPause'> {
  if (decisions.addAbort || (!decisions.removeAbort && observed.abort === true)) {
    return { abort: true, abortedAt: observed.abortedAt ?? formatTime(now) };
  }
  // `retry` writes abort: false; Argo's status patch (a two-way merge of false over false) never removes it.
  const keptAbort: Pick<RolloutStatus, 'abort'> = observed.abort === false ? { abort: false } : {};
  if (decisions.clearPause) return keptAbort;
  let controllerPause = observed.controllerPause === true;
  const kept: PauseCondition[] = [];
  const existing = new Set<string>();
  for (const condition of observed.pauseConditions ?? []) {
    if (!decisions.removePause.includes(condition.reason as PauseDecisions['removePause'][number])) kept.push(condition);
    existing.add(condition.reason);
  }
  for (const reason of decisions.addPause) {
    if (!existing.has(reason)) {
      kept.push({ reason, startTime: formatTime(now) });
      controllerPause = true;
    }
  }
  if (kept.length === 0) return keptAbort;
  return { ...keptAbort, pauseConditions: kept, controllerPause };
}

/** Argo's sendStateChangeEvents. */
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
function progressRequeue(input: BlueGreenStatusInput, status: RolloutStatus): number | undefined {
  const { rollout, spec, now } = input;
  const observed = rollout.status ?? {};
  const current = getCondition(observed.conditions, CONDITION_TYPES.progressing);
  if (current === undefined) return undefined;
  const isPaused = (observed.pauseConditions?.length ?? 0) > 0 || spec.paused;
  if (blueGreenHealthy(rollout, spec, status) || current.reason === REASONS.progressDeadlineExceeded || isPaused || observed.abort === true || isIndefiniteStep(rollout)) {
    return undefined;
  }
  const progressing = getCondition(status.conditions, CONDITION_TYPES.progressing) ?? current;
  const last = Date.parse(progressing.lastUpdateTime ?? '');
  if (Number.isNaN(last)) return undefined;
  return Math.max(1000, last + spec.progressDeadlineSeconds * 1000 - now.getTime() + 1000);
}
