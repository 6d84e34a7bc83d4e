import { isConflict } from '../kube/index.js';
import type { JsonObject, ObjectRef, RouterObjects, RouterWrite, TrafficKube } from './types.js';

/**
 * The router objects' informer caches, as the engine's shell provides them
 * (a kind the API server does not serve has no informer: read live, as Argo
 * reads without a lister).
 */
export interface RouterObjectCache {
  /** Whether an informer holds the ref's kind (group and resource) for its namespace. */
  watches(ref: ObjectRef): boolean;
  /** The cached object (shared: never modified), or undefined when absent. */
  get(ref: ObjectRef): JsonObject | undefined;
}

export interface CachedTrafficKube extends TrafficKube {
  /**
   * The objects at hand for one reconcile's planner, keyed by ref: from the
   * caches, except where a write of ours has not come back through the watch
   * yet (or the kind is not watched), which are read live. At rest: no request.
   */
  snapshot(refs: readonly ObjectRef[]): Promise<RouterObjects>;
}

function keyOf(ref: ObjectRef): string {
  return `${ref.group}/${ref.resource}/${ref.namespace}/${ref.name}`;
}

function versionOf(object: JsonObject | undefined): string | undefined {
  const metadata = object?.['metadata'];
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const version = (metadata as Record<string, unknown>)['resourceVersion'];
  return typeof version === 'string' ? version : undefined;
}

/** What the cache may still show of an object after our writes: the versions we wrote from, or its absence after our create. */
interface Superseded {
  versions: Set<string>;
  created: boolean;
}

/**
 * A TrafficKube that reads the informer caches instead of GETting each
 * object on every reconcile. A cached copy the controller's own write has
 * superseded (still at a resourceVersion a write was made from, or absent
 * after a create), or one a 409 showed stale, is read live until the watch
 * delivers a newer one — as the engine does for its own Rollout status — so
 * no decision is made twice on the same stale object. Copies are cloned: the
 * routers' pure decisions get objects of their own.
 */
export function createCachedTrafficKube(live: TrafficKube, cache: RouterObjectCache): CachedTrafficKube {
  const superseded = new Map<string, Superseded>();

  function markStale(ref: ObjectRef, writtenFrom: string | undefined, created: boolean): void {
    const key = keyOf(ref);
    const entry = superseded.get(key) ?? { versions: new Set<string>(), created: false };
    if (writtenFrom !== undefined) entry.versions.add(writtenFrom);
    entry.created ||= created;
    superseded.set(key, entry);
  }

  function isStale(ref: ObjectRef, cached: JsonObject | undefined): boolean {
    const key = keyOf(ref);
    const entry = superseded.get(key);
    if (entry === undefined) return false;
    const version = versionOf(cached);
    if (cached === undefined ? entry.created : version !== undefined && entry.versions.has(version)) return true;
    // The watch has delivered a version newer than every write of ours: the cache is current again.
    superseded.delete(key);
    return false;
  }

  async function read(ref: ObjectRef): Promise<JsonObject | undefined> {
    if (!cache.watches(ref)) return live.read(ref);
    const cached = cache.get(ref);
    if (isStale(ref, cached)) return live.read(ref);
    return cached === undefined ? undefined : structuredClone(cached);
  }

  return {
    read,
    async write(write: RouterWrite) {
      try {
        await live.write(write);
      } catch (error) {
        // Someone wrote in between, or the cache lagged behind: whatever the cache shows now is not to be decided on again.
        if (isConflict(error) && cache.watches(write.ref)) {
          const cached = cache.get(write.ref);
          markStale(write.ref, versionOf(cached), cached === undefined);
        }
        throw error;
      }
      if (write.verb === 'create') markStale(write.ref, undefined, true);
      else markStale(write.ref, write.verb === 'replace' ? versionOf(write.object) : write.resourceVersion, false);
    },
    async snapshot(refs) {
      const objects = new Map<string, JsonObject | undefined>();
      for (const ref of refs) objects.set(keyOf(ref), await read(ref));
      return (ref) => {
        const key = keyOf(ref);
        if (objects.has(key)) return objects.get(key);
        return cache.watches(ref) ? structuredClone(cache.get(ref)) : undefined;
      };
    },
  };
}
