import type { RolloutPhase } from '../api/index.js';
import { CONDITION_TYPES, REASONS } from './conditions.js';

export interface PhaseAndMessage {
  phase: RolloutPhase;
  message: string;
}

/*
 * The parts of a Rollout's spec and status the phase reads, loosely typed so
 * that both the engine's validated Rollout and a client's unchecked object
 * (the read model of src/rollout-view/, the CLI, the bot's report) pass: one
 * calculation for both, as in Argo, where the controller and the plugin share
 * utils/rollout/rolloututil.go.
 */
export interface PhaseSpec {
  replicas?: number | undefined;
  paused?: boolean | undefined;
  restartAt?: string | undefined;
  strategy?:
    | {
        blueGreen?: { postPromotionAnalysis?: unknown } | undefined;
        canary?: { trafficRouting?: unknown } | undefined;
      }
    | undefined;
}

export interface PhaseStatus {
  conditions?: readonly { type: string; reason?: string | undefined; message?: string | undefined }[] | null | undefined;
  pauseConditions?: readonly { reason: string }[] | null | undefined;
  restartedAt?: string | undefined;
  replicas?: number | undefined;
  updatedReplicas?: number | undefined;
  availableReplicas?: number | undefined;
  stableRS?: string | undefined;
  currentPodHash?: string | undefined;
  blueGreen?:
    { activeSelector?: string | undefined; postPromotionAnalysisRunStatus?: { status?: string | undefined } | undefined } | undefined;
}

/** Argo's AnalysisPhase.Completed(). */
const COMPLETED_ANALYSIS = new Set(['Successful', 'Failed', 'Error', 'Inconclusive']);

/** Argo's waitingForBlueGreenPostPromotionAnalysis: a post-promotion analysis is set and its run has not completed. */
function waitingForPostPromotionAnalysis(spec: PhaseSpec, status: PhaseStatus): boolean {
  if (spec.strategy?.blueGreen?.postPromotionAnalysis === undefined) return false;
  const run = status.blueGreen?.postPromotionAnalysisRunStatus?.status;
  return run === undefined || !COMPLETED_ANALYSIS.has(run);
}

/**
 * Argo's CalculateRolloutPhase (utils/rollout/rolloututil.go, v1.9.1): the phase and message the
 * controller writes to the status, which Argo CD's health check shows (Paused as Suspended), and
 * which a client computes itself for an object without status.phase. The order of the checks is
 * Argo's and matters: an invalid spec, an abort or a timeout wins over a pause, a pause over
 * replica counts. Messages are Argo's words exactly, because Argo CD and users' alerts match them.
 */
export function calculateRolloutPhase(spec: PhaseSpec, status: PhaseStatus): PhaseAndMessage {
  for (const condition of status.conditions ?? []) {
    if (condition.type === CONDITION_TYPES.invalidSpec) {
      return { phase: 'Degraded', message: `${CONDITION_TYPES.invalidSpec}: ${condition.message ?? ''}` };
    }
    if (condition.reason === REASONS.rolloutAborted || condition.reason === REASONS.progressDeadlineExceeded) {
      return { phase: 'Degraded', message: `${condition.reason}: ${condition.message ?? ''}` };
    }
  }
  if (spec.paused === true) {
    return { phase: 'Paused', message: 'manually paused' };
  }
  const firstPause = status.pauseConditions?.[0];
  if (firstPause !== undefined) {
    return { phase: 'Paused', message: firstPause.reason };
  }
  if (spec.restartAt !== undefined && (status.restartedAt === undefined || Date.parse(spec.restartAt) !== Date.parse(status.restartedAt))) {
    return { phase: 'Progressing', message: 'rollout is restarting' };
  }
  const updated = status.updatedReplicas ?? 0;
  if (updated < (spec.replicas ?? 1)) {
    return { phase: 'Progressing', message: 'more replicas need to be updated' };
  }
  if ((status.availableReplicas ?? 0) < updated) {
    return { phase: 'Progressing', message: 'updated replicas are still becoming available' };
  }
  const stableRS = status.stableRS ?? '';
  const fullyPromoted = stableRS === (status.currentPodHash ?? '');
  if (spec.strategy?.blueGreen !== undefined) {
    const active = status.blueGreen?.activeSelector ?? '';
    if (active === '' || active !== (status.currentPodHash ?? '')) {
      return { phase: 'Progressing', message: 'active service cutover pending' };
    }
    if (stableRS === '' || !fullyPromoted) {
      // The active selector already names the new ReplicaSet, which is not yet stable: either the
      // post-promotion analysis is still running, or the post-promotion verification is.
      if (waitingForPostPromotionAnalysis(spec, status)) return { phase: 'Progressing', message: 'waiting for analysis to complete' };
      return { phase: 'Progressing', message: 'waiting for post-promotion verification to complete' };
    }
  } else if (spec.strategy?.canary !== undefined) {
    if (spec.strategy.canary.trafficRouting === undefined && (status.replicas ?? 0) > updated) {
      return { phase: 'Progressing', message: 'old replicas are pending termination' };
    }
    if (stableRS === '' || !fullyPromoted) {
      return { phase: 'Progressing', message: 'waiting for all steps to complete' };
    }
  }
  return { phase: 'Healthy', message: '' };
}
