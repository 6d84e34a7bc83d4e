import { ApiException } from '@kubernetes/client-node';
import type { JsonObject, ObjectRef, RouterWrite, TrafficKube } from '../types.js';

export interface MemoryKube extends TrafficKube {
  /** Stores an object as a person would create it (a new resourceVersion). */
  put(ref: ObjectRef, object: JsonObject): void;
  get(ref: ObjectRef): JsonObject | undefined;
  /** Every write sent, in order, including the ones refused with 409. */
  sent: RouterWrite[];
  /** Called before each write is checked: lets a test change the object in between (a conflict). */
  beforeWrite?: (write: RouterWrite) => void;
}

function keyOf(ref: ObjectRef): string {
  return `${ref.group}/${ref.resource}/${ref.namespace}/${ref.name}`;
}

function metadataOf(object: JsonObject): JsonObject {
  const metadata = object['metadata'];
  return typeof metadata === 'object' && metadata !== null ? (metadata as JsonObject) : {};
}

function conflict(ref: ObjectRef): ApiException<unknown> {
  return new ApiException(409, `${ref.kind} ${ref.name}: conflict`, { reason: 'Conflict' }, {});
}

/** Merge patch (RFC 7386), enough for the routers' patches. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const base: JsonObject = typeof target === 'object' && target !== null && !Array.isArray(target) ? (target as JsonObject) : {};
  const entries = Object.entries(patch as JsonObject);
  const removed = new Set(entries.filter(([, value]) => value === null).map(([key]) => key));
  const kept = Object.entries(base).filter(([key]) => !removed.has(key));
  const result: JsonObject = Object.fromEntries(kept);
  for (const [key, value] of entries) if (value !== null) result[key] = mergePatch(result[key], value);
  return result;
}

/**
 * An API server in memory for the routers' shells: objects by reference,
 * a resourceVersion bumped on every write, 409 on a stale one or on a
 * create of an existing object — the rules the real one applies to them.
 */
export function createMemoryKube(): MemoryKube {
  const objects = new Map<string, JsonObject>();
  let version = 100;
  function store(ref: ObjectRef, object: JsonObject): void {
    version += 1;
    objects.set(
      keyOf(ref),
      structuredClone({
        ...object,
        metadata: { name: ref.name, namespace: ref.namespace, ...metadataOf(object), resourceVersion: String(version) },
      }),
    );
  }
  const kube: MemoryKube = {
    sent: [],
    put: store,
    get: (ref) => objects.get(keyOf(ref)),
    read(ref) {
      const object = objects.get(keyOf(ref));
      return Promise.resolve(object === undefined ? undefined : structuredClone(object));
    },
    write(write) {
      kube.sent.push(write);
      kube.beforeWrite?.(write);
      const current = objects.get(keyOf(write.ref));
      const currentVersion = current === undefined ? undefined : metadataOf(current)['resourceVersion'];
      switch (write.verb) {
        case 'create':
          if (current !== undefined) return Promise.reject(conflict(write.ref));
          store(write.ref, write.object);
          return Promise.resolve();
        case 'replace':
          if (current === undefined) return Promise.reject(new ApiException(404, 'not found', {}, {}));
          if (metadataOf(write.object)['resourceVersion'] !== currentVersion) return Promise.reject(conflict(write.ref));
          store(write.ref, write.object);
          return Promise.resolve();
        case 'patch':
          if (current === undefined) return Promise.reject(new ApiException(404, 'not found', {}, {}));
          if (write.resourceVersion !== currentVersion) return Promise.reject(conflict(write.ref));
          store(write.ref, mergePatch(current, write.patch) as JsonObject);
          return Promise.resolve();
        case 'delete':
          if (current === undefined) return Promise.resolve();
          if (write.resourceVersion !== currentVersion) return Promise.reject(conflict(write.ref));
          objects.delete(keyOf(write.ref));
          return Promise.resolve();
      }
    },
  };
  return kube;
}
