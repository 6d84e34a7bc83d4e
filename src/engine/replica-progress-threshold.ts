import type { V1ReplicaSet } from '@kubernetes/client-node';
import type { CanaryStrategy } from '../api/index.js';
import { specReplicas } from './canary-replica-sets.js';

export type ReplicaProgressThreshold = NonNullable<CanaryStrategy['replicaProgressThreshold']>;

/**
 * Argo's ReplicaProgressThresholdMet (utils/replicaset/canary.go): enough of
 * the ReplicaSet's pods are available for a step to count as reached. Without
 * a threshold (or with a negative value) every desired pod must exist and be
 * available (allDesiredAreAvailable); `Percent` compares available / desired
 * with the value (met when nothing is desired); `Pods` compares the available
 * count with it.
 */
export function replicaProgressThresholdMet(
  threshold: ReplicaProgressThreshold | undefined,
  rs: V1ReplicaSet | undefined,
  desired: number,
): boolean {
  const available = rs?.status?.availableReplicas ?? 0;
  if (threshold === undefined || rs === undefined || threshold.value < 0)
    return rs !== undefined && desired === specReplicas(rs) && desired === available;
  if (threshold.type === 'Percent') {
    if (desired === 0) return true;
    // Argo compares floats with an epsilon of 1e-10; integer arithmetic is exact: available/desired*100 >= value.
    return available * 100 >= threshold.value * desired;
  }
  return available >= threshold.value;
}
