import { ListWatch, Watch, type KubeConfig, type KubernetesListObject } from '@kubernetes/client-node';
import { rootLogger, type Logger } from '../log/index.js';
import { statusCodeOf } from './apply.js';
import { systemClock } from './clock.js';
import { classifyRequest } from './request-counter.js';
import { createRestClient } from './rest-client.js';
import { withoutManagedFields } from './managed-fields.js';
import type { InformerCacheOptions, InformerEvent, KubeObject, TimerHandle } from './types.js';

export { withoutManagedFields };

export type InformerHandler<T> = (object: T) => void;

export interface InformerCache<T extends KubeObject> {
  /** The object as the API server last sent it, through the cache's transform (no copy: treat it as read-only). Cluster-scoped objects use namespace ''. */
  get(namespace: string, name: string): T | undefined;
  /** All cached objects, or those of one namespace, optionally filtered. */
  list(namespace?: string, filter?: (object: T) => boolean): readonly T[];
  /** Handlers run after the cache holds the change; each returns its unsubscribe function. */
  onAdd(handler: InformerHandler<T>): () => void;
  /** client-node reports only the new object; an update with an unchanged resourceVersion (a relist) is not reported. */
  onUpdate(handler: InformerHandler<T>): () => void;
  /** The last known state of the deleted object (from the watch, or from the cache when a relist found it gone). */
  onDelete(handler: InformerHandler<T>): () => void;
  /** Starts list+watch; keeps retrying failures until stop(). Resolves after the first attempt, synced or not. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** True once a list has filled the cache (stays true across reconnects, like client-go). */
  hasSynced(): boolean;
  waitForSync(timeoutMs?: number): Promise<void>;
}

type WatchCallback = Parameters<Watch['watch']>[2];
type WatchDone = Parameters<Watch['watch']>[3];

/**
 * A typed cache over client-node's ListWatch (what makeInformer builds), for
 * one collection path with an optional label/field selector. client-node 1.4
 * relists after a 410 Gone by itself but stops for good on any other list or
 * watch error (it only calls the error handlers), so this restarts it with
 * exponential backoff, as client-go's reflector does. The list goes through
 * the REST client so that listed and watched objects have the same JSON
 * shape (the generated clients would turn timestamps into Date objects).
 */
export function createInformerCache<T extends KubeObject>(
  kubeConfig: KubeConfig,
  options: InformerCacheOptions & { logger?: Logger },
): InformerCache<T> {
  const clock = options.clock ?? systemClock;
  const transform = options.transform ?? withoutManagedFields;
  const logger = (options.logger ?? rootLogger()).child({
    component: 'informer',
    path: options.path,
    labelSelector: options.labelSelector,
  });
  const rest = createRestClient(kubeConfig, options.requestCounter === undefined ? {} : { requestCounter: options.requestCounter });
  const minRestartDelayMs = options.minRestartDelayMs ?? 800;
  const maxRestartDelayMs = options.maxRestartDelayMs ?? 30_000;
  const handlers: Record<InformerEvent, Set<InformerHandler<T>>> = { add: new Set(), update: new Set(), delete: new Set() };
  const syncWaiters = new Set<() => void>();
  let synced = false;
  let stopped = true;
  let listSucceeded = false;
  let restartDelayMs = minRestartDelayMs;
  let restartTimer: TimerHandle | undefined;

  async function listObjects(): Promise<KubernetesListObject<T>> {
    listSucceeded = false;
    const list = await rest.request<KubernetesListObject<T>>({
      method: 'GET',
      path: options.path,
      query: { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector },
    });
    // List items carry no kind/apiVersion while watch events do; fill them in
    // so the controller can build ownerReferences from any cached object.
    const kind = list.kind?.replace(/List$/, '');
    const apiVersion = list.apiVersion;
    for (const item of list.items) {
      if (apiVersion !== undefined) item.apiVersion ??= apiVersion;
      if (kind !== undefined) item.kind ??= kind;
    }
    list.items = list.items.map((item) => transform(item) as T);
    listSucceeded = true;
    return list;
  }

  // client-node's Watch, with bookmarks (fresher resourceVersions, fewer 410
  // relists), a server-side timeout like client-go's reflector, request
  // counting, and a guard: client-node swallows exceptions thrown by watch
  // callbacks, so handlers are isolated in dispatch() instead.
  const plainWatch = new Watch(kubeConfig);
  const watch: Watch = {
    config: kubeConfig,
    async watch(path: string, query: Record<string, string | number | boolean | undefined>, callback: WatchCallback, done: WatchDone) {
      let failure: string | undefined;
      let connected = false;
      const timeoutSeconds = 300 + Math.floor(Math.random() * 300);
      const stripped: WatchCallback = (phase, object: unknown, watchObject?: unknown) => {
        // An ERROR event carries a Status (its code 410 makes the ListWatch relist), not an object of the kind.
        callback(phase, phase === 'ERROR' ? object : transform(object), watchObject);
      };
      const controller = await plainWatch.watch(
        path,
        { ...query, allowWatchBookmarks: true, timeoutSeconds },
        stripped,
        (error: unknown) => {
          if (!connected && error !== null && error !== undefined) failure = String(statusCodeOf(error) ?? 'error');
          done(error);
        },
      );
      connected = true;
      const server = kubeConfig.getCurrentCluster()?.server ?? 'http://unknown';
      options.requestCounter?.record(classifyRequest('GET', `${server}${path}?watch=true`, failure ?? '200'));
      return controller;
    },
  };

  const informer = new ListWatch<T>(options.path, watch, listObjects, false, options.labelSelector, options.fieldSelector);

  function dispatch(event: InformerEvent, object: T): void {
    for (const handler of handlers[event]) {
      try {
        handler(object);
      } catch (error) {
        logger.error({ err: error, event, name: object.metadata?.name, namespace: object.metadata?.namespace }, 'informer handler failed');
      }
    }
  }
  informer.on('add', (object) => {
    dispatch('add', object);
  });
  informer.on('update', (object) => {
    dispatch('update', object);
  });
  informer.on('delete', (object) => {
    dispatch('delete', object);
  });
  informer.on('error', (error: unknown) => {
    // stop() aborts the watch, which client-node reports as an error too.
    if (stopped) return;
    logger.warn({ err: error, status: statusCodeOf(error), retryInMs: restartDelayMs }, 'list or watch failed; restarting');
    scheduleRestart();
  });

  function markSynced(): void {
    restartDelayMs = minRestartDelayMs;
    if (synced) return;
    synced = true;
    logger.debug({ objects: informer.list().length }, 'informer synced');
    for (const resolve of syncWaiters) resolve();
    syncWaiters.clear();
  }

  async function attempt(): Promise<void> {
    // An object, not a let: TypeScript cannot see the handler flip it during the await.
    const attemptState = { failed: false };
    const noteFailure = (): void => {
      attemptState.failed = true;
    };
    informer.on('error', noteFailure);
    try {
      await informer.start();
    } finally {
      informer.off('error', noteFailure);
    }
    if (!stopped && !attemptState.failed && listSucceeded) markSynced();
  }

  function scheduleRestart(): void {
    if (restartTimer !== undefined || stopped) return;
    const delay = restartDelayMs;
    restartDelayMs = Math.min(restartDelayMs * 2, maxRestartDelayMs);
    restartTimer = clock.setTimeout(() => {
      restartTimer = undefined;
      if (stopped) return;
      attempt().catch((error: unknown) => {
        logger.warn({ err: error }, 'informer restart failed');
        scheduleRestart();
      });
    }, delay);
  }

  function subscribe(event: InformerEvent, handler: InformerHandler<T>): () => void {
    handlers[event].add(handler);
    return () => handlers[event].delete(handler);
  }

  return {
    get: (namespace, name) => informer.get(name, namespace),
    list(namespace, filter) {
      const objects = informer.list(namespace === '' ? undefined : namespace);
      return filter === undefined ? objects : objects.filter(filter);
    },
    onAdd: (handler) => subscribe('add', handler),
    onUpdate: (handler) => subscribe('update', handler),
    onDelete: (handler) => subscribe('delete', handler),
    async start() {
      if (!stopped) return;
      stopped = false;
      await attempt().catch((error: unknown) => {
        logger.warn({ err: error }, 'informer start failed');
        scheduleRestart();
      });
    },
    async stop() {
      stopped = true;
      if (restartTimer !== undefined) clock.clearTimeout(restartTimer);
      restartTimer = undefined;
      await informer.stop();
    },
    hasSynced: () => synced,
    waitForSync(timeoutMs = 60_000) {
      if (synced) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const done = (): void => {
          clock.clearTimeout(timer);
          resolve();
        };
        const timer = clock.setTimeout(() => {
          syncWaiters.delete(done);
          reject(new Error(`The informer for ${options.path} did not sync within ${String(timeoutMs)} ms.`));
        }, timeoutMs);
        syncWaiters.add(done);
      });
    },
  };
}
