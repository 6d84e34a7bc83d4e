import type { RolloutPhase, RolloutSpec, RolloutStatus } from '../api/index.js';
import { CONDITION_TYPES, REASONS } from './conditions.js';

export interface PhaseAndMessage {
  phase: RolloutPhase;
  message: string;
}

/**
 * Argo's CalculateRolloutPhase (utils/rollout/rolloututil.go): the phase and message written to
 * the status, which Argo CD's health check shows (Paused as Suspended). The order of the checks
 * is Argo's and matters: an invalid spec, an abort or a timeout wins over a pause, a pause over
 * replica counts. Messages are Argo's words exactly, because Argo CD and users' alerts match them.
 */
export function calculateRolloutPhase(spec: RolloutSpec, status: RolloutStatus): PhaseAndMessage {
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
