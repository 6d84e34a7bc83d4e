// Analysis: the condition language's speed (pure), the abort latency of a failing analysis on the
// local cluster (from the failing answer to the canary ReplicaSet at 0), and the memory of a
// `gradual controller` process with thousands of finished AnalysisRuns in its caches.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { type KubernetesObject, type V1ReplicaSet } from '@kubernetes/client-node';
import { compileCondition, evaluateCondition, type CompiledCondition } from '../src/condition/index.js';
import { createAnalysisRunController } from '../src/analysis/controller/analysis-run-controller.js';
import { createRolloutController } from '../src/engine/controller/rollout-controller.js';
import { createInformerCache, createRestClient } from '../src/kube/index.js';
import type { LocalEnvironment } from '../src/local/index.js';
import { ownCliInvocation } from '../src/local/own-cli.js';
import { waitUntil } from '../src/local/wait-until.js';
import type { Logger } from '../src/log/index.js';
import { createNamespace, withConcurrency, type Defer } from './controller.js';
import { kubeConfigOf, rssMiB } from './local-environment.js';
import { header, note, percentile, row, seconds } from './report.js';

const CONDITIONS = [
  'result[0] >= 0.95',
  'result[0] < 0.9 || isNaN(result[0])',
  'all(result, {# > 0.9})',
  'default(result[0], 0) >= 0.9 && len(result) > 0',
  'asFloat(result) * 100 > 95',
  "result == 'ok' or result in ['healthy', 'ready']",
];

export function benchConditions(): void {
  header('Condition language (pure): parse once, evaluate per measurement');
  const compiled: CompiledCondition[] = CONDITIONS.map((source) => {
    const result = compileCondition(source);
    if (!result.ok) throw new Error(`bench condition does not compile: ${source}: ${result.error.message}`);
    return result.condition;
  });
  const inputs = [[0.97], [0.5], [Number.NaN]];
  const iterations = 200_000;
  let evaluated = 0;
  const started = performance.now();
  for (let i = 0; i < iterations; i++) {
    const condition = compiled[i % compiled.length];
    const result =
      condition === undefined
        ? undefined
        : evaluateCondition(condition, { result: condition.source.includes("'") ? 'ok' : (inputs[i % inputs.length] ?? []) });
    if (result !== undefined) evaluated += 1;
  }
  const elapsed = (performance.now() - started) / 1000;
  row(
    `conditions evaluated per second (${String(CONDITIONS.length)} kinds, ${String(iterations)} evaluations)`,
    (evaluated / elapsed).toFixed(0),
  );
  const parseStarted = performance.now();
  for (let i = 0; i < 20_000; i++) compileCondition(CONDITIONS[i % CONDITIONS.length] ?? '');
  row('conditions parsed per second', (20_000 / ((performance.now() - parseStarted) / 1000)).toFixed(0));
}

interface RolloutState extends KubernetesObject {
  status?: { phase?: string; currentPodHash?: string; stableRS?: string };
}

/**
 * Abort latency, as the issue defines it: from the moment the metric's server gives its failing
 * answer to the moment the canary ReplicaSet's spec.replicas is 0 (seen by a watch). Each trial
 * is a Rollout with a background analysis (a web metric, interval 1 s, failureLimit 0) paused
 * mid-canary; the server turns its answer to failing for that trial only.
 */
export async function benchAbortLatency(environment: LocalEnvironment, logger: Logger, defer: Defer, trials: number): Promise<void> {
  const batch = 10;
  header(
    `Abort latency: failing measurement → canary ReplicaSet at 0 (${String(trials)} trials, ${String(batch)} Rollouts at a time; web metric, interval 1s, failureLimit 0)`,
  );
  const kubeConfig = kubeConfigOf(environment);
  const rest = createRestClient(kubeConfig);
  const namespace = 'bench-abort';
  await createNamespace(kubeConfig, namespace);
  const failing = new Set<string>();
  const failedAt = new Map<string, number>();
  const server = createServer((request, response) => {
    const trial = new URL(request.url ?? '/', 'http://x').searchParams.get('trial') ?? '';
    const fail = failing.has(trial);
    if (fail && !failedAt.has(trial)) failedAt.set(trial, performance.now());
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ ok: !fail }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  defer('the abort bench’s metric server', async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const port = (server.address() as AddressInfo).port;
  const rollouts = createRolloutController({ kubeConfig, namespace, logger });
  const runs = createAnalysisRunController({ kubeConfig, namespace, logger });
  await rollouts.start();
  await runs.start();
  defer('the abort bench’s controllers', async () => {
    await rollouts.stop();
    await runs.stop();
  });
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
  defer('the abort bench’s informers', async () => {
    await rolloutCache.stop();
    await replicaSets.stop();
  });
  await rest.request({
    method: 'POST',
    path: `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/analysistemplates`,
    body: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: 'ok', namespace },
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
    const group = names.slice(offset, offset + batch);
    await withConcurrency(group, batch, async (name) => {
      await rest.request({
        method: 'POST',
        path: `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/rollouts`,
        body: {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          metadata: { name, namespace },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: name } },
            template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'example.test/app:1' }] } },
            strategy: {
              canary: {
                analysis: { templates: [{ templateName: 'ok' }], args: [{ name: 'trial', value: name }] },
                steps: [{ setWeight: 50 }, { pause: {} }],
              },
            },
          },
        },
      });
      await waitUntil(async () => Promise.resolve(rolloutCache.get(namespace, name)?.status?.phase === 'Healthy'), {
        what: `${name} Healthy`,
        timeoutMs: 60_000,
        intervalMs: 50,
      });
      await rest.request({
        method: 'PATCH',
        path: `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/rollouts/${name}`,
        body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'example.test/app:2' }] } } } },
        contentType: 'application/merge-patch+json',
      });
      await waitUntil(async () => Promise.resolve(rolloutCache.get(namespace, name)?.status?.phase === 'Paused'), {
        what: `${name} paused mid-canary`,
        timeoutMs: 60_000,
        intervalMs: 50,
      });
      failing.add(name);
      await waitUntil(async () => Promise.resolve(scaledToZeroAt.has(name)), {
        what: `${name}'s canary at 0`,
        timeoutMs: 60_000,
        intervalMs: 20,
      });
    });
  }
  const latencies = names
    .map((name) => (scaledToZeroAt.get(name) ?? Number.NaN) - (failedAt.get(name) ?? Number.NaN))
    .sort((a, b) => a - b);
  row('abort latency p50 (ms)', percentile(latencies, 50).toFixed(0));
  row('abort latency p99 (ms)', percentile(latencies, 99).toFixed(0));
  row(`${String(trials)} trials, wall time (s)`, seconds(started));
  note(
    'the latency spans the AnalysisRun write, the Rollout reconcile that aborts (status write), and the next one that scales the canary (Argo takes the same two steps)',
  );
}

/**
 * RSS of a `gradual controller` process (both controllers, informers synced) with `count`
 * finished AnalysisRuns in its namespace, and without any: the difference is what the runs cost.
 */
export async function benchFinishedRuns(environment: LocalEnvironment, logger: Logger, count: number): Promise<void> {
  header(`Controller memory with ${String(count)} finished AnalysisRuns (3 measurements each)`);
  const kubeConfig = kubeConfigOf(environment);
  const rest = createRestClient(kubeConfig);
  const empty = 'bench-runs-empty';
  const full = 'bench-runs';
  await createNamespace(kubeConfig, empty);
  await createNamespace(kubeConfig, full);
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString().replace('.000Z', 'Z');
  const createStarted = performance.now();
  const names = Array.from({ length: count }, (_, index) => `done-${String(index).padStart(5, '0')}`);
  await withConcurrency(names, 20, (name) =>
    rest.request({
      method: 'POST',
      path: `/apis/argoproj.io/v1alpha1/namespaces/${full}/analysisruns`,
      body: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AnalysisRun',
        metadata: { name, namespace: full },
        spec: {
          metrics: [
            {
              name: 'success-rate',
              interval: '20s',
              count: 3,
              successCondition: 'result[0] >= 0.9',
              provider: { prometheus: { address: 'http://prometheus.example:9090', query: 'sum(rate(x[5m]))' } },
            },
          ],
        },
        status: {
          phase: 'Successful',
          startedAt: at(0),
          completedAt: at(1),
          runSummary: { count: 1, successful: 1 },
          metricResults: [
            {
              name: 'success-rate',
              phase: 'Successful',
              count: 3,
              successful: 3,
              measurements: [0, 1, 2].map((i) => ({ phase: 'Successful', value: '[0.97]', startedAt: at(i), finishedAt: at(i) })),
            },
          ],
        },
      },
    }),
  );
  row(`create ${String(count)} finished AnalysisRuns (s)`, seconds(createStarted));
  const baseline = await controllerRss(environment, empty, logger);
  const loaded = await controllerRss(environment, full, logger);
  row('gradual controller RSS, no AnalysisRuns (MiB)', baseline.toFixed(0));
  row(`gradual controller RSS, ${String(count)} finished AnalysisRuns (MiB)`, loaded.toFixed(0));
  row('per finished AnalysisRun (KiB)', (((loaded - baseline) * 1024) / count).toFixed(1));
  note(
    'a separate `gradual controller` process (run from sources through tsx, which adds to both figures alike), measured once its caches synced',
  );
}

async function controllerRss(environment: LocalEnvironment, namespace: string, logger: Logger): Promise<number> {
  const cli = ownCliInvocation();
  const child = spawn(
    cli.command,
    [
      ...cli.args,
      'controller',
      '--kubeconfig',
      environment.kubernetes.kubeconfig,
      '--namespace',
      namespace,
      '--no-leader-elect',
      '--metrics-port',
      '0',
      '--healthz-port',
      '0',
    ],
    {
      cwd: cli.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GRADUAL_LOG_LEVEL: 'info' },
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  try {
    // Both controllers log once their caches have synced.
    await waitUntil(async () => Promise.resolve((output.match(/caches synced/gu) ?? []).length >= 2), {
      what: `gradual controller on ${namespace} to sync its caches`,
      timeoutMs: 120_000,
      intervalMs: 200,
    });
    const samples: number[] = [];
    for (let i = 0; i < 3; i++) {
      samples.push(await rssMiB(child.pid ?? 0));
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    return Math.max(...samples);
  } catch (cause) {
    logger.warn({ output: output.slice(-2000) }, 'gradual controller did not come up for the memory bench');
    throw cause;
  } finally {
    child.kill('SIGTERM');
  }
}
