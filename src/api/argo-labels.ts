/**
 * Label and annotation keys Argo Rollouts writes on the objects it manages. They are part of
 * the compatibility contract: Argo's kubectl plugin, Argo CD and an Argo controller taking a
 * Rollout back all read them, so each value is Argo's byte for byte (v1.9.1:
 * pkg/apis/rollouts/v1alpha1/types.go and utils/annotations/annotations.go). Kept in one file,
 * as Argo keeps its own, so a reviewer can check them in one place.
 */

/** Argo's prefix for the annotations it puts on Rollouts and ReplicaSets. */
export const ROLLOUT_ANNOTATION_PREFIX = 'rollout.argoproj.io';

/**
 * Added to each ReplicaSet's labels, selector and pod template (and to the Services' selectors)
 * so ReplicaSets of different revisions never select each other's pods.
 */
export const POD_TEMPLATE_HASH_LABEL = 'rollouts-pod-template-hash';

/** On ReplicaSets (and the Rollout): the revision number, a decimal string. */
export const REVISION_ANNOTATION = `${ROLLOUT_ANNOTATION_PREFIX}/revision`;
/** On ReplicaSets: earlier revisions this ReplicaSet served, comma separated (rollbacks reuse a ReplicaSet). */
export const REVISION_HISTORY_ANNOTATION = `${ROLLOUT_ANNOTATION_PREFIX}/revision-history`;
/** On ReplicaSets: the Rollout's spec.replicas when the ReplicaSet was last scaled; tells scaling events from rollouts. */
export const DESIRED_REPLICAS_ANNOTATION = `${ROLLOUT_ANNOTATION_PREFIX}/desired-replicas`;
/** On Rollouts with workloadRef: the generation of the referenced Deployment. */
export const WORKLOAD_GENERATION_ANNOTATION = `${ROLLOUT_ANNOTATION_PREFIX}/workload-generation`;
/** On ReplicaSets: JSON of the canary/stable/preview/active metadata injected into the pod template, so it can be removed later. */
export const EPHEMERAL_METADATA_ANNOTATION = `${ROLLOUT_ANNOTATION_PREFIX}/ephemeral-metadata`;

/**
 * On an old ReplicaSet: the RFC 3339 UTC time after which it may be scaled to zero.
 *
 * Argo's documentation (FAQ) calls it `argo-rollouts.argoproj.io/scale-down-deadline`, but its
 * code — the constant `DefaultReplicaSetScaleDownDeadlineAnnotationKey`, read by the controller
 * and the kubectl plugin alike — writes the unprefixed key. Compatibility follows the code.
 */
export const SCALE_DOWN_DEADLINE_ANNOTATION = 'scale-down-deadline';

/** On Services (and other objects a Rollout uses without owning): the name of the Rollout(s) managing it. */
export const MANAGED_BY_ROLLOUTS_ANNOTATION = 'argo-rollouts.argoproj.io/managed-by-rollouts';
/** On ReplicaSets: the `spec.restartAt` time whose restart this ReplicaSet's pods already went through. */
export const RESTARTED_AFTER_ANNOTATION = 'argo-rollouts.argoproj.io/restarted-after';
/** On Rollouts, Experiments and AnalysisRuns: which controller instance (`--instance-id`) handles them. */
export const CONTROLLER_INSTANCE_ID_LABEL = 'argo-rollouts.argoproj.io/controller-instance-id';

/** On AnalysisRuns: why the Rollout created the run (one of {@link ROLLOUT_TYPES}). */
export const ROLLOUT_TYPE_LABEL = 'rollout-type';
export const ROLLOUT_TYPES = {
  step: 'Step',
  background: 'Background',
  prePromotion: 'PrePromotion',
  postPromotion: 'PostPromotion',
} as const;
export type RolloutType = (typeof ROLLOUT_TYPES)[keyof typeof ROLLOUT_TYPES];
/** On step AnalysisRuns: the index of the canary step that created them. */
export const CANARY_STEP_INDEX_LABEL = 'step-index';

/** On Experiments' ReplicaSets and pods. */
export const EXPERIMENT_NAME_ANNOTATION = 'experiment.argoproj.io/name';
export const EXPERIMENT_TEMPLATE_NAME_ANNOTATION = 'experiment.argoproj.io/template-name';

/**
 * Argo's instance-id semantics: a controller started with --instance-id X
 * handles only objects labelled X; one started without handles only objects
 * with no such label. Two controllers can share a cluster without touching
 * each other's Rollouts.
 */
export function isHandledByInstance(labels: Record<string, string> | undefined, instanceId: string | undefined): boolean {
  const label = labels?.[CONTROLLER_INSTANCE_ID_LABEL];
  if (instanceId === undefined || instanceId === '') return label === undefined || label === '';
  return label === instanceId;
}
