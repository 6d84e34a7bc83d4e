import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../src/demo/seeded-random.js';
import { allocatePorts } from '../../src/local/ports.js';
import { ownCliInvocation } from '../../src/local/own-cli.js';
import { runCommand } from '../../src/local/run-command.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { BUILTIN_CATALOGUE, NOTIFICATION_CONFIGMAP, NOTIFICATION_SECRET, SENT_LEDGER_CONFIGMAP } from '../../src/notifications/index.js';
import { testCluster } from './support/test-cluster.js';

// The SIGKILL drill: a real `gradual controller` process, killed with SIGKILL after each transition's notification went
// out (at a seeded instant, printed, so a failure replays), and started again. The new process reconciles every Rollout
// from scratch; the ledger ConfigMap (src/notifications/sent-ledger.ts) must keep it from sending a transition again,
// and it must still send the transitions that come after. The receivers count every message.
const cluster = testCluster('notify-kill');
const { core, custom, namespace, rolloutApi } = cluster;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const seed = Number(process.env.GRADUAL_DRILL_SEED ?? Date.now() % 2 ** 31);

const webhook: string[] = [];
const slack: string[] = [];
let server: Server;
let base = '';
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
    // POD_NAMESPACE: where the notification ConfigMap, Secret and ledger are (Argo's own variable).
    { cwd: cli.cwd, stdio: 'ignore', env: { ...process.env, GRADUAL_LOG_LEVEL: 'warn', POD_NAMESPACE: namespace } },
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

async function reconcileCount(metricsPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${String(metricsPort)}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`rollout_reconcile_count{namespace="${namespace}",name="web"}`));
  return Number(line?.split(' ')[1] ?? 0);
}

function gradual(...args: string[]): ReturnType<typeof runCommand> {
  const cli = ownCliInvocation();
  return runCommand(cli.command, [...cli.args, ...args, '-n', namespace, '--kubeconfig', cluster.kubeconfigPath], { cwd: cli.cwd });
}

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      if (request.url === '/slack/api/chat.postMessage') {
        slack.push((JSON.parse(body) as { text: string }).text);
        response.setHeader('content-type', 'application/json');
        response.end('{"ok":true,"ts":"1.1"}');
        return;
      }
      webhook.push(body);
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  await cluster.setUp();
  await core.createNamespacedConfigMap({
    namespace,
    body: {
      metadata: { name: NOTIFICATION_CONFIGMAP },
      data: {
        ...BUILTIN_CATALOGUE,
        'service.webhook.receiver': `url: ${base}/hook\n`,
        'service.slack': `token: $slack-token\napiURL: ${base}/slack/api/\n`,
      },
    },
  });
  await core.createNamespacedSecret({
    namespace,
    body: { metadata: { name: NOTIFICATION_SECRET }, stringData: { 'slack-token': 'xoxb-local-token' } },
  });
});

afterAll(async () => {
  if (controller !== undefined) await kill(controller);
  await cluster.tearDown();
  await new Promise((resolve) => server.close(resolve));
});

describe('notifications across a SIGKILL of the controller', () => {
  it('the receivers get exactly one message per transition, the controller killed after each at a seeded instant', async () => {
    const random = createSeededRandom(seed);
    const kills: number[] = [];
    console.log(`notification SIGKILL drill: seed ${String(seed)} (GRADUAL_DRILL_SEED=${String(seed)} replays it)`);

    /** Waits for `sent` NotificationSent Events, then kills the controller after a seeded delay and starts another. */
    async function killAfter(sent: number): Promise<void> {
      await cluster.untilEventLines(
        'web',
        `${String(sent)} notifications to be sent`,
        (lines) => lines.filter((line) => line.startsWith('NotificationSent:')).length >= sent,
      );
      const delay = Math.floor(random() * 1500);
      kills.push(delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (controller !== undefined) await kill(controller);
      controller = await startController();
      const restarted = controller;
      // A poke: the new process reconciles the Rollout at least once before the next transition is asked for.
      await custom.patchNamespacedCustomObject(
        { ...rolloutApi, name: 'web', body: { metadata: { annotations: { poke: String(kills.length) } } } },
        mergePatch,
      );
      await waitUntil(async () => (await reconcileCount(restarted.metricsPort)) >= 2, {
        what: 'reconciles by the restarted controller',
        timeoutMs: 30_000,
      });
    }

    controller = await startController();
    await custom.createNamespacedCustomObject({
      ...rolloutApi,
      body: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: {
          name: 'web',
          namespace,
          annotations: {
            'notifications.argoproj.io/subscribe.on-rollout-step-completed.slack': 'deploys',
            'notifications.argoproj.io/subscribe.on-rollout-paused.receiver': '',
            'notifications.argoproj.io/subscribe.on-rollout-aborted.receiver': '',
          },
        },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'example.test/web:blue' }] } },
          strategy: { canary: { steps: [{ setWeight: 25 }, { pause: {} }, { setWeight: 50 }, { pause: {} }, { setWeight: 75 }] } },
        },
      },
    });
    await cluster.untilRollout('web', 'the first revision to be Healthy', (r) => r.status?.phase === 'Healthy');

    const setImage = await gradual('set', 'image', 'web', 'app=example.test/web:green');
    expect(setImage.code, setImage.stderr).toBe(0);
    await cluster.untilRollout('web', 'the pause at step 1', (r) => r.status?.phase === 'Paused' && r.status.currentStepIndex === 1);
    await killAfter(2);

    const promote = await gradual('promote', 'web');
    expect(promote.code, promote.stderr).toBe(0);
    await cluster.untilRollout('web', 'the pause at step 3', (r) => r.status?.phase === 'Paused' && r.status.currentStepIndex === 3);
    await killAfter(5);

    const abort = await gradual('abort', 'web');
    expect(abort.code, abort.stderr).toBe(0);
    await cluster.untilRollout('web', 'the abort to be Degraded', (r) => r.status?.phase === 'Degraded');
    await killAfter(6);
    console.log(`notification SIGKILL drill: seed ${String(seed)}, killed ${String(kills.length)} times, after ${kills.join(', ')} ms`);

    expect(slack).toEqual([
      'Rollout web step number 1/5 has been completed.',
      'Rollout web step number 2/5 has been completed.',
      'Rollout web step number 3/5 has been completed.',
    ]);
    expect(webhook).toEqual(['Rollout web has been paused.', 'Rollout web has been paused.', 'Rollout web has been aborted.']);
    const lines = await cluster.eventLines('web');
    expect(lines.filter((line) => line.startsWith('NotificationSent:'))).toHaveLength(6);
    expect(lines.filter((line) => line.startsWith('NotificationFailed:'))).toEqual([]);
    // The record is the ledger in the controller's namespace, not the Rollout.
    const ledger = await core.readNamespacedConfigMap({ name: SENT_LEDGER_CONFIGMAP, namespace });
    expect(Object.keys(JSON.parse(ledger.data?.[`${namespace}.web`] ?? '{}') as { sent: object })).toEqual(['uid', 'sent']);
    expect(Object.keys((JSON.parse(ledger.data?.[`${namespace}.web`] ?? '{}') as { sent: object }).sent)).toHaveLength(6);
    expect((await cluster.readRollout('web')).metadata?.annotations?.['notified.notifications.argoproj.io']).toBeUndefined();
  });
});
