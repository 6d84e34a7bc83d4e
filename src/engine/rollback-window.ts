import type { V1ReplicaSet } from '@kubernetes/client-node';
import type { RolloutSpecWithDefaults } from '../api/index.js';
import { creationMillis } from './replica-set-classification.js';

/** On ReplicaSets an Experiment created; they are not revisions of the Rollout. */
const EXPERIMENT_NAME_ANNOTATION = 'experiment.argoproj.io/name';

/**
 * Argo's isRollbackWithinWindow (rollout/sync.go): the template went back to a ReplicaSet older
 * than the stable one, and fewer than `rollbackWindow.revisions` ReplicaSets were created
 * between the two. Such a rollback skips the canary steps, like a rollback to the stable
 * ReplicaSet itself. Argo measures the window by creation time, not by revision number, so a
 * ReplicaSet re-used by a later revision keeps its place; Gradual does the same.
 */
export function isRollbackWithinWindow(
  spec: Pick<RolloutSpecWithDefaults, 'rollbackWindow'>,
  all: readonly V1ReplicaSet[],
  newRS: V1ReplicaSet | undefined,
  stableRS: V1ReplicaSet | undefined,
): boolean {
  const revisions = spec.rollbackWindow?.revisions ?? 0;
  if (newRS === undefined || stableRS === undefined || revisions <= 0) return false;
  const created = creationMillis(newRS);
  const stableCreated = creationMillis(stableRS);
  // Strictly earlier, at the API's one-second resolution, as Argo's Time.Before compares.
  if (created >= stableCreated) return false;
  const between = all.filter((rs) => {
    if ((rs.metadata?.annotations?.[EXPERIMENT_NAME_ANNOTATION] ?? '') !== '') return false;
    const at = creationMillis(rs);
    return at < stableCreated && created < at;
  });
  return between.length < revisions;
}

/** Argo's IsActive: the ReplicaSet has, or ought to have, pods. */
export function isActiveReplicaSet(rs: V1ReplicaSet | undefined): boolean {
  return (rs?.spec?.replicas ?? 0) > 0;
}
