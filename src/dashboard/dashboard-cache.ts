import type { KubeConfig } from '@kubernetes/client-node';
import { createManager, type InformerCache, type KubeObject, type Manager } from '../kube/index.js';
import type { Logger } from '../log/index.js';
import { rolloutObjectSchema, type NamedRolloutObject } from '../rollout-view/rollout-object-schema.js';
import { rolloutSummary, rolloutView, type RolloutObjects } from './rollout-view.js';
import {
  dashboardAnalysisRunSchema,
  dashboardExperimentSchema,
  dashboardPodSchema,
  dashboardReplicaSetSchema,
  type DashboardAnalysisRun,
  type DashboardExperiment,
  type TreePod,
  type TreeReplicaSet,
} from './schema.js';
import type { RolloutSummary, RolloutView } from './types.js';

/** Only what a Rollout owns: its ReplicaSets and pods carry this label, so the caches skip the rest of the cluster. */
const ownedByRolloutSelector = 'rollouts-pod-template-hash';

export interface DashboardCache {
  summaries(): RolloutSummary[];
  /** Undefined when the Rollout is not (or no longer) in the cache. */
  view(namespace: string, name: string): RolloutView | undefined;
  /** Called once after each burst of informer events (coalesced to the next turn of the event loop). */
  onChange(listener: () => void): () => void;
  start(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

interface Parsed<T> {
  value: T | undefined;
}

/**
 * The dashboard's informers over Rollouts, ReplicaSets, pods, AnalysisRuns and Experiments: the cluster
 * manager's shared ones (read-only here, so the dashboard runs beside any controller; in `gradual
 * start` the engine's), or a manager of its own. Objects are checked by zod when a
 * view is computed; one that fails is logged once per resourceVersion and left out.
 */
export function createDashboardCache(
  kubeConfig: KubeConfig,
  options: { namespace?: string | undefined; logger: Logger; manager?: Manager | undefined },
): DashboardCache {
  const { logger } = options;
  const namespace = options.namespace ?? '';
  const manager = options.manager ?? createManager({ kubeConfig, logger });
  function informer<T extends KubeObject>(group: string, version: string, resource: string, labelSelector?: string): InformerCache<T> {
    return manager.informer<T>({ group, version, resource, namespace, labelSelector }, 'dashboard');
  }
  const rollouts = informer<KubeObject>('argoproj.io', 'v1alpha1', 'rollouts');
  const replicaSets = informer<KubeObject>('apps', 'v1', 'replicasets', ownedByRolloutSelector);
  const pods = informer<KubeObject>('', 'v1', 'pods', ownedByRolloutSelector);
  const analysisRuns = informer<KubeObject>('argoproj.io', 'v1alpha1', 'analysisruns');
  const experiments = informer<KubeObject>('argoproj.io', 'v1alpha1', 'experiments');
  const informers = [rollouts, replicaSets, pods, analysisRuns, experiments];

  const listeners = new Set<() => void>();
  let scheduled = false;
  function changed(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      for (const listener of listeners) {
        try {
          listener();
        } catch (error) {
          logger.error({ err: error }, 'dashboard change listener failed');
        }
      }
    });
  }
  for (const cache of informers) {
    cache.onAdd(changed);
    cache.onUpdate(changed);
    cache.onDelete(changed);
  }

  // Parsed once per object version: a page update re-reads every cached object.
  const parsedByVersion = new WeakMap<object, Parsed<unknown>>();
  const reported = new Set<string>();
  function parse<T>(
    schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { message: string } } },
    kind: string,
    object: KubeObject,
  ): T | undefined {
    const cached = parsedByVersion.get(object) as Parsed<T> | undefined;
    if (cached !== undefined) return cached.value;
    const result = schema.safeParse(object);
    const value = result.success ? result.data : undefined;
    if (!result.success) {
      const key = `${kind}/${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}@${object.metadata?.resourceVersion ?? ''}`;
      if (!reported.has(key)) {
        reported.add(key);
        logger.warn({ object: key, problem: result.error.message }, 'the dashboard leaves out an object it cannot read');
      }
    }
    parsedByVersion.set(object, { value });
    return value;
  }
  function all<T>(cache: InformerCache<KubeObject>, schema: Parameters<typeof parse<T>>[0], kind: string, inNamespace?: string): T[] {
    const out: T[] = [];
    for (const object of cache.list(inNamespace)) {
      const value = parse(schema, kind, object);
      if (value !== undefined) out.push(value);
    }
    return out;
  }

  function objectsOf(rollout: NamedRolloutObject): RolloutObjects {
    const ns = rollout.metadata.namespace ?? '';
    return {
      rollout,
      replicaSets: all<TreeReplicaSet>(replicaSets, dashboardReplicaSetSchema, 'ReplicaSet', ns),
      pods: all<TreePod>(pods, dashboardPodSchema, 'Pod', ns),
      analysisRuns: all<DashboardAnalysisRun>(analysisRuns, dashboardAnalysisRunSchema, 'AnalysisRun', ns),
      experiments: all<DashboardExperiment>(experiments, dashboardExperimentSchema, 'Experiment', ns),
    };
  }

  return {
    summaries() {
      return all<NamedRolloutObject>(rollouts, rolloutObjectSchema, 'Rollout')
        .map((rollout) => rolloutSummary(objectsOf(rollout)))
        .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
    },
    view(ns, name) {
      const object = rollouts.get(ns, name);
      const rollout = object === undefined ? undefined : parse<NamedRolloutObject>(rolloutObjectSchema, 'Rollout', object);
      return rollout === undefined ? undefined : rolloutView(objectsOf(rollout));
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async start(timeoutMs) {
      await Promise.all(informers.map((cache) => cache.start()));
      try {
        await Promise.all(informers.map((cache) => cache.waitForSync(timeoutMs)));
      } catch (error) {
        // The informers keep retrying; the pages fill in when they sync.
        logger.warn({ err: error }, 'dashboard caches not synced yet; serving what they hold');
      }
    },
    async stop() {
      listeners.clear();
      await Promise.all(informers.map((cache) => cache.stop()));
    },
  };
}
