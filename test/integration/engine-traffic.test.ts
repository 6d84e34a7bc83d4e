import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rollout } from '../../src/api/index.js';
import { createRolloutController, type RolloutController } from '../../src/engine/controller/rollout-controller.js';
import { createRestClient } from '../../src/kube/index.js';
import { installCrds } from '../../src/local/crds.js';
import { ownCliInvocation } from '../../src/local/own-cli.js';
import { runCommand } from '../../src/local/run-command.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { createLogger, rootLogger } from '../../src/log/index.js';
import { createTrafficKube, readRouteWeights, type JsonObject, type ObjectRef } from '../../src/traffic/index.js';
import { testCluster } from './support/test-cluster.js';

// The engine driving an Istio VirtualService on the real control plane: the
// fixture CRDs are installed before the controller starts (so it watches
// VirtualServices), a person drives the Rollout with the `gradual` verbs, and
// the test reads back what the API server holds.
const cluster = testCluster('traffic-engine');
const { core, apps, custom, namespace, rolloutApi } = cluster;
const crdDir = fileURLToPath(new URL('../../src/local/traffic-crds/', import.meta.url));
const kube = createTrafficKube(createRestClient(cluster.kubeConfig));
let controller: RolloutController | undefined;

beforeAll(async () => {
  await cluster.setUp();
  await installCrds({ kubeconfig: cluster.kubeconfigPath, dir: crdDir, logger: rootLogger().child({ component: 'engine-traffic-test' }) });
  controller = createRolloutController({ kubeConfig: cluster.kubeConfig, namespace, logger: createLogger({ level: 'warn' }) });
  await controller.start();
});

afterAll(async () => {
  await controller?.stop();
  await cluster.tearDown();
});

const vs = (name: string): ObjectRef => ({
  group: 'networking.istio.io',
  version: 'v1alpha3',
  resource: 'virtualservices',
  kind: 'VirtualService',
  namespace,
  name,
});

function gradual(...args: string[]): ReturnType<typeof runCommand> {
  const cli = ownCliInvocation();
  return runCommand(cli.command, [...cli.args, ...args, '-n', namespace, '--kubeconfig', cluster.kubeconfigPath], { cwd: cli.cwd });
}

async function setUpApp(app: string, routes: string[] = ['primary']): Promise<void> {
  for (const role of ['stable', 'canary']) {
    await core.createNamespacedService({
      namespace,
      body: { metadata: { name: `${app}-${role}` }, spec: { selector: { app }, ports: [{ port: 80 }] } },
    });
  }
  await kube.write({
    verb: 'create',
    ref: vs(`${app}-vs`),
    object: {
      apiVersion: 'networking.istio.io/v1alpha3',
      kind: 'VirtualService',
      metadata: { name: `${app}-vs`, namespace },
      spec: {
        hosts: [`${app}.local`],
        http: routes.map((name) => ({
          name,
          route: [
            { destination: { host: `${app}-stable` }, weight: 100 },
            { destination: { host: `${app}-canary` }, weight: 0 },
          ],
        })),
      },
    },
  });
}

function rolloutOf(app: string, canary: Record<string, unknown>): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: app, namespace },
    spec: {
      replicas: 5,
      selector: { matchLabels: { app } },
      template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'app', image: 'example.test/app:blue' }] } },
      strategy: {
        canary: {
          canaryService: `${app}-canary`,
          stableService: `${app}-stable`,
          trafficRouting: { istio: { virtualService: { name: `${app}-vs`, routes: ['primary'] } } },
          ...canary,
        },
      },
    },
  };
}

/** `service:weight` of the VirtualService's first route, as the demo gateway would read it. */
async function split(name: string): Promise<string[]> {
  const object = await kube.read(vs(name));
  if (object === undefined) throw new Error(`VirtualService ${name} is missing`);
  const weights = readRouteWeights(object);
  if (!weights.ok) throw new Error(weights.problem.message);
  return weights.value[0]?.destinations.map((destination) => `${destination.service}:${String(destination.weight)}`) ?? [];
}

async function selectorOf(service: string): Promise<string | undefined> {
  return (await core.readNamespacedService({ name: service, namespace })).spec?.selector?.['rollouts-pod-template-hash'];
}

async function canarySize(app: string, hash: string): Promise<number> {
  const all = (await apps.listNamespacedReplicaSet({ namespace })).items;
  return (
    all.find(
      (rs) =>
        rs.metadata?.labels?.['rollouts-pod-template-hash'] === hash && rs.metadata.ownerReferences?.some((owner) => owner.name === app),
    )?.spec?.replicas ?? 0
  );
}

function until(app: string, what: string, check: (rollout: Rollout) => boolean): Promise<Rollout> {
  return cluster.untilRollout(app, what, check);
}

async function setImage(app: string, image: string): Promise<void> {
  const result = await gradual('set', 'image', app, `app=${image}`);
  expect(result.code, result.stderr).toBe(0);
}

describe('canary with an Istio VirtualService, driven by the engine', () => {
  it('seed scenario: 100/0 → 20 → promote → 40 → … → 100/0, a hand edit put back, the stable Service moved at the end', async () => {
    await setUpApp('web');
    const steps = [
      { setWeight: 20 },
      { pause: {} },
      { setWeight: 40 },
      { pause: { duration: '1s' } },
      { setWeight: 60 },
      { pause: { duration: '1s' } },
      { setWeight: 80 },
      { pause: { duration: '1s' } },
    ];
    await custom.createNamespacedCustomObject({ ...rolloutApi, body: rolloutOf('web', { steps }) });
    const first = await until('web', 'the first revision to be Healthy', (r) => r.status?.phase === 'Healthy');
    const blue = first.status?.currentPodHash ?? '';
    await waitUntil(async () => (await selectorOf('web-stable')) === blue, { what: 'the stable Service on blue', timeoutMs: 30_000 });
    expect(await split('web-vs')).toEqual(['web-stable:100', 'web-canary:0']);

    await setImage('web', 'example.test/app:yellow');
    const paused = await until(
      'web',
      'the canary to pause at step 1',
      (r) => r.status?.phase === 'Paused' && r.status.currentStepIndex === 1,
    );
    const yellow = paused.status?.currentPodHash ?? '';
    expect(await split('web-vs')).toEqual(['web-stable:80', 'web-canary:20']);
    expect(paused.status?.canary?.weights).toEqual({
      canary: { weight: 20, podTemplateHash: yellow, serviceName: 'web-canary' },
      stable: { weight: 80, podTemplateHash: blue, serviceName: 'web-stable' },
    });
    expect(await selectorOf('web-canary')).toBe(yellow);
    expect(await canarySize('web', yellow)).toBe(1);
    expect(await canarySize('web', blue)).toBe(5);

    // A person sets 50/50 by hand: the informer wakes the Rollout and the weight goes back, with an event.
    const edited = await kube.read(vs('web-vs'));
    await kube.write({
      verb: 'patch',
      ref: vs('web-vs'),
      resourceVersion: String((edited?.['metadata'] as JsonObject)['resourceVersion']),
      patch: {
        spec: {
          http: [
            {
              name: 'primary',
              route: [
                { destination: { host: 'web-stable' }, weight: 50 },
                { destination: { host: 'web-canary' }, weight: 50 },
              ],
            },
          ],
        },
      },
    });
    await waitUntil(async () => (await split('web-vs')).join() === 'web-stable:80,web-canary:20', {
      what: 'the hand edit put back',
      timeoutMs: 30_000,
      intervalMs: 50,
    });
    // The router's Event for the write that put it back (identical Events may be folded into one by the recorder).
    const putBack = "Updated VirtualService: VirtualService `web-vs` set to desiredWeight '20'";
    const lines = await cluster.untilEventLines('web', 'the router Event of the put-back', (candidate) => candidate.includes(putBack));
    expect(lines).toContain("Updated VirtualService: VirtualService `web-vs` set to desiredWeight '20'");

    const promote = await gradual('promote', 'web');
    expect(promote.code, promote.stderr).toBe(0);
    const done = await until(
      'web',
      'yellow to be stable and Healthy',
      (r) => r.status?.phase === 'Healthy' && r.status.stableRS === yellow,
    );
    await waitUntil(async () => (await split('web-vs')).join() === 'web-stable:100,web-canary:0', {
      what: 'all traffic on the stable Service',
      timeoutMs: 30_000,
    });
    expect(await selectorOf('web-stable')).toBe(yellow);
    expect(done.status?.stableRS).toBe(yellow);
    const settled = await until(
      'web',
      'the weights recorded at 0 on yellow',
      (r) => r.status?.canary?.weights?.canary.weight === 0 && r.status.canary.weights.stable.podTemplateHash === yellow,
    );
    expect(settled.status?.canary?.weights?.stable).toEqual({ weight: 100, podTemplateHash: yellow, serviceName: 'web-stable' });
    // Events are recorded after the status write: wait for the last one.
    const weightEvents = async (): Promise<string[]> =>
      (await cluster.eventLines('web')).filter((line) => line.startsWith('TrafficWeightUpdated: ') && line.includes(' from '));
    await waitUntil(async () => (await weightEvents()).length >= 6, { what: 'six weight events', timeoutMs: 30_000 });
    expect(await weightEvents()).toEqual([
      'TrafficWeightUpdated: Traffic weight updated from 0 to 20',
      'TrafficWeightUpdated: Traffic weight updated from 20 to 40',
      'TrafficWeightUpdated: Traffic weight updated from 40 to 60',
      'TrafficWeightUpdated: Traffic weight updated from 60 to 80',
      'TrafficWeightUpdated: Traffic weight updated from 80 to 100',
      'TrafficWeightUpdated: Traffic weight updated from 100 to 0',
    ]);
  });

  it('abort: the weight goes to 0 first, the canary keeps its pods for abortScaleDownDelaySeconds, then goes', async () => {
    await setUpApp('ab');
    await custom.createNamespacedCustomObject({
      ...rolloutApi,
      body: rolloutOf('ab', { abortScaleDownDelaySeconds: 10, steps: [{ setWeight: 40 }, { pause: {} }] }),
    });
    const first = await until('ab', 'the first revision to be Healthy', (r) => r.status?.phase === 'Healthy');
    const blue = first.status?.currentPodHash ?? '';
    await setImage('ab', 'example.test/app:yellow');
    const paused = await until('ab', 'the canary to pause', (r) => r.status?.phase === 'Paused');
    const yellow = paused.status?.currentPodHash ?? '';
    expect(await split('ab-vs')).toEqual(['ab-stable:60', 'ab-canary:40']);
    expect(await canarySize('ab', yellow)).toBe(2);

    const abort = await gradual('abort', 'ab');
    expect(abort.code, abort.stderr).toBe(0);
    await waitUntil(async () => (await split('ab-vs')).join() === 'ab-stable:100,ab-canary:0', {
      what: 'the weight back to stable',
      timeoutMs: 30_000,
      intervalMs: 50,
    });
    const weightZeroAt = Date.now();
    // The canary still has its pods when the weight is 0 (weight first, then scale-down).
    expect(await canarySize('ab', yellow)).toBe(2);
    await waitUntil(async () => (await canarySize('ab', yellow)) === 0, {
      what: 'the canary scaled down after the delay',
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    // The CLI's own start-up delays when the test sees the weight; the delay is 10 s, at least 5 of them after that.
    expect(Date.now() - weightZeroAt).toBeGreaterThanOrEqual(5_000);
    expect(await canarySize('ab', blue)).toBe(5);
    expect(await selectorOf('ab-canary')).toBe(blue);
    const aborted = await cluster.readRollout('ab');
    expect(aborted.status?.phase).toBe('Degraded');
    expect(aborted.status?.canary?.weights?.canary.weight).toBe(0);
  });

  it('a header route and a mirror route are set by their steps and cleared at the end', async () => {
    await setUpApp('hdr');
    const steps = [
      { setWeight: 20 },
      { setHeaderRoute: { name: 'by-header', match: [{ headerName: 'x-canary', headerValue: { exact: 'yes' } }] } },
      { setMirrorRoute: { name: 'mirror', match: [{ path: { prefix: '/api' } }], percentage: 50 } },
      { pause: {} },
    ];
    const routing = {
      istio: { virtualService: { name: 'hdr-vs', routes: ['primary'] } },
      managedRoutes: [{ name: 'by-header' }, { name: 'mirror' }],
    };
    await custom.createNamespacedCustomObject({ ...rolloutApi, body: rolloutOf('hdr', { steps, trafficRouting: routing }) });
    await until('hdr', 'the first revision to be Healthy', (r) => r.status?.phase === 'Healthy');
    await setImage('hdr', 'example.test/app:yellow');
    await until('hdr', 'the canary to pause', (r) => r.status?.phase === 'Paused');
    const routeNames = async (): Promise<string[]> => {
      const object = await kube.read(vs('hdr-vs'));
      const http = ((object?.['spec'] as JsonObject)['http'] as JsonObject[] | undefined) ?? [];
      return http.map((route) => String(route['name']));
    };
    expect(await routeNames()).toEqual(['by-header', 'mirror', 'primary']);
    const object = await kube.read(vs('hdr-vs'));
    const http = (object?.['spec'] as JsonObject)['http'] as JsonObject[];
    expect(http[0]).toMatchObject({
      name: 'by-header',
      match: [{ headers: { 'x-canary': { exact: 'yes' } } }],
      route: [{ destination: { host: 'hdr-canary' }, weight: 100 }],
    });
    expect(http[1]).toMatchObject({ name: 'mirror', mirror: { host: 'hdr-canary' }, mirrorPercentage: { value: 50 } });

    const promote = await gradual('promote', 'hdr');
    expect(promote.code, promote.stderr).toBe(0);
    await until('hdr', 'Healthy', (r) => r.status?.phase === 'Healthy' && r.status.stableRS === r.status.currentPodHash);
    await waitUntil(async () => (await routeNames()).join() === 'primary', { what: 'the managed routes removed', timeoutMs: 30_000 });
  });

  it.each([
    ['a missing VirtualService', { istio: { virtualService: { name: 'nowhere-vs' } } }, /VirtualService .*nowhere-vs.* not found/u],
    [
      'a route name not found',
      { istio: { virtualService: { name: 'bad-vs', routes: ['secondary'] } } },
      /VirtualService .*-vs spec\.http: HTTP Route 'secondary' is not found/u,
    ],
  ])('bad input, %s: InvalidSpec naming the object, nothing created', async (_name, trafficRouting, message) => {
    const app = `bad${String(Math.floor(Math.random() * 1e6))}`;
    await setUpApp(app);
    if (trafficRouting.istio.virtualService.name === 'bad-vs') trafficRouting.istio.virtualService.name = `${app}-vs`;
    await custom.createNamespacedCustomObject({
      ...rolloutApi,
      body: rolloutOf(app, { trafficRouting, steps: [{ setWeight: 20 }, { pause: {} }] }),
    });
    const invalid = await until(app, 'the InvalidSpec condition', (r) =>
      (r.status?.conditions ?? []).some((c) => c.type === 'InvalidSpec'),
    );
    const condition = invalid.status?.conditions?.find((c) => c.type === 'InvalidSpec');
    expect(condition?.message).toMatch(message);
    const replicaSets = (await apps.listNamespacedReplicaSet({ namespace })).items.filter((rs) =>
      rs.metadata?.ownerReferences?.some((owner) => owner.name === app),
    );
    expect(replicaSets).toEqual([]);
    expect(await selectorOf(`${app}-stable`)).toBeUndefined();
  });
});
