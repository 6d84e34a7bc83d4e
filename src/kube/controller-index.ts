import type { InformerCache } from './informer-cache.js';
import type { KubeObject } from './types.js';

/** The objects of one informer cache grouped by their controller ownerReference, kept current by the cache's events. */
export interface ControllerIndex<T extends KubeObject> {
  /** The cached objects whose controller ownerReference has this uid (none for undefined). */
  controlledBy(ownerUid: string | undefined): readonly T[];
  /** Stops following the cache. */
  stop(): void;
}

function controllerUidOf(object: KubeObject): string | undefined {
  return object.metadata?.ownerReferences?.find((owner) => owner.controller === true)?.uid;
}

function keyOf(object: KubeObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

/**
 * client-go's controller indexers, for the one index a Rollout's reconcile needs: listing a
 * namespace's ReplicaSets (or pods) and filtering them by owner is O(namespace) per reconcile,
 * which with thousands of Rollouts in one namespace made settling them quadratic. An update
 * reports only the new object, so the index remembers each object's owner to move it when an
 * adoption or orphaning changes it.
 */
export function createControllerIndex<T extends KubeObject>(cache: InformerCache<T>): ControllerIndex<T> {
  const byOwner = new Map<string, Map<string, T>>();
  const ownerOfKey = new Map<string, string>();

  function remove(key: string): void {
    const owner = ownerOfKey.get(key);
    if (owner === undefined) return;
    ownerOfKey.delete(key);
    const owned = byOwner.get(owner);
    owned?.delete(key);
    if (owned?.size === 0) byOwner.delete(owner);
  }

  function put(object: T): void {
    const key = keyOf(object);
    remove(key);
    const owner = controllerUidOf(object);
    if (owner === undefined) return;
    ownerOfKey.set(key, owner);
    let owned = byOwner.get(owner);
    if (owned === undefined) {
      owned = new Map();
      byOwner.set(owner, owned);
    }
    owned.set(key, object);
  }

  const unsubscribe = [
    cache.onAdd(put),
    cache.onUpdate(put),
    cache.onDelete((object) => {
      remove(keyOf(object));
    }),
  ];
  // Whatever the cache already holds (an index made after the cache started).
  for (const object of cache.list()) put(object);

  return {
    controlledBy(ownerUid) {
      if (ownerUid === undefined) return [];
      const owned = byOwner.get(ownerUid);
      if (owned === undefined) return [];
      // Checked against the cache: a shared informer's handle hears nothing while its user is stopped
      // (shared-informers.ts), so an object deleted or re-owned meanwhile may still be filed here.
      return [...owned.values()].flatMap((object) => {
        const current = cache.get(object.metadata?.namespace ?? '', object.metadata?.name ?? '');
        return current !== undefined && controllerUidOf(current) === ownerUid ? [current] : [];
      });
    },
    stop() {
      for (const stopFollowing of unsubscribe) stopFollowing();
    },
  };
}
