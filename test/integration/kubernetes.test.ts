import { randomUUID } from 'node:crypto';
import { AppsV1Api, CoreV1Api, DiscoveryV1Api, KubeConfig, VersionApi, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitUntil } from '../../src/local/wait-until.js';

// The control plane is real: these behaviours come from the API server, the
// controller-manager, the scheduler and KWOK, not from anything of ours.
const environment = inject('gradualEnv');
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(environment.kubernetes.kubeconfig);
const core = kubeConfig.makeApiClient(CoreV1Api);
const apps = kubeConfig.makeApiClient(AppsV1Api);
const discovery = kubeConfig.makeApiClient(DiscoveryV1Api);
const namespace = `it-${randomUUID().slice(0, 8)}`;

function isRunningAndReady(pod: V1Pod): boolean {
  return pod.status?.phase === 'Running' && pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  // Pods need the namespace's default ServiceAccount, which the controller-manager creates.
  await waitUntil(async () => (await core.readNamespacedServiceAccount({ name: 'default', namespace })).metadata?.name === 'default', {
    what: 'default ServiceAccount',
    timeoutMs: 30_000,
  });
});

afterAll(async () => {
  await core.deleteNamespace({ name: namespace });
});

describe('the local control plane', () => {
  it('runs a ReplicaSet on KWOK nodes, publishes ready endpoints, and garbage-collects its pods', async () => {
    const labels = { app: 'web' };
    await apps.createNamespacedReplicaSet({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 3,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name: 'web', image: 'example.test/web:blue', ports: [{ containerPort: 8080 }] }] },
          },
        },
      },
    });
    await core.createNamespacedService({
      namespace,
      body: { metadata: { name: 'web' }, spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] } },
    });

    let pods: V1Pod[] = [];
    await waitUntil(
      async () => {
        pods = (await core.listNamespacedPod({ namespace, labelSelector: 'app=web' })).items;
        return pods.length === 3 && pods.every(isRunningAndReady);
      },
      { what: '3 Running and Ready pods', timeoutMs: 60_000 },
    );
    expect(pods.map((pod) => pod.spec?.nodeName).every((node) => environment.kubernetes.nodes.includes(node ?? ''))).toBe(true);
    expect(pods.every((pod) => pod.metadata?.ownerReferences?.[0]?.kind === 'ReplicaSet')).toBe(true);
    // The ReplicaSet controller counts the ready pods a moment later.
    await waitUntil(async () => (await apps.readNamespacedReplicaSet({ name: 'web', namespace })).status?.readyReplicas === 3, {
      what: 'the ReplicaSet to report 3 ready replicas',
      timeoutMs: 30_000,
    });

    let readyAddresses: string[] = [];
    await waitUntil(
      async () => {
        const slices = (await discovery.listNamespacedEndpointSlice({ namespace, labelSelector: 'kubernetes.io/service-name=web' })).items;
        readyAddresses = slices.flatMap((slice) => slice.endpoints.filter((e) => e.conditions?.ready === true).flatMap((e) => e.addresses));
        return readyAddresses.length === 3;
      },
      { what: 'an EndpointSlice with 3 ready endpoints', timeoutMs: 60_000 },
    );
    expect([...readyAddresses].sort()).toEqual(pods.map((pod) => pod.status?.podIP ?? '').sort());

    await apps.deleteNamespacedReplicaSet({ name: 'web', namespace, propagationPolicy: 'Background' });
    await waitUntil(async () => (await core.listNamespacedPod({ namespace, labelSelector: 'app=web' })).items.length === 0, {
      what: 'the garbage collector to delete the pods',
      timeoutMs: 60_000,
    });
    expect((await core.listNamespacedPod({ namespace, labelSelector: 'app=web' })).items).toEqual([]);
  });

  it('enforces optimistic concurrency: a second update with the same resourceVersion gets 409', async () => {
    const created = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'occ' }, data: { value: '0' } } });
    const resourceVersion = created.metadata?.resourceVersion ?? '';
    expect(resourceVersion).toBeTruthy();
    const update = (value: string): Promise<unknown> =>
      core.replaceNamespacedConfigMap({ name: 'occ', namespace, body: { metadata: { name: 'occ', resourceVersion }, data: { value } } });
    await update('1');
    const failure: unknown = await update('2').then(
      () => undefined,
      (cause: unknown) => cause,
    );
    expect(failure).toMatchObject({ code: 409 });
    expect((await core.readNamespacedConfigMap({ name: 'occ', namespace })).data).toEqual({ value: '1' });
  });

  it('reports the pinned Kubernetes version', async () => {
    const version = await kubeConfig.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toBe(environment.versions.kubernetes);
  });
});
