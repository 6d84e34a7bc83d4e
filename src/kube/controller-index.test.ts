import { describe, expect, it } from 'vitest';
import { createControllerIndex } from './controller-index.js';
import type { InformerCache, InformerHandler } from './informer-cache.js';
import type { KubeObject } from './types.js';

/** The cache's contract as the index sees it: handlers after each change, list() for what is already there. */
function fakeCache(initial: KubeObject[] = []) {
  const objects = new Map(initial.map((object) => [`${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`, object]));
  const handlers = {
    add: new Set<InformerHandler<KubeObject>>(),
    update: new Set<InformerHandler<KubeObject>>(),
    delete: new Set<InformerHandler<KubeObject>>(),
  };
  const keyOf = (object: KubeObject) => `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
  const subscribe = (set: Set<InformerHandler<KubeObject>>) => (handler: InformerHandler<KubeObject>) => {
    set.add(handler);
    return () => set.delete(handler);
  };
  const cache: InformerCache<KubeObject> = {
    get: (namespace, name) => objects.get(`${namespace}/${name}`),
    list: () => [...objects.values()],
    onAdd: subscribe(handlers.add),
    onUpdate: subscribe(handlers.update),
    onDelete: subscribe(handlers.delete),
    start: () => Promise.resolve(),
    stop: () => Promise.resolve(),
    hasSynced: () => true,
    waitForSync: () => Promise.resolve(),
  };
  return {
    cache,
    upsert: (object: KubeObject): void => {
      const existed = objects.has(keyOf(object));
      objects.set(keyOf(object), object);
      for (const handler of existed ? handlers.update : handlers.add) handler(object);
    },
    remove: (object: KubeObject): void => {
      objects.delete(keyOf(object));
      for (const handler of handlers.delete) handler(object);
    },
    subscribers: () => handlers.add.size + handlers.update.size + handlers.delete.size,
  };
}

function owned(
  name: string,
  owners: { uid: string; controller?: boolean }[],
  namespace = 'ns',
  labels?: Record<string, string>,
): KubeObject {
  return {
    metadata: {
      name,
      namespace,
      ...(labels === undefined ? {} : { labels }),
      ownerReferences: owners.map((owner) => ({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        name: 'r',
        uid: owner.uid,
        ...(owner.controller === undefined ? {} : { controller: owner.controller }),
      })),
    },
  };
}

const names = (objects: readonly KubeObject[]) => objects.map((object) => object.metadata?.name).sort();

describe('createControllerIndex', () => {
  it.each([
    { case: 'the controller owner', owners: [{ uid: 'a', controller: true }], a: ['x'], b: [] },
    { case: 'a non-controller owner is not indexed', owners: [{ uid: 'a' }], a: [], b: [] },
    { case: 'controller false is not indexed', owners: [{ uid: 'a', controller: false }], a: [], b: [] },
    { case: 'only the controller of several owners', owners: [{ uid: 'a' }, { uid: 'b', controller: true }], a: [], b: ['x'] },
    { case: 'no owner', owners: [], a: [], b: [] },
  ])('indexes by $case', ({ owners, a, b }) => {
    const { cache, upsert } = fakeCache();
    const index = createControllerIndex(cache);
    upsert(owned('x', owners));
    expect(names(index.controlledBy('a'))).toEqual(a);
    expect(names(index.controlledBy('b'))).toEqual(b);
  });

  it('holds what the cache held before it, and what is added after', () => {
    const { cache, upsert } = fakeCache([owned('old', [{ uid: 'a', controller: true }])]);
    const index = createControllerIndex(cache);
    upsert(owned('new', [{ uid: 'a', controller: true }]));
    upsert(owned('other', [{ uid: 'b', controller: true }]));
    expect(names(index.controlledBy('a'))).toEqual(['new', 'old']);
    expect(names(index.controlledBy('b'))).toEqual(['other']);
    expect(index.controlledBy(undefined)).toEqual([]);
  });

  it('moves an object whose controller changes, and drops it when orphaned or deleted', () => {
    const { cache, upsert, remove } = fakeCache();
    const index = createControllerIndex(cache);
    upsert(owned('x', [{ uid: 'a', controller: true }]));
    upsert(owned('x', [{ uid: 'b', controller: true }]));
    expect(names(index.controlledBy('a'))).toEqual([]);
    expect(names(index.controlledBy('b'))).toEqual(['x']);
    upsert(owned('x', []));
    expect(names(index.controlledBy('b'))).toEqual([]);
    upsert(owned('x', [{ uid: 'b', controller: true }]));
    remove(owned('x', [{ uid: 'b', controller: true }]));
    expect(names(index.controlledBy('b'))).toEqual([]);
  });

  it('returns the latest copy of an updated object', () => {
    const { cache, upsert } = fakeCache();
    const index = createControllerIndex(cache);
    upsert(owned('x', [{ uid: 'a', controller: true }]));
    const updated = owned('x', [{ uid: 'a', controller: true }], 'ns', { version: '2' });
    upsert(updated);
    expect(index.controlledBy('a')).toEqual([updated]);
  });

  it('keeps same-named objects of different namespaces apart', () => {
    const { cache, upsert, remove } = fakeCache();
    const index = createControllerIndex(cache);
    upsert(owned('x', [{ uid: 'a', controller: true }], 'one'));
    upsert(owned('x', [{ uid: 'a', controller: true }], 'two'));
    expect(index.controlledBy('a')).toHaveLength(2);
    remove(owned('x', [{ uid: 'a', controller: true }], 'one'));
    expect(index.controlledBy('a').map((object) => object.metadata?.namespace)).toEqual(['two']);
  });

  it('stops following the cache', () => {
    const { cache, upsert, subscribers } = fakeCache();
    const index = createControllerIndex(cache);
    expect(subscribers()).toBe(3);
    index.stop();
    expect(subscribers()).toBe(0);
    upsert(owned('x', [{ uid: 'a', controller: true }]));
    expect(index.controlledBy('a')).toEqual([]);
  });
});
