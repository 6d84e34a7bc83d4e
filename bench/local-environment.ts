// The embedded local environment every test, benchmark and the demo stands on: start-up time,
// API latency, pod readiness on KWOK, and the memory of each of its processes.
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { localDown, localUp, type LocalEnvironment } from '../src/local/index.js';
import { fakeNode } from '../src/local/kwok-nodes.js';
import { waitUntil } from '../src/local/wait-until.js';
import type { Logger } from '../src/log/index.js';
import { header, percentile, row, seconds } from './report.js';

export function kubeConfigOf(environment: LocalEnvironment): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(environment.kubernetes.kubeconfig);
  return kubeConfig;
}

export async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${String(pid)}/status`, 'utf8').catch(() => '');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 'NaN');
  return kib / 1024;
}

export async function startEnvironment(dir: string, logger: Logger): Promise<LocalEnvironment> {
  header('Embedded local environment (warm cache)');
  const upStarted = performance.now();
  const environment = await localUp({ dir, nodes: 3, logger });
  row('local up, all parts ready (s)', seconds(upStarted));
  return environment;
}

async function apiRoundTrips(core: CoreV1Api, namespace: string, count: number): Promise<number[]> {
  const timings: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const started = performance.now();
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: `bench-${String(index)}` }, data: { index: String(index) } },
    });
    await core.readNamespacedConfigMap({ name: `bench-${String(index)}`, namespace });
    timings.push(performance.now() - started);
  }
  return timings.sort((a, b) => a - b);
}

async function podsReady(kubeConfig: KubeConfig, replicas: number): Promise<number> {
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const labels = { app: 'bench' };
  const started = performance.now();
  await apps.createNamespacedReplicaSet({
    namespace: 'default',
    body: {
      metadata: { name: 'bench' },
      spec: {
        replicas,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: 'bench', image: 'example.test/bench:1' }] } },
      },
    },
  });
  await waitUntil(
    async () => (await apps.readNamespacedReplicaSet({ name: 'bench', namespace: 'default' })).status?.readyReplicas === replicas,
    {
      what: `${String(replicas)} ready replicas`,
      timeoutMs: 120_000,
      intervalMs: 50,
    },
  );
  return performance.now() - started;
}

/** The environment's own numbers, as `npm run bench` printed them before the engine existed. */
export async function benchEnvironment(environment: LocalEnvironment): Promise<void> {
  const kubeConfig = kubeConfigOf(environment);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'bench' } } });
  const trips = await apiRoundTrips(core, 'bench', 200);
  row('API create+get ConfigMap, 200 sequential: p50 (ms)', percentile(trips, 50).toFixed(2));
  row('API create+get ConfigMap, 200 sequential: p95 (ms)', percentile(trips, 95).toFixed(2));

  const replicas = 50;
  row(`ReplicaSet of ${String(replicas)} to all pods Ready on KWOK (s)`, ((await podsReady(kubeConfig, replicas)) / 1000).toFixed(2));

  await printProcessMemory(environment, '');
}

export async function printProcessMemory(environment: LocalEnvironment, suffix: string): Promise<void> {
  for (const record of environment.processes) row(`RSS ${record.name}${suffix} (MiB)`, (await rssMiB(record.pid)).toFixed(0));
}

export async function stopEnvironment(dir: string, logger: Logger): Promise<void> {
  const downStarted = performance.now();
  await localDown({ dir, logger });
  row('local down (s)', seconds(downStarted));
}

/**
 * More KWOK nodes for the scale benchmark: the environment's three hold 330 pods (110 each) and
 * N Rollouts mid-canary hold 2 N. KWOK manages every node carrying its annotation, so creating
 * the Node objects is enough.
 */
export async function addKwokNodes(kubeConfig: KubeConfig, count: number, prefix = 'bench-node'): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const names = Array.from({ length: count }, (_, index) => `${prefix}-${String(index)}`);
  for (const name of names) {
    // A node left by an earlier run on the same environment serves as well as a new one.
    await core.createNode({ body: fakeNode(name) }).catch((cause: unknown) => {
      if ((cause as { code?: number }).code !== 409) throw cause;
    });
  }
  await waitUntil(
    async () => {
      const nodes = await core.listNode({ labelSelector: 'type=kwok' });
      const ready = new Set(
        nodes.items
          .filter((node) => node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
          .map((node) => node.metadata?.name),
      );
      return names.every((name) => ready.has(name));
    },
    { what: `${String(count)} more KWOK nodes`, timeoutMs: 120_000, intervalMs: 250 },
  );
}
