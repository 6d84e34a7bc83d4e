import { beforeAll, describe, expect, it } from 'vitest';
import type { Rollout } from '../../src/api/index.js';
import { argoCdModuleDir, argoCdRolloutHealthLua } from '../../src/local/argo-cd.js';
import { ensureArgoRolloutsPlugin } from '../../src/local/argo-rollouts.js';
import { cacheRoot } from '../../src/local/cache-dir.js';
import { runCommand } from '../../src/local/run-command.js';
import { createLogger } from '../../src/log/index.js';
import { argoCdHealth } from './support/argo-cd-health.js';
import { withRolloutController } from './support/rollout-controller.js';
import { testCluster } from './support/test-cluster.js';

// Argo's own tools against Gradual's objects on the real control plane, with Gradual's controller
// and CRDs (deploy/crds, with the Experiment CRD): Argo CD's Rollout health check
// (resource_customizations/argoproj.io/Rollout/health.lua, read from Argo CD's pinned Go module and
// run by Debian's lua5.4) on a Rollout in each phase, and Argo Rollouts' kubectl plugin, built from
// the same pinned module as the reference controller, rendering a Gradual rollout's tree.
const cluster = testCluster('argo-tools');
const { apps, custom, namespace, rolloutApi } = cluster;
withRolloutController(cluster);

let healthLua: string;
let plugin: string;

beforeAll(async () => {
  healthLua = argoCdRolloutHealthLua(await argoCdModuleDir());
  plugin = await ensureArgoRolloutsPlugin({ cacheRoot: cacheRoot(), logger: createLogger({ level: 'warn' }) });
}, 600_000);

function canary(name: string, image: string, podSpec: Record<string, unknown> = {}): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name, namespace },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }], ...podSpec } },
      strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } },
    },
  };
}

/** The Rollout as the API server returns it, every field as stored (what Argo CD reads). */
async function liveRollout(name: string): Promise<Record<string, unknown>> {
  return (await custom.getNamespacedCustomObject({ ...rolloutApi, name })) as Record<string, unknown>;
}

async function health(name: string): Promise<{ status: string; message: string }> {
  return argoCdHealth(await liveRollout(name), healthLua);
}

function until(name: string, what: string, check: (rollout: Rollout) => boolean): Promise<Rollout> {
  return cluster.untilRollout(name, what, check);
}

/** Settled: the controller has written a status for the current spec. */
const observed = (rollout: Rollout): boolean =>
  rollout.status?.observedGeneration !== undefined && rollout.status.observedGeneration === String(rollout.metadata?.generation ?? '');

async function setImage(name: string, image: string): Promise<void> {
  const rollout = await liveRollout(name);
  const spec = rollout.spec as { template: { spec: { containers: { image: string }[] } } };
  const container = spec.template.spec.containers[0];
  if (container === undefined) throw new Error('no container');
  container.image = image;
  await custom.replaceNamespacedCustomObject({ ...rolloutApi, name, body: rollout });
}

describe("Argo CD's Rollout health check on Gradual's Rollouts", { timeout: 180_000 }, () => {
  it('Healthy when fully promoted, Suspended at a pause, Degraded after an abort, Progressing while pods cannot become ready', async () => {
    await custom.createNamespacedCustomObject({ ...rolloutApi, body: canary('web', 'nginx:1.25') });
    await until('web', 'the first revision Healthy', (rollout) => observed(rollout) && rollout.status?.phase === 'Healthy');
    expect(await health('web')).toEqual({ status: 'Healthy', message: '' });

    await setImage('web', 'nginx:1.26');
    await until('web', 'the canary Paused at its pause step', (rollout) => observed(rollout) && rollout.status?.phase === 'Paused');
    // Argo maps its Paused phase to Argo CD's Suspended, with the pause's reason as the message.
    expect(await health('web')).toEqual({ status: 'Suspended', message: 'CanaryPauseStep' });

    // What `kubectl argo rollouts abort` (and the bot's /abort) does: status.abort, through the status subresource.
    await custom.patchNamespacedCustomObjectStatus({
      ...rolloutApi,
      name: 'web',
      body: [{ op: 'add', path: '/status/abort', value: true }],
    });
    await until('web', 'the aborted Rollout Degraded', (rollout) => observed(rollout) && rollout.status?.phase === 'Degraded');
    const degraded = await health('web');
    expect(degraded.status).toBe('Degraded');
    expect(degraded.message).toContain('RolloutAborted');

    // No node has this label: the pods stay Pending, so the first revision never becomes available.
    await custom.createNamespacedCustomObject({
      ...rolloutApi,
      body: canary('stuck', 'nginx:1.25', { nodeSelector: { 'gradual.dev/test': 'no-such-node' } }),
    });
    await until(
      'stuck',
      'the unschedulable Rollout Progressing',
      (rollout) => observed(rollout) && rollout.status?.phase === 'Progressing',
    );
    expect((await health('stuck')).status).toBe('Progressing');
  });
});

describe("Argo Rollouts' kubectl plugin on a Gradual rollout", { timeout: 600_000 }, () => {
  it('`get rollout` renders the tree: status, step, revisions with their ReplicaSets and pods', async () => {
    await custom.createNamespacedCustomObject({ ...rolloutApi, body: canary('shop', 'nginx:1.25') });
    await until('shop', 'the first revision Healthy', (rollout) => observed(rollout) && rollout.status?.phase === 'Healthy');
    await setImage('shop', 'nginx:1.26');
    await until(
      'shop',
      'the canary Paused with its pods ready',
      (rollout) => observed(rollout) && rollout.status?.phase === 'Paused' && rollout.status.readyReplicas === 2,
    );
    const replicaSets = (await apps.listNamespacedReplicaSet({ namespace })).items.filter((rs) =>
      rs.metadata?.ownerReferences?.some((owner) => owner.name === 'shop'),
    );
    const byRevision = new Map(
      replicaSets.map((rs) => [rs.metadata?.annotations?.['rollout.argoproj.io/revision'], rs.metadata?.name ?? '']),
    );
    expect([...byRevision.keys()].sort()).toEqual(['1', '2']);

    const result = await runCommand(plugin, [
      'get',
      'rollout',
      'shop',
      '--namespace',
      namespace,
      '--kubeconfig',
      cluster.kubeconfigPath,
      '--no-color',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n').map((line) => line.trimEnd());
    expect(lines).toEqual(
      expect.arrayContaining([
        'Name:            shop',
        `Namespace:       ${namespace}`,
        'Status:          ॥ Paused',
        'Message:         CanaryPauseStep',
        'Strategy:        Canary',
        '  Step:          1/2',
        '  SetWeight:     50',
        'Images:          nginx:1.25 (stable)',
        '                 nginx:1.26 (canary)',
        '  Desired:       2',
      ]),
    );
    const tree = lines.slice(lines.findIndex((line) => line.startsWith('NAME')));
    expect(tree[1]).toMatch(/^⟳ shop +Rollout +॥ Paused /u);
    const revision2 = tree.findIndex((line) => line.includes('# revision:2'));
    const revision1 = tree.findIndex((line) => line.includes('# revision:1'));
    expect(revision2).toBeGreaterThan(0);
    expect(revision1).toBeGreaterThan(revision2);
    expect(tree[revision2 + 1]).toMatch(new RegExp(`⧉ ${byRevision.get('2') ?? '?'} +ReplicaSet +✔ Healthy +\\S+ +canary$`, 'u'));
    expect(tree[revision1 + 1]).toMatch(new RegExp(`⧉ ${byRevision.get('1') ?? '?'} +ReplicaSet +✔ Healthy +\\S+ +stable$`, 'u'));
    // Each revision's pods under its ReplicaSet: one canary, one stable at 50% of 2.
    expect(tree.slice(revision2, revision1).filter((line) => / Pod +✔ Running /u.test(line))).toHaveLength(1);
    expect(tree.slice(revision1).filter((line) => / Pod +✔ Running /u.test(line))).toHaveLength(1);
  });
});
