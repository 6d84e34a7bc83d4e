import { fileURLToPath } from 'node:url';
import type { KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Rollout } from '../../../src/api/index.js';
import {
  createRolloutController,
  type RolloutController,
  type RolloutControllerOptions,
} from '../../../src/engine/controller/rollout-controller.js';
import { createInformerCache, createRestClient, type InformerCache } from '../../../src/kube/index.js';
import { installCrds } from '../../../src/local/crds.js';
import { ownCliInvocation } from '../../../src/local/own-cli.js';
import { runCommand, type CommandResult } from '../../../src/local/run-command.js';
import { waitUntil } from '../../../src/local/wait-until.js';
import { createLogger, rootLogger } from '../../../src/log/index.js';
import { createTrafficKube, type JsonObject, type ObjectRef, type TrafficKube } from '../../../src/traffic/index.js';
import { testCluster, type TestCluster } from './test-cluster.js';

// What the engine-traffic-* files share: a namespace of their own, the fixture CRDs installed
// before the controller starts (so it watches the router kinds), a person's `gradual` verbs,
// and reads of the router objects as the API server holds them.
const crdDir = fileURLToPath(new URL('../../../src/local/traffic-crds/', import.meta.url));

export const virtualServiceRef = (namespace: string, name: string): ObjectRef => ({
  group: 'networking.istio.io',
  version: 'v1alpha3',
  resource: 'virtualservices',
  kind: 'VirtualService',
  namespace,
  name,
});
export const destinationRuleRef = (namespace: string, name: string): ObjectRef => ({
  group: 'networking.istio.io',
  version: 'v1alpha3',
  resource: 'destinationrules',
  kind: 'DestinationRule',
  namespace,
  name,
});
export const trafficSplitRef = (namespace: string, name: string): ObjectRef => ({
  group: 'split.smi-spec.io',
  version: 'v1alpha1',
  resource: 'trafficsplits',
  kind: 'TrafficSplit',
  namespace,
  name,
});
export const ingressRef = (namespace: string, name: string): ObjectRef => ({
  group: 'networking.k8s.io',
  version: 'v1',
  resource: 'ingresses',
  kind: 'Ingress',
  namespace,
  name,
});
export const httpRouteRef = (namespace: string, name: string): ObjectRef => ({
  group: 'gateway.networking.k8s.io',
  version: 'v1',
  resource: 'httproutes',
  kind: 'HTTPRoute',
  namespace,
  name,
});
export const traefikServiceRef = (namespace: string, name: string): ObjectRef => ({
  group: 'traefik.containo.us',
  version: 'v1alpha1',
  resource: 'traefikservices',
  kind: 'TraefikService',
  namespace,
  name,
});
export const apisixRouteRef = (namespace: string, name: string): ObjectRef => ({
  group: 'apisix.apache.org',
  version: 'v2',
  resource: 'apisixroutes',
  kind: 'ApisixRoute',
  namespace,
  name,
});

/** The seed blog's steps: 20, a pause for a person, then 40/60/80 with short pauses. */
export const seedSteps = [
  { setWeight: 20 },
  { pause: {} },
  { setWeight: 40 },
  { pause: { duration: '1s' } },
  { setWeight: 60 },
  { pause: { duration: '1s' } },
  { setWeight: 80 },
  { pause: { duration: '1s' } },
];

/** Every version of one router object the watch delivered, in order (the object as written, and when it was seen). */
export interface ObjectHistory {
  versions(): JsonObject[];
  stop(): Promise<void>;
}

export interface TrafficBed {
  cluster: TestCluster;
  namespace: string;
  kube: TrafficKube;
  gradual(...args: string[]): Promise<CommandResult>;
  /** `<app>-stable` and `<app>-canary` (or the names given), selecting `app: <app>`. */
  createServices(app: string, names?: string[]): Promise<void>;
  createObject(ref: ObjectRef, body: JsonObject): Promise<void>;
  /** A 5-replica Rollout of `app` with canaryService/stableService `<app>-canary`/`<app>-stable` and the canary fields given. */
  createRollout(app: string, canary: Record<string, unknown>): Promise<void>;
  until(app: string, what: string, check: (rollout: Rollout) => boolean): Promise<Rollout>;
  /** The image changed, as a person would: a new revision starts. */
  setImage(app: string, image: string): Promise<void>;
  verb(verb: 'promote' | 'abort', app: string): Promise<void>;
  read(ref: ObjectRef): Promise<JsonObject>;
  /** The object without what the API server adds (resourceVersion, uid, managedFields, …): what a router decided. */
  written(ref: ObjectRef): Promise<JsonObject | undefined>;
  selectorOf(service: string): Promise<Record<string, string> | undefined>;
  replicasOf(app: string, hash: string): Promise<number>;
  /** How many ReplicaSets the Rollout owns. */
  replicaSetCount(app: string): Promise<number>;
  /** Starts recording every version of the named object the API server reports (a watch, so no write is missed). */
  history(ref: ObjectRef): Promise<ObjectHistory>;
}

const serverFields = ['resourceVersion', 'uid', 'creationTimestamp', 'generation', 'managedFields'];

/** `object` without the fields the API server fills in; ownerReferences keep everything but the Rollout's uid. */
export function withoutServerFields(object: JsonObject): JsonObject {
  const metadata = Object.fromEntries(Object.entries(object['metadata'] as JsonObject).filter(([field]) => !serverFields.includes(field)));
  const owners = metadata['ownerReferences'] as JsonObject[] | undefined;
  if (owners !== undefined) metadata['ownerReferences'] = owners.map((owner) => ({ ...owner, uid: '<rollout uid>' }));
  const copy: JsonObject = { ...object, metadata };
  delete copy['status'];
  return copy;
}

/**
 * The file's namespace, the CRDs and a Rollout controller, set up before the file's tests and torn down after them;
 * `controllerOptions` adds to the controller's (a request counter, metrics).
 */
export function trafficBed(
  prefix: string,
  controllerOptions: Partial<Pick<RolloutControllerOptions, 'requestCounter' | 'metrics'>> = {},
): TrafficBed & { controller(): RolloutController } {
  const cluster = testCluster(prefix);
  const { core, apps, custom, namespace, rolloutApi } = cluster;
  const kube = createTrafficKube(createRestClient(cluster.kubeConfig));
  let controller: RolloutController | undefined;

  beforeAll(async () => {
    await cluster.setUp();
    await installCrds({ kubeconfig: cluster.kubeconfigPath, dir: crdDir, logger: rootLogger().child({ component: `${prefix}-test` }) });
    controller = createRolloutController({
      kubeConfig: cluster.kubeConfig,
      namespace,
      logger: createLogger({ level: 'warn' }),
      ...controllerOptions,
    });
    await controller.start();
  });

  afterAll(async () => {
    await controller?.stop();
    await cluster.tearDown();
  });

  function gradual(...args: string[]): Promise<CommandResult> {
    const cli = ownCliInvocation();
    return runCommand(cli.command, [...cli.args, ...args, '-n', namespace, '--kubeconfig', cluster.kubeconfigPath], { cwd: cli.cwd });
  }

  async function read(ref: ObjectRef): Promise<JsonObject> {
    const object = await kube.read(ref);
    if (object === undefined) throw new Error(`${ref.kind} ${ref.namespace}/${ref.name} is missing`);
    return object;
  }

  return {
    cluster,
    namespace,
    kube,
    gradual,
    controller() {
      if (controller === undefined) throw new Error('the controller starts in beforeAll');
      return controller;
    },
    async createServices(app, names = [`${app}-stable`, `${app}-canary`]) {
      for (const name of names)
        await core.createNamespacedService({ namespace, body: { metadata: { name }, spec: { selector: { app }, ports: [{ port: 80 }] } } });
    },
    async createObject(ref, body) {
      await kube.write({
        verb: 'create',
        ref,
        object: {
          apiVersion: `${ref.group === '' ? '' : `${ref.group}/`}${ref.version}`,
          kind: ref.kind,
          metadata: { name: ref.name, namespace },
          ...body,
        },
      });
    },
    async createRollout(app, canary) {
      await custom.createNamespacedCustomObject({
        ...rolloutApi,
        body: {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          metadata: { name: app, namespace },
          spec: {
            replicas: 5,
            selector: { matchLabels: { app } },
            template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'app', image: 'example.test/app:blue' }] } },
            strategy: { canary: { canaryService: `${app}-canary`, stableService: `${app}-stable`, ...canary } },
          },
        },
      });
    },
    until: (app, what, check) => cluster.untilRollout(app, what, check),
    async setImage(app, image) {
      const result = await gradual('set', 'image', app, `app=${image}`);
      expect(result.code, result.stderr).toBe(0);
    },
    async verb(verb, app) {
      const result = await gradual(verb, app);
      expect(result.code, result.stderr).toBe(0);
    },
    read,
    async written(ref) {
      const object = await kube.read(ref);
      return object === undefined ? undefined : withoutServerFields(object);
    },
    async selectorOf(service) {
      return (await core.readNamespacedService({ name: service, namespace })).spec?.selector;
    },
    async replicasOf(app, hash) {
      const all = (await apps.listNamespacedReplicaSet({ namespace })).items;
      return (
        all.find(
          (rs) =>
            rs.metadata?.labels?.['rollouts-pod-template-hash'] === hash &&
            rs.metadata.ownerReferences?.some((owner) => owner.name === app),
        )?.spec?.replicas ?? 0
      );
    },
    async replicaSetCount(app) {
      const all = (await apps.listNamespacedReplicaSet({ namespace })).items;
      return all.filter((rs) => rs.metadata?.ownerReferences?.some((owner) => owner.name === app)).length;
    },
    async history(ref) {
      const base = ref.group === '' ? `/api/${ref.version}` : `/apis/${ref.group}/${ref.version}`;
      const informer: InformerCache<KubernetesObject & { metadata: object }> = createInformerCache(cluster.kubeConfig, {
        path: `${base}/namespaces/${ref.namespace}/${ref.resource}`,
        fieldSelector: `metadata.name=${ref.name}`,
        logger: createLogger({ level: 'warn' }),
      });
      const seen: JsonObject[] = [];
      const versions = new Set<string>();
      const record = (object: KubernetesObject): void => {
        const version = object.metadata?.resourceVersion ?? '';
        if (versions.has(version)) return;
        versions.add(version);
        seen.push(object as unknown as JsonObject);
      };
      informer.onAdd(record);
      informer.onUpdate(record);
      await informer.start();
      await informer.waitForSync(30_000);
      return { versions: () => [...seen], stop: () => informer.stop() };
    },
  };
}

/** The canary weight of each distinct state a history went through, consecutive repeats folded (a write of labels only repeats the weight). */
export function weightSequence(
  history: readonly JsonObject[],
  canaryWeightOf: (object: JsonObject) => number | undefined,
): (number | undefined)[] {
  const weights: (number | undefined)[] = [];
  for (const object of history) {
    const weight = canaryWeightOf(object);
    if (weights.length === 0 || weights[weights.length - 1] !== weight) weights.push(weight);
  }
  return weights;
}

/**
 * The seed scenario on any router: blue Healthy, yellow paused at 20, promoted, 40 → 60 → 80 with
 * the steps' short pauses, then all traffic back on the stable Service, now on yellow. Returns the
 * hashes; the caller asserts the router object at each point through `at`.
 */
export async function runSeedScenario(
  bed: TrafficBed,
  app: string,
  canary: Record<string, unknown>,
  at: {
    healthy(blue: string): Promise<void>;
    paused(blue: string, yellow: string, rollout: Rollout): Promise<void>;
    done(yellow: string): Promise<void>;
  },
): Promise<{ blue: string; yellow: string }> {
  await bed.createRollout(app, { steps: seedSteps, ...canary });
  const first = await bed.until(app, 'the first revision to be Healthy', (r) => r.status?.phase === 'Healthy');
  const blue = first.status?.currentPodHash ?? '';
  await waitUntil(async () => (await bed.selectorOf(`${app}-stable`))?.['rollouts-pod-template-hash'] === blue, {
    what: 'the stable Service on blue',
    timeoutMs: 30_000,
  });
  await at.healthy(blue);

  await bed.setImage(app, 'example.test/app:yellow');
  const paused = await bed.until(
    app,
    'the canary to pause at step 1',
    (r) => r.status?.phase === 'Paused' && r.status.currentStepIndex === 1,
  );
  const yellow = paused.status?.currentPodHash ?? '';
  expect(await bed.replicasOf(app, yellow)).toBe(1);
  expect(await bed.replicasOf(app, blue)).toBe(5);
  expect((await bed.selectorOf(`${app}-canary`))?.['rollouts-pod-template-hash']).toBe(yellow);
  await at.paused(blue, yellow, paused);

  await bed.verb('promote', app);
  await bed.until(app, 'yellow to be stable and Healthy', (r) => r.status?.phase === 'Healthy' && r.status.stableRS === yellow);
  await bed.until(
    app,
    'the weights recorded at 0 on yellow',
    (r) => r.status?.canary?.weights?.canary.weight === 0 && r.status.canary.weights.stable.podTemplateHash === yellow,
  );
  expect((await bed.selectorOf(`${app}-stable`))?.['rollouts-pod-template-hash']).toBe(yellow);
  await at.done(yellow);
  return { blue, yellow };
}

/**
 * Abort mid-canary on any router: the router's weight reaches 0 while the canary still has its
 * pods, and the canary goes only after abortScaleDownDelaySeconds (10 s here).
 */
export async function runAbortScenario(
  bed: TrafficBed,
  app: string,
  canary: Record<string, unknown>,
  canaryWeight: () => Promise<number | undefined>,
): Promise<void> {
  await bed.createRollout(app, { abortScaleDownDelaySeconds: 10, steps: [{ setWeight: 40 }, { pause: {} }], ...canary });
  const first = await bed.until(app, 'the first revision to be Healthy', (r) => r.status?.phase === 'Healthy');
  const blue = first.status?.currentPodHash ?? '';
  await bed.setImage(app, 'example.test/app:yellow');
  const paused = await bed.until(app, 'the canary to pause', (r) => r.status?.phase === 'Paused');
  const yellow = paused.status?.currentPodHash ?? '';
  expect(await canaryWeight()).toBe(40);
  expect(await bed.replicasOf(app, yellow)).toBe(2);

  await bed.verb('abort', app);
  await waitUntil(async () => (await canaryWeight()) === 0, { what: 'the weight back to stable', timeoutMs: 30_000, intervalMs: 50 });
  const weightZeroAt = Date.now();
  expect(await bed.replicasOf(app, yellow)).toBe(2);
  await waitUntil(async () => (await bed.replicasOf(app, yellow)) === 0, {
    what: 'the canary scaled down after the delay',
    timeoutMs: 30_000,
    intervalMs: 100,
  });
  // The delay is 10 s from the abort; the CLI's start-up takes some of it before the test sees the weight.
  expect(Date.now() - weightZeroAt).toBeGreaterThanOrEqual(5_000);
  expect(await bed.replicasOf(app, blue)).toBe(5);
  expect((await bed.selectorOf(`${app}-canary`))?.['rollouts-pod-template-hash']).toBe(blue);
  const aborted = await bed.cluster.readRollout(app);
  expect(aborted.status?.phase).toBe('Degraded');
  expect(aborted.status?.canary?.weights?.canary.weight).toBe(0);
}

/** A whole scenario waits on several reconciles and pod start-ups; the machine running it may be shared and slow. */
export const scenarioTimeoutMs = 300_000;
