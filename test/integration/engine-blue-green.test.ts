import type { V1ReplicaSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Rollout } from '../../src/api/index.js';
import { createRequestCounter } from '../../src/kube/index.js';
import { ownCliInvocation } from '../../src/local/own-cli.js';
import { runCommand } from '../../src/local/run-command.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { withRolloutController } from './support/rollout-controller.js';
import { testCluster } from './support/test-cluster.js';

// The blue-green engine end to end on the real control plane: the controller
// runs in this process, the test creates the Services, a person drives the
// rollout with the `gradual` verbs, and the test asserts on the objects the
// API server holds.
const cluster = testCluster('blue-green');
const { core, apps, custom, namespace, rolloutApi } = cluster;
const HASH_KEY = 'rollouts-pod-template-hash';
withRolloutController(cluster, { requestCounter: createRequestCounter() });

function gradual(...args: string[]): ReturnType<typeof runCommand> {
  const cli = ownCliInvocation();
  return runCommand(cli.command, [...cli.args, ...args, '-n', namespace, '--kubeconfig', cluster.kubeconfigPath], { cwd: cli.cwd });
}

async function replicaSetsOf(name: string): Promise<V1ReplicaSet[]> {
  const all = (await apps.listNamespacedReplicaSet({ namespace })).items;
  return all.filter((rs) => rs.metadata?.ownerReferences?.some((owner) => owner.kind === 'Rollout' && owner.name === name));
}

/** spec.replicas by pod-template hash. */
async function sizes(name: string): Promise<Record<string, number>> {
  return Object.fromEntries((await replicaSetsOf(name)).map((rs) => [rs.metadata?.labels?.[HASH_KEY] ?? '', rs.spec?.replicas ?? 0]));
}

async function selectorOf(service: string): Promise<string | undefined> {
  return (await core.readNamespacedService({ name: service, namespace })).spec?.selector?.[HASH_KEY];
}

function until(what: string, check: (rollout: Rollout) => boolean, name = 'web'): Promise<Rollout> {
  return cluster.untilRollout(name, what, check);
}

function blueGreenRollout(name: string, image: string): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name, namespace },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
      strategy: {
        blueGreen: {
          activeService: `${name}-active`,
          previewService: `${name}-preview`,
          autoPromotionEnabled: false,
          scaleDownDelaySeconds: 2,
        },
      },
    },
  };
}

async function createService(name: string, app: string): Promise<void> {
  await core.createNamespacedService({
    namespace,
    body: { metadata: { name }, spec: { selector: { app }, ports: [{ port: 80, targetPort: 8080 }] } },
  });
}

describe('the blue-green engine on a real control plane', () => {
  it('deploys, pauses with the preview on the new hash, switches the active Service on promote and scales the old ReplicaSet down after the delay', async () => {
    await createService('web-active', 'web');
    await createService('web-preview', 'web');
    await custom.createNamespacedCustomObject({ ...rolloutApi, body: blueGreenRollout('web', 'example.test/web:blue') });
    const first = await until(
      'the first revision to be Healthy',
      (r) => r.status?.phase === 'Healthy' && r.status.blueGreen?.activeSelector !== undefined,
    );
    const blue = first.status?.currentPodHash ?? '';
    expect(first.status).toMatchObject({
      stableRS: blue,
      availableReplicas: 3,
      blueGreen: { activeSelector: blue, previewSelector: blue },
    });
    expect(await selectorOf('web-active')).toBe(blue);
    const activeService = await core.readNamespacedService({ name: 'web-active', namespace });
    expect(activeService.metadata?.annotations?.['argo-rollouts.argoproj.io/managed-by-rollouts']).toBe('web');

    const setImage = await gradual('set', 'image', 'web', 'app=example.test/web:green');
    expect(setImage.code, setImage.stderr).toBe(0);
    const paused = await until(
      'the update to pause for promotion',
      (r) => r.status?.phase === 'Paused' && r.status.currentPodHash !== blue,
    );
    const green = paused.status?.currentPodHash ?? '';
    expect(paused.status).toMatchObject({
      stableRS: blue,
      message: 'BlueGreenPause',
      controllerPause: true,
      blueGreen: { activeSelector: blue, previewSelector: green },
    });
    expect(paused.status?.pauseConditions?.map((c) => c.reason)).toEqual(['BlueGreenPause']);
    expect(await selectorOf('web-preview')).toBe(green);
    expect(await selectorOf('web-active')).toBe(blue);
    expect(await sizes('web')).toEqual({ [blue]: 3, [green]: 3 });

    const promote = await gradual('promote', 'web');
    expect(promote.code, promote.stderr).toBe(0);
    const done = await until('the active Service to switch', (r) => r.status?.phase === 'Healthy' && r.status.stableRS === green);
    expect(done.status).toMatchObject({ currentPodHash: green, blueGreen: { activeSelector: green, previewSelector: green } });
    expect(await selectorOf('web-active')).toBe(green);
    // The old stack keeps running for scaleDownDelaySeconds (its deadline annotation says until when), then goes to zero.
    let deadline: string | undefined;
    await waitUntil(
      async () => {
        const old = (await replicaSetsOf('web')).find((rs) => rs.metadata?.labels?.[HASH_KEY] === blue);
        deadline = old?.metadata?.annotations?.['scale-down-deadline'];
        return deadline !== undefined || old?.spec?.replicas === 0;
      },
      { what: 'the old ReplicaSet to get its scale-down deadline', timeoutMs: 30_000, intervalMs: 50 },
    );
    expect(deadline).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/u);
    await waitUntil(async () => (await sizes('web'))[blue] === 0, { what: 'the old ReplicaSet to scale down', timeoutMs: 30_000 });
    expect(await sizes('web')).toEqual({ [blue]: 0, [green]: 3 });

    const scaledDown = `ScalingReplicaSet: Scaled down ReplicaSet web-${blue} (revision 1) from 3 to 0`;
    const lines = await cluster.untilEventLines('web', 'the scale-down Event', (candidate) => candidate.includes(scaledDown));
    const order = [
      `SwitchService: Switched selector for service 'web-preview' from '${blue}' to '${green}'`,
      'RolloutPaused: Rollout is paused (BlueGreenPause)',
      `SwitchService: Switched selector for service 'web-active' from '${blue}' to '${green}'`,
      `RolloutCompleted: Rollout completed update to revision 2 (${green}): Completed blue-green update`,
      scaledDown,
    ];
    const positions = order.map((line) => lines.indexOf(line));
    expect(
      positions.every((position) => position >= 0),
      lines.join('\n'),
    ).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(lines.at(-1)).toBe(order.at(-1));
  });

  it('abort keeps the active Service on the stable ReplicaSet, marks the rollout Degraded and scales the preview down after abortScaleDownDelaySeconds', async () => {
    await createService('shop-active', 'shop');
    await createService('shop-preview', 'shop');
    const manifest = blueGreenRollout('shop', 'example.test/shop:blue') as { spec: { strategy: { blueGreen: Record<string, unknown> } } };
    manifest.spec.strategy.blueGreen['abortScaleDownDelaySeconds'] = 2;
    await custom.createNamespacedCustomObject({ ...rolloutApi, body: manifest });
    const first = await until(
      'shop to be Healthy',
      (r) => r.status?.phase === 'Healthy' && r.status.blueGreen?.activeSelector !== undefined,
      'shop',
    );
    const blue = first.status?.currentPodHash ?? '';
    expect((await gradual('set', 'image', 'shop', 'app=example.test/shop:red')).code).toBe(0);
    const paused = await until(
      'shop to pause for promotion',
      (r) => r.status?.phase === 'Paused' && r.status.currentPodHash !== blue,
      'shop',
    );
    const red = paused.status?.currentPodHash ?? '';

    const abort = await gradual('abort', 'shop');
    expect(abort.code, abort.stderr).toBe(0);
    const aborted = await until('shop to be Degraded', (r) => r.status?.phase === 'Degraded', 'shop');
    expect(aborted.status).toMatchObject({
      abort: true,
      message: 'RolloutAborted: Rollout aborted update to revision 2',
      blueGreen: { activeSelector: blue },
    });
    await waitUntil(async () => (await sizes('shop'))[red] === 0, { what: 'the preview ReplicaSet to scale down', timeoutMs: 30_000 });
    expect(await sizes('shop')).toEqual({ [blue]: 3, [red]: 0 });
    expect(await selectorOf('shop-active')).toBe(blue);
    const shopLines = await cluster.untilEventLines('shop', 'the preview scale-down Event', (candidate) =>
      candidate.some((line) => line.startsWith(`ScalingReplicaSet: Scaled down ReplicaSet shop-${red}`)),
    );
    const reasons = shopLines.map((line) => line.slice(0, line.indexOf(': ')));
    expect(reasons.indexOf('RolloutAborted')).toBeGreaterThan(reasons.indexOf('RolloutPaused'));
    expect(reasons.at(-1)).toBe('ScalingReplicaSet');
  });
});
