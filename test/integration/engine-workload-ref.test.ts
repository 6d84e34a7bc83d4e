import { PatchStrategy, setHeaderOptions, type V1Deployment, type V1ReplicaSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Rollout } from '../../src/api/index.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { withRolloutController } from './support/rollout-controller.js';
import { testCluster } from './support/test-cluster.js';

// spec.workloadRef end to end on the real control plane: a Deployment already runs the app, a
// Rollout takes over its pod template and scales it down, and later changes to the Deployment's
// template are canaries of the Rollout. The controller runs in this process.
const cluster = testCluster('workload-ref');
const { apps, custom, namespace, rolloutApi } = cluster;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
withRolloutController(cluster);

function deployment(name: string, image: string, replicas: number): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name, tier: 'web' } }, spec: { containers: [{ name: 'app', image }] } },
    },
  };
}

/** A canary Rollout with no template and no selector of its own: both come from the Deployment it references. */
function referencingRollout(name: string, deploymentName: string, scaleDown: 'onsuccess' | 'progressively'): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name, namespace },
    spec: {
      replicas: 3,
      workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deploymentName, scaleDown },
      strategy: { canary: { steps: [{ setWeight: 34 }, { pause: {} }] } },
    },
  };
}

async function replicaSetsOf(name: string): Promise<V1ReplicaSet[]> {
  const all = (await apps.listNamespacedReplicaSet({ namespace })).items;
  return all.filter((rs) => rs.metadata?.ownerReferences?.some((owner) => owner.kind === 'Rollout' && owner.name === name));
}

function imageOf(rs: V1ReplicaSet | undefined): string | undefined {
  return rs?.spec?.template?.spec?.containers[0]?.image;
}

function until(what: string, check: (rollout: Rollout) => boolean, name: string): Promise<Rollout> {
  return cluster.untilRollout(name, what, check);
}

async function readDeployment(name: string): Promise<V1Deployment> {
  return apps.readNamespacedDeployment({ name, namespace });
}

async function untilDeployment(name: string, what: string, check: (deployment: V1Deployment) => boolean): Promise<V1Deployment> {
  let last: V1Deployment | undefined;
  await waitUntil(
    async () => {
      last = await readDeployment(name);
      return check(last);
    },
    { what, timeoutMs: 60_000, intervalMs: 50 },
  );
  if (last === undefined) throw new Error(what);
  return last;
}

describe('spec.workloadRef on a real control plane', () => {
  it("takes over a running Deployment's template, scales the Deployment down progressively, and runs a canary when the Deployment's image changes", async () => {
    await apps.createNamespacedDeployment({ namespace, body: deployment('web', 'example.test/web:blue', 3) });
    await untilDeployment('web', 'the Deployment to run 3 available pods', (d) => d.status?.availableReplicas === 3);

    await custom.createNamespacedCustomObject({ ...rolloutApi, body: referencingRollout('web', 'web', 'progressively') });
    const first = await until('the first revision to be Healthy', (r) => r.status?.phase === 'Healthy', 'web');
    const blue = first.status?.currentPodHash ?? '';
    expect(first.status).toMatchObject({ stableRS: blue, availableReplicas: 3 });
    // The Rollout's ReplicaSet carries the Deployment's template, and its selector is the Deployment's plus the hash.
    const [firstRS] = await replicaSetsOf('web');
    expect(imageOf(firstRS)).toBe('example.test/web:blue');
    expect(firstRS?.spec?.template?.metadata?.labels).toMatchObject({ app: 'web', tier: 'web', 'rollouts-pod-template-hash': blue });
    expect(firstRS?.spec?.selector.matchLabels).toEqual({ app: 'web', 'rollouts-pod-template-hash': blue });
    // The Deployment gave its pods up as the Rollout's became ready. Each scaling is a new generation of the
    // Deployment, and status.workloadObservedGeneration follows it.
    const scaled = await untilDeployment('web', 'the Deployment to be scaled to 0', (d) => d.spec?.replicas === 0);
    expect(scaled.metadata?.generation).toBeGreaterThan(1);
    await until(
      'workloadObservedGeneration to reach the scaled Deployment',
      (r) => r.status?.workloadObservedGeneration === String(scaled.metadata?.generation),
      'web',
    );

    // A release is a change to the Deployment's template (the Rollout itself is not edited).
    await apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace,
        body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'example.test/web:green' }] } } } },
      },
      mergePatch,
    );
    const generation = String((await readDeployment('web')).metadata?.generation);
    expect(generation).not.toBe(String(scaled.metadata?.generation));
    const paused = await until(
      'the canary to pause at step 1',
      (r) => r.status?.phase === 'Paused' && r.status.currentStepIndex === 1,
      'web',
    );
    const green = paused.status?.currentPodHash ?? '';
    expect(green).not.toBe(blue);
    expect(paused.status).toMatchObject({ stableRS: blue, workloadObservedGeneration: generation });
    expect(paused.status?.pauseConditions?.map((c) => c.reason)).toEqual(['CanaryPauseStep']);
    const byHash = Object.fromEntries(
      (await replicaSetsOf('web')).map((rs) => [rs.metadata?.labels?.['rollouts-pod-template-hash'] ?? '', rs]),
    );
    expect(Object.keys(byHash).sort()).toEqual([blue, green].sort());
    expect(imageOf(byHash[green])).toBe('example.test/web:green');
    expect(byHash[green]?.spec?.replicas).toBe(1);
    expect(byHash[blue]?.spec?.replicas).toBe(2);
    // Only the first revision migrates the Deployment; later ones leave its replicas alone.
    expect((await readDeployment('web')).spec?.replicas).toBe(0);

    // Promote as a person would: the canary completes on the Deployment's new template.
    await custom.patchNamespacedCustomObjectStatus({ ...rolloutApi, name: 'web', body: { status: { pauseConditions: null } } }, mergePatch);
    const done = await until('the new revision to be Healthy', (r) => r.status?.phase === 'Healthy' && r.status.stableRS === green, 'web');
    expect(done.status).toMatchObject({ currentPodHash: green, workloadObservedGeneration: generation, replicas: 3 });
  });

  it('refuses a Rollout whose Deployment does not exist with InvalidSpec naming it, then follows the Deployment once it is created (scaleDown onsuccess)', async () => {
    await custom.createNamespacedCustomObject({ ...rolloutApi, body: referencingRollout('late', 'late-app', 'onsuccess') });
    const invalid = await until(
      'InvalidSpec for the missing Deployment',
      (r) => r.status?.conditions?.some((c) => c.type === 'InvalidSpec') === true,
      'late',
    );
    expect(invalid.status?.phase).toBe('Degraded');
    expect(invalid.status?.conditions?.find((c) => c.type === 'InvalidSpec')?.message).toContain('deployment "late-app" not found');
    expect(await replicaSetsOf('late')).toEqual([]);

    // The Deployment's creation wakes the Rollout (the controller watches Deployments), well before the 20 s retry.
    await apps.createNamespacedDeployment({ namespace, body: deployment('late-app', 'example.test/late:1', 2) });
    const healthy = await until('the Rollout to be Healthy', (r) => r.status?.phase === 'Healthy', 'late');
    expect(healthy.status?.conditions?.some((c) => c.type === 'InvalidSpec')).toBe(false);
    expect(imageOf((await replicaSetsOf('late'))[0])).toBe('example.test/late:1');
    const scaled = await untilDeployment(
      'late-app',
      'the Deployment to be scaled to 0 once the Rollout is Healthy',
      (d) => d.spec?.replicas === 0,
    );
    await until(
      'workloadObservedGeneration to reach the scaled Deployment',
      (r) => r.status?.workloadObservedGeneration === String(scaled.metadata?.generation),
      'late',
    );
  });
});
