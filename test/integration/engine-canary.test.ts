import { type V1ReplicaSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Rollout } from '../../src/api/index.js';
import { createRequestCounter } from '../../src/kube/index.js';
import { ownCliInvocation } from '../../src/local/own-cli.js';
import { runCommand } from '../../src/local/run-command.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { withRolloutController } from './support/rollout-controller.js';
import { testCluster } from './support/test-cluster.js';

// The engine end to end on the real control plane: the controller runs in
// this process, a person drives it with the `gradual` verbs, and the test
// asserts on the objects the API server holds.
const cluster = testCluster('canary');
const { apps, custom, namespace, rolloutApi } = cluster;
const requestCounter = createRequestCounter();
const controller = withRolloutController(cluster, { requestCounter });

function gradual(...args: string[]): ReturnType<typeof runCommand> {
  const cli = ownCliInvocation();
  return runCommand(cli.command, [...cli.args, ...args, '-n', namespace, '--kubeconfig', cluster.kubeconfigPath], { cwd: cli.cwd });
}

function readRollout(name: string): Promise<Rollout> {
  return cluster.readRollout(name);
}

async function replicaSetsOf(name: string): Promise<V1ReplicaSet[]> {
  const all = (await apps.listNamespacedReplicaSet({ namespace })).items;
  return all.filter((rs) => rs.metadata?.ownerReferences?.some((owner) => owner.kind === 'Rollout' && owner.name === name));
}

/** spec.replicas by pod-template hash. */
async function sizes(name: string): Promise<Record<string, number>> {
  return Object.fromEntries(
    (await replicaSetsOf(name)).map((rs) => [rs.metadata?.labels?.['rollouts-pod-template-hash'] ?? '', rs.spec?.replicas ?? 0]),
  );
}

/** The Events' reasons in recording order, once one with `awaited` is there (Events follow the status they report). */
async function eventReasons(name: string, awaited: string): Promise<string[]> {
  const lines = await cluster.untilEventLines(name, `a ${awaited} Event`, (candidate) =>
    candidate.some((line) => line.startsWith(`${awaited}: `)),
  );
  return lines.map((line) => line.slice(0, line.indexOf(': ')));
}

function until(what: string, check: (rollout: Rollout) => boolean, name = 'web'): Promise<Rollout> {
  return cluster.untilRollout(name, what, check);
}

function canaryRollout(name: string, image: string): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name, namespace },
    spec: {
      replicas: 5,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
      strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }, { pause: { duration: '2s' } }] } },
    },
  };
}

describe('the canary engine on a real control plane', () => {
  it('rolls out the first revision at once, then walks setWeight 20 → pause → promote → setWeight 60 → timed pause → completion', async () => {
    await custom.createNamespacedCustomObject({ ...rolloutApi, body: canaryRollout('web', 'example.test/web:blue') });
    const first = await until('the first revision to be Healthy', (r) => r.status?.phase === 'Healthy');
    const blue = first.status?.currentPodHash ?? '';
    expect(first.status).toMatchObject({ stableRS: blue, currentStepIndex: 4, replicas: 5, availableReplicas: 5 });
    expect(await sizes('web')).toEqual({ [blue]: 5 });

    const setImage = await gradual('set', 'image', 'web', 'app=example.test/web:yellow');
    expect(setImage.code, setImage.stderr).toBe(0);
    const paused = await until('the canary to pause at step 1', (r) => r.status?.phase === 'Paused' && r.status.currentStepIndex === 1);
    const yellow = paused.status?.currentPodHash ?? '';
    expect(yellow).not.toBe(blue);
    expect(paused.status).toMatchObject({ stableRS: blue, message: 'CanaryPauseStep', controllerPause: true });
    expect(paused.status?.pauseConditions?.map((c) => c.reason)).toEqual(['CanaryPauseStep']);
    // 20 % of 5 replicas: one canary pod, four stable ones.
    expect(await sizes('web')).toEqual({ [blue]: 4, [yellow]: 1 });

    const promote = await gradual('promote', 'web');
    expect(promote.code, promote.stderr).toBe(0);
    const done = await until('the rollout to complete', (r) => r.status?.phase === 'Healthy' && r.status.stableRS === yellow);
    expect(done.status).toMatchObject({
      currentPodHash: yellow,
      currentStepIndex: 4,
      replicas: 5,
      updatedReplicas: 5,
      availableReplicas: 5,
    });
    expect(done.status?.pauseConditions ?? []).toEqual([]);
    await waitUntil(async () => (await sizes('web'))[blue] === 0, { what: 'the old ReplicaSet to scale down', timeoutMs: 30_000 });
    expect(await sizes('web')).toEqual({ [blue]: 0, [yellow]: 5 });

    const reasons = await eventReasons('web', 'RolloutCompleted');
    // Argo's reasons, in Argo's order (repeated scaling events collapsed for the comparison).
    const collapsed = reasons.filter((reason, index) => reason !== reasons[index - 1]);
    expect(collapsed).toEqual(
      expect.arrayContaining([
        'RolloutUpdated',
        'NewReplicaSetCreated',
        'ScalingReplicaSet',
        'RolloutStepCompleted',
        'RolloutPaused',
        'RolloutResumed',
        'RolloutCompleted',
      ]),
    );
    expect(reasons.indexOf('RolloutPaused')).toBeLessThan(reasons.indexOf('RolloutResumed'));
    expect(reasons.lastIndexOf('RolloutCompleted')).toBe(reasons.length - 1);
  });

  it('a settled rollout costs no writes: ten more reconciles write nothing', async () => {
    const settled = await readRollout('web');
    expect(settled.status?.phase).toBe('Healthy');
    requestCounter.reset();
    for (let index = 0; index < 10; index += 1) controller().queue.add(`${namespace}/web`);
    // The queue merges repeats; wait until it has drained, then until it has certainly run at least once more.
    await waitUntil(async () => Promise.resolve(controller().queue.metrics().depth === 0 && controller().queue.metrics().inFlight === 0), {
      what: 'the queue to drain',
      timeoutMs: 30_000,
      intervalMs: 20,
    });
    expect(requestCounter.writes()).toBe(0);
    expect((await readRollout('web')).metadata?.resourceVersion).toBe(settled.metadata?.resourceVersion);
  });

  it('abort mid-canary restores the stable ReplicaSet and marks the rollout Degraded; retry starts the steps again', async () => {
    await custom.createNamespacedCustomObject({ ...rolloutApi, body: canaryRollout('shop', 'example.test/shop:blue') });
    const first = await until('shop to be Healthy', (r) => r.status?.phase === 'Healthy', 'shop');
    const blue = first.status?.currentPodHash ?? '';
    expect((await gradual('set', 'image', 'shop', 'app=example.test/shop:red')).code).toBe(0);
    const paused = await until('shop to pause at step 1', (r) => r.status?.phase === 'Paused' && r.status.currentStepIndex === 1, 'shop');
    const red = paused.status?.currentPodHash ?? '';

    const abort = await gradual('abort', 'shop');
    expect(abort.code, abort.stderr).toBe(0);
    const aborted = await until('shop to be Degraded', (r) => r.status?.phase === 'Degraded', 'shop');
    expect(aborted.status?.abort).toBe(true);
    expect(aborted.status?.message).toMatch(/^RolloutAborted: Rollout aborted update to revision 2/);
    await waitUntil(async () => (await sizes('shop'))[blue] === 5, { what: 'the stable ReplicaSet back at full size', timeoutMs: 30_000 });
    expect((await sizes('shop'))[blue]).toBe(5);
    expect(await eventReasons('shop', 'RolloutAborted')).toContain('RolloutAborted');

    const retry = await gradual('retry', 'rollout', 'shop');
    expect(retry.code, retry.stderr).toBe(0);
    const again = await until(
      'shop to pause at step 1 again',
      (r) => r.status?.phase === 'Paused' && r.status.currentStepIndex === 1 && r.status.abort !== true,
      'shop',
    );
    expect(again.status?.currentPodHash).toBe(red);
    expect(await sizes('shop')).toEqual({ [blue]: 4, [red]: 1 });
  });
});
