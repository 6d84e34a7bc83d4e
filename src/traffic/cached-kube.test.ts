import { describe, expect, it } from 'vitest';
import { createCachedTrafficKube, type RouterObjectCache } from './cached-kube.js';
import { planRouterOperations, routerObjectRefs } from './router-operations.js';
import { createMemoryKube, type MemoryKube } from './testing/memory-kube.js';
import { testRouterRollout } from './testing/router-rollout.js';
import { createTrafficRouters } from './routers.js';
import type { JsonObject, ObjectRef, TrafficKube } from './types.js';

const vsRef = (name: string): ObjectRef => ({
  group: 'networking.istio.io',
  version: 'v1alpha3',
  resource: 'virtualservices',
  kind: 'VirtualService',
  namespace: 'default',
  name,
});
const virtualService = (stable: number, canary: number): JsonObject => ({
  spec: {
    http: [
      {
        name: 'primary',
        route: [
          { destination: { host: 'rollouts-demo-stable' }, weight: stable },
          { destination: { host: 'rollouts-demo-canary' }, weight: canary },
        ],
      },
    ],
  },
});
const weightsOf = (object: JsonObject | undefined): unknown =>
  (object?.['spec'] as { http: { route: { weight: number }[] }[] } | undefined)?.http[0]?.route.map((destination) => destination.weight);
const routing = { istio: { virtualService: { name: 'vs', routes: ['primary'] } } };

/** The API server in memory, an informer cache the test syncs by hand (a watch that lags), and the live reads counted. */
function setUp(): { server: MemoryKube; live: TrafficKube & { reads: number }; cache: RouterObjectCache & { sync(): void } } {
  const server = createMemoryKube();
  const cached = new Map<string, JsonObject | undefined>();
  const key = (ref: ObjectRef): string => `${ref.resource}/${ref.namespace}/${ref.name}`;
  const live = {
    reads: 0,
    read(ref: ObjectRef) {
      live.reads += 1;
      return server.read(ref);
    },
    write: (write: Parameters<TrafficKube['write']>[0]) => server.write(write),
  };
  const cache = {
    watches: (ref: ObjectRef) => ref.resource === 'virtualservices',
    get: (ref: ObjectRef) => cached.get(key(ref)),
    sync() {
      cached.set(key(vsRef('vs')), structuredClone(server.get(vsRef('vs'))));
    },
  };
  return { server, live, cache };
}

describe('createCachedTrafficKube', () => {
  it('decides from the cache at rest: no live read, no write', async () => {
    const { server, live, cache } = setUp();
    server.put(vsRef('vs'), virtualService(80, 20));
    cache.sync();
    const kube = createCachedTrafficKube(live, cache);
    const [router] = createTrafficRouters(testRouterRollout(routing), kube);
    for (let pass = 0; pass < 3; pass += 1) expect(await router?.setWeight(20)).toEqual({ writes: 0, events: [] });
    const objects = await kube.snapshot(routerObjectRefs(testRouterRollout(routing)));
    expect(planRouterOperations(testRouterRollout(routing), [{ op: 'setWeight', weight: 20 }], objects)).toEqual({
      ok: true,
      writes: [],
      events: [],
    });
    expect(live.reads).toBe(0);
    expect(server.sent).toEqual([]);
  });

  it('reads live what its own write made stale until the watch delivers it, then the cache again', async () => {
    const { server, live, cache } = setUp();
    server.put(vsRef('vs'), virtualService(100, 0));
    cache.sync();
    const kube = createCachedTrafficKube(live, cache);
    const [router] = createTrafficRouters(testRouterRollout(routing), kube);
    expect(await router?.setWeight(20)).toMatchObject({ writes: 1 });
    // The watch has not delivered the write yet: the cache still shows 100/0, which must not be decided on again.
    expect(await router?.setWeight(20)).toEqual({ writes: 0, events: [] });
    expect(weightsOf((await kube.snapshot([vsRef('vs')]))(vsRef('vs')))).toEqual([80, 20]);
    expect(live.reads).toBe(2);
    cache.sync();
    expect(await router?.setWeight(20)).toEqual({ writes: 0, events: [] });
    expect(live.reads).toBe(2);
    expect(server.sent).toHaveLength(1);
  });

  it('after a 409 on a cached copy someone else changed, starts over from a live read and keeps their change', async () => {
    const { server, live, cache } = setUp();
    server.put(vsRef('vs'), virtualService(100, 0));
    cache.sync();
    // Another writer: the cache has not seen it.
    server.put(vsRef('vs'), { ...virtualService(100, 0), metadata: { labels: { owner: 'someone' } } });
    const kube = createCachedTrafficKube(live, cache);
    const [router] = createTrafficRouters(testRouterRollout(routing), kube);
    expect(await router?.setWeight(30)).toMatchObject({ writes: 1 });
    const stored = server.get(vsRef('vs'));
    expect(weightsOf(stored)).toEqual([70, 30]);
    expect((stored?.['metadata'] as { labels?: Record<string, string> }).labels).toEqual({ owner: 'someone' });
    expect(server.sent).toHaveLength(2);
  });

  it('hands the routers copies: a decision cannot change the cached object', async () => {
    const { server, live, cache } = setUp();
    server.put(vsRef('vs'), virtualService(100, 0));
    cache.sync();
    const kube = createCachedTrafficKube(live, cache);
    const copy = await kube.read(vsRef('vs'));
    (copy?.['spec'] as { http: unknown[] }).http.length = 0;
    expect(weightsOf(cache.get(vsRef('vs')))).toEqual([100, 0]);
  });

  it('reads live a kind no informer watches (a mesh installed after start), as Argo without a lister', async () => {
    const { server, live, cache } = setUp();
    const split: ObjectRef = {
      group: 'split.smi-spec.io',
      version: 'v1alpha1',
      resource: 'trafficsplits',
      kind: 'TrafficSplit',
      namespace: 'default',
      name: 'rollouts-demo',
    };
    server.put(split, { spec: {} });
    const kube = createCachedTrafficKube(live, cache);
    expect(await kube.read(split)).toMatchObject({ spec: {} });
    expect(live.reads).toBe(1);
  });
});

describe('planRouterOperations', () => {
  it('finds a missing VirtualService without any I/O, as the problem the planner turns into InvalidSpec', () => {
    const plan = planRouterOperations(testRouterRollout(routing), [{ op: 'setWeight', weight: 10 }], () => undefined);
    expect(plan).toMatchObject({ ok: false, problem: { code: 'NotFound', kind: 'VirtualService', name: 'vs' } });
  });

  it('reports a router config it cannot use as a problem instead of throwing', () => {
    const plan = planRouterOperations(testRouterRollout({ istio: {} }), [{ op: 'setWeight', weight: 10 }], () => undefined);
    expect(plan).toMatchObject({ ok: false, problem: { code: 'InvalidSpec', kind: 'Rollout' } });
    expect(routerObjectRefs(testRouterRollout({ istio: {} }))).toEqual([]);
  });
});
