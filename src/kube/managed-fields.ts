/**
 * Drops `metadata.managedFields` (in place) from an object about to be cached, as client-go's
 * TransformStripManagedFields does: nothing a controller decides reads it, and it is a third to a
 * half of a Rollout's, ReplicaSet's or pod's JSON. A write from a cached copy is unaffected: the API
 * server keeps an object's managedFields when a request leaves them out.
 */
export function withoutManagedFields<T>(object: T): T {
  if (typeof object === 'object' && object !== null) {
    const metadata = (object as { metadata?: unknown }).metadata;
    if (typeof metadata === 'object' && metadata !== null && 'managedFields' in metadata)
      delete (metadata as { managedFields?: unknown }).managedFields;
  }
  return object;
}
