// npm run bench — numbers for the embedded local environment that every test,
// benchmark and the demo stands on. Later issues add the engine's and the bot's
// benchmarks here (and Argo Rollouts' numbers from the same run).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { createLogger } from '../src/log/index.js';
import { localDown, localUp, type LocalEnvironment } from '../src/local/index.js';
import { waitUntil } from '../src/local/wait-until.js';

const logger = createLogger({ level: process.env['GRADUAL_LOG_LEVEL'] ?? 'warn' });

function percentile(sortedMs: number[], p: number): number {
  const index = Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1);
  return sortedMs[Math.max(0, index)] ?? Number.NaN;
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${String(pid)}/status`, 'utf8').catch(() => '');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 'NaN');
  return kib / 1024;
}

function row(name: string, value: string): void {
  process.stdout.write(`${name.padEnd(52)} ${value}\n`);
}

async function apiRoundTrips(core: CoreV1Api, namespace: string, count: number): Promise<number[]> {
  const timings: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const started = performance.now();
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: `bench-${String(index)}` }, data: { index: String(index) } } });
    await core.readNamespacedConfigMap({ name: `bench-${String(index)}`, namespace });
    timings.push(performance.now() - started);
  }
  return timings.sort((a, b) => a - b);
}

async function podsReady(environment: LocalEnvironment, replicas: number): Promise<number> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(environment.kubernetes.kubeconfig);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const labels = { app: 'bench' };
  const started = performance.now();
  await apps.createNamespacedReplicaSet({
    namespace: 'default',
    body: {
      metadata: { name: 'bench' },
      spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'bench', image: 'example.test/bench:1' }] } } },
    },
  });
  await waitUntil(async () => (await apps.readNamespacedReplicaSet({ name: 'bench', namespace: 'default' })).status?.readyReplicas === replicas, {
    what: `${String(replicas)} ready replicas`,
    timeoutMs: 120_000,
    intervalMs: 50,
  });
  return performance.now() - started;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'gradual-bench-'));
  try {
    process.stdout.write('Gradual benchmarks — embedded local environment (warm cache)\n\n');
    const upStarted = performance.now();
    const environment = await localUp({ dir, nodes: 3, logger });
    row('local up, all parts ready (s)', ((performance.now() - upStarted) / 1000).toFixed(2));

    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(environment.kubernetes.kubeconfig);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'bench' } } });
    const trips = await apiRoundTrips(core, 'bench', 200);
    row('API create+get ConfigMap, 200 sequential: p50 (ms)', percentile(trips, 50).toFixed(2));
    row('API create+get ConfigMap, 200 sequential: p95 (ms)', percentile(trips, 95).toFixed(2));

    const replicas = 50;
    row(`ReplicaSet of ${String(replicas)} to all pods Ready on KWOK (s)`, ((await podsReady(environment, replicas)) / 1000).toFixed(2));

    for (const record of environment.processes) row(`RSS ${record.name} (MiB)`, (await rssMiB(record.pid)).toFixed(0));

    const downStarted = performance.now();
    await localDown({ dir, logger });
    row('local down (s)', ((performance.now() - downStarted) / 1000).toFixed(2));
  } finally {
    await localDown({ dir, logger }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
