// Side by side (issue 5, item 3a): abort latency, from the failing measurement (the metric server's
// first failing answer) to the canary ReplicaSet's spec.replicas at 0 (seen by the bench's watch),
// for Gradual's and Argo Rollouts' controllers, each alone on the cluster as its own process. Each
// trial: a Rollout with a background web analysis (interval 1 s, failureLimit 0) paused mid-canary,
// then the server's answer for that trial turns to failing.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { V1ReplicaSet } from '@kubernetes/client-node';
import { createInformerCache, createRestClient, type KubeObject } from '../src/kube/index.js';
import type { LocalEnvironment } from '../src/local/index.js';
import { waitUntil } from '../src/local/wait-until.js';
import type { Logger } from '../src/log/index.js';
import { createNamespace, withConcurrency } from './controller.js';
import { kubeConfigOf } from './local-environment.js';
import { header, note, percentile, row, seconds } from './report.js';
import {
  deleteNamespaceAndWait,
  instanceLabel,
  pick,
  rowSideBySide,
  startController,
  type ControllerName,
  type SideBySide,
} from './side-by-side-controllers.js';

interface RolloutState extends KubeObject {
  status?: { phase?: string; currentPodHash?: string };
}

export interface AbortFigures {
  trials: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  wallSeconds: number;
  latenciesMs: number[];
}

export async function measureAbort(
  name: ControllerName,
  environment: LocalEnvironment,
  logger: Logger,
  trials: number,
  batch: number,
): Promise<AbortFigures> {
  const kubeConfig = kubeConfigOf(environment);
  const rest = createRestClient(kubeConfig);
  const instanceId = `bench-abort-${name}`;
  const namespace = instanceId;
  await createNamespace(kubeConfig, namespace);
  const failing = new Set<string>();
  const failedAt = new Map<string, number>();
  const server = createServer((request, response) => {
    const trial = new URL(request.url ?? '/', 'http://metric.local').searchParams.get('trial') ?? '';
    const fail = failing.has(trial);
    if (fail && !failedAt.has(trial)) failedAt.set(trial, performance.now());
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ ok: !fail }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const rolloutCache = createInformerCache<RolloutState>(kubeConfig, {
    path: `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/rollouts`,
    logger,
  });
  const replicaSets = createInformerCache<V1ReplicaSet & { metadata: object }>(kubeConfig, {
    path: `/apis/apps/v1/namespaces/${namespace}/replicasets`,
    logger,
  });
  const scaledToZeroAt = new Map<string, number>();
  replicaSets.onUpdate((rs) => {
    const owner = rs.metadata.ownerReferences?.[0]?.name ?? '';
    const hash = rs.metadata.labels?.['rollouts-pod-template-hash'] ?? '';
    const canaryHash = rolloutCache.get(namespace, owner)?.status?.currentPodHash;
    if (failing.has(owner) && hash === canaryHash && rs.spec?.replicas === 0 && !scaledToZeroAt.has(owner))
      scaledToZeroAt.set(owner, performance.now());
  });
  for (const cache of [rolloutCache, replicaSets]) {
    await cache.start();
    await cache.waitForSync(60_000);
  }
  const controller = await startController(name, environment, environment.kubernetes.kubeconfig, instanceId, logger);
  try {
    await rest.request({
      method: 'POST',
      path: `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/analysistemplates`,
      body: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AnalysisTemplate',
        // Argo's informers see only objects labelled with its instance id, templates included: unlabelled,
        // the template is "not found" and every trial's Rollout InvalidSpec (never Healthy).
        metadata: { name: 'ok', namespace, labels: { [instanceLabel]: instanceId } },
        spec: {
          args: [{ name: 'trial' }],
          metrics: [
            {
              name: 'ok',
              interval: '1s',
              successCondition: 'result == true',
              provider: { web: { url: `http://127.0.0.1:${String(port)}/?trial={{args.trial}}`, jsonPath: '{$.ok}' } },
            },
          ],
        },
      },
    });
    const started = performance.now();
    const names = Array.from({ length: trials }, (_, index) => `abort-${String(index).padStart(3, '0')}`);
    for (let offset = 0; offset < names.length; offset += batch) {
      await withConcurrency(names.slice(offset, offset + batch), batch, async (trial) => {
        await rest.request({
          method: 'POST',
          path: `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/rollouts`,
          body: {
            apiVersion: 'argoproj.io/v1alpha1',
            kind: 'Rollout',
            metadata: { name: trial, namespace, labels: { [instanceLabel]: instanceId } },
            spec: {
              replicas: 1,
              selector: { matchLabels: { app: trial } },
              template: { metadata: { labels: { app: trial } }, spec: { containers: [{ name: 'app', image: 'example.test/app:1' }] } },
              strategy: {
                canary: {
                  analysis: { templates: [{ templateName: 'ok' }], args: [{ name: 'trial', value: trial }] },
                  steps: [{ setWeight: 50 }, { pause: {} }],
                },
              },
            },
          },
        });
        await waitUntil(async () => Promise.resolve(rolloutCache.get(namespace, trial)?.status?.phase === 'Healthy'), {
          what: `${name}: ${trial} Healthy`,
          timeoutMs: 120_000,
          intervalMs: 50,
        });
        await rest.request({
          method: 'PATCH',
          path: `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/rollouts/${trial}`,
          body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'example.test/app:2' }] } } } },
          contentType: 'application/merge-patch+json',
        });
        await waitUntil(async () => Promise.resolve(rolloutCache.get(namespace, trial)?.status?.phase === 'Paused'), {
          what: `${name}: ${trial} paused mid-canary`,
          timeoutMs: 120_000,
          intervalMs: 50,
        });
        failing.add(trial);
        await waitUntil(async () => Promise.resolve(scaledToZeroAt.has(trial)), {
          what: `${name}: ${trial}'s canary at 0`,
          timeoutMs: 120_000,
          intervalMs: 20,
        });
      });
    }
    const latenciesMs = names
      .map((trial) => (scaledToZeroAt.get(trial) ?? Number.NaN) - (failedAt.get(trial) ?? Number.NaN))
      .sort((a, b) => a - b);
    const figures = {
      trials,
      p50Ms: percentile(latenciesMs, 50),
      p99Ms: percentile(latenciesMs, 99),
      maxMs: latenciesMs.at(-1) ?? Number.NaN,
      wallSeconds: Number(seconds(started)),
      latenciesMs,
    };
    row(
      `${name}: abort latency p50 | p99 | max (ms), ${String(trials)} trials`,
      `${figures.p50Ms.toFixed(0)} | ${figures.p99Ms.toFixed(0)} | ${figures.maxMs.toFixed(0)}`,
    );
    return figures;
  } finally {
    await controller.stop();
    await rolloutCache.stop();
    await replicaSets.stop();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await deleteNamespaceAndWait(environment, namespace);
  }
}

/** GRADUAL_BENCH_ABORT_TRIALS: trials per controller (default 100). */
export function abortTrials(): number {
  const text = process.env['GRADUAL_BENCH_ABORT_TRIALS'] ?? '';
  if (text === '') return 100;
  const trials = Number(text);
  if (!Number.isInteger(trials) || trials < 1 || trials > 1000)
    throw new Error(`GRADUAL_BENCH_ABORT_TRIALS must be a whole number from 1 to 1000, got "${text}"`);
  return trials;
}

/** Trials per controller, 10 Rollouts at a time, each controller alone, Argo first; the caller has installed Argo's CRDs. */
export async function benchAbortSideBySide(environment: LocalEnvironment, logger: Logger, trials = 100): Promise<SideBySide<AbortFigures>> {
  const batch = 10;
  header(
    `Side by side (a): abort latency, failing measurement → canary ReplicaSet at 0 (${String(trials)} trials per controller, ${String(batch)} at a time; web metric, interval 1s, failureLimit 0; each controller alone)`,
  );
  const argo = await measureAbort('argo', environment, logger, trials, batch);
  const gradual = await measureAbort('gradual', environment, logger, trials, batch);
  const figures = { gradual, argo };
  rowSideBySide(
    'abort latency p50 (ms)',
    pick(figures, (figure) => figure.p50Ms),
  );
  rowSideBySide(
    'abort latency p99 (ms)',
    pick(figures, (figure) => figure.p99Ms),
  );
  note('both controllers take the same path: the AnalysisRun written Failed, the Rollout reconciled to aborted, the canary scaled');
  return figures;
}
