import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { waitUntil } from '../../src/local/wait-until.js';
import { withRolloutController } from './support/rollout-controller.js';
import { testCluster } from './support/test-cluster.js';

// Fast rollback, rollback windows, the progress deadline and pod restarts,
// with the controller in this process and the real control plane: what Argo
// users rely on when a release goes wrong.
const cluster = testCluster('edges');
const { apps, core, custom, namespace, rolloutApi } = cluster;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
withRolloutController(cluster);

function rollout(name: string, extraSpec: Record<string, unknown> = {}): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name, namespace },
    spec: {
      replicas: 4,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: `example.test/${name}:blue` }] } },
      strategy: { canary: { steps: [{ setWeight: 25 }, { pause: {} }, { setWeight: 75 }, { pause: {} }] } },
      ...extraSpec,
    },
  };
}

async function setTemplateSpec(name: string, podSpec: Record<string, unknown>): Promise<void> {
  await custom.patchNamespacedCustomObject({ ...rolloutApi, name, body: { spec: { template: { spec: podSpec } } } }, mergePatch);
}

async function sizes(name: string): Promise<Record<string, number>> {
  const all = (await apps.listNamespacedReplicaSet({ namespace, labelSelector: `app=${name}` })).items;
  return Object.fromEntries(all.map((rs) => [rs.metadata?.labels?.['rollouts-pod-template-hash'] ?? '', rs.spec?.replicas ?? 0]));
}

describe('canary edges on a real control plane', () => {
  it('fast rollback: going back to the stable template skips the steps and keeps the stable ReplicaSet', async () => {
    await custom.createNamespacedCustomObject({ ...rolloutApi, body: rollout('back') });
    const first = await cluster.untilRollout('back', 'the first revision to be Healthy', (r) => r.status?.phase === 'Healthy');
    const blue = first.status?.stableRS ?? '';
    await setTemplateSpec('back', { containers: [{ name: 'app', image: 'example.test/back:red' }] });
    const paused = await cluster.untilRollout(
      'back',
      'the canary to pause at step 1',
      (r) => r.status?.phase === 'Paused' && r.status.currentStepIndex === 1,
    );
    const red = paused.status?.currentPodHash ?? '';
    expect(await sizes('back')).toEqual({ [blue]: 3, [red]: 1 });

    await setTemplateSpec('back', { containers: [{ name: 'app', image: 'example.test/back:blue' }] });
    const back = await cluster.untilRollout(
      'back',
      'the rollback to settle',
      (r) => r.status?.phase === 'Healthy' && r.status.currentPodHash === blue,
    );
    expect(back.status).toMatchObject({ stableRS: blue, currentStepIndex: 4 });
    expect(back.status?.pauseConditions ?? []).toEqual([]);
    await waitUntil(async () => (await sizes('back'))[red] === 0, { what: 'the canary ReplicaSet to scale down', timeoutMs: 30_000 });
    expect(await sizes('back')).toEqual({ [blue]: 4, [red]: 0 });
    // No new ReplicaSet for the old template: the stable one is reused, as Argo does.
    expect(Object.keys(await sizes('back'))).toHaveLength(2);
    const backLines = await cluster.untilEventLines('back', 'the SkipSteps Event', (lines) =>
      lines.some((line) => line.startsWith('SkipSteps: ')),
    );
    expect(backLines.some((line) => line.startsWith('SkipSteps: '))).toBe(true);
  });

  it('progress deadline with progressDeadlineAbort: a canary whose pods never become available is aborted', async () => {
    await custom.createNamespacedCustomObject({
      ...rolloutApi,
      body: rollout('stuck', { progressDeadlineSeconds: 3, progressDeadlineAbort: true }),
    });
    const first = await cluster.untilRollout('stuck', 'the first revision to be Healthy', (r) => r.status?.phase === 'Healthy');
    const blue = first.status?.stableRS ?? '';
    // No node carries this label: the canary's pods stay Pending, so the step can never complete.
    await setTemplateSpec('stuck', {
      containers: [{ name: 'app', image: 'example.test/stuck:red' }],
      nodeSelector: { 'gradual.test/nowhere': 'true' },
    });
    const aborted = await cluster.untilRollout(
      'stuck',
      'the rollout to be aborted by its deadline',
      (r) => r.status?.phase === 'Degraded' && r.status.abort === true,
    );
    const progressing = aborted.status?.conditions?.find((condition) => condition.type === 'Progressing');
    expect(progressing).toMatchObject({ status: 'False', reason: 'RolloutAborted' });
    expect(aborted.status?.message).toMatch(/^RolloutAborted: /);
    // The abort says why: the new ReplicaSet timed out progressing (Argo's wording).
    const timedOut = /^RolloutAborted: .*ReplicaSet "stuck-[a-z0-9]+" has timed out progressing/;
    const stuckLines = await cluster.untilEventLines('stuck', 'the RolloutAborted Event', (lines) =>
      lines.some((line) => line.startsWith('RolloutAborted: ')),
    );
    expect(
      stuckLines.some((line) => timedOut.test(line)),
      stuckLines.join('\n'),
    ).toBe(true);
    await waitUntil(async () => (await sizes('stuck'))[blue] === 4, { what: 'the stable ReplicaSet at full size', timeoutMs: 30_000 });
    expect((await sizes('stuck'))[blue]).toBe(4);
  });

  it('rollbackWindow: going back to a recent revision skips the steps, unlike an ordinary update', async () => {
    // The pause keeps the releases' ReplicaSets in different seconds: Argo orders revisions by creation time, at one-second resolution.
    const quickSteps = {
      strategy: { canary: { steps: [{ setWeight: 50 }, { pause: { duration: 2 } }] } },
      rollbackWindow: { revisions: 1 },
    };
    await custom.createNamespacedCustomObject({ ...rolloutApi, body: rollout('window', quickSteps) });
    const first = await cluster.untilRollout('window', 'the first revision to be Healthy', (r) => r.status?.phase === 'Healthy');
    const hashes: string[] = [first.status?.stableRS ?? ''];
    for (const colour of ['red', 'green']) {
      await setTemplateSpec('window', { containers: [{ name: 'app', image: `example.test/window:${colour}` }] });
      const released = await cluster.untilRollout(
        'window',
        `the ${colour} release to complete its steps`,
        (r) =>
          r.status?.phase === 'Healthy' &&
          r.status.stableRS === r.status.currentPodHash &&
          !hashes.includes(r.status.currentPodHash ?? '') &&
          r.status.currentStepIndex === 2,
      );
      const hash = released.status?.currentPodHash ?? '';
      hashes.push(hash);
      // Events are recorded after the status they report: the release's last one (its RolloutCompleted) must be in
      // before the rollback's Events are counted, or a late step Event of this release would be counted as the rollback's.
      await cluster.untilEventLines('window', `the ${colour} release's RolloutCompleted Event`, (lines) =>
        lines.some((line) => line.startsWith('RolloutCompleted: ') && line.includes(`(${hash})`)),
      );
    }
    const [, red] = hashes;
    const before = (await cluster.eventLines('window')).length;
    await setTemplateSpec('window', { containers: [{ name: 'app', image: 'example.test/window:red' }] });
    const back = await cluster.untilRollout(
      'window',
      'the rollback to red to settle',
      (r) => r.status?.phase === 'Healthy' && r.status.stableRS === red,
    );
    expect(back.status).toMatchObject({ currentPodHash: red, currentStepIndex: 2 });
    const rollbackEvents = (await cluster.eventLines('window')).slice(before);
    expect(rollbackEvents.some((line) => line.startsWith('RolloutCompleted: ') && line.includes('Rollback within window'))).toBe(true);
    // The steps were skipped: no step completed and no pause on the way back.
    expect(rollbackEvents.filter((line) => /^(RolloutStepCompleted|RolloutPaused): /.test(line))).toEqual([]);
  });

  it('restartAt: every pod is replaced within maxUnavailable, in the same ReplicaSet, and status.restartedAt records it', async () => {
    await custom.createNamespacedCustomObject({ ...rolloutApi, body: rollout('restart', { replicas: 3 }) });
    const healthy = await cluster.untilRollout(
      'restart',
      'the first revision to be Healthy',
      (r) => r.status?.phase === 'Healthy' && r.status.availableReplicas === 3,
    );
    const hash = healthy.status?.stableRS ?? '';
    const podsBefore = (await core.listNamespacedPod({ namespace, labelSelector: 'app=restart' })).items.map(
      (pod) => pod.metadata?.name ?? '',
    );
    expect(podsBefore).toHaveLength(3);
    // A whole second ahead: the controller must wake itself at that instant (no object changes then).
    const restartAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000).toISOString().replace(/\.\d+Z$/u, 'Z');
    await custom.patchNamespacedCustomObject({ ...rolloutApi, name: 'restart', body: { spec: { restartAt } } }, mergePatch);
    let fewestAvailable = 3;
    // restartedAt is recorded once no pod is older than restartAt; the last replacement may still be starting then.
    const restarted = await cluster.untilRollout('restart', 'the restart to be recorded and the rollout Healthy', (r) => {
      fewestAvailable = Math.min(fewestAvailable, r.status?.availableReplicas ?? 0);
      return r.status?.restartedAt === restartAt && r.status.phase === 'Healthy';
    });
    expect(restarted.status).toMatchObject({ phase: 'Healthy', stableRS: hash, currentPodHash: hash });
    const podsAfter = (await core.listNamespacedPod({ namespace, labelSelector: 'app=restart' })).items.filter(
      (pod) => pod.metadata?.deletionTimestamp === undefined,
    );
    expect(podsAfter).toHaveLength(3);
    expect(podsAfter.filter((pod) => podsBefore.includes(pod.metadata?.name ?? ''))).toEqual([]);
    for (const pod of podsAfter)
      expect(new Date(pod.metadata?.creationTimestamp ?? 0).getTime()).toBeGreaterThanOrEqual(Date.parse(restartAt));
    // 3 replicas, maxUnavailable 25 % rounds to 0, so one pod at a time: never fewer than 2 available.
    expect(fewestAvailable).toBeGreaterThanOrEqual(2);
    expect(await sizes('restart')).toEqual({ [hash]: 3 });
  });
});
