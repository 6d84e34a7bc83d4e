import { randomUUID } from 'node:crypto';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, type V1ReplicaSet } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { rolloutSchema, type Rollout } from '../../src/api/index.js';
import { createPlanApplier, eventSourceComponent } from '../../src/engine/controller/apply-plan.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { createLogger } from '../../src/log/index.js';

// The applier against the real API server: what it writes, that it writes
// nothing for a settled plan, and that stale decisions are refused (409).
const environment = inject('gradualEnv');
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(environment.kubernetes.kubeconfig);
const core = kubeConfig.makeApiClient(CoreV1Api);
const apps = kubeConfig.makeApiClient(AppsV1Api);
const custom = kubeConfig.makeApiClient(CustomObjectsApi);
const namespace = `apply-${randomUUID().slice(0, 8)}`;
const applier = createPlanApplier(kubeConfig, createLogger({ level: 'silent' }));
const rolloutApi = { group: 'argoproj.io', version: 'v1alpha1', namespace, plural: 'rollouts' } as const;

async function readRollout(name: string): Promise<Rollout> {
  return rolloutSchema.parse(await custom.getNamespacedCustomObject({ ...rolloutApi, name }));
}

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await custom.createNamespacedCustomObject({
    ...rolloutApi,
    body: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'web', namespace },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'example.test/web:blue' }] } },
        strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } },
      },
    },
  });
});

afterAll(async () => {
  await core.deleteNamespace({ name: namespace });
});

describe('createPlanApplier', () => {
  it('creates ReplicaSets, writes the status, records Events — and writes nothing for a settled plan', async () => {
    const rollout = await readRollout('web');
    const uid = rollout.metadata?.uid ?? '';
    const result = await applier.apply(rollout, {
      actions: [
        {
          kind: 'createReplicaSet',
          replicaSet: {
            metadata: {
              name: 'web-abc123',
              namespace,
              labels: { app: 'web', 'rollouts-pod-template-hash': 'abc123' },
              ownerReferences: [
                { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'web', uid, controller: true, blockOwnerDeletion: true },
              ],
            },
            spec: {
              replicas: 0,
              selector: { matchLabels: { app: 'web', 'rollouts-pod-template-hash': 'abc123' } },
              template: {
                metadata: { labels: { app: 'web', 'rollouts-pod-template-hash': 'abc123' } },
                spec: { containers: [{ name: 'web', image: 'example.test/web:blue' }] },
              },
            },
          },
        },
      ],
      status: { phase: 'Progressing', message: 'more replicas need to be updated', currentPodHash: 'abc123', observedGeneration: '1' },
      events: [{ type: 'Normal', reason: 'RolloutUpdated', message: 'Rollout updated to revision 1' }],
    });
    expect(result).toEqual({
      actions: 1,
      statusWritten: true,
      supersededVersions: [rollout.metadata?.resourceVersion],
      events: 1,
      routerWrites: 0,
    });

    const replicaSet = await apps.readNamespacedReplicaSet({ name: 'web-abc123', namespace });
    expect(replicaSet.metadata?.ownerReferences?.[0]?.uid).toBe(uid);
    const written = await readRollout('web');
    expect(written.status).toEqual({
      phase: 'Progressing',
      message: 'more replicas need to be updated',
      currentPodHash: 'abc123',
      observedGeneration: '1',
    });
    // Events are written after the reconcile, in order; flushing waits for them.
    await applier.flushEvents();
    const events = (await core.listNamespacedEvent({ namespace, fieldSelector: 'involvedObject.name=web' })).items;
    expect(events.map((event) => [event.reason, event.message, event.source?.component, event.involvedObject.kind])).toEqual([
      ['RolloutUpdated', 'Rollout updated to revision 1', eventSourceComponent, 'Rollout'],
    ]);

    const settled = await applier.apply(written, { actions: [], status: structuredClone(written.status ?? {}), events: [] });
    expect(settled).toEqual({ actions: 0, statusWritten: false, supersededVersions: [], events: 0, routerWrites: 0 });
    expect((await readRollout('web')).metadata?.resourceVersion).toBe(written.metadata?.resourceVersion);
  });

  it("writes the Rollout's revision annotation before its status, and the status on the version that write made", async () => {
    const rollout = await readRollout('web');
    const before = rollout.metadata?.resourceVersion ?? '';
    const result = await applier.apply(rollout, {
      actions: [{ kind: 'setRolloutRevision', revision: '7', resourceVersion: before }],
      status: { ...(rollout.status ?? {}), message: 'after the revision' },
      events: [],
    });
    const written = await readRollout('web');
    expect(written.metadata?.annotations?.['rollout.argoproj.io/revision']).toBe('7');
    expect(written.status?.message).toBe('after the revision');
    // Both writes landed: the cached version and the one the annotation write made are stale now.
    expect(result.statusWritten).toBe(true);
    expect(result.supersededVersions).toHaveLength(2);
    expect(result.supersededVersions[0]).toBe(before);
    expect(result.supersededVersions).not.toContain(written.metadata?.resourceVersion);
    // Decided on a stale Rollout, the annotation write is refused like any other write.
    await expect(
      applier.apply(rollout, {
        actions: [{ kind: 'setRolloutRevision', revision: '8', resourceVersion: before }],
        status: rollout.status ?? {},
        events: [],
      }),
    ).rejects.toMatchObject({ code: 409 });
    expect((await readRollout('web')).metadata?.annotations?.['rollout.argoproj.io/revision']).toBe('7');
  });

  it('records the Events of a decision only once its status is written: a decision repeated on a stale Rollout records nothing', async () => {
    const rollout = await readRollout('web');
    const plan = {
      actions: [],
      status: { ...(rollout.status ?? {}), message: 'decided once' },
      events: [{ type: 'Normal' as const, reason: 'RolloutStepCompleted', message: 'Rollout step 1/2 completed (setWeight: 50)' }],
    };
    const count = async (): Promise<number> => {
      await applier.flushEvents();
      return (await core.listNamespacedEvent({ namespace, fieldSelector: 'involvedObject.name=web' })).items.filter(
        (event) => event.reason === 'RolloutStepCompleted',
      ).length;
    };
    expect(await applier.apply(rollout, plan)).toMatchObject({ statusWritten: true, events: 1 });
    // The same decision again, on the same (now stale) Rollout: the Event is not repeated, and the status write is refused.
    await expect(applier.apply(rollout, plan)).rejects.toMatchObject({ code: 409 });
    expect(await count()).toBe(1);
    // A later decision on the new version that says the same thing is a new Event.
    expect(await applier.apply(await readRollout('web'), { ...plan, status: { ...plan.status, message: 'decided twice' } })).toMatchObject({
      statusWritten: true,
    });
    expect(await count()).toBe(2);
  });

  it('refuses a decision made on a stale ReplicaSet or Rollout with 409 and changes nothing', async () => {
    const rollout = await readRollout('web');
    const replicaSet = await apps.readNamespacedReplicaSet({ name: 'web-abc123', namespace });
    const staleVersion = replicaSet.metadata?.resourceVersion ?? '';
    await applier.apply(rollout, {
      actions: [{ kind: 'updateReplicaSet', name: 'web-abc123', resourceVersion: staleVersion, replicas: 1 }],
      status: rollout.status ?? {},
      events: [],
    });
    expect((await apps.readNamespacedReplicaSet({ name: 'web-abc123', namespace })).spec?.replicas).toBe(1);

    const staleScale = applier.apply(rollout, {
      actions: [{ kind: 'updateReplicaSet', name: 'web-abc123', resourceVersion: staleVersion, replicas: 2 }],
      status: rollout.status ?? {},
      events: [],
    });
    await expect(staleScale).rejects.toMatchObject({ code: 409 });
    expect((await apps.readNamespacedReplicaSet({ name: 'web-abc123', namespace })).spec?.replicas).toBe(1);

    const fresh = await readRollout('web');
    await applier.apply(fresh, { actions: [], status: { ...fresh.status, message: 'first' }, events: [] });
    const staleStatus = applier.apply(fresh, { actions: [], status: { ...fresh.status, message: 'second' }, events: [] });
    await expect(staleStatus).rejects.toMatchObject({ code: 409 });
    expect((await readRollout('web')).status?.message).toBe('first');
  });

  /**
   * The ReplicaSet once its controller has caught up (observed the generation, pods ready): its status writes
   * change the resourceVersion, so a decision is made on it settled, as the informer would see it.
   */
  async function settledReplicaSet(): Promise<V1ReplicaSet> {
    let replicaSet = await apps.readNamespacedReplicaSet({ name: 'web-abc123', namespace });
    await waitUntil(
      async () => {
        replicaSet = await apps.readNamespacedReplicaSet({ name: 'web-abc123', namespace });
        const wanted = replicaSet.spec?.replicas ?? 0;
        return (
          replicaSet.status?.observedGeneration === replicaSet.metadata?.generation &&
          (replicaSet.status?.readyReplicas ?? 0) === wanted &&
          (replicaSet.status?.availableReplicas ?? 0) === wanted
        );
      },
      { what: 'the ReplicaSet controller to settle web-abc123', timeoutMs: 30_000, intervalMs: 50 },
    );
    return replicaSet;
  }

  it('patches only the pod-template and pod metadata a plan names, and refuses a stale pod with 409', async () => {
    const rollout = await readRollout('web');
    const term = {
      labelSelector: { matchExpressions: [{ key: 'rollouts-pod-template-hash', operator: 'In', values: ['old'] }] },
      topologyKey: 'kubernetes.io/hostname',
    };
    const before = await settledReplicaSet();
    await applier.apply(rollout, {
      actions: [
        {
          kind: 'updateReplicaSet',
          name: 'web-abc123',
          resourceVersion: before.metadata?.resourceVersion ?? '',
          annotations: { 'rollout.argoproj.io/ephemeral-metadata': '{"labels":{"role":"canary"}}' },
          template: {
            labels: { role: 'canary' },
            affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } },
          },
        },
      ],
      status: rollout.status ?? {},
      events: [],
    });
    const injected = await settledReplicaSet();
    expect(injected.spec?.template?.metadata?.labels).toEqual({ app: 'web', 'rollouts-pod-template-hash': 'abc123', role: 'canary' });
    expect(injected.spec?.template?.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution).toEqual([term]);
    expect(injected.spec?.replicas).toBe(before.spec?.replicas);
    await applier.apply(rollout, {
      actions: [
        {
          kind: 'updateReplicaSet',
          name: 'web-abc123',
          resourceVersion: injected.metadata?.resourceVersion ?? '',
          template: { labels: { role: null }, affinity: null },
        },
      ],
      status: rollout.status ?? {},
      events: [],
    });
    const cleared = await apps.readNamespacedReplicaSet({ name: 'web-abc123', namespace });
    expect(cleared.spec?.template?.metadata?.labels).toEqual({ app: 'web', 'rollouts-pod-template-hash': 'abc123' });
    expect(cleared.spec?.template?.spec?.affinity).toBeUndefined();

    await waitUntil(
      async () => (await core.listNamespacedServiceAccount({ namespace })).items.some((account) => account.metadata?.name === 'default'),
      {
        what: 'the default ServiceAccount',
        timeoutMs: 30_000,
      },
    );
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'relabel-me', labels: { app: 'other', role: 'canary', keep: 'me' }, annotations: { track: 'canary' } },
        spec: { containers: [{ name: 'c', image: 'example.test/c:1' }] },
      },
    });
    // The scheduler and KWOK write the new pod a few times; decide on it once it has settled, as the informer would see it.
    let staleVersion = '';
    await waitUntil(
      async () => {
        const pod = await core.readNamespacedPod({ name: 'relabel-me', namespace });
        staleVersion = pod.metadata?.resourceVersion ?? '';
        return (
          pod.status?.phase === 'Running' &&
          (pod.status.conditions ?? []).some((condition) => condition.type === 'Ready' && condition.status === 'True')
        );
      },
      { what: 'the pod to run', timeoutMs: 30_000, intervalMs: 50 },
    );
    await applier.apply(rollout, {
      actions: [
        {
          kind: 'updatePodMetadata',
          name: 'relabel-me',
          resourceVersion: staleVersion,
          labels: { role: 'stable' },
          annotations: { track: null },
        },
      ],
      status: rollout.status ?? {},
      events: [],
    });
    const relabelled = await core.readNamespacedPod({ name: 'relabel-me', namespace });
    expect(relabelled.metadata?.labels).toEqual({ app: 'other', role: 'stable', keep: 'me' });
    expect(relabelled.metadata?.annotations?.['track']).toBeUndefined();
    expect(relabelled.spec?.containers[0]?.image).toBe('example.test/c:1');

    const stale = applier.apply(rollout, {
      actions: [{ kind: 'updatePodMetadata', name: 'relabel-me', resourceVersion: staleVersion, labels: { role: 'canary' } }],
      status: rollout.status ?? {},
      events: [],
    });
    await expect(stale).rejects.toMatchObject({ code: 409 });
    expect((await core.readNamespacedPod({ name: 'relabel-me', namespace })).metadata?.labels?.['role']).toBe('stable');
  });
});
