import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { clusterIdentity, createClusterManagers } from './cluster-managers.js';
import { createController, watch } from './controller.js';
import { createManager } from './manager.js';
import type { InformerCache, InformerHandler } from './informer-cache.js';
import type { KubeObject } from './types.js';
import { createFakeClock } from './fake-clock.js';
import type { RestClient, RestRequest } from './rest-client.js';

function kubeConfig(server: string, token: string, names = 'a'): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: `cluster-${names}`, server, skipTLSVerify: false }],
    users: [{ name: `user-${names}`, token }],
    contexts: [{ name: `context-${names}`, cluster: `cluster-${names}`, user: `user-${names}` }],
    currentContext: `context-${names}`,
  });
  return config;
}

/** One informer whose `add` the test calls as the watch would. */
function singleCache(): { createCache: () => InformerCache<KubeObject>; add: (object: KubeObject) => void; starts: () => number } {
  const handlers = new Set<InformerHandler<KubeObject>>();
  const store: KubeObject[] = [];
  let starts = 0;
  let synced = false;
  const cache: InformerCache<KubeObject> = {
    get: (namespace, name) => store.find((object) => object.metadata?.namespace === namespace && object.metadata.name === name),
    list: () => store,
    onAdd: (handler) => {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    onUpdate: () => () => true,
    onDelete: () => () => true,
    // The first list: every object the collection holds is an add.
    start: () => {
      starts += 1;
      synced = true;
      for (const object of store) for (const handler of handlers) handler(object);
      return Promise.resolve();
    },
    stop: () => Promise.resolve(),
    hasSynced: () => synced,
    waitForSync: () => Promise.resolve(),
  };
  return {
    createCache: () => cache,
    add(object) {
      store.push(object);
      if (synced) for (const handler of handlers) handler(object);
    },
    starts: () => starts,
  };
}

describe('cluster managers', () => {
  it('are one per cluster and identity, whatever the kubeconfig names them', () => {
    const managers = createClusterManagers();
    const engine = managers.managerFor(kubeConfig('https://127.0.0.1:6443', 'token-1', 'engine'));
    const bot = managers.managerFor(kubeConfig('https://127.0.0.1:6443', 'token-1', 'bot'));
    const otherIdentity = managers.managerFor(kubeConfig('https://127.0.0.1:6443', 'token-2'));
    const otherCluster = managers.managerFor(kubeConfig('https://127.0.0.2:6443', 'token-1'));
    expect(bot).toBe(engine);
    expect(otherIdentity).not.toBe(engine);
    expect(otherCluster).not.toBe(engine);
  });

  it('key the identity by a hash: no credential in the key', () => {
    const key = clusterIdentity(kubeConfig('https://127.0.0.1:6443', 'secret-token-value'));
    expect(key).toMatch(/^[0-9a-f]{64}$/u);
    expect(key).not.toContain('secret-token-value');
  });
});

describe('manager and controllers', () => {
  it('runs leader-only work once leading (at once without an election), every-replica work first, and stops in reverse order', async () => {
    const fake = singleCache();
    const manager = createManager({ kubeConfig: new KubeConfig(), createCache: fake.createCache });
    const log: string[] = [];
    const runnable = (name: string, needLeaderElection: boolean) => ({
      name,
      needLeaderElection,
      start: () => {
        log.push(`start ${name}`);
        return Promise.resolve();
      },
      stop: () => {
        log.push(`stop ${name}`);
        return Promise.resolve();
      },
    });
    await manager.add(runnable('engine', true));
    await manager.add(runnable('dashboard', false));
    await manager.add(runnable('bot', true));
    expect(log).toEqual([]);
    const state = () => manager.runnables().map(({ name, started }) => `${name} ${started ? 'started' : 'stopped'}`);
    expect(state()).toEqual(['engine stopped', 'dashboard stopped', 'bot stopped']);
    await manager.start();
    expect(state()).toEqual(['engine started', 'dashboard started', 'bot started']);
    await manager.stop();
    expect(state()).toEqual(['engine stopped', 'dashboard stopped', 'bot stopped']);
    expect(log).toEqual(['start dashboard', 'start engine', 'start bot', 'stop bot', 'stop engine', 'stop dashboard']);
  });

  it('maps watched events to keys, reconciles each key, and shares the informer between two controllers', async () => {
    const fake = singleCache();
    const manager = createManager({ kubeConfig: new KubeConfig(), createCache: fake.createCache });
    const rollouts = { group: 'argoproj.io', version: 'v1alpha1', resource: 'rollouts' };
    const reconciled: string[] = [];
    const controllers = ['first', 'second'].map((name) =>
      createController({
        name,
        logger: silentLogger,
        watches: [
          watch(manager.informer(rollouts, name), (object) =>
            object.metadata?.labels?.['skip'] === 'true' ? [] : [`${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`],
          ),
        ],
        queue: { workers: 1 },
        reconcile: (key) => {
          reconciled.push(`${name} ${key}`);
          return Promise.resolve(undefined);
        },
      }),
    );
    fake.add({ metadata: { namespace: 'ns', name: 'before-start' } });
    for (const controller of controllers) await controller.start();
    fake.add({ metadata: { namespace: 'ns', name: 'web' } });
    fake.add({ metadata: { namespace: 'ns', name: 'ignored', labels: { skip: 'true' } } });
    await new Promise((resolve) => setImmediate(resolve));
    for (const controller of controllers) await controller.stop();
    expect(fake.starts()).toBe(1);
    expect(manager.registry()).toEqual([
      { path: '/apis/argoproj.io/v1alpha1/rollouts', labelSelector: undefined, users: ['first', 'second'], running: [] },
    ]);
    expect(reconciled.sort()).toEqual(['first ns/before-start', 'first ns/web', 'second ns/before-start', 'second ns/web']);
  });
});

const silentLogger = (await import('../log/index.js')).createLogger({ level: 'silent' });

describe('manager under a Lease', () => {
  /** A Lease endpoint in memory (optimistic concurrency by resourceVersion) that can be cut off. */
  function leaseApi(): { rest: RestClient; down: { value: boolean } } {
    let stored: { metadata: { resourceVersion?: string } } | undefined;
    let version = 0;
    const down = { value: false };
    const rest: RestClient = {
      request<T>(request: RestRequest): Promise<T> {
        if (down.value) return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6443'));
        if (request.method === 'GET')
          return stored === undefined
            ? Promise.reject(Object.assign(new Error('HTTP 404'), { code: 404 }))
            : Promise.resolve(structuredClone(stored) as T);
        const body = request.body as { metadata: { resourceVersion?: string } };
        version += 1;
        stored = { ...structuredClone(body), metadata: { ...body.metadata, resourceVersion: String(version) } };
        return Promise.resolve(structuredClone(stored) as T);
      },
    };
    return { rest, down };
  }
  const election = (rest: RestClient) => ({
    namespace: 'gradual',
    name: 'lock',
    identity: 'a',
    restClient: rest,
    leaseDurationMs: 2000,
    renewDeadlineMs: 1500,
    retryPeriodMs: 300,
  });

  it('reports a lost lease once its leader-only work stopped (the process then exits and restarts as a follower)', async () => {
    const clock = createFakeClock(0);
    const api = leaseApi();
    const manager = createManager({ kubeConfig: new KubeConfig(), clock, logger: silentLogger });
    const log: string[] = [];
    await manager.add({
      name: 'engine',
      needLeaderElection: true,
      start: () => Promise.resolve(void log.push(`start at ${String(clock.now())}`)),
      stop: () => Promise.resolve(void log.push(`stop at ${String(clock.now())}`)),
    });
    let lostAt: number | undefined;
    void manager.leadershipLost().then(() => {
      lostAt = clock.now();
    });
    await manager.start(election(api.rest));
    await clock.settle();
    expect(log).toEqual(['start at 0']);
    // Cut off from the API server: no renewal succeeds, and leadership ends at renewDeadline, before the lease expires for others.
    api.down.value = true;
    await clock.advance(1600);
    expect(log).toEqual(['start at 0', 'stop at 1500']);
    expect(lostAt).toBe(1500);
    await manager.stop();
  });

  it('reports nothing lost when it is stopped', async () => {
    const clock = createFakeClock(0);
    const api = leaseApi();
    const manager = createManager({ kubeConfig: new KubeConfig(), clock, logger: silentLogger });
    let lost = false;
    void manager.leadershipLost().then(() => {
      lost = true;
    });
    await manager.add({ name: 'engine', needLeaderElection: true, start: () => Promise.resolve(), stop: () => Promise.resolve() });
    await manager.start(election(api.rest));
    await clock.settle();
    const stopping = manager.stop();
    await clock.advance(2000);
    await stopping;
    await clock.advance(2000);
    expect(lost).toBe(false);
  });
});
