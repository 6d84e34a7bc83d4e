import { PatchStrategy, setHeaderOptions, type V1Pod, type V1ReplicaSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Rollout } from '../../src/api/index.js';
import { createRequestCounter } from '../../src/kube/index.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { withRolloutController } from './support/rollout-controller.js';
import { testCluster } from './support/test-cluster.js';

// Role metadata and anti-affinity end to end on the real control plane: the controller runs in
// this process, the test updates and promotes as a person would (spec patch, pause conditions
// cleared on the status), and asserts on the pods and ReplicaSets the API server holds.
const cluster = testCluster('ephemeral-metadata');
const { core, apps, custom, namespace, rolloutApi } = cluster;
const HASH_KEY = 'rollouts-pod-template-hash';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
withRolloutController(cluster, { requestCounter: createRequestCounter() });

function until(name: string, what: string, check: (rollout: Rollout) => boolean): Promise<Rollout> {
  return cluster.untilRollout(name, what, check);
}

async function replicaSetOf(hash: string): Promise<V1ReplicaSet | undefined> {
  return (await apps.listNamespacedReplicaSet({ namespace, labelSelector: `${HASH_KEY}=${hash}` })).items[0];
}

async function podsOf(hash: string): Promise<V1Pod[]> {
  return (await core.listNamespacedPod({ namespace, labelSelector: `${HASH_KEY}=${hash}` })).items.filter(
    (pod) => pod.metadata?.deletionTimestamp === undefined,
  );
}

/** Waits until the revision runs `count` pods and every one satisfies `check`; returns them. */
async function untilPods(hash: string, count: number, what: string, check: (pod: V1Pod) => boolean): Promise<V1Pod[]> {
  let pods: V1Pod[] = [];
  await waitUntil(
    async () => {
      pods = await podsOf(hash);
      return pods.length === count && pods.every(check);
    },
    { what, timeoutMs: 60_000, intervalMs: 50 },
  );
  return pods;
}

async function createService(name: string, app: string): Promise<void> {
  await core.createNamespacedService({
    namespace,
    body: { metadata: { name }, spec: { selector: { app }, ports: [{ port: 80, targetPort: 8080 }] } },
  });
}

async function setImage(name: string, image: string): Promise<void> {
  await custom.patchNamespacedCustomObject(
    { ...rolloutApi, name, body: { spec: { template: { spec: { containers: [{ name: 'app', image }] } } } } },
    mergePatch,
  );
}

/** What `kubectl argo rollouts promote` does to a paused Rollout: the pause conditions go, controllerPause stays. */
async function promote(name: string): Promise<void> {
  await custom.patchNamespacedCustomObjectStatus({ ...rolloutApi, name, body: { status: { pauseConditions: null } } }, mergePatch);
}

function rollout(name: string, strategy: object): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name, namespace },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: `example.test/${name}:blue` }] } },
      strategy,
    },
  };
}

describe('ephemeral metadata and anti-affinity on a real control plane', () => {
  it('blue-green: preview pods carry previewMetadata, active pods activeMetadata, and promotion relabels the promoted pods and their template', async () => {
    await createService('bg-active', 'bg');
    await createService('bg-preview', 'bg');
    const blueGreen = {
      blueGreen: {
        activeService: 'bg-active',
        previewService: 'bg-preview',
        autoPromotionEnabled: false,
        scaleDownDelaySeconds: 2,
        previewMetadata: { labels: { role: 'preview', previewed: 'yes' }, annotations: { 'example.test/stage': 'preview' } },
        activeMetadata: { labels: { role: 'active' } },
      },
    };
    await custom.createNamespacedCustomObject({ ...rolloutApi, body: rollout('bg', blueGreen) });
    const first = await until(
      'bg',
      'the first revision to be Healthy',
      (r) => r.status?.phase === 'Healthy' && r.status.stableRS !== undefined,
    );
    const blue = first.status?.stableRS ?? '';
    await untilPods(blue, 2, 'the first pods to be active', (pod) => pod.metadata?.labels?.['role'] === 'active');

    await setImage('bg', 'example.test/bg:green');
    const paused = await until(
      'bg',
      'the update to pause for promotion',
      (r) => r.status?.phase === 'Paused' && r.status.currentPodHash !== blue,
    );
    const green = paused.status?.currentPodHash ?? '';
    const previewPods = await untilPods(green, 2, 'the preview pods', (pod) => pod.metadata?.labels?.['role'] === 'preview');
    for (const pod of previewPods) expect(pod.metadata?.annotations?.['example.test/stage']).toBe('preview');
    expect((await podsOf(blue)).map((pod) => pod.metadata?.labels?.['role'])).toEqual(['active', 'active']);

    await promote('bg');
    await until('bg', 'the promotion to complete', (r) => r.status?.phase === 'Healthy' && r.status.stableRS === green);
    const promoted = await untilPods(
      green,
      2,
      'the promoted pods to be relabelled active',
      (pod) =>
        pod.metadata?.labels?.['role'] === 'active' &&
        pod.metadata.labels['previewed'] === undefined &&
        pod.metadata.annotations?.['example.test/stage'] === undefined,
    );
    expect(promoted.map((pod) => pod.metadata?.labels?.['app'])).toEqual(['bg', 'bg']);
    const template = (await replicaSetOf(green))?.spec?.template?.metadata;
    expect(template?.labels).toMatchObject({ app: 'bg', role: 'active', [HASH_KEY]: green });
    expect(template?.labels?.['previewed']).toBeUndefined();
    expect(template?.annotations?.['example.test/stage']).toBeUndefined();
    // The old active stack is no longer active: its template loses the role (its pods go with the scale-down).
    await waitUntil(async () => (await replicaSetOf(blue))?.spec?.template?.metadata?.labels?.['role'] === undefined, {
      what: 'the old template to lose its role',
      timeoutMs: 30_000,
    });
  });

  it('canary: the canary ReplicaSet avoids the stable pods (injected anti-affinity naming the stable hash), and after promotion its pods carry stableMetadata', async () => {
    await createService('cn-stable', 'cn');
    await createService('cn-canary', 'cn');
    const canary = {
      canary: {
        stableService: 'cn-stable',
        canaryService: 'cn-canary',
        antiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: { weight: 50 } },
        canaryMetadata: { labels: { role: 'canary' } },
        stableMetadata: { labels: { role: 'stable' } },
        steps: [{ setWeight: 50 }, { pause: {} }],
      },
    };
    await custom.createNamespacedCustomObject({ ...rolloutApi, body: rollout('cn', canary) });
    const first = await until(
      'cn',
      'the first revision to be Healthy',
      (r) => r.status?.phase === 'Healthy' && r.status.stableRS !== undefined,
    );
    const blue = first.status?.stableRS ?? '';
    await untilPods(blue, 2, 'the first pods to be stable', (pod) => pod.metadata?.labels?.['role'] === 'stable');
    expect((await replicaSetOf(blue))?.spec?.template?.spec?.affinity).toBeUndefined();

    await setImage('cn', 'example.test/cn:green');
    const paused = await until(
      'cn',
      'the canary to pause at step 1',
      (r) => r.status?.phase === 'Paused' && r.status.currentStepIndex === 1,
    );
    const green = paused.status?.currentPodHash ?? '';
    expect(green).not.toBe(blue);
    const canaryRS = await replicaSetOf(green);
    expect(canaryRS?.spec?.template?.spec?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution).toEqual([
      {
        weight: 50,
        podAffinityTerm: {
          labelSelector: { matchExpressions: [{ key: HASH_KEY, operator: 'In', values: [blue] }] },
          namespaces: [namespace],
          topologyKey: 'kubernetes.io/hostname',
        },
      },
    ]);
    await untilPods(green, 1, 'the canary pod', (pod) => pod.metadata?.labels?.['role'] === 'canary');
    await untilPods(blue, 1, 'the remaining stable pod', (pod) => pod.metadata?.labels?.['role'] === 'stable');

    await promote('cn');
    await until('cn', 'the promotion to complete', (r) => r.status?.phase === 'Healthy' && r.status.stableRS === green);
    await untilPods(green, 2, 'the new stable pods to carry stableMetadata', (pod) => pod.metadata?.labels?.['role'] === 'stable');
    expect((await replicaSetOf(green))?.spec?.template?.metadata?.labels?.['role']).toBe('stable');
    // With the old stable scaled away there are no pods left to avoid: the injected term goes.
    await waitUntil(async () => (await replicaSetOf(green))?.spec?.template?.spec?.affinity === undefined, {
      what: 'the injected term to be removed',
      timeoutMs: 30_000,
    });
  });
});
