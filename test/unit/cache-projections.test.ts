import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Rollout } from '../../src/api/index.js';
import { dashboardPodSchema } from '../../src/dashboard/schema.js';
import { observeRollout } from '../../src/engine/controller/observe-rollout.js';
import { planRollout } from '../../src/engine/plan-rollout.js';
import { canaryRollout } from '../../src/engine/testing/fixtures.js';
import { observe, runUntilSettled, simulatedCluster, updateSpec, type SimulatedCluster } from '../../src/engine/testing/simulate.js';
import { resolveWorkloadRef, withWorkloadObservedGeneration } from '../../src/engine/workload-ref.js';
import {
  cacheProjection,
  deploymentShape,
  isArrayShape,
  LAST_APPLIED_ANNOTATION,
  podShape,
  project,
  type Shape,
} from '../../src/kube/cache-projections.js';
import { podInfo } from '../../src/rollout-view/pod-info.js';
import { rolloutInfo } from '../../src/rollout-view/rollout-info.js';
import type { RolloutObject } from '../../src/rollout-view/types.js';

/**
 * The caches keep only what some reader reads (src/kube/cache-projections.ts). Each reader of a
 * projected kind runs here over objects that record every field read outside their projection: a
 * reader that starts to read a dropped field (a pod's volumes, a Deployment's status) fails this
 * test, and the projection must keep that field first.
 */

/** Wraps `value` so that reading a key its shape does not keep is recorded in `reads` (as a dotted path). */
function tripwire<T>(value: T, shape: Shape, path: string, reads: Set<string>): T {
  if (shape === true || value === null || typeof value !== 'object' || value instanceof Date) return value;
  if (isArrayShape(shape)) {
    if (!Array.isArray(value)) return value;
    const element = shape[0];
    return new Proxy(value, {
      get(target, key, receiver) {
        const got: unknown = Reflect.get(target, key, receiver);
        return typeof key === 'string' && /^\d+$/u.test(key) ? tripwire(got, element, `${path}[]`, reads) : got;
      },
    });
  }
  const fields = shape as Readonly<Record<string, Shape>>;
  const check = (key: string | symbol): Shape | undefined => {
    if (typeof key === 'symbol' || key in Object.prototype) return true;
    const inner = fields[key];
    if (inner === undefined) reads.add(path === '' ? key : `${path}.${key}`);
    return inner;
  };
  return new Proxy(value, {
    get(target, key, receiver) {
      const inner = check(key);
      const got: unknown = Reflect.get(target, key, receiver);
      return inner === undefined || typeof key === 'symbol' ? got : tripwire(got, inner, path === '' ? key : `${path}.${key}`, reads);
    },
    has(target, key) {
      check(key);
      return Reflect.has(target, key);
    },
  });
}

/** A pod as a real cluster holds it: most of it is what no controller reads. */
function realisticPod(simulated: V1Pod, shape: 'running' | 'init' | 'crashing' = 'running'): V1Pod {
  // The simulation's pod as plain JSON data (its metadata and status are the client's classes).
  const pod = JSON.parse(JSON.stringify(simulated)) as {
    metadata?: Record<string, unknown> & { annotations?: Record<string, string> };
    status?: Record<string, unknown>;
  };
  const running = { running: { startedAt: new Date('2026-01-01T00:00:01Z') } };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    ...pod,
    metadata: {
      ...pod.metadata,
      namespace: 'default',
      uid: `uid-${simulated.metadata?.name ?? ''}`,
      generateName: 'demo-',
      annotations: { ...pod.metadata?.annotations, [LAST_APPLIED_ANNOTATION]: '{"spec":{}}' },
      managedFields: [{ manager: 'kube-controller-manager', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: {} }],
    },
    spec: {
      serviceAccountName: 'default',
      nodeName: 'kwok-node-0',
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
      volumes: [{ name: 'token', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3607 } }] } }],
      initContainers: [{ name: 'migrate', image: 'demo-migrate:1', command: ['migrate'], resources: { requests: { cpu: '10m' } } }],
      containers: [
        {
          name: 'app',
          image: 'demo:1',
          env: [{ name: 'MODE', value: 'production' }],
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          readinessProbe: { httpGet: { path: '/healthz', port: 8080 } },
          resources: { requests: { cpu: '100m', memory: '64Mi' } },
          volumeMounts: [{ name: 'token', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }],
        },
      ],
    },
    status: {
      ...pod.status,
      phase: shape === 'init' ? 'Pending' : 'Running',
      hostIP: '10.0.0.1',
      podIP: '10.244.0.7',
      podIPs: [{ ip: '10.244.0.7' }],
      qosClass: 'Burstable',
      startTime: new Date('2026-01-01T00:00:00Z'),
      initContainerStatuses: [
        {
          name: 'migrate',
          image: 'demo-migrate:1',
          imageID: 'sha256:1',
          ready: shape !== 'init',
          restartCount: 0,
          state: shape === 'init' ? { waiting: { reason: 'PodInitializing' } } : { terminated: { exitCode: 0, reason: 'Completed' } },
        },
      ],
      containerStatuses: [
        {
          name: 'app',
          image: 'demo:1',
          imageID: 'sha256:2',
          ready: shape === 'running',
          restartCount: shape === 'crashing' ? 4 : 0,
          started: shape === 'running',
          state: shape === 'crashing' ? { waiting: { reason: 'CrashLoopBackOff', message: 'back-off' } } : running,
        },
      ],
    },
  };
}

const projectPod = cacheProjection({ group: '', resource: 'pods' });
const projectDeployment = cacheProjection({ group: 'apps', resource: 'deployments' });

/** A realistic pod as the API server sends it (JSON: timestamps as strings). */
function wirePod(pod: V1Pod, shape?: 'running' | 'init' | 'crashing'): V1Pod {
  return JSON.parse(JSON.stringify(realisticPod(pod, shape))) as V1Pod;
}

/** Realistic pods through the cache's projection, then behind a tripwire. */
function cachedPods(pods: readonly V1Pod[], reads: Set<string>, shape?: 'running' | 'init' | 'crashing'): V1Pod[] {
  return pods.map((pod) => tripwire(projectPod?.(wirePod(pod, shape)) as V1Pod, podShape, 'pod', reads));
}

function settledCanary(rollout: Rollout): SimulatedCluster {
  const cluster = simulatedCluster(rollout);
  expect(runUntilSettled(cluster).settled).toBe(true);
  return cluster;
}

describe('the informer caches keep only what the readers read', () => {
  it('a projected pod keeps its ownership, readiness and containers, and drops its volumes, env, IPs, managedFields and last-applied copy', () => {
    const full = realisticPod({
      metadata: {
        name: 'demo-abc-1',
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'demo-abc', uid: 'rs-1', controller: true }],
      },
    });
    const cached = projectPod?.(structuredClone(full)) as V1Pod;
    expect(cached.metadata?.ownerReferences).toEqual(full.metadata?.ownerReferences);
    expect(cached.metadata?.annotations).toEqual({});
    expect(cached.metadata?.managedFields).toBeUndefined();
    expect(cached.spec).toEqual({
      nodeName: 'kwok-node-0',
      initContainers: [{ name: 'migrate', image: 'demo-migrate:1' }],
      containers: [{ name: 'app', image: 'demo:1' }],
    });
    expect(cached.status?.podIPs).toBeUndefined();
    expect(cached.status?.containerStatuses).toEqual(full.status?.containerStatuses);
    const before = JSON.stringify(full).length;
    const after = JSON.stringify(cached).length;
    process.stdout.write(
      `cache-projections: a realistic pod ${String(before)} bytes of JSON, cached ${String(after)} (${(after / before).toFixed(2)}×)\n`,
    );
    expect(after).toBeLessThan(before * 0.6);
  });

  it('the engine plans the same from projected pods as from whole ones, and reads nothing the projection drops (restart, ephemeral metadata, steps)', () => {
    const reads = new Set<string>();
    const rollout = canaryRollout({ replicas: 4, steps: [{ setWeight: 25 }, { pause: {} }] });
    const canary = rollout.spec.strategy?.canary;
    if (rollout.spec.strategy === undefined || canary === undefined) throw new Error('canaryRollout has a canary strategy');
    rollout.spec.strategy.canary = {
      ...canary,
      canaryMetadata: { labels: { role: 'canary' } },
      stableMetadata: { labels: { role: 'stable' } },
    };
    const cluster = settledCanary(rollout);
    // A restart due now: every pod is read for its age, availability and owner.
    updateSpec(cluster, (spec) => {
      spec.restartAt = new Date(cluster.now).toISOString().replace(/\.\d+Z$/u, 'Z');
    });
    cluster.now += 1_000;
    const whole = observe(cluster);
    const fromWhole = planRollout({ ...whole, pods: whole.pods.map((pod) => wirePod(pod)) });
    const fromCache = planRollout({ ...observe(cluster), pods: cachedPods(whole.pods, reads) });
    expect(fromCache.actions.some((action) => action.kind === 'evictPod')).toBe(true);
    expect(JSON.stringify(fromCache)).toBe(JSON.stringify(fromWhole));
    // A new revision mid-way: the old pods are relabelled stable, the new ones canary.
    updateSpec(cluster, (spec) => {
      spec.restartAt = undefined;
      const container = spec.template?.spec?.containers?.[0];
      if (container !== undefined) container.image = 'demo:2';
    });
    for (let round = 0; round < 6; round += 1) {
      const observation = observe(cluster);
      planRollout({ ...observation, pods: cachedPods(observation.pods, reads) });
      runUntilSettled(cluster, 1);
    }
    expect([...reads]).toEqual([]);
  });

  it('get rollout, the dashboard and the engine’s observation read nothing the projection drops', () => {
    const reads = new Set<string>();
    const cluster = settledCanary(canaryRollout({ replicas: 3 }));
    const observation = observe(cluster);
    for (const state of ['running', 'init', 'crashing'] as const) {
      const pods = cachedPods(observation.pods, reads, state);
      for (const pod of pods) podInfo(pod);
      const viewed = cluster.rollout as unknown as RolloutObject;
      rolloutInfo(viewed, cluster.replicaSets, pods, []);
      rolloutInfo(
        viewed,
        cluster.replicaSets,
        pods.map((pod) => dashboardPodSchema.parse(pod)),
        [],
      );
      observeRollout({ rollout: cluster.rollout, replicaSets: cluster.replicaSets, services: [], pods, now: new Date(cluster.now) });
    }
    expect([...reads]).toEqual([]);
  });

  it('a workloadRef reads its Deployment’s metadata and spec only; the status and last-applied copy are dropped', () => {
    const reads = new Set<string>();
    const deployment: V1Deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'demo',
        namespace: 'default',
        generation: 2,
        resourceVersion: '7',
        annotations: { [LAST_APPLIED_ANNOTATION]: '{}' },
      },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'demo' } },
        template: { metadata: { labels: { app: 'demo' } }, spec: { containers: [{ name: 'app', image: 'demo:1' }] } },
      },
      status: { replicas: 3, readyReplicas: 3, conditions: [{ type: 'Available', status: 'True' }] },
    };
    const cached = projectDeployment?.(structuredClone(deployment)) as V1Deployment;
    expect(cached.status).toBeUndefined();
    expect(cached.metadata?.annotations).toEqual({});
    const rollout = canaryRollout();
    const spec: Partial<Rollout['spec']> = { ...rollout.spec };
    delete spec.template;
    delete spec.selector;
    const referencing = {
      ...rollout,
      spec: { ...spec, workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'demo' } },
    } as Rollout;
    const watched = tripwire(cached, deploymentShape, 'deployment', reads);
    expect(resolveWorkloadRef(referencing, watched).ok).toBe(true);
    withWorkloadObservedGeneration({}, watched);
    observeRollout({ rollout: referencing, replicaSets: [], services: [], pods: [], deployments: [watched], now: new Date() });
    expect([...reads]).toEqual([]);
  });

  it('the tripwire catches a reader of a dropped field (this test can fail)', () => {
    const reads = new Set<string>();
    const [pod] = cachedPods([{ metadata: { name: 'p' } }], reads);
    expect(pod?.spec?.volumes).toBeUndefined();
    expect(pod?.status?.podIP).toBeUndefined();
    expect([...reads].sort()).toEqual(['pod.spec.volumes', 'pod.status.podIP']);
  });

  it('shapes: arrays element by element, whole values kept, kinds without a projection cached whole less managedFields', () => {
    expect(project({ a: [{ x: 1, y: 2 }], b: { c: 1 }, d: 3 }, { a: [{ x: true }], b: true })).toEqual({ a: [{ x: 1 }], b: { c: 1 } });
    expect(project({ a: 'text' }, { a: { x: true } })).toEqual({ a: 'text' });
    expect(cacheProjection({ group: 'argoproj.io', resource: 'analysisruns' })).toBeUndefined();
    expect(cacheProjection({ group: 'apps', resource: 'replicasets' })).toBeUndefined();
    const rollouts = cacheProjection({ group: 'argoproj.io', resource: 'rollouts' });
    expect(
      rollouts?.({
        metadata: { name: 'r', annotations: { [LAST_APPLIED_ANNOTATION]: '{}', keep: 'x' }, managedFields: [] },
        spec: { a: 1 },
      }),
    ).toEqual({
      metadata: { name: 'r', annotations: { keep: 'x' } },
      spec: { a: 1 },
    });
  });
});
