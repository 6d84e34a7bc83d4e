import { spawn, type ChildProcess } from 'node:child_process';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rollout } from '../../src/api/index.js';
import { allocatePorts } from '../../src/local/ports.js';
import { ownCliInvocation } from '../../src/local/own-cli.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { testCluster } from './support/test-cluster.js';

// The controller is stateless: killed with SIGKILL at any instant, a new
// process resumes every rollout where it was, with no extra ReplicaSet and no
// repeated event. Here it really is a separate `gradual controller` process.
const cluster = testCluster('restart');
const { apps, custom, namespace, rolloutApi } = cluster;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
let controller: { child: ChildProcess; metricsPort: number } | undefined;

async function startController(): Promise<{ child: ChildProcess; metricsPort: number }> {
  const { metrics, healthz } = await allocatePorts({ metrics: undefined, healthz: undefined });
  const cli = ownCliInvocation();
  const child = spawn(
    cli.command,
    [
      ...cli.args,
      'controller',
      '--kubeconfig',
      cluster.kubeconfigPath,
      '--namespace',
      namespace,
      '--no-leader-elect',
      '--metrics-port',
      String(metrics),
      '--healthz-port',
      String(healthz),
    ],
    { cwd: cli.cwd, stdio: 'ignore', env: { ...process.env, GRADUAL_LOG_LEVEL: 'warn' } },
  );
  await waitUntil(async () => (await fetch(`http://127.0.0.1:${String(healthz)}/healthz`)).ok, {
    what: 'the controller process',
    timeoutMs: 60_000,
  });
  return { child, metricsPort: metrics };
}

function kill(process: { child: ChildProcess }): Promise<void> {
  return new Promise((resolve) => {
    process.child.once('exit', () => {
      resolve();
    });
    process.child.kill('SIGKILL');
  });
}

/** How many reconciles of the Rollout the controller has finished, from its own /metrics. */
async function reconcileCount(metricsPort: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${String(metricsPort)}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`rollout_reconcile_count{namespace="${namespace}",name="${name}"}`));
  return Number(line?.split(' ')[1] ?? 0);
}

function readRollout(): Promise<Rollout> {
  return cluster.readRollout('web');
}

function until(what: string, check: (rollout: Rollout) => boolean): Promise<Rollout> {
  return cluster.untilRollout('web', what, check);
}

async function replicaSetNames(): Promise<string[]> {
  return (await apps.listNamespacedReplicaSet({ namespace })).items.map((rs) => rs.metadata?.name ?? '').sort();
}

beforeAll(async () => {
  await cluster.setUp();
});

afterAll(async () => {
  if (controller !== undefined) await kill(controller);
  await cluster.tearDown();
});

describe('a controller killed with SIGKILL', () => {
  it('resumes the canary at the same step, with no extra ReplicaSet and no repeated event', async () => {
    controller = await startController();
    await custom.createNamespacedCustomObject({
      ...rolloutApi,
      body: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: { name: 'web', namespace },
        spec: {
          replicas: 5,
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'example.test/web:blue' }] } },
          strategy: {
            canary: { steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 40 }, { setWeight: 60 }, { setWeight: 80 }, { pause: {} }] },
          },
        },
      },
    });
    await until('the first revision to be Healthy', (r) => r.status?.phase === 'Healthy');
    await custom.patchNamespacedCustomObject(
      {
        ...rolloutApi,
        name: 'web',
        body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'example.test/web:yellow' }] } } } },
      },
      mergePatch,
    );
    const paused = await until('the pause at step 1', (r) => r.status?.phase === 'Paused' && r.status.currentStepIndex === 1);

    // Killed while paused: the new process must see the same state and do nothing.
    await kill(controller);
    const beforeRestart = { replicaSets: await replicaSetNames(), events: await cluster.eventLines('web') };
    controller = await startController();
    const restarted = controller;
    await waitUntil(async () => (await reconcileCount(restarted.metricsPort, 'web')) >= 1, {
      what: 'a reconcile by the new process',
      timeoutMs: 30_000,
    });
    expect(await replicaSetNames()).toEqual(beforeRestart.replicaSets);
    // The one new Event is Argo's RolloutAddedToInformer, which every controller start records for every Rollout it lists.
    const added = `RolloutAddedToInformer: Rollout resource added to informer: ${cluster.namespace}/web`;
    expect(beforeRestart.events[0]).toBe(added);
    const afterEvents = await cluster.untilEventLines(
      'web',
      'the new process’s RolloutAddedToInformer',
      (lines) => lines.length > beforeRestart.events.length,
    );
    expect(afterEvents).toEqual([...beforeRestart.events, added]);
    const afterRestart = await readRollout();
    expect(afterRestart.status?.currentStepIndex).toBe(1);
    expect(afterRestart.status?.pauseConditions).toEqual(paused.status?.pauseConditions);

    // Killed in the middle of the steps after a promotion: the next process finishes them from where they were.
    await custom.patchNamespacedCustomObjectStatus({ ...rolloutApi, name: 'web', body: { status: { pauseConditions: null } } }, mergePatch);
    await until('the steps to move past the pause', (r) => (r.status?.currentStepIndex ?? 0) >= 2 + Math.floor(Math.random() * 2));
    await kill(controller);
    controller = await startController();
    const done = await until('the final pause at step 5', (r) => r.status?.phase === 'Paused' && r.status.currentStepIndex === 5);
    expect(done.status?.currentPodHash).toBe(paused.status?.currentPodHash);
    expect((await replicaSetNames()).length).toBe(2);
    const all = await cluster.eventLines('web');
    const duplicated = all.filter((event, index) => event.startsWith('RolloutStepCompleted') && all.indexOf(event) !== index);
    expect(duplicated, all.join('\n')).toEqual([]);
    // Events are written after the status they report, as Argo's recorder does: a kill between the two can lose
    // the Events of the step it interrupted (never repeat them). Every other step's Event is there, in order.
    const expected = [
      'RolloutStepCompleted: Rollout step 1/6 completed (setWeight: 20)',
      'RolloutStepCompleted: Rollout step 2/6 completed (pause)',
      'RolloutStepCompleted: Rollout step 3/6 completed (setWeight: 40)',
      'RolloutStepCompleted: Rollout step 4/6 completed (setWeight: 60)',
      'RolloutStepCompleted: Rollout step 5/6 completed (setWeight: 80)',
    ];
    const recorded = all.filter((event) => event.startsWith('RolloutStepCompleted'));
    expect(
      expected.filter((event) => recorded.includes(event)),
      all.join('\n'),
    ).toEqual(recorded);
    expect(recorded.length, all.join('\n')).toBeGreaterThanOrEqual(expected.length - 1);
  });
});
