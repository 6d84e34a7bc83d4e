import type { RolloutEvent } from '../reconcile-types.js';
import { MESSAGES, REASONS } from '../conditions.js';

/**
 * Argo records a RolloutAddedToInformer Event from its Rollout informer's AddFunc
 * (rollout/controller.go). Its informer lists only the Rollouts labelled with its
 * instance id, so the Event comes when such a Rollout is created, when a label
 * change brings one into the selector, and for every Rollout it holds when the
 * controller starts (the first list adds them all, on every restart). Gradual's
 * informer lists every Rollout and filters afterwards; this tracks which Rollouts
 * would be in Argo's filtered informer, so the Event comes at the same moments.
 * Pure state, no I/O: the shell records what it answers.
 */
export interface InformerMembership {
  /** An add or update of the informer: the Event to record when the Rollout just entered this instance's view. */
  seen(key: string, handled: boolean): RolloutEvent | undefined;
  /** A delete of the informer: the Rollout leaves the view (a later re-creation enters it again). */
  forget(key: string): void;
}

export function createInformerMembership(): InformerMembership {
  const members = new Set<string>();
  return {
    seen(key, handled) {
      if (!handled) {
        // Relabelled to another instance: a filtered informer would see it deleted.
        members.delete(key);
        return undefined;
      }
      if (members.has(key)) return undefined;
      members.add(key);
      const slash = key.indexOf('/');
      return rolloutAddedToInformerEvent(key.slice(0, slash), key.slice(slash + 1));
    },
    forget(key) {
      members.delete(key);
    },
  };
}

/** Argo's Event, byte for byte: type Normal, reason RolloutAddedToInformer. */
export function rolloutAddedToInformerEvent(namespace: string, name: string): RolloutEvent {
  return { type: 'Normal', reason: REASONS.rolloutAddedToInformer, message: MESSAGES.rolloutAddedToInformer(namespace, name) };
}
