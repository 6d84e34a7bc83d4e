import type { V1Affinity, V1Deployment, V1Pod, V1ReplicaSet, V1Service } from '@kubernetes/client-node';
import type { AnalysisRun, Experiment, Rollout, RolloutSpec, RolloutStatus } from '../../api/index.js';
import type { AnalysisTemplateCatalog } from '../analysis-templates.js';
import { sameStatus } from '../rollout-status.js';
import { planRollout } from '../plan-rollout.js';
import { releasedServices } from '../service-references.js';
import { REVISION_ANNOTATION } from '../../api/argo-labels.js';
import { applyMergePatch } from '../json-merge-patch.js';
import type { PodTemplateChanges, ReconcilePlan, RolloutEvent, RolloutObservation, TrafficOperation } from '../reconcile-types.js';

/**
 * A test-only stand-in for the API server, the ReplicaSet controller and the kubelet: it
 * applies a plan's actions to ReplicaSet objects, creates "pods" that become available
 * `readyAfterMs` after they were created, and moves the injected clock. Enough to drive the
 * planner from a manifest to a settled rollout and watch every step in between.
 */
export interface SimulatedCluster {
  rollout: Rollout;
  replicaSets: V1ReplicaSet[];
  services: Record<string, V1Service>;
  /** The Deployment a workloadRef names, if the test has one; scaleDeployment actions change its spec.replicas. */
  workload?: V1Deployment;
  /** Creation times (ms) of each ReplicaSet's pods, by ReplicaSet name. */
  pods: Map<string, number[]>;
  now: number;
  readyAfterMs: number;
  events: RolloutEvent[];
  plans: ReconcilePlan[];
  nextVersion: number;
  /** AnalysisRuns the planner created (their phases are set by the test, standing in for the AnalysisRun controller). */
  analysisRuns: AnalysisRun[];
  /** Experiments as the API server holds them; their controller is the test (it sets their phases). */
  experiments: Experiment[];
  analysisTemplates: AnalysisTemplateCatalog;
  /** A stand-in traffic router: the canary weight last set (undefined before any), the header/mirror routes it holds, and every call in order. */
  router: { weight: number | undefined; routes: string[]; calls: { at: number; operation: TrafficOperation }[] };
}

export function simulatedCluster(rollout: Rollout, options: { now?: Date; readyAfterMs?: number } = {}): SimulatedCluster {
  return {
    rollout: structuredClone(rollout),
    replicaSets: [],
    services: {},
    pods: new Map(),
    now: (options.now ?? new Date('2026-01-01T00:00:00Z')).getTime(),
    readyAfterMs: options.readyAfterMs ?? 5_000,
    events: [],
    plans: [],
    nextVersion: 1,
    analysisRuns: [],
    experiments: [],
    analysisTemplates: { namespaced: {}, cluster: {} },
    router: { weight: undefined, routes: [], calls: [] },
  };
}

export function observe(cluster: SimulatedCluster): RolloutObservation {
  refreshStatuses(cluster);
  return {
    rollout: structuredClone(cluster.rollout),
    replicaSets: structuredClone(cluster.replicaSets),
    services: structuredClone(cluster.services),
    releasedServices: structuredClone(releasedServices(cluster.rollout, Object.values(cluster.services))),
    pods: podsOf(cluster),
    ...(cluster.workload === undefined ? {} : { workload: structuredClone(cluster.workload) }),
    analysisRuns: structuredClone(cluster.analysisRuns),
    experiments: structuredClone(cluster.experiments),
    analysisTemplates: cluster.analysisTemplates,
    now: new Date(cluster.now),
  };
}

/** The simulated pods as the pod informer would hold them: named by ReplicaSet, creation time and position. */
export function podsOf(cluster: SimulatedCluster): V1Pod[] {
  return cluster.replicaSets.flatMap((rs) => {
    const name = rs.metadata?.name ?? '';
    return (cluster.pods.get(name) ?? []).map((created, index): V1Pod => {
      const ready = cluster.now - created >= cluster.readyAfterMs;
      return {
        metadata: {
          name: podName(name, created, index),
          // Labels and annotations as the ReplicaSet's template has them now: the simulation relabels pods at once when a template changes role.
          labels: { ...(rs.spec?.template?.metadata?.labels ?? {}) },
          annotations: { ...(rs.spec?.template?.metadata?.annotations ?? {}) },
          resourceVersion: '1',
          creationTimestamp: new Date(created),
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid: rs.metadata?.uid ?? '', controller: true }],
        },
        status: {
          conditions: [
            {
              type: 'Ready',
              status: ready ? 'True' : 'False',
              lastTransitionTime: new Date(ready ? created + cluster.readyAfterMs : created),
            },
          ],
        },
      };
    });
  });
}

function podName(replicaSet: string, created: number, index: number): string {
  return `${replicaSet}-${String(created)}-${String(index)}`;
}

/** An eviction: the pod is gone at once (no grace period); its ReplicaSet replaces it. */
function evict(cluster: SimulatedCluster, evicted: ReadonlySet<string>): void {
  for (const [replicaSet, pods] of cluster.pods) {
    cluster.pods.set(
      replicaSet,
      pods.filter((created, index) => !evicted.has(podName(replicaSet, created, index))),
    );
  }
}

/** One reconcile: plan from what the cluster holds, then apply the plan. */
export function reconcileOnce(cluster: SimulatedCluster): ReconcilePlan {
  const plan = planRollout(observe(cluster));
  apply(cluster, plan);
  return plan;
}

export function apply(cluster: SimulatedCluster, plan: ReconcilePlan): void {
  cluster.plans.push(plan);
  evict(cluster, new Set(plan.actions.flatMap((action) => (action.kind === 'evictPod' ? [action.name] : []))));
  for (const action of plan.actions) {
    if (action.kind === 'createReplicaSet') {
      const rs = structuredClone(action.replicaSet);
      rs.metadata = Object.assign(rs.metadata ?? {}, {
        uid: `uid-${rs.metadata?.name ?? ''}`,
        resourceVersion: version(cluster),
        creationTimestamp: new Date(cluster.now),
        generation: 1,
      });
      cluster.replicaSets.push(rs);
    } else if (action.kind === 'updateReplicaSet') {
      const rs = find(cluster, action.name);
      if (rs.metadata.resourceVersion !== action.resourceVersion) throw new Error(`conflict on ${action.name}`);
      const annotations = { ...(rs.metadata.annotations ?? {}) };
      for (const [key, value] of Object.entries(action.annotations ?? {})) {
        if (value === null) Reflect.deleteProperty(annotations, key);
        else annotations[key] = value;
      }
      rs.metadata.annotations = annotations;
      rs.metadata.resourceVersion = version(cluster);
      if (action.replicas !== undefined && rs.spec !== undefined) rs.spec.replicas = action.replicas;
      if (action.minReadySeconds !== undefined && rs.spec !== undefined) rs.spec.minReadySeconds = action.minReadySeconds;
      if (action.template !== undefined && rs.spec !== undefined) applyTemplateChanges(rs.spec, action.template);
    } else if (action.kind === 'updateServiceSelector') {
      const service = cluster.services[action.name];
      if (service?.metadata?.resourceVersion !== action.resourceVersion) throw new Error(`conflict on Service ${action.name}`);
      service.spec = Object.assign(service.spec ?? {}, { selector: merge(service.spec?.selector, action.selector) });
      service.metadata.annotations = merge(service.metadata.annotations, action.annotations ?? {});
      service.metadata.resourceVersion = version(cluster);
    } else if (action.kind === 'setRolloutRevision') {
      const metadata = cluster.rollout.metadata ?? {};
      cluster.rollout.metadata = { ...metadata, annotations: { ...(metadata.annotations ?? {}), [REVISION_ANNOTATION]: action.revision } };
    } else if (action.kind === 'deleteReplicaSet') {
      cluster.replicaSets = cluster.replicaSets.filter((rs) => rs.metadata?.name !== action.name);
      cluster.pods.delete(action.name);
    } else if (action.kind === 'createAnalysisRun') {
      const name = action.run.metadata?.name ?? '';
      if (cluster.analysisRuns.some((run) => run.metadata?.name === name)) throw new Error(`AnalysisRun ${name} already exists`);
      cluster.analysisRuns.push({
        ...structuredClone(action.run),
        metadata: { ...action.run.metadata, creationTimestamp: new Date(cluster.now).toISOString() },
      });
    } else if (action.kind === 'terminateAnalysisRun') {
      const run = cluster.analysisRuns.find((candidate) => candidate.metadata?.name === action.name);
      if (run !== undefined) run.spec.terminate = true;
    } else if (action.kind === 'deleteAnalysisRun') {
      cluster.analysisRuns = cluster.analysisRuns.filter((run) => run.metadata?.name !== action.name);
    } else if (action.kind === 'createExperiment') {
      const name = action.experiment.metadata?.name ?? '';
      if (cluster.experiments.some((experiment) => experiment.metadata?.name === name))
        throw new Error(`Experiment ${name} already exists`);
      cluster.experiments.push({
        ...structuredClone(action.experiment),
        metadata: { ...action.experiment.metadata, uid: `uid-${name}`, creationTimestamp: new Date(cluster.now).toISOString() },
      });
    } else if (action.kind === 'terminateExperiment') {
      const experiment = cluster.experiments.find((candidate) => candidate.metadata?.name === action.name);
      if (experiment !== undefined) experiment.spec.terminate = true;
    } else if (action.kind === 'deleteExperiment') {
      cluster.experiments = cluster.experiments.filter((experiment) => experiment.metadata?.name !== action.name);
    } else if (action.kind === 'routeTraffic') {
      for (const operation of action.operations) routeTraffic(cluster, operation);
    } else if (action.kind === 'scaleDeployment') {
      const deployment = cluster.workload;
      if (deployment?.metadata?.name !== action.name || deployment.metadata.resourceVersion !== action.resourceVersion)
        throw new Error(`conflict on Deployment ${action.name}`);
      deployment.spec = Object.assign(deployment.spec ?? { selector: {}, template: {} }, { replicas: action.replicas });
      deployment.metadata.resourceVersion = version(cluster);
    }
  }
  cluster.rollout.status = structuredClone(plan.status);
  cluster.events.push(...plan.events);
  refreshStatuses(cluster);
}

function routeTraffic(cluster: SimulatedCluster, operation: TrafficOperation): void {
  const { router } = cluster;
  router.calls.push({ at: cluster.now, operation });
  if (operation.op === 'setWeight') router.weight = operation.weight;
  else if (operation.op === 'removeManagedRoutes') router.routes = [];
  else if (operation.op === 'setHeaderRoute' || operation.op === 'setMirrorRoute') {
    const others = router.routes.filter((name) => name !== operation.route.name);
    router.routes = operation.route.match === undefined ? others : [...others, operation.route.name];
  }
}

/** The ReplicaSet controller: pods follow spec.replicas at once (the newest go first), and become available after readyAfterMs. */
function refreshStatuses(cluster: SimulatedCluster): void {
  for (const rs of cluster.replicaSets) {
    const name = rs.metadata?.name ?? '';
    const pods = cluster.pods.get(name) ?? [];
    const desired = rs.spec?.replicas ?? 1;
    while (pods.length < desired) pods.push(cluster.now);
    pods.splice(desired);
    cluster.pods.set(name, pods);
    const available = pods.filter((created) => cluster.now - created >= cluster.readyAfterMs).length;
    rs.status = {
      replicas: pods.length,
      readyReplicas: available,
      availableReplicas: available,
      observedGeneration: rs.metadata?.generation ?? 1,
    };
  }
}

export interface RunResult {
  /** Plans in order, with the clock time each was made at. */
  steps: { at: number; plan: ReconcilePlan }[];
  settled: boolean;
}

/**
 * Reconciles until nothing is left to do: when a plan changes nothing, the clock moves to the
 * next thing that can happen (a pod becoming available, or the plan's requeue); with neither,
 * the rollout is settled.
 */
export function runUntilSettled(cluster: SimulatedCluster, maxReconciles = 200): RunResult {
  const steps: RunResult['steps'] = [];
  for (let i = 0; i < maxReconciles; i++) {
    const before = structuredClone(cluster.rollout.status ?? {});
    const routerBefore = JSON.stringify([cluster.router.weight, cluster.router.routes]);
    const at = cluster.now;
    const plan = reconcileOnce(cluster);
    steps.push({ at, plan });
    // Router calls are planned at every reconcile (idempotent, as Argo's); only those that changed the router count.
    const routerChanged = JSON.stringify([cluster.router.weight, cluster.router.routes]) !== routerBefore;
    const acted = plan.actions.some((action) => action.kind !== 'routeTraffic') || routerChanged;
    if (acted || !sameStatus(before, plan.status)) continue;
    const next = nextPodReady(cluster);
    const wake = plan.requeueAfterMs === undefined ? undefined : cluster.now + plan.requeueAfterMs;
    const candidates = [next, wake].filter((time): time is number => time !== undefined);
    if (candidates.length === 0) return { steps, settled: true };
    cluster.now = Math.min(...candidates);
  }
  return { steps, settled: false };
}

function nextPodReady(cluster: SimulatedCluster): number | undefined {
  const times = [...cluster.pods.values()]
    .flat()
    .map((created) => created + cluster.readyAfterMs)
    .filter((time) => time > cluster.now);
  return times.length === 0 ? undefined : Math.min(...times);
}

/** A spec change, as `kubectl apply` makes it: the generation moves on. */
export function updateSpec(cluster: SimulatedCluster, change: (spec: RolloutSpec) => void): void {
  change(cluster.rollout.spec);
  const metadata = cluster.rollout.metadata ?? {};
  cluster.rollout.metadata = { ...metadata, generation: (metadata.generation ?? 1) + 1 };
}

/** A new pod template image: the spec change every update test starts with. */
export function setImage(cluster: SimulatedCluster, image: string): void {
  updateSpec(cluster, (spec) => {
    const container = spec.template?.spec?.containers?.[0];
    if (container !== undefined) container.image = image;
  });
}

/** What `kubectl argo rollouts promote` (and `gradual promote`) patches on a paused Rollout: the pause conditions go, controllerPause stays for the controller to notice. */
export function promote(cluster: SimulatedCluster): void {
  const status: RolloutStatus = { ...(cluster.rollout.status ?? {}) };
  delete status.pauseConditions;
  cluster.rollout.status = status;
}

/** A status merge patch, as a person or another controller writes it. */
export function patchStatus(cluster: SimulatedCluster, patch: Partial<RolloutStatus>): void {
  cluster.rollout.status = { ...(cluster.rollout.status ?? {}), ...patch };
}

export function replicasByName(cluster: SimulatedCluster): Record<string, number> {
  return Object.fromEntries(cluster.replicaSets.map((rs) => [rs.metadata?.name ?? '', rs.spec?.replicas ?? 0]));
}

function find(cluster: SimulatedCluster, name: string): V1ReplicaSet & { metadata: NonNullable<V1ReplicaSet['metadata']> } {
  const rs = cluster.replicaSets.find((candidate) => candidate.metadata?.name === name);
  if (rs?.metadata === undefined) throw new Error(`no ReplicaSet ${name}`);
  return rs as V1ReplicaSet & { metadata: NonNullable<V1ReplicaSet['metadata']> };
}

function applyTemplateChanges(spec: NonNullable<V1ReplicaSet['spec']>, changes: PodTemplateChanges): void {
  const template = spec.template ?? {};
  const metadata = template.metadata ?? {};
  if (changes.labels !== undefined) metadata.labels = merge(metadata.labels, changes.labels);
  if (changes.annotations !== undefined) metadata.annotations = merge(metadata.annotations, changes.annotations);
  template.metadata = metadata;
  if (changes.affinity !== undefined && template.spec !== undefined) {
    const affinity = applyMergePatch(template.spec.affinity, changes.affinity) as V1Affinity | undefined;
    if (affinity === undefined) delete template.spec.affinity;
    else template.spec.affinity = affinity;
  }
  spec.template = template;
}

function merge(map: Record<string, string> | undefined, changes: Record<string, string | null>): Record<string, string> {
  const merged = { ...(map ?? {}) };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) Reflect.deleteProperty(merged, key);
    else merged[key] = value;
  }
  return merged;
}

function version(cluster: SimulatedCluster): string {
  cluster.nextVersion += 1;
  return String(cluster.nextVersion);
}
