import type { RouterRollout } from './types.js';

/** The controller reference Argo puts on objects it creates for a Rollout (metav1.NewControllerRef). */
export function rolloutControllerRef(rollout: RouterRollout): Record<string, unknown> {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    name: rollout.name,
    uid: rollout.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** metav1.IsControlledBy: the object's controller reference carries the Rollout's uid. */
export function isControlledBy(
  ownerReferences: readonly { uid?: string | undefined; controller?: boolean | undefined }[] | undefined,
  rollout: RouterRollout,
): boolean {
  return (ownerReferences ?? []).some((reference) => reference.controller === true && reference.uid === rollout.uid);
}
