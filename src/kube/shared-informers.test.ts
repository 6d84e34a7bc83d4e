import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { InformerCache, InformerHandler } from './informer-cache.js';
import { createSharedInformers } from './shared-informers.js';
import type { InformerEvent, KubeObject } from './types.js';

/** An informer over an in-memory collection: `emit` is the API server's watch; start() lists (adds every object) as client-node's does. */
interface FakeCache extends InformerCache<KubeObject> {
  path: string;
  labelSelector: string | undefined;
  starts: number;
  stops: number;
  running: boolean;
  emit(event: InformerEvent, object: KubeObject): void;
}

function fakeCaches(world: Map<string, KubeObject>): {
  created: FakeCache[];
  createCache: (path: string, labelSelector: string | undefined) => InformerCache<KubeObject>;
} {
  const created: FakeCache[] = [];
  return {
    created,
    createCache(path, labelSelector) {
      const store = new Map<string, KubeObject>();
      const handlers: Record<InformerEvent, Set<InformerHandler<KubeObject>>> = { add: new Set(), update: new Set(), delete: new Set() };
      let synced = false;
      const inScope = (object: KubeObject): boolean => {
        const match = /\/namespaces\/([^/]+)\//u.exec(path);
        return match === null || object.metadata?.namespace === match[1];
      };
      const keyOf = (object: KubeObject): string => `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
      const cache: FakeCache = {
        path,
        labelSelector,
        starts: 0,
        stops: 0,
        running: false,
        emit(event, object) {
          if (!cache.running || !inScope(object)) return;
          if (event === 'delete') store.delete(keyOf(object));
          else store.set(keyOf(object), object);
          for (const handler of handlers[event]) handler(object);
        },
        get: (namespace, name) => store.get(`${namespace}/${name}`),
        list: (namespace, filter) =>
          [...store.values()].filter(
            (object) => (namespace === undefined || object.metadata?.namespace === namespace) && (filter === undefined || filter(object)),
          ),
        onAdd: (handler) => {
          handlers.add.add(handler);
          return () => handlers.add.delete(handler);
        },
        onUpdate: (handler) => {
          handlers.update.add(handler);
          return () => handlers.update.delete(handler);
        },
        onDelete: (handler) => {
          handlers.delete.add(handler);
          return () => handlers.delete.delete(handler);
        },
        start() {
          cache.starts += 1;
          cache.running = true;
          for (const object of world.values()) if (inScope(object) && !store.has(keyOf(object))) cache.emit('add', object);
          synced = true;
          return Promise.resolve();
        },
        stop() {
          cache.stops += 1;
          cache.running = false;
          return Promise.resolve();
        },
        hasSynced: () => synced,
        waitForSync: () => Promise.resolve(),
      };
      created.push(cache);
      return cache;
    },
  };
}

function rollout(namespace: string, name: string, resourceVersion = '1'): KubeObject {
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { namespace, name, resourceVersion } };
}

const rollouts = { group: 'argoproj.io', version: 'v1alpha1', resource: 'rollouts' };
const replicaSets = { group: 'apps', version: 'v1', resource: 'replicasets' };

function recorder(informer: InformerCache<KubeObject>): string[] {
  const seen: string[] = [];
  for (const event of ['add', 'update', 'delete'] as const) {
    const subscribe =
      event === 'add'
        ? informer.onAdd.bind(informer)
        : event === 'update'
          ? informer.onUpdate.bind(informer)
          : informer.onDelete.bind(informer);
    subscribe((object) =>
      seen.push(`${event} ${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}@${object.metadata?.resourceVersion ?? ''}`),
    );
  }
  return seen;
}

describe('shared informers', () => {
  it('gives every user of a kind and label selector the same informer, and another selector its own', () => {
    const { created, createCache } = fakeCaches(new Map());
    const shared = createSharedInformers(new KubeConfig(), { createCache });
    shared.informer(rollouts, 'engine');
    shared.informer(rollouts, 'dashboard');
    shared.informer(rollouts, 'reporter');
    shared.informer({ ...replicaSets, labelSelector: 'rollouts-pod-template-hash' }, 'engine');
    shared.informer({ ...replicaSets, labelSelector: 'rollouts-pod-template-hash' }, 'reporter');
    shared.informer(replicaSets, 'someone-unfiltered');
    expect(created.map((cache) => `${cache.path}?${cache.labelSelector ?? ''}`)).toEqual([
      '/apis/argoproj.io/v1alpha1/rollouts?',
      '/apis/apps/v1/replicasets?rollouts-pod-template-hash',
      '/apis/apps/v1/replicasets?',
    ]);
    expect(shared.registry()).toEqual([
      { path: '/apis/apps/v1/replicasets', labelSelector: undefined, users: ['someone-unfiltered'], running: [] },
      { path: '/apis/apps/v1/replicasets', labelSelector: 'rollouts-pod-template-hash', users: ['engine', 'reporter'], running: [] },
      { path: '/apis/argoproj.io/v1alpha1/rollouts', labelSelector: undefined, users: ['dashboard', 'engine', 'reporter'], running: [] },
    ]);
  });

  it('lists and watches while at least one user has started it, and tells a late user of what it already holds', async () => {
    const world = new Map([['a', rollout('ns', 'a')]]);
    const { created, createCache } = fakeCaches(world);
    const shared = createSharedInformers(new KubeConfig(), { createCache });
    const dashboard = shared.informer(rollouts, 'dashboard');
    const engine = shared.informer(rollouts, 'engine');
    const dashboardSaw = recorder(dashboard);
    const engineSaw = recorder(engine);
    await dashboard.start();
    const [cache] = created;
    if (cache === undefined) throw new Error('no informer');
    cache.emit('add', rollout('ns', 'b'));
    // The engine has not started: its handlers hear nothing (a stopped controller must not act on events).
    expect(engineSaw).toEqual([]);
    await engine.start();
    expect(engineSaw).toEqual(['add ns/a@1', 'add ns/b@1']);
    cache.emit('update', rollout('ns', 'a', '2'));
    expect(engineSaw.at(-1)).toBe('update ns/a@2');
    expect(dashboardSaw).toEqual(['add ns/a@1', 'add ns/b@1', 'update ns/a@2']);
    expect(cache.starts).toBe(1);
    await engine.stop();
    expect(cache.running).toBe(true);
    await dashboard.stop();
    expect(cache.stops).toBe(1);
    expect(cache.running).toBe(false);
  });

  it('serves a namespaced user from the cluster-wide informer of its kind, through its namespace', async () => {
    const world = new Map([
      ['a', rollout('mine', 'a')],
      ['b', rollout('other', 'b')],
    ]);
    const { created, createCache } = fakeCaches(world);
    const shared = createSharedInformers(new KubeConfig(), { createCache });
    const reporter = shared.informer(rollouts, 'reporter');
    const engine = shared.informer({ ...rollouts, namespace: 'mine' }, 'engine');
    const engineSaw = recorder(engine);
    await reporter.start();
    await engine.start();
    expect(created).toHaveLength(1);
    expect(engine.list().map((object) => object.metadata?.name)).toEqual(['a']);
    expect(engine.list('other')).toEqual([]);
    expect(engine.get('other', 'b')).toBeUndefined();
    expect(engine.get('mine', 'a')?.metadata?.name).toBe('a');
    created[0]?.emit('add', rollout('other', 'c'));
    expect(engineSaw).toEqual(['add mine/a@1']);
  });

  it('hands namespaced users over to a cluster-wide informer that comes later, telling each what changed in between, and stops theirs', async () => {
    const world = new Map([['a', rollout('mine', 'a')]]);
    const { created, createCache } = fakeCaches(world);
    const shared = createSharedInformers(new KubeConfig(), { createCache });
    const engine = shared.informer({ ...rollouts, namespace: 'mine' }, 'engine');
    const engineSaw = recorder(engine);
    await engine.start();
    const [narrow] = created;
    // The world moves on while the namespaced informer misses it (a change in the gap between the two).
    world.set('a', rollout('mine', 'a', '2'));
    world.set('b', rollout('mine', 'b'));
    world.set('c', rollout('elsewhere', 'c'));
    const reporter = shared.informer(rollouts, 'reporter');
    await reporter.start();
    await reporter.waitForSync(1000);
    const wide = created[1];
    if (narrow === undefined || wide === undefined) throw new Error('two informers expected');
    expect(wide.path).toBe('/apis/argoproj.io/v1alpha1/rollouts');
    expect(narrow.running).toBe(false);
    expect(engineSaw).toEqual(['add mine/a@1', 'update mine/a@2', 'add mine/b@1']);
    expect(shared.registry()).toEqual([
      {
        path: '/apis/argoproj.io/v1alpha1/rollouts',
        labelSelector: undefined,
        users: ['engine', 'reporter'],
        running: ['engine', 'reporter'],
      },
    ]);
    wide.emit('delete', rollout('mine', 'b'));
    expect(engineSaw.at(-1)).toBe('delete mine/b@1');
    expect(engine.list().map((object) => object.metadata?.name)).toEqual(['a']);
    // The reporter stopping leaves the engine its informer.
    await reporter.stop();
    expect(wide.running).toBe(true);
  });

  it('isolates a throwing handler: the other users still hear the event', async () => {
    const { created, createCache } = fakeCaches(new Map());
    const shared = createSharedInformers(new KubeConfig(), {
      createCache,
      logger: (await import('../log/index.js')).createLogger({ level: 'silent' }),
    });
    const bad = shared.informer(rollouts, 'bad');
    const good = shared.informer(rollouts, 'good');
    bad.onAdd(() => {
      throw new Error('boom');
    });
    const goodSaw = recorder(good);
    await bad.start();
    await good.start();
    created[0]?.emit('add', rollout('ns', 'x'));
    expect(goodSaw).toEqual(['add ns/x@1']);
  });
});
