// The controller against the embedded environment: API requests per canary step (one Rollout),
// and reconcile throughput and memory with many Rollouts. The bench observes the cluster by
// polling or through an informer of its own; that is the bench's way of watching, not the product's.
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { CoreV1Api, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { createRolloutController, type RolloutController } from '../src/engine/controller/rollout-controller.js';
import { createInformerCache, createRequestCounter, createRestClient, type RequestCounter, type RestClient } from '../src/kube/index.js';
import type { LocalEnvironment } from '../src/local/index.js';
import { waitUntil } from '../src/local/wait-until.js';
import type { Logger } from '../src/log/index.js';
import { addKwokNodes, kubeConfigOf, printProcessMemory } from './local-environment.js';
import { header, mebibytes, note, row, seconds } from './report.js';

/** Registers a clean-up step (stopping a controller, an informer) that runs even when the bench fails. */
export type Defer = (what: string, cleanUp: () => Promise<void>) => void;

interface RolloutState extends KubernetesObject {
  spec?: { template?: { spec?: { containers?: { image?: string }[] } } };
  status?: { phase?: string; currentStepIndex?: number; currentPodHash?: string; stableRS?: string; availableReplicas?: number };
}

const isHealthy = (rollout: RolloutState): boolean => rollout.status?.phase === 'Healthy';
const isPausedAt =
  (step: number) =>
  (rollout: RolloutState): boolean =>
    rollout.status?.phase === 'Paused' && rollout.status.currentStepIndex === step;

function rolloutsPath(namespace: string, name?: string, subresource?: string): string {
  return [`/apis/argoproj.io/v1alpha1/namespaces/${namespace}/rollouts`, name, subresource].filter((part) => part !== undefined).join('/');
}

function canaryManifest(namespace: string, name: string, replicas: number, steps: object[], image: string): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
      strategy: { canary: { steps } },
    },
  };
}

/** `gradual set image NAME app=IMAGE`: a merge patch of the container list (one container). */
function setImage(rest: RestClient, namespace: string, name: string, image: string): Promise<unknown> {
  return rest.request({
    method: 'PATCH',
    path: rolloutsPath(namespace, name),
    body: { spec: { template: { spec: { containers: [{ name: 'app', image }] } } } },
    contentType: PatchStrategy.MergePatch,
  });
}

/** `gradual promote NAME` on a canary paused at a pause step: clear the pause conditions through the status subresource. */
function promote(rest: RestClient, namespace: string, name: string): Promise<unknown> {
  return rest.request({
    method: 'PATCH',
    path: rolloutsPath(namespace, name, 'status'),
    body: { status: { pauseConditions: null } },
    contentType: PatchStrategy.MergePatch,
  });
}

export async function createNamespace(kubeConfig: KubeConfig, namespace: string): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  // Pods are refused until the namespace has its default ServiceAccount.
  await waitUntil(async () => (await core.readNamespacedServiceAccount({ name: 'default', namespace })).metadata?.name === 'default', {
    what: `the default ServiceAccount of ${namespace}`,
    timeoutMs: 60_000,
  });
}

async function startController(
  kubeConfig: KubeConfig,
  namespace: string,
  logger: Logger,
  requestCounter: RequestCounter,
  defer: Defer,
): Promise<RolloutController> {
  const controller = createRolloutController({ kubeConfig, logger, requestCounter, namespace });
  defer(`the controller for ${namespace}`, () => controller.stop());
  await controller.start();
  return controller;
}

/** Runs `task` on each item with at most `limit` in flight. */
export async function withConcurrency<T>(items: readonly T[], limit: number, task: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The controller has nothing queued or running and has sent no request for `quietMs`. */
async function waitQuiet(controller: RolloutController, counter: RequestCounter, quietMs: number, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  let lastTotal = -1;
  let quietSince = performance.now();
  while (performance.now() < deadline) {
    const { depth, inFlight } = controller.queue.metrics();
    const total = counter.total();
    if (depth > 0 || inFlight > 0 || total !== lastTotal) {
      lastTotal = total;
      quietSince = performance.now();
    } else if (performance.now() - quietSince >= quietMs) {
      return true;
    }
    await delay(50);
  }
  return false;
}

function writesByVerb(counter: RequestCounter): Map<string, Map<string, number>> {
  const byVerb = new Map<string, Map<string, number>>();
  for (const count of counter.counts()) {
    if (!['create', 'update', 'patch', 'delete', 'deletecollection'].includes(count.verb)) continue;
    const kinds = byVerb.get(count.verb) ?? new Map<string, number>();
    const kind = count.subresource === '' ? count.kind : `${count.kind}/${count.subresource}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + count.count);
    byVerb.set(count.verb, kinds);
  }
  return byVerb;
}

function printRequests(label: string, counter: RequestCounter): void {
  row(`${label}: API requests, total (requests)`, String(counter.total()));
  row(`${label}: writes, total (requests)`, String(counter.writes()));
  for (const [verb, kinds] of [...writesByVerb(counter)].sort(([a], [b]) => a.localeCompare(b))) {
    const detail = [...kinds]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, count]) => `${kind} ${String(count)}`)
      .join(', ');
    const sum = [...kinds.values()].reduce((a, b) => a + b, 0);
    row(`${label}: writes, ${verb} [${detail}] (requests)`, String(sum));
  }
  const failed = counter.counts().filter((count) => !/^2\d\d$/.test(count.statusCode));
  const describe = (count: (typeof failed)[number]): string =>
    `${count.verb} ${count.kind}${count.subresource === '' ? '' : `/${count.subresource}`} ${count.statusCode} ×${String(count.count)}`;
  if (failed.length > 0) note(`${label}: non-2xx answers (counted above): ${failed.map(describe).join(', ')}`);
}

/**
 * API requests per canary step: one Rollout (replicas 5; setWeight 20, pause {}, setWeight 60,
 * pause {}) driven the way a person does it, the controller's requests counted per phase. A
 * phase ends when the Rollout shows the awaited state and the controller has then been idle for
 * a second, so trailing writes (events, the old ReplicaSet's scale-down) count in their phase.
 */
export async function benchRequestsPerStep(environment: LocalEnvironment, logger: Logger, defer: Defer): Promise<void> {
  header('Controller: API requests per canary step (1 Rollout, replicas 5, steps setWeight 20, pause {}, setWeight 60, pause {})');
  const kubeConfig = kubeConfigOf(environment);
  const rest = createRestClient(kubeConfig);
  const namespace = 'bench-steps';
  const name = 'web';
  await createNamespace(kubeConfig, namespace);
  // Right after start-up the API server may still answer 429 "storage is (re)initializing" for the CRD; the
  // controller's informer would retry, but its failed list would then count as a request of the first revision.
  await waitUntil(
    async () => Array.isArray((await rest.request<{ items?: unknown }>({ method: 'GET', path: rolloutsPath(namespace) })).items),
    {
      what: 'the Rollout API to answer a list',
      timeoutMs: 60_000,
    },
  );
  const counter = createRequestCounter();
  const controller = await startController(kubeConfig, namespace, logger, counter, defer);
  const steps = [{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }, { pause: {} }];

  async function until(what: string, check: (rollout: RolloutState) => boolean): Promise<void> {
    await waitUntil(async () => check(await rest.request<RolloutState>({ method: 'GET', path: rolloutsPath(namespace, name) })), {
      what,
      timeoutMs: 120_000,
      intervalMs: 50,
    });
  }

  await rest.request({
    method: 'POST',
    path: rolloutsPath(namespace),
    body: canaryManifest(namespace, name, 5, steps, 'example.test/web:1'),
  });
  await until('the first revision to be Healthy', isHealthy);
  await waitQuiet(controller, counter, 1000, 30_000);
  row('first revision (create → Healthy, 5 pods): API requests (requests)', String(counter.total()));

  const phases: { label: string; act: () => Promise<unknown>; what: string; done: (rollout: RolloutState) => boolean }[] = [
    {
      label: 'set image → paused at step 1',
      act: () => setImage(rest, namespace, name, 'example.test/web:2'),
      what: 'paused at step 1',
      done: isPausedAt(1),
    },
    { label: 'promote → paused at step 3', act: () => promote(rest, namespace, name), what: 'paused at step 3', done: isPausedAt(3) },
    {
      label: 'promote → Healthy',
      act: () => promote(rest, namespace, name),
      what: 'Healthy on the new revision',
      done: (rollout) =>
        isHealthy(rollout) && rollout.status?.stableRS !== undefined && rollout.status.stableRS === rollout.status.currentPodHash,
    },
  ];
  for (const phase of phases) {
    counter.reset();
    const started = performance.now();
    await phase.act();
    await until(phase.what, phase.done);
    row(`${phase.label}: time to the state (s)`, seconds(started));
    const quiet = await waitQuiet(controller, counter, 1000, 30_000);
    if (!quiet) note(`${phase.label}: the controller was still busy after 30 s; counted what it had sent`);
    printRequests(phase.label, counter);
  }
  note(
    'requests are the controller’s own (reconcile writes, events, informer list/watch), counted until it is idle for 1 s; the bench’s patches are not counted',
  );
}

/**
 * Reconcile throughput and memory with N Rollouts (replicas 1; setWeight 50, pause {}) in one
 * namespace: time until all are Healthy on their first revision, then, after a new image on
 * every one, until all are Paused at step 1 (each then runs 2 ReplicaSets and 2 pods).
 */
export async function benchManyRollouts(environment: LocalEnvironment, logger: Logger, defer: Defer, count: number): Promise<void> {
  const concurrency = 20;
  header(
    `Controller: ${String(count)} Rollouts on KWOK (replicas 1; setWeight 50, pause {}; one namespace; controller defaults (10 workers); the bench's creates and patches ${String(concurrency)} in flight)`,
  );
  const kubeConfig = kubeConfigOf(environment);
  const rest = createRestClient(kubeConfig);
  const namespace = 'bench-scale';
  const extraNodes = Math.ceil((2 * count) / 100);
  const nodesStarted = performance.now();
  await addKwokNodes(kubeConfig, extraNodes);
  row(`add ${String(extraNodes)} KWOK nodes for ${String(2 * count)} pods (s)`, seconds(nodesStarted));
  await createNamespace(kubeConfig, namespace);

  // The bench watches the Rollouts through an informer of its own (in this process: its cache of N Rollouts is in the RSS below).
  const observed = createInformerCache<RolloutState>(kubeConfig, { path: rolloutsPath(namespace), logger });
  defer('the bench’s Rollout informer', () => observed.stop());
  await observed.start();
  await observed.waitForSync(60_000);

  const rssBefore = process.memoryUsage().rss;
  const counter = createRequestCounter();
  const controller = await startController(kubeConfig, namespace, logger, counter, defer);
  const names = Array.from({ length: count }, (_, index) => `r-${String(index).padStart(4, '0')}`);
  const steps = [{ setWeight: 50 }, { pause: {} }];
  const reconcilesSoFar = (): number => controller.queue.metrics().workDurationSecondsCount;

  async function waitAll(label: string, started: number, check: (rollout: RolloutState) => boolean, timeoutMs: number): Promise<void> {
    let lastProgress = performance.now();
    let replicaSetsDone = false;
    for (;;) {
      const objects = observed.list(namespace);
      const done = objects.filter(check).length;
      if (!replicaSetsDone && counter.total({ kind: 'replicasets', verb: 'create', statusCode: '201' }) >= count) {
        replicaSetsDone = true;
        row(`${label}: the controller created all ${String(count)} ReplicaSets (s)`, seconds(started));
      }
      if (done === count) return;
      if (performance.now() - lastProgress > 10_000) {
        lastProgress = performance.now();
        logger.warn(
          { bench: label, done, of: count, seconds: Number(seconds(started)), queue: controller.queue.metrics().depth },
          'bench progress',
        );
      }
      if (performance.now() - started > timeoutMs) {
        row(`${label}: TIMED OUT, Rollouts done after ${String(timeoutMs / 1000)} s (Rollouts)`, String(done));
        throw new Error(`${label}: only ${String(done)} of ${String(count)} after ${String(timeoutMs / 1000)} s`);
      }
      await delay(500);
    }
  }

  const timeoutMs = Math.max(180_000, count * 700);
  const createStarted = performance.now();
  await withConcurrency(names, concurrency, (name) =>
    rest.request({ method: 'POST', path: rolloutsPath(namespace), body: canaryManifest(namespace, name, 1, steps, 'example.test/app:1') }),
  );
  row(`create ${String(count)} Rollouts (s)`, seconds(createStarted));
  await waitAll('first revision', createStarted, isHealthy, timeoutMs);
  row(`create → all ${String(count)} Healthy (s)`, seconds(createStarted));
  row('first revision: reconciles (reconciles)', String(reconcilesSoFar()));
  row('first revision: API requests (requests)', String(counter.total()));
  row('first revision: writes (requests)', String(counter.writes()));
  await waitQuiet(controller, counter, 1000, 60_000);

  counter.reset();
  const reconcilesBefore = reconcilesSoFar();
  const workBefore = controller.queue.metrics().workDurationSecondsSum;
  const updateStarted = performance.now();
  await withConcurrency(names, concurrency, (name) => setImage(rest, namespace, name, 'example.test/app:2'));
  row(`set image on ${String(count)} Rollouts (s)`, seconds(updateStarted));
  await waitAll('new image', updateStarted, isPausedAt(1), timeoutMs);
  row(`set image → all ${String(count)} Paused at step 1 (s)`, seconds(updateStarted));
  await waitQuiet(controller, counter, 1000, 60_000);
  const reconciles = reconcilesSoFar() - reconcilesBefore;
  row('new image: reconciles (reconciles)', String(reconciles));
  row(
    'new image: mean reconcile time, incl. its writes (ms)',
    (((controller.queue.metrics().workDurationSecondsSum - workBefore) / Math.max(1, reconciles)) * 1000).toFixed(1),
  );
  row('new image: API requests (requests)', String(counter.total()));
  row('new image: writes (requests)', String(counter.writes()));
  row('new image: writes per Rollout (requests)', (counter.writes() / count).toFixed(1));

  const memory = process.memoryUsage();
  row('bench process RSS before the controller started (MiB)', mebibytes(rssBefore));
  row('bench process RSS after settling (MiB)', mebibytes(memory.rss));
  row('bench process V8 heap used after settling (MiB)', mebibytes(memory.heapUsed));
  note(
    `the process also holds the bench’s own informer of ${String(count)} Rollouts; the controller caches ${String(count)} Rollouts, ${String(2 * count)} ReplicaSets and ${String(2 * count)} pods`,
  );
  await printProcessMemory(environment, ` after ${String(count)} Rollouts`);
}
