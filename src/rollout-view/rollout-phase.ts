import type { RolloutObject } from './types.js';

export interface PhaseAndMessage {
  phase: string;
  message: string;
}

/*
 * The phase a client shows, as Argo's GetRolloutPhase (utils/rollout/
 * rolloututil.go) computes it for the plugin's status, get and list: the
 * controller's status.phase, except while the controller has not yet seen the
 * newest spec or an unpause; an object with no phase (written by a pre-1.0
 * controller, or by nobody yet) gets Argo's client-side calculation.
 */

function generationObserved(rollout: RolloutObject): boolean {
  const text = rollout.status?.observedGeneration;
  // A pre-0.10 controller wrote a hash here, which says nothing about generations.
  if (text === undefined || !/^\d+$/u.test(text)) return true;
  const observed = Number(text);
  const generation = rollout.metadata.generation ?? 0;
  return observed >= generation;
}

function workloadGenerationObserved(rollout: RolloutObject): boolean {
  const annotation = rollout.metadata.annotations?.['rollout.argoproj.io/workload-generation'];
  const observed = rollout.status?.workloadObservedGeneration;
  if (annotation === undefined || observed === undefined || !/^-?\d+$/u.test(observed)) return true;
  return Number(observed) === Number(annotation);
}

export function rolloutPhase(rollout: RolloutObject): PhaseAndMessage {
  if (!generationObserved(rollout)) return { phase: 'Progressing', message: 'waiting for rollout spec update to be observed' };
  // The controller paused and a person (promote) cleared the conditions; the controller has yet to react.
  if (rollout.status?.controllerPause === true && (rollout.status.pauseConditions ?? []).length === 0) {
    return { phase: 'Progressing', message: 'waiting for rollout to unpause' };
  }
  if (rollout.spec?.workloadRef !== undefined && !workloadGenerationObserved(rollout)) {
    return { phase: 'Progressing', message: 'waiting for rollout spec update to be observed for the reference workload' };
  }
  const phase = rollout.status?.phase;
  if (phase !== undefined && phase !== '') return { phase, message: rollout.status?.message ?? '' };
  return calculatedPhase(rollout);
}

/** Argo's CalculateRolloutPhase, for objects without status.phase. */
export function calculatedPhase(rollout: RolloutObject): PhaseAndMessage {
  const spec = rollout.spec ?? {};
  const status = rollout.status ?? {};
  for (const condition of status.conditions ?? []) {
    if (condition.type === 'InvalidSpec') return { phase: 'Degraded', message: `InvalidSpec: ${condition.message ?? ''}` };
    if (condition.reason === 'RolloutAborted' || condition.reason === 'ProgressDeadlineExceeded') {
      return { phase: 'Degraded', message: `${condition.reason}: ${condition.message ?? ''}` };
    }
  }
  if (spec.paused === true) return { phase: 'Paused', message: 'manually paused' };
  const firstPause = status.pauseConditions?.[0];
  if (firstPause !== undefined) return { phase: 'Paused', message: firstPause.reason };
  if (spec.restartAt !== undefined && (status.restartedAt === undefined || Date.parse(spec.restartAt) !== Date.parse(status.restartedAt))) {
    return { phase: 'Progressing', message: 'rollout is restarting' };
  }
  const updated = status.updatedReplicas ?? 0;
  if (updated < (spec.replicas ?? 1)) return { phase: 'Progressing', message: 'more replicas need to be updated' };
  if ((status.availableReplicas ?? 0) < updated) return { phase: 'Progressing', message: 'updated replicas are still becoming available' };
  const fullyPromoted = status.stableRS !== undefined && status.stableRS !== '' && status.stableRS === status.currentPodHash;
  const blueGreen = spec.strategy?.blueGreen;
  const canary = spec.strategy?.canary;
  if (blueGreen !== undefined) {
    const active = status.blueGreen?.activeSelector ?? '';
    if (active === '' || active !== (status.currentPodHash ?? '')) return { phase: 'Progressing', message: 'active service cutover pending' };
    if (!fullyPromoted) {
      const postPromotion = status.blueGreen?.postPromotionAnalysisRunStatus?.status;
      const completed = postPromotion !== undefined && ['Successful', 'Failed', 'Error', 'Inconclusive'].includes(postPromotion);
      if (blueGreen.postPromotionAnalysis !== undefined && !completed) return { phase: 'Progressing', message: 'waiting for analysis to complete' };
      return { phase: 'Progressing', message: 'waiting for post-promotion verification to complete' };
    }
  } else if (canary !== undefined) {
    if (canary.trafficRouting === undefined && (status.replicas ?? 0) > updated) return { phase: 'Progressing', message: 'old replicas are pending termination' };
    if (!fullyPromoted) return { phase: 'Progressing', message: 'waiting for all steps to complete' };
  }
  return { phase: 'Healthy', message: '' };
}
