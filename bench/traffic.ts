// Traffic routing: how long a setWeight step takes to reach the router object, and how many
// writes of the router object a step costs (goal: 1). One Rollout with an Istio VirtualService
// (host-level, route `primary`), replicas 1, so every weight after the first runs on the same
// canary pod and the time measured is the controller's own.
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { CoreV1Api, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { createRolloutController } from '../src/engine/controller/rollout-controller.js';
import { createInformerCache, createRequestCounter, createRestClient, type InformerCache, type RestClient } from '../src/kube/index.js';
import { installCrds } from '../src/local/crds.js';
import type { LocalEnvironment } from '../src/local/index.js';
import { waitUntil } from '../src/local/wait-until.js';
import type { Logger } from '../src/log/index.js';
import { readRouteWeights, type JsonObject } from '../src/traffic/index.js';
import { createNamespace, type Defer } from './controller.js';
import { kubeConfigOf } from './local-environment.js';
import { header, note, percentile, row, seconds } from './report.js';

// The fixture CRDs the integration tests install: the bench needs a VirtualService kind, not Istio.
const crdDir = fileURLToPath(new URL('../src/local/traffic-crds/', import.meta.url));

interface RolloutState extends KubernetesObject {
  metadata: { name?: string; resourceVersion?: string };
  status?: { phase?: string; currentStepIndex?: number };
}

type Watched = KubernetesObject & { metadata: object };

const rolloutsPath = (namespace: string, name = ''): string =>
  `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/rollouts${name === '' ? '' : `/${name}`}`;

/** The canary weight of the VirtualService's `primary` route, through the reader the demo gateway uses. */
function canaryWeight(object: KubernetesObject, canaryService: string): number | undefined {
  const weights = readRouteWeights(object as unknown as JsonObject);
  if (!weights.ok) return undefined;
  return weights.value[0]?.destinations.find((destination) => destination.service === canaryService)?.weight;
}

function promote(rest: RestClient, namespace: string, name: string): Promise<unknown> {
  return rest.request({
    method: 'PATCH',
    path: `${rolloutsPath(namespace, name)}/status`,
    body: { status: { pauseConditions: null } },
    contentType: PatchStrategy.MergePatch,
  });
}

/**
 * `steps` setWeight steps (2, 4, …), each followed by pause {}. A step starts when the watch on
 * the Rollout shows currentStepIndex on it; it is written when the watch on the VirtualService
 * shows its weight. The bench promotes once the weight is seen and the Rollout is paused on the
 * next step. Router writes are the controller's PATCH/PUT/POST on virtualservices per step.
 */
export async function benchTrafficSteps(environment: LocalEnvironment, logger: Logger, defer: Defer, steps = 30): Promise<void> {
  header(
    `Traffic routing: setWeight step → VirtualService written (${String(steps)} steps, Istio host-level, replicas 1; times from watch events)`,
  );
  const kubeConfig = kubeConfigOf(environment);
  const rest = createRestClient(kubeConfig);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const namespace = 'bench-traffic';
  const name = 'web';
  await createNamespace(kubeConfig, namespace);
  await installCrds({ kubeconfig: environment.kubernetes.kubeconfig, dir: crdDir, logger });
  for (const service of [`${name}-stable`, `${name}-canary`])
    await core.createNamespacedService({
      namespace,
      body: { metadata: { name: service }, spec: { selector: { app: name }, ports: [{ port: 80 }] } },
    });
  const vsPath = `/apis/networking.istio.io/v1alpha3/namespaces/${namespace}/virtualservices`;
  await rest.request({
    method: 'POST',
    path: vsPath,
    body: {
      apiVersion: 'networking.istio.io/v1alpha3',
      kind: 'VirtualService',
      metadata: { name: `${name}-vs`, namespace },
      spec: {
        hosts: [`${name}.local`],
        http: [
          {
            name: 'primary',
            route: [
              { destination: { host: `${name}-stable` }, weight: 100 },
              { destination: { host: `${name}-canary` }, weight: 0 },
            ],
          },
        ],
      },
    },
  });

  // Timestamps from the watches: when the step index first showed, and when each weight first showed.
  const stepSeenAt = new Map<number, number>();
  const weightSeenAt = new Map<number, number>();
  const rollouts: InformerCache<Watched> = createInformerCache(kubeConfig, { path: rolloutsPath(namespace), logger });
  const services: InformerCache<Watched> = createInformerCache(kubeConfig, { path: vsPath, logger });
  rollouts.onUpdate((object) => {
    const index = (object as RolloutState).status?.currentStepIndex;
    if (index !== undefined && !stepSeenAt.has(index)) stepSeenAt.set(index, performance.now());
  });
  const onRouter = (object: Watched): void => {
    const weight = canaryWeight(object, `${name}-canary`);
    if (weight !== undefined && !weightSeenAt.has(weight)) weightSeenAt.set(weight, performance.now());
  };
  services.onAdd(onRouter);
  services.onUpdate(onRouter);
  for (const informer of [rollouts, services]) {
    await informer.start();
    await informer.waitForSync(60_000);
  }
  defer('the traffic bench’s informers', async () => {
    await rollouts.stop();
    await services.stop();
  });

  const counter = createRequestCounter();
  const controller = createRolloutController({ kubeConfig, logger, requestCounter: counter, namespace });
  defer('the traffic bench’s controller', () => controller.stop());
  await controller.start();

  const weights = Array.from({ length: steps }, (_, index) => 2 * (index + 1));
  const rolloutSteps = weights.flatMap((weight) => [{ setWeight: weight }, { pause: {} }]);
  await rest.request({
    method: 'POST',
    path: rolloutsPath(namespace),
    body: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name, namespace },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'example.test/web:1' }] } },
        strategy: {
          canary: {
            canaryService: `${name}-canary`,
            stableService: `${name}-stable`,
            trafficRouting: { istio: { virtualService: { name: `${name}-vs`, routes: ['primary'] } } },
            steps: rolloutSteps,
          },
        },
      },
    },
  });
  const phase = (): RolloutState | undefined => rollouts.get(namespace, name);
  await waitUntil(async () => Promise.resolve(phase()?.status?.phase === 'Healthy'), {
    what: 'the first revision Healthy',
    timeoutMs: 120_000,
    intervalMs: 50,
  });
  stepSeenAt.clear();

  const started = performance.now();
  await rest.request({
    method: 'PATCH',
    path: rolloutsPath(namespace, name),
    body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'example.test/web:2' }] } } } },
    contentType: PatchStrategy.MergePatch,
  });
  const writesPerStep: number[] = [];
  const requestsPerStep: number[] = [];
  const routerReadsPerStep: number[] = [];
  // Every request the controller sends (writes, reads and the informers' LISTs/WATCH restarts), and the router reads alone.
  const allRequests = (): number => counter.total();
  const routerReads = (): number =>
    counter
      .counts()
      .filter((count) => count.kind === 'virtualservices' && count.verb === 'get')
      .reduce((sum, count) => sum + count.count, 0);
  const routerWrites = (): number =>
    counter
      .counts()
      .filter((count) => count.kind === 'virtualservices' && ['create', 'update', 'patch'].includes(count.verb))
      .reduce((sum, count) => sum + count.count, 0);
  for (const [index, weight] of weights.entries()) {
    const before = routerWrites();
    const requestsBefore = allRequests();
    const readsBefore = routerReads();
    await waitUntil(async () => Promise.resolve(weightSeenAt.has(weight)), {
      what: `weight ${String(weight)} on the VirtualService`,
      timeoutMs: 120_000,
      intervalMs: 10,
    });
    const pauseIndex = 2 * index + 1;
    await waitUntil(async () => Promise.resolve(phase()?.status?.phase === 'Paused' && phase()?.status?.currentStepIndex === pauseIndex), {
      what: `paused at step ${String(pauseIndex)}`,
      timeoutMs: 120_000,
      intervalMs: 10,
    });
    writesPerStep.push(routerWrites() - before);
    requestsPerStep.push(allRequests() - requestsBefore);
    routerReadsPerStep.push(routerReads() - readsBefore);
    if (index < weights.length - 1) await promote(rest, namespace, name);
  }
  const wall = seconds(started);

  // The first step waits for the canary pod to start (the router holds the weight until it is available).
  const latencies = weights
    .slice(1)
    .map((weight, offset) => (weightSeenAt.get(weight) ?? Number.NaN) - (stepSeenAt.get(2 * (offset + 1)) ?? Number.NaN))
    .sort((a, b) => a - b);
  const first = (weightSeenAt.get(weights[0] ?? 0) ?? Number.NaN) - (stepSeenAt.get(0) ?? Number.NaN);
  row('first step (canary pod starting) → written (ms)', first.toFixed(0));
  row(`later steps, step started → VirtualService written, p50 (ms)`, percentile(latencies, 50).toFixed(0));
  row(`later steps, step started → VirtualService written, p99 (ms)`, percentile(latencies, 99).toFixed(0));
  const total = writesPerStep.reduce((sum, count) => sum + count, 0);
  row('VirtualService writes per setWeight step, mean (goal 1)', (total / writesPerStep.length).toFixed(2));
  row('VirtualService writes per setWeight step, max', String(Math.max(...writesPerStep)));
  const mean = (values: readonly number[]): string => (values.reduce((sum, value) => sum + value, 0) / values.length).toFixed(2);
  row('controller API requests per setWeight step (all kinds), mean', mean(requestsPerStep));
  row('VirtualService GETs per setWeight step, mean', mean(routerReadsPerStep));
  row(`${String(steps)} steps with the bench's promotes, wall time (s)`, wall);
  note(
    'a step starts at the Rollout status write that sets currentStepIndex on it (seen by a watch); a write is a PATCH/PUT/POST by the controller on virtualservices',
  );
}
