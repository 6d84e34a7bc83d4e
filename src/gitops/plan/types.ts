import type { ManifestError, ObjectRef } from '../manifests/index.js';

/** One field the apply would change: where, what the cluster has (absent: nothing), what the manifest sets. */
export interface FieldChange {
  /** As a person reads it: `spec.template.spec.containers[name=web].image`, `metadata.labels["app.kubernetes.io/name"]`. */
  path: string;
  from?: unknown;
  to?: unknown;
  /** A Secret's field: the values are left out (neither from nor to is set) and never rendered. */
  hidden?: true;
}

/** `deleted`: deployed from this repository before, and no manifest names it any more (pruned by the deploy). */
export type PlannedChange = 'created' | 'changed' | 'unchanged' | 'deleted';

/** What applying one manifest object would do to the cluster. */
export interface PlannedObject {
  ref: ObjectRef;
  file: string;
  line: number;
  change: PlannedChange;
  /** Empty unless `changed`. */
  changes: FieldChange[];
}

/** Everything the `gradual/plan` check reports for one head commit and environment. */
export interface Plan {
  headSha: string;
  environment: string;
  namespace: string;
  /** What the objects were compared with when not the live cluster: `main@abc1234` (a fork's plan). */
  baseline?: string;
  objects: PlannedObject[];
  errors: ManifestError[];
}
