import { calculateRolloutPhase } from '../engine/rollout-phase.js';
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
 * controller, or by nobody yet) gets the calculation the engine writes
 * (Argo's CalculateRolloutPhase, one implementation for both).
 */

function generationObserved(rollout: RolloutObject): boolean {
  const text = rollout.status?.observedGeneration;
  // A pre-0.10 controller wrote a hash here, which says nothing about generations (Go's strconv.Atoi fails on it).
  if (text === undefined || !/^[+-]?\d+$/u.test(text)) return true;
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
  return calculateRolloutPhase(rollout.spec ?? {}, rollout.status ?? {});
}
