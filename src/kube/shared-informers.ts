import type { KubeConfig } from '@kubernetes/client-node';
import { rootLogger, type Logger } from '../log/index.js';
import { apiPath } from './api-path.js';
import { cacheProjection } from './cache-projections.js';
import { createInformerCache, type InformerCache, type InformerHandler } from './informer-cache.js';
import type { Clock, InformerEvent, KubeObject, RequestCounter } from './types.js';

/** What a user of a cluster's cache asks for: one kind, in one namespace or all, optionally by label. */
export interface InformerSpec {
  /** '' (or omitted) for the core group. */
  group?: string;
  version: string;
  /** The plural resource name: `rollouts`, `replicasets`. */
  resource: string;
  /** One namespace; all when undefined or ''. */
  namespace?: string | undefined;
  labelSelector?: string | undefined;
}

/**
 * One user's handle on a shared informer: reads (`get`, `list`) see only its namespace, its handlers
 * run only between its start() and stop(), and start()/stop() take and give back the user's share:
 * the informer lists and watches while at least one user has started it. A handle started on an
 * informer that already holds objects is told of each as an add (client-go's AddEventHandler on a
 * running shared informer does the same), so every user sees what a fresh informer would show it.
 */
export type SharedInformer<T extends KubeObject> = InformerCache<T>;

/** One informer of the registry, as a test or a log line sees it. */
export interface InformerRegistration {
  /** The collection path it lists and watches (`/apis/argoproj.io/v1alpha1/rollouts`). */
  path: string;
  labelSelector: string | undefined;
  /** The users holding a handle on it, started or not (sorted). */
  users: string[];
  /** The users that have started it (sorted); the informer runs while this is not empty. */
  running: string[];
}

export interface SharedInformers {
  /** A handle on the cluster's one informer for this kind, label selector and namespace (or the cluster-wide one that covers it). */
  informer<T extends KubeObject>(spec: InformerSpec, user: string): SharedInformer<T>;
  registry(): InformerRegistration[];
}

export interface SharedInformersOptions {
  clock?: Clock;
  logger?: Logger;
  requestCounter?: RequestCounter;
  /** Replaces the informer over the API (unit tests). */
  createCache?: (path: string, labelSelector: string | undefined, transform?: (object: unknown) => unknown) => InformerCache<KubeObject>;
}

interface Backing {
  path: string;
  labelSelector: string | undefined;
  /** undefined: cluster-wide. */
  namespace: string | undefined;
  cache: InformerCache<KubeObject>;
  views: Set<View>;
  running: Set<View>;
}

interface View {
  user: string;
  namespace: string | undefined;
  backing: Backing;
  active: boolean;
  deliver(event: InformerEvent, object: KubeObject): void;
}

function inNamespace(namespace: string | undefined): (object: KubeObject) => boolean {
  return (object) => namespace === undefined || object.metadata?.namespace === namespace;
}

/**
 * The informers of one cluster, one per kind and label selector, shared by every controller, report
 * loop and page of the process (controller-runtime's cache). A namespaced user shares the
 * cluster-wide informer of its kind when one is asked for, reading it through its namespace; when a
 * cluster-wide user comes after namespaced ones (the bot's reporter starts after the engine), its
 * informer takes their place once it has synced: each started user is told of what differs between
 * the two (so no change falls in the gap), and the namespaced informer stops.
 */
export function createSharedInformers(kubeConfig: KubeConfig, options: SharedInformersOptions = {}): SharedInformers {
  const logger = (options.logger ?? rootLogger()).child({ component: 'shared-informers' });
  const createCache =
    options.createCache ??
    ((path: string, labelSelector: string | undefined, transform: ((object: unknown) => unknown) | undefined) =>
      createInformerCache<KubeObject>(kubeConfig, {
        path,
        ...(transform === undefined ? {} : { transform }),
        logger: options.logger ?? rootLogger(),
        ...(labelSelector === undefined ? {} : { labelSelector }),
        ...(options.clock === undefined ? {} : { clock: options.clock }),
        ...(options.requestCounter === undefined ? {} : { requestCounter: options.requestCounter }),
      }));
  /** By kind and selector, then by namespace ('' for the cluster-wide one). */
  const kinds = new Map<string, Map<string, Backing>>();

  function backingFor(spec: InformerSpec, namespace: string | undefined): Backing {
    const collection = { group: spec.group ?? '', version: spec.version, resource: spec.resource };
    const kindKey = `${apiPath(collection)}?${spec.labelSelector ?? ''}`;
    let scopes = kinds.get(kindKey);
    if (scopes === undefined) {
      scopes = new Map();
      kinds.set(kindKey, scopes);
    }
    const wide = scopes.get('');
    if (wide !== undefined) return wide;
    const existing = scopes.get(namespace ?? '');
    if (existing !== undefined) return existing;
    const path = apiPath({ ...collection, namespace: namespace ?? '' });
    const backing: Backing = {
      path,
      labelSelector: spec.labelSelector,
      namespace,
      cache: createCache(path, spec.labelSelector, cacheProjection(collection)),
      views: new Set(),
      running: new Set(),
    };
    const fanOut =
      (event: InformerEvent) =>
      (object: KubeObject): void => {
        for (const view of backing.views) view.deliver(event, object);
      };
    backing.cache.onAdd(fanOut('add'));
    backing.cache.onUpdate(fanOut('update'));
    backing.cache.onDelete(fanOut('delete'));
    scopes.set(namespace ?? '', backing);
    return backing;
  }

  /** The namespaced informers of the wide one's kind hand their users over to it (it has synced). */
  async function widen(wide: Backing): Promise<void> {
    const scopes = [...kinds.values()].find((candidate) => candidate.get('') === wide);
    if (scopes === undefined) return;
    for (const [namespace, narrow] of [...scopes]) {
      // Another widen() (the start and the sync wait of one user) may have handed this one over already.
      if (namespace === '' || scopes.get(namespace) !== narrow) continue;
      scopes.delete(namespace);
      for (const view of narrow.views) {
        if (view.active) {
          const before = new Map(
            narrow.cache
              .list(view.namespace)
              .map((object) => [`${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`, object]),
          );
          for (const object of wide.cache.list(view.namespace)) {
            const key = `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
            const old = before.get(key);
            before.delete(key);
            if (old === undefined) view.deliver('add', object);
            else if (old.metadata?.resourceVersion !== object.metadata?.resourceVersion) view.deliver('update', object);
          }
          for (const gone of before.values()) view.deliver('delete', gone);
        }
        view.backing = wide;
        wide.views.add(view);
        if (narrow.running.delete(view)) wide.running.add(view);
      }
      narrow.views.clear();
      logger.debug(
        { path: narrow.path, into: wide.path, labelSelector: wide.labelSelector },
        'namespaced informer replaced by the cluster-wide one',
      );
      await narrow.cache.stop();
    }
  }

  return {
    informer<T extends KubeObject>(spec: InformerSpec, user: string): SharedInformer<T> {
      const namespace = spec.namespace === '' ? undefined : spec.namespace;
      const scoped = inNamespace(namespace);
      const handlers: Record<InformerEvent, Set<InformerHandler<T>>> = { add: new Set(), update: new Set(), delete: new Set() };
      const view: View = {
        user,
        namespace,
        backing: backingFor(spec, namespace),
        active: false,
        deliver(event, object) {
          if (!view.active || !scoped(object)) return;
          for (const handler of handlers[event]) {
            try {
              handler(object as T);
            } catch (error) {
              logger.error(
                { err: error, user, event, path: view.backing.path, name: object.metadata?.name, namespace: object.metadata?.namespace },
                'informer handler failed',
              );
            }
          }
        },
      };
      view.backing.views.add(view);
      const subscribe = (event: InformerEvent, handler: InformerHandler<T>): (() => void) => {
        handlers[event].add(handler);
        return () => handlers[event].delete(handler);
      };
      const pendingWiden = (): boolean =>
        view.namespace === undefined &&
        view.backing.cache.hasSynced() &&
        [...kinds.values()].some((scopes) => scopes.get('') === view.backing && scopes.size > 1);
      return {
        get(getNamespace, name) {
          if (namespace !== undefined && getNamespace !== namespace) return undefined;
          return view.backing.cache.get(getNamespace, name) as T | undefined;
        },
        list(listNamespace, filter) {
          if (namespace !== undefined && listNamespace !== undefined && listNamespace !== '' && listNamespace !== namespace) return [];
          const objects = view.backing.cache.list(
            listNamespace === undefined || listNamespace === '' ? namespace : listNamespace,
          ) as readonly T[];
          return filter === undefined ? objects : objects.filter(filter);
        },
        onAdd: (handler) => subscribe('add', handler),
        onUpdate: (handler) => subscribe('update', handler),
        onDelete: (handler) => subscribe('delete', handler),
        async start() {
          if (view.active) return;
          const { backing } = view;
          // In the same turn as the activation: no event of the informer falls between the replay and the handlers.
          view.active = true;
          if (backing.cache.hasSynced()) for (const object of backing.cache.list(namespace)) view.deliver('add', object);
          backing.running.add(view);
          if (backing.running.size === 1) await backing.cache.start();
          if (pendingWiden()) await widen(view.backing);
        },
        async stop() {
          if (!view.active) return;
          view.active = false;
          const { backing } = view;
          backing.running.delete(view);
          if (backing.running.size === 0) await backing.cache.stop();
        },
        hasSynced: () => view.backing.cache.hasSynced(),
        async waitForSync(timeoutMs) {
          await view.backing.cache.waitForSync(timeoutMs);
          if (pendingWiden()) await widen(view.backing);
        },
      };
    },
    registry() {
      const out: InformerRegistration[] = [];
      for (const scopes of kinds.values()) {
        for (const backing of scopes.values()) {
          out.push({
            path: backing.path,
            labelSelector: backing.labelSelector,
            users: [...backing.views].map((view) => view.user).sort(),
            running: [...backing.running].map((view) => view.user).sort(),
          });
        }
      }
      return out.sort((a, b) => a.path.localeCompare(b.path) || (a.labelSelector ?? '').localeCompare(b.labelSelector ?? ''));
    },
  };
}
