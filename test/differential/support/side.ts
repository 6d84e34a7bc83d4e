import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { ownCliInvocation } from '../../../src/local/own-cli.js';
import { runCommand } from '../../../src/local/run-command.js';
import { waitUntil } from '../../../src/local/wait-until.js';
import type { CreatedRouter, Scenario, ScenarioAction } from './scenario.js';
import type { RawSide } from './snapshot.js';

type RouterObject = NonNullable<RawSide['routers']>[number] & { apiVersion?: string; metadata?: { name?: string } };

export const instanceLabel = 'argo-rollouts.argoproj.io/controller-instance-id';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface SideEvent {
  /** The Event object's name: client-go updates one object (count + 1) for a repeat. */
  name: string;
  reason: string;
  message: string;
  /** client-go's recorder folds repeats into one Event and counts them; Gradual writes each. */
  count: number;
}

/** One copy of a scenario's objects: a namespace of its own, labelled for one controller. */
export interface Side {
  controller: 'gradual' | 'argo';
  namespace: string;
  instanceId: string;
  /** Creates the scenario's objects; `createdRouters` are the router objects the controller will create, read back too. */
  create(objects: Scenario['objects'], createdRouters?: readonly CreatedRouter[]): Promise<void>;
  act(action: ScenarioAction): Promise<void>;
  read(rollout: string): Promise<RawSide>;
  /** The Events about the Rollout, in the order the API server last wrote them, with client-go's aggregation count. */
  events(rollout: string): Promise<SideEvent[]>;
  /**
   * The Events about the namespace's Experiments (an experiment step's), in the order they were first recorded
   * (watched from before the scenario's objects exist), with client-go's aggregation count as it stands.
   */
  experimentEvents(): Promise<SideEvent[]>;
  /**
   * Starts watching the namespace's Rollouts (before the scenario's objects exist, so no write is missed);
   * conditionHistory then returns, per Rollout, the distinct condition states in the order they were persisted.
   */
  watchConditions(): Promise<void>;
  conditionHistory(rollout: string): string[];
  tearDown(): Promise<void>;
}

/** The history with the state of one more write appended, unless that write left the conditions as they were. */
export function withState(
  history: readonly string[],
  conditions: readonly { type?: string; status?: string; reason?: string }[] | undefined,
): string[] {
  const state = conditionState(conditions);
  // A write that changes no condition status (replica counts, selectors, the revision annotation) is not a new state.
  return history.at(-1) === state ? [...history] : [...history, state];
}

/**
 * A Rollout's conditions as one comparable state: `{Type=Status …}`, sorted by type. What `kubectl wait
 * --for=condition=Type=Status` can observe; not the reasons, since whether a reconcile lands between a ReplicaSet's
 * scale-up and its pods' readiness (Progressing=True ReplicaSetUpdated, then NewReplicaSetAvailable) is the
 * cluster's timing, on both sides (seen in 1 run of 4 for Argo on the first revision).
 */
export function conditionState(conditions: readonly { type?: string; status?: string }[] | undefined): string {
  return `{${(conditions ?? [])
    .map((condition) => `${condition.type ?? ''}=${condition.status ?? ''}`)
    .sort()
    .join(' ')}}`;
}

export async function createSide(options: {
  controller: Side['controller'];
  namespace: string;
  instanceId: string;
  kubeConfig: KubeConfig;
  kubeconfigPath: string;
}): Promise<Side> {
  const { namespace, instanceId, kubeConfig } = options;
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  const argoproj = (plural: string) => ({ group: 'argoproj.io', version: 'v1alpha1', namespace, plural });

  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await waitUntil(async () => (await core.readNamespacedServiceAccount({ name: 'default', namespace })).metadata?.name === 'default', {
    what: `the default ServiceAccount of ${namespace}`,
    timeoutMs: 30_000,
  });

  // Router objects (VirtualService, TrafficSplit, Ingress, ...): what the scenario created outside the core, apps and argoproj.io groups.
  const routers: { apiVersion: string; kind: string; name: string }[] = [];

  async function gradual(...args: string[]): Promise<void> {
    const cli = ownCliInvocation();
    const result = await runCommand(cli.command, [...cli.args, ...args, '-n', namespace, '--kubeconfig', options.kubeconfigPath], {
      cwd: cli.cwd,
    });
    if (result.code !== 0) throw new Error(`gradual ${args.join(' ')} (in ${namespace}) failed: ${result.stderr.trim()}`);
  }

  /** A router object as stored; one a controller has not created (yet) reads as absent. */
  async function readRouter(router: { apiVersion: string; kind: string; name: string }): Promise<RouterObject> {
    try {
      return await objects.read<RouterObject>({
        apiVersion: router.apiVersion,
        kind: router.kind,
        metadata: { name: router.name, namespace },
      });
    } catch (cause) {
      if (cause instanceof ApiException && cause.code === 404) return { kind: router.kind, metadata: { name: router.name }, absent: true };
      throw cause;
    }
  }

  async function listEvents(fieldSelector: string): Promise<SideEvent[]> {
    const events = (await core.listNamespacedEvent({ namespace, fieldSelector })).items;
    // Event timestamps have whole-second precision; within one etcd the resourceVersion orders creations exactly.
    return events
      .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
      .map((event) => ({
        name: event.metadata.name ?? '',
        reason: event.reason ?? '',
        message: event.message ?? '',
        count: event.count ?? 1,
      }));
  }

  const histories = new Map<string, string[]>();
  let stopWatch: AbortController | undefined;
  const experimentEventLog: SideEvent[] = [];
  const stopEventWatch = await new Watch(kubeConfig).watch(
    `/api/v1/namespaces/${namespace}/events`,
    { fieldSelector: 'involvedObject.kind=Experiment' },
    (type: string, event: { metadata?: { name?: string }; reason?: string; message?: string; count?: number }) => {
      if (type !== 'ADDED' && type !== 'MODIFIED') return;
      const name = event.metadata?.name ?? '';
      const known = experimentEventLog.find((candidate) => candidate.name === name);
      if (known !== undefined) known.count = event.count ?? known.count;
      else experimentEventLog.push({ name, reason: event.reason ?? '', message: event.message ?? '', count: event.count ?? 1 });
    },
    () => undefined,
  );

  return {
    controller: options.controller,
    namespace,
    instanceId,
    async create(manifests, createdRouters = []) {
      routers.push(...createdRouters);
      for (const manifest of manifests) {
        // Every object carries the instance label: Argo filters Rollouts (and its other kinds) by it; it is harmless elsewhere.
        const labels: unknown = manifest.metadata['labels'];
        const metadata = {
          ...manifest.metadata,
          namespace,
          labels: { ...(typeof labels === 'object' ? labels : {}), [instanceLabel]: instanceId },
        };
        await objects.create({ ...manifest, metadata });
        if (isRouterKind(manifest.apiVersion, manifest.kind))
          routers.push({ apiVersion: manifest.apiVersion, kind: manifest.kind, name: manifest.metadata.name });
      }
    },
    async act(action) {
      switch (action.action) {
        case 'set-image':
          return gradual('set', 'image', action.rollout, action.image);
        case 'promote':
          return action.full === true ? gradual('promote', action.rollout, '--full') : gradual('promote', action.rollout);
        case 'abort':
          return gradual('abort', action.rollout);
        case 'retry':
          return gradual('retry', 'rollout', action.rollout);
        case 'patch-template':
          await custom.patchNamespacedCustomObject(
            { ...argoproj('rollouts'), name: action.rollout, body: { spec: { template: { spec: action.podSpec } } } },
            mergePatch,
          );
          return;
        case 'patch-spec':
          await custom.patchNamespacedCustomObject(
            { ...argoproj('rollouts'), name: action.rollout, body: { spec: action.spec } },
            mergePatch,
          );
          return;
      }
    },
    async read(rollout) {
      const [object, replicaSets, services, analysisRuns, experiments, routerObjects] = await Promise.all([
        custom.getNamespacedCustomObject({ ...argoproj('rollouts'), name: rollout }) as Promise<RawSide['rollout']>,
        apps.listNamespacedReplicaSet({ namespace }),
        core.listNamespacedService({ namespace }),
        custom.listNamespacedCustomObject(argoproj('analysisruns')) as Promise<{ items: RawSide['analysisRuns'] }>,
        custom.listNamespacedCustomObject(argoproj('experiments')) as Promise<{ items: NonNullable<RawSide['experiments']> }>,
        Promise.all(routers.map((router) => readRouter(router))),
      ]);
      const ownedBy = (kind: string, names: ReadonlySet<string>) => (rs: (typeof replicaSets.items)[number]) =>
        rs.metadata?.ownerReferences?.some((owner) => owner.kind === kind && names.has(owner.name)) === true;
      // The Rollout's experiment steps' Experiments, and the ReplicaSets those own (`<experiment>-<template>`).
      const ownExperiments = experiments.items.filter(
        (experiment) => experiment.metadata?.ownerReferences?.some((owner) => owner.kind === 'Rollout' && owner.name === rollout) === true,
      );
      const experimentNames = new Set(ownExperiments.map((experiment) => experiment.metadata?.name ?? ''));
      return {
        namespace,
        instanceId,
        rollout: object,
        replicaSets: replicaSets.items.filter(ownedBy('Rollout', new Set([rollout]))),
        services: services.items,
        analysisRuns: analysisRuns.items,
        routers: routerObjects,
        // Only where there are some, so a scenario without an experiment step reads (and compares) as before.
        ...(ownExperiments.length === 0
          ? {}
          : { experiments: ownExperiments, experimentReplicaSets: replicaSets.items.filter(ownedBy('Experiment', experimentNames)) }),
      };
    },
    async events(rollout) {
      return listEvents(`involvedObject.name=${rollout},involvedObject.kind=Rollout`);
    },
    experimentEvents() {
      // A repeat client-go folds into an Event moves it to its latest resourceVersion; the watch keeps where it began,
      // so a repeat (compared apart, see run-scenario's foldRepeats) does not reorder the story.
      return Promise.resolve(experimentEventLog.map((event) => ({ ...event })));
    },
    async watchConditions() {
      const path = `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/rollouts`;
      stopWatch = await new Watch(kubeConfig).watch(
        path,
        {},
        (type: string, object: { metadata?: { name?: string }; status?: { conditions?: { type?: string; status?: string }[] } }) => {
          if (type !== 'ADDED' && type !== 'MODIFIED') return;
          const name = object.metadata?.name ?? '';
          histories.set(name, withState(histories.get(name) ?? [], object.status?.conditions));
        },
        () => undefined,
      );
    },
    conditionHistory(rollout) {
      return [...(histories.get(rollout) ?? [])];
    },
    async tearDown() {
      stopWatch?.abort();
      stopEventWatch.abort();
      await core.deleteNamespace({ name: namespace });
    },
  };
}

/** Objects a traffic router writes: anything outside the core, apps and argoproj.io groups (Istio, SMI, networking.k8s.io Ingress, Gateway API). */
function isRouterKind(apiVersion: string, kind: string): boolean {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return group !== '' && group !== 'apps' && group !== 'argoproj.io' && kind !== 'Namespace';
}
