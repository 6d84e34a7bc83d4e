/**
 * Shapes of the engine's pure replica arithmetic. They carry only the numbers the
 * calculations read, so the reconcile layer can build them from informer objects
 * (ReplicaSet spec/status/annotations) without the calculations knowing about Kubernetes.
 */

/** `maxSurge` / `maxUnavailable` as written in a Rollout: a count, or a percentage string such as `'25%'`. */
export type IntOrPercent = number | string;

/** What the replica calculations need to know about one ReplicaSet. */
export interface ReplicaSetCounts {
  name: string;
  /** `spec.replicas` (the desired count last written by the controller). */
  replicas: number;
  /** `status.availableReplicas`. */
  availableReplicas: number;
}

/** A ReplicaSet that is neither the canary/new nor the stable one. */
export interface OlderReplicaSet extends ReplicaSetCounts {
  /** The `rollout.argoproj.io/revision` annotation, parsed; 0 when absent (as Argo's `Revision()` reads it). */
  revision: number;
}

/** The desired `spec.replicas` of the canary (new) and stable ReplicaSets. */
export interface CanaryReplicaCounts {
  canary: number;
  stable: number;
}

/** The desired `spec.replicas` of one ReplicaSet, by name. */
export interface ReplicaSetScale {
  name: string;
  replicas: number;
}
