import type { V1ReplicaSet } from '@kubernetes/client-node';
import type { BlueGreenStrategyWithDefaults, Rollout, RolloutSpecWithDefaults, RolloutStatus } from '../api/index.js';
import { isSaturated } from './blue-green-replica-sets.js';
import { CONDITION_TYPES, MESSAGES, REASONS, removeCondition } from './conditions.js';
import type { PlanCollector } from './plan-collector.js';
import type { RolloutEvent } from './reconcile-types.js';
import { podTemplateHashOf, type ReplicaSetClassification } from './replica-set-classification.js';
import {
  carriedStatusFields,
  compactStatus,
  countsProgressing,
  formatLabelSelector,
  isAborted,
  progressRequeue,
  revisionOfRollout,
  rolloutConditions,
  sameStatus,
  stateChangeEvents,
  sumStatus,
  withPauseStatus,
  type PauseDecisions,
} from './rollout-status.js';
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

/** The whole desired status, and when to check the progress deadline again (undefined: no need); its events go to the plan. */
export function syncBlueGreenStatus(
  input: BlueGreenStatusInput,
  plan: PlanCollector,
): { status: RolloutStatus; requeueAfterMs: number | undefined } {
  const { rollout, replicaSets, newRS, decisions } = input;
  const { events } = plan;
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
      events.push({
        type: 'Normal',
        reason: REASONS.rolloutCompleted,
        message: MESSAGES.rolloutCompleted(revisionOfRollout(replicaSets), currentPodHash, reason),
      });
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
    ...carriedStatusFields(observed),
    currentPodHash,
    replicas,
    updatedReplicas: newRS.status?.replicas ?? 0,
    readyReplicas: activeRS === undefined ? sumStatus(replicaSets.all, 'readyReplicas') : (activeRS.status?.readyReplicas ?? 0),
    availableReplicas: activeRS === undefined ? sumStatus(replicaSets.all, 'availableReplicas') : (activeRS.status?.availableReplicas ?? 0),
    HPAReplicas: activeRS === undefined ? replicas : (activeRS.status?.replicas ?? 0),
    selector: formatLabelSelector(
      activeRS === undefined ? rollout.spec.selector : (activeRS.spec?.selector as Parameters<typeof formatLabelSelector>[0]),
    ),
    stableRS,
    conditions: removeCondition(observed.conditions, CONDITION_TYPES.invalidSpec),
    promoteFull,
    canary: {},
    blueGreen: blueGreenStatus,
  };
  const calculated = calculateConditions(input, status, activeRS);
  events.push(...calculated.events);
  status = { ...status, conditions: calculated.conditions };
  status = { ...withPauseStatus(status, observed, decisions, input.now), observedGeneration: String(rollout.metadata?.generation ?? 0) };
  const { phase, message } = calculateRolloutPhase(rollout.spec, status);
  status = compactStatus({ ...status, phase, message });
  if (!sameStatus(observed, status)) events.push(...stateChangeEvents(observed, status));
  return { status, requeueAfterMs: progressRequeue(rollout, input.spec, status, blueGreenHealthy(rollout, input.spec, status), input.now) };
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
    (old.blueGreen?.activeSelector ?? '') !== (status.blueGreen?.activeSelector ?? '') ||
    (old.blueGreen?.previewSelector ?? '') !== (status.blueGreen?.previewSelector ?? '');
  return countsProgressing(rollout, status, selectorMoved);
}

/**
 * Argo's calculateRolloutConditions (v1.9.1) for blue-green: the shared conditions (rollout-status.ts) with
 * blue-green's RolloutHealthy, RolloutProgressing and Available (the active ReplicaSet saturated), computed
 * before the pause fields as v1.9.1 does; progressDeadlineAbort aborts as the deadline passes.
 */
function calculateConditions(
  input: BlueGreenStatusInput,
  draft: RolloutStatus,
  activeRS: V1ReplicaSet | undefined,
): { conditions: RolloutStatus['conditions']; events: RolloutEvent[] } {
  const { rollout, spec, decisions, replicaSets, now, newRS } = input;
  const observed = rollout.status ?? {};
  return rolloutConditions(
    {
      rollout,
      spec,
      decisions,
      replicaSets: { newRS, stableRS: replicaSets.stableRS, others: replicaSets.others, all: replicaSets.all },
      now,
      isPaused: (observed.pauseConditions?.length ?? 0) > 0 || spec.paused,
      healthy: blueGreenHealthy(rollout, spec, draft),
      progressing: blueGreenProgressing(rollout, draft),
      available: isSaturated(spec, activeRS),
      onProgressDeadlineExceeded(message, changed) {
        if (!spec.progressDeadlineAbort || (!changed && isAborted(decisions, observed))) return [];
        decisions.addAbort = true;
        decisions.abortMessage = message;
        return [{ type: 'Warning', reason: REASONS.rolloutAborted, message }];
      },
    },
    draft,
  );
}
