import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rollout } from '../../src/api/index.js';
import { createRolloutController, type RolloutController } from '../../src/engine/controller/rollout-controller.js';
import { planRollout } from '../../src/engine/plan-rollout.js';
import { ensureArgoRolloutsBinary, ensureArgoRolloutsPlugin, startArgoRollouts } from '../../src/local/argo-rollouts.js';
import { cacheRoot } from '../../src/local/cache-dir.js';
import { stopProcess } from '../../src/local/process-supervisor.js';
import { runCommand } from '../../src/local/run-command.js';
import type { ManagedProcess } from '../../src/local/types.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { createLogger } from '../../src/log/index.js';
import { testCluster } from './support/test-cluster.js';

// Coming from Argo Rollouts, on the real control plane: Argo's own controller (v1.9.1, built from its
// pinned module) creates a Rollout's ReplicaSets and pods and pauses it mid-canary; Argo is stopped
// (its CRDs and objects stay, as the README's migration says); Gradual's controller, started with
// the same instance id, takes the Rollout over. It creates no ReplicaSet, deletes no pod (the same
// ReplicaSet and pod uids), keeps the revision numbers, and carries the rollout on from the step
// Argo paused at to Healthy when promoted with Argo's own kubectl plugin.
const cluster = testCluster('argo-adopt');
const { apps, core, custom, namespace, rolloutApi } = cluster;
const logger = createLogger({ level: 'warn' });
const instanceId = `adopt-${namespace}`;

let argo: ManagedProcess | undefined;
let gradual: RolloutController | undefined;
let plugin: string;
let planned = 0;

beforeAll(async () => {
  await cluster.setUp();
  const binary = await ensureArgoRolloutsBinary({ cacheRoot: cacheRoot(), logger });
  plugin = await ensureArgoRolloutsPlugin({ cacheRoot: cacheRoot(), logger });
  const logDir = await mkdtemp(join(tmpdir(), 'gradual-argo-adopt-'));
  const started = await startArgoRollouts({
    controller: binary.controller,
    kubeconfig: cluster.kubeconfigPath,
    instanceId,
    logFile: join(logDir, 'argo-rollouts.log'),
    logger,
    onStart: (record) => {
      argo = record;
    },
  });
  argo = started.record;
}, 900_000);

afterAll(async () => {
  if (argo !== undefined) await stopProcess(argo);
  await gradual?.stop();
  await cluster.tearDown();
});

function rollout(image: string): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'web', namespace, labels: { 'argo-rollouts.argoproj.io/controller-instance-id': instanceId } },
    spec: {
      replicas: 4,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image }] } },
      strategy: { canary: { steps: [{ setWeight: 25 }, { pause: {} }, { setWeight: 75 }, { pause: {} }] } },
    },
  };
}

async function replicaSets(): Promise<V1ReplicaSet[]> {
  return (await apps.listNamespacedReplicaSet({ namespace })).items.filter((rs) =>
    rs.metadata?.ownerReferences?.some((owner) => owner.kind === 'Rollout' && owner.name === 'web'),
  );
}

/** name → [uid, revision, spec.replicas] of each ReplicaSet the Rollout owns. */
async function replicaSetSummary(): Promise<Record<string, [string, string, number]>> {
  return Object.fromEntries(
    (await replicaSets()).map((rs) => [
      rs.metadata?.name ?? '',
      [rs.metadata?.uid ?? '', rs.metadata?.annotations?.['rollout.argoproj.io/revision'] ?? '', rs.spec?.replicas ?? -1],
    ]),
  );
}

async function pods(): Promise<V1Pod[]> {
  return (await core.listNamespacedPod({ namespace, labelSelector: 'app=web' })).items.filter(
    (pod) => pod.metadata?.deletionTimestamp === undefined,
  );
}

const observed = (r: Rollout): boolean =>
  r.status?.observedGeneration !== undefined && r.status.observedGeneration === String(r.metadata?.generation ?? '');

function until(what: string, check: (r: Rollout) => boolean): Promise<Rollout> {
  return cluster.untilRollout('web', what, check);
}

describe('a Rollout adopted from Argo Rollouts', { timeout: 300_000 }, () => {
  it("keeps Argo's ReplicaSets and pods, and carries the paused canary on to Healthy", async () => {
    await custom.createNamespacedCustomObject({ ...rolloutApi, body: rollout('nginx:1.25') });
    await until("Argo's first revision Healthy", (r) => observed(r) && r.status?.phase === 'Healthy' && r.status.availableReplicas === 4);
    const current = (await custom.getNamespacedCustomObject({ ...rolloutApi, name: 'web' })) as {
      spec: { template: { spec: { containers: { image: string }[] } } };
    };
    const container = current.spec.template.spec.containers[0];
    if (container === undefined) throw new Error('no container');
    container.image = 'nginx:1.26';
    await custom.replaceNamespacedCustomObject({ ...rolloutApi, name: 'web', body: current });
    const paused = await until(
      'Argo paused at the first pause, canary pods ready',
      (r) => observed(r) && r.status?.phase === 'Paused' && r.status.currentStepIndex === 1 && r.status.readyReplicas === 4,
    );
    const argoReplicaSets = await replicaSetSummary();
    const argoPods = (await pods()).map((pod) => pod.metadata?.uid ?? '').sort();
    const canaryHash = paused.status?.currentPodHash ?? '';
    const argoCanaryPods = (await pods())
      .filter((pod) => pod.metadata?.labels?.['rollouts-pod-template-hash'] === canaryHash)
      .map((pod) => pod.metadata?.uid ?? '');
    expect(
      Object.values(argoReplicaSets)
        .map(([, revision, replicas]) => [revision, replicas])
        .sort(),
    ).toEqual([
      ['1', 3],
      ['2', 1],
    ]);
    expect(argoPods).toHaveLength(4);
    expect(argoCanaryPods).toHaveLength(1);

    // Argo goes away; its CRDs and objects stay.
    if (argo !== undefined) await stopProcess(argo);
    argo = undefined;

    gradual = createRolloutController({
      kubeConfig: cluster.kubeConfig,
      namespace,
      instanceId,
      logger,
      planner: (observation) => {
        planned += 1;
        return planRollout(observation);
      },
    });
    await gradual.start();
    const controller = gradual;
    await waitUntil(
      () => {
        const queue = controller.queue.metrics();
        return Promise.resolve(planned > 0 && queue.depth === 0 && queue.inFlight === 0);
      },
      { what: "Gradual's first reconcile of the adopted Rollout", timeoutMs: 60_000, intervalMs: 50 },
    );
    // Taken over as it was: the same ReplicaSets (uids, revisions, sizes), the same pods, still paused at step 1.
    expect(await replicaSetSummary()).toEqual(argoReplicaSets);
    expect((await pods()).map((pod) => pod.metadata?.uid ?? '').sort()).toEqual(argoPods);
    const adopted = await cluster.readRollout('web');
    expect([adopted.status?.phase, adopted.status?.currentStepIndex, adopted.status?.currentPodHash, adopted.status?.stableRS]).toEqual([
      'Paused',
      1,
      paused.status?.currentPodHash,
      paused.status?.stableRS,
    ]);

    // Promoted with Argo's own plugin: Gradual carries on from Argo's step, with Argo's canary ReplicaSet.
    const promote = await runCommand(plugin, ['promote', 'web', '--namespace', namespace, '--kubeconfig', cluster.kubeconfigPath]);
    expect([promote.code, promote.stderr]).toEqual([0, '']);
    await until('the second pause, at 75%', (r) => observed(r) && r.status?.phase === 'Paused' && r.status.currentStepIndex === 3);
    const again = await runCommand(plugin, ['promote', 'web', '--namespace', namespace, '--kubeconfig', cluster.kubeconfigPath]);
    expect([again.code, again.stderr]).toEqual([0, '']);
    const healthy = await until(
      'the new revision Healthy and stable',
      (r) =>
        observed(r) &&
        r.status?.phase === 'Healthy' &&
        r.status.stableRS === paused.status?.currentPodHash &&
        r.status.availableReplicas === 4,
    );
    expect(healthy.status?.currentPodHash).toBe(paused.status?.currentPodHash);
    const after = await replicaSetSummary();
    expect(Object.keys(after).sort()).toEqual(Object.keys(argoReplicaSets).sort());
    for (const [name, [uid, revision]] of Object.entries(argoReplicaSets)) expect(after[name]?.slice(0, 2)).toEqual([uid, revision]);
    // The canary pod Argo started is among the new revision's pods: scaled up around it, not replaced.
    const newRevisionPods = (await pods())
      .filter((pod) => pod.metadata?.labels?.['rollouts-pod-template-hash'] === canaryHash)
      .map((pod) => pod.metadata?.uid ?? '');
    expect(newRevisionPods).toHaveLength(4);
    expect(newRevisionPods).toEqual(expect.arrayContaining(argoCanaryPods));
  });
});
