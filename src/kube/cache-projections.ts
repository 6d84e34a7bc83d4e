import { withoutManagedFields } from './managed-fields.js';

/**
 * What the informer caches keep of each kind: the fields some controller, report or page reads, not
 * the whole object (client-go's informer transforms; the projection is the cache's schema). An
 * object's size in a cache is paid once per object for the life of the process, and a pod's spec
 * (volumes, env, probes, resources) or an applied object's last-applied annotation (a second copy
 * of its spec) is most of its JSON.
 *
 * A shape names what stays: `true` keeps a value whole, an object keeps only the keys it lists (each
 * with its own shape), and `[shape]` keeps every element of an array through that shape. A kind
 * without a projection is cached whole, less its managedFields: that is every kind a controller
 * writes back whole (AnalysisRuns are replaced with PUT) or reads in full (a ReplicaSet's pod
 * template is compared with the Rollout's).
 *
 * cache-projections.test.ts runs every reader of a projected kind over an object that records each
 * field read, and fails when one reads a field the projection drops.
 */
export type Shape = true | readonly [Shape] | { readonly [key: string]: Shape };

/** kubectl's client-side apply copy of the whole object: nothing reads it, Argo never copies it to a ReplicaSet. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** Keeps of `value` what `shape` names; values the shape does not describe (a string where it expects an object) are kept as they are. */
export function project(value: unknown, shape: Shape): unknown {
  if (shape === true || value === null || typeof value !== 'object') return value;
  if (isArrayShape(shape)) return Array.isArray(value) ? value.map((element) => project(element, shape[0])) : value;
  if (Array.isArray(value)) return value;
  const kept: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(shape)) {
    const field = (value as Record<string, unknown>)[key];
    if (field !== undefined) kept[key] = project(field, inner);
  }
  return kept;
}

export function isArrayShape(shape: Exclude<Shape, true>): shape is readonly [Shape] {
  return Array.isArray(shape);
}

/** Drops the last-applied annotation in place (the object is a fresh parse of the API server's answer, owned by the cache). */
function withoutLastApplied<T>(object: T): T {
  const annotations = (object as { metadata?: { annotations?: Record<string, string> } } | null)?.metadata?.annotations;
  if (annotations !== undefined) Reflect.deleteProperty(annotations, LAST_APPLIED_ANNOTATION);
  return object;
}

const objectMeta: Shape = {
  name: true,
  namespace: true,
  uid: true,
  resourceVersion: true,
  generation: true,
  creationTimestamp: true,
  deletionTimestamp: true,
  labels: true,
  annotations: true,
  ownerReferences: true,
};

const container: Shape = { name: true, image: true, restartPolicy: true };

/**
 * A pod as the engine (availability, restarts, ephemeral labels), `get rollout` and the dashboard read
 * it: who owns it, whether it is ready and since when, its containers' names, images and states.
 */
export const podShape: Shape = {
  apiVersion: true,
  kind: true,
  metadata: objectMeta,
  spec: { nodeName: true, containers: [container], initContainers: [container], ephemeralContainers: [container] },
  status: {
    phase: true,
    reason: true,
    message: true,
    startTime: true,
    conditions: true,
    containerStatuses: true,
    initContainerStatuses: true,
  },
};

/**
 * A Deployment as a workloadRef reads it (its template and selector become the Rollout's, its
 * generation marks a new revision, its replicas are scaled down): the whole spec, not the status.
 */
export const deploymentShape: Shape = { apiVersion: true, kind: true, metadata: objectMeta, spec: true };

/** The projection of a kind's cached objects, by API group and plural resource; undefined: cached whole. */
export function cacheProjection(collection: { group?: string | undefined; resource: string }): ((object: unknown) => unknown) | undefined {
  const group = collection.group ?? '';
  if (group === '' && collection.resource === 'pods')
    return (object) => withoutLastApplied(project(withoutManagedFields(object), podShape));
  if (group === 'apps' && collection.resource === 'deployments')
    return (object) => withoutLastApplied(project(withoutManagedFields(object), deploymentShape));
  // Written back only by merge patches of named keys, or by a PUT on the status subresource (which ignores metadata):
  // a missing annotation in the cache is never written back.
  if ((group === '' && collection.resource === 'services') || (group === 'argoproj.io' && collection.resource === 'rollouts'))
    return (object) => withoutLastApplied(withoutManagedFields(object));
  return undefined;
}
