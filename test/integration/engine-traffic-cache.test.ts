import { describe, expect, it } from 'vitest';
import { createControllerMetrics } from '../../src/engine/controller/metrics.js';
import { createRequestCounter } from '../../src/kube/index.js';
import { waitUntil } from '../../src/local/wait-until.js';
import type { JsonObject } from '../../src/traffic/index.js';
import { destinationRuleRef, httpRouteRef, ingressRef, trafficBed, virtualServiceRef } from './support/traffic-fixtures.js';

// The routers read their objects from the controller's informer caches (src/traffic/cached-kube.ts): a traffic-routed
// Rollout at rest costs no API request for its router objects however often it reconciles, counted by the request
// counter the controller's clients report to (Argo's controller_clientset_k8s_request_total labels).
const counter = createRequestCounter();
const reconciles = new Map<string, number>();
const metrics = createControllerMetrics();
const countingMetrics = {
  ...metrics,
  observeReconcile(namespace: string, name: string, seconds: number, failed: boolean) {
    const key = `${namespace}/${name}`;
    reconciles.set(key, (reconciles.get(key) ?? 0) + 1);
    metrics.observeReconcile(namespace, name, seconds, failed);
  },
};
const bed = trafficBed('traffic-cache', { requestCounter: counter, metrics: countingMetrics });
const { namespace } = bed;
const routerKinds = ['virtualservices', 'destinationrules', 'trafficsplits', 'ingresses', 'httproutes'];

function routerRequests(): { kind: string; name: string; verb: string; count: number }[] {
  return counter
    .counts()
    .filter((count) => routerKinds.includes(count.kind) && count.verb !== 'list' && count.verb !== 'watch')
    .map(({ kind, name, verb, count }) => ({ kind, name, verb, count }));
}

/** Writes other than Events: the Event recorder sends an earlier reconcile's Events in the background, whenever it flushes. */
function writes(): { kind: string; name: string; verb: string; count: number }[] {
  return counter
    .counts()
    .filter((count) => ['create', 'update', 'patch', 'delete'].includes(count.verb) && count.kind !== 'events')
    .map(({ kind, name, verb, count }) => ({ kind, name, verb, count }));
}

/** Makes the controller reconcile the Rollout `times` more times, waiting for each to finish, with nothing changed. */
async function forceReconciles(app: string, times: number): Promise<void> {
  const key = `${namespace}/${app}`;
  for (let round = 0; round < times; round += 1) {
    const before = reconciles.get(key) ?? 0;
    bed.controller().queue.add(key);
    await waitUntil(async () => Promise.resolve((reconciles.get(key) ?? 0) > before), {
      what: `reconcile ${String(round + 1)} of ${app}`,
      timeoutMs: 30_000,
      intervalMs: 10,
    });
  }
}

const hostRoute = (app: string, stable: number, canary: number): JsonObject[] => [
  { destination: { host: `${app}-stable` }, weight: stable },
  { destination: { host: `${app}-canary` }, weight: canary },
];
const subsetRoute = (app: string, stable: number, canary: number): JsonObject[] => [
  { destination: { host: app, subset: 'stable' }, weight: stable },
  { destination: { host: app, subset: 'canary' }, weight: canary },
];
const ruleTo = (host: string, service: string): JsonObject => ({
  host,
  http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service, port: { number: 80 } } } }] },
});

/** Each router's objects, created as a person would, and the trafficRouting naming them. */
const routers: { name: string; setUp(app: string): Promise<void>; routing(app: string): Record<string, unknown> }[] = [
  {
    name: 'Istio host-level',
    async setUp(app) {
      await bed.createObject(virtualServiceRef(namespace, `${app}-vs`), {
        spec: { hosts: [`${app}.local`], http: [{ name: 'primary', route: hostRoute(app, 100, 0) }] },
      });
    },
    routing: (app) => ({ istio: { virtualService: { name: `${app}-vs`, routes: ['primary'] } } }),
  },
  {
    name: 'Istio subset-level (VirtualService and DestinationRule)',
    async setUp(app) {
      await bed.createServices(app, [app]);
      await bed.createObject(destinationRuleRef(namespace, `${app}-dr`), {
        spec: { host: app, subsets: [{ name: 'stable' }, { name: 'canary' }] },
      });
      await bed.createObject(virtualServiceRef(namespace, `${app}-vs`), {
        spec: { hosts: [`${app}.local`], http: [{ name: 'primary', route: subsetRoute(app, 100, 0) }] },
      });
    },
    routing: (app) => ({
      istio: {
        virtualService: { name: `${app}-vs`, routes: ['primary'] },
        destinationRule: { name: `${app}-dr`, canarySubsetName: 'canary', stableSubsetName: 'stable' },
      },
    }),
  },
  {
    name: 'SMI (a TrafficSplit the router created)',
    async setUp(app) {
      await bed.createServices(app, [`${app}-root`]);
    },
    routing: (app) => ({ smi: { rootService: `${app}-root`, trafficSplitName: `${app}-split` } }),
  },
  {
    name: 'NGINX (a canary Ingress the router created)',
    async setUp(app) {
      await bed.createObject(ingressRef(namespace, `${app}-ingress`), {
        spec: { ingressClassName: 'nginx', rules: [ruleTo(`${app}.local`, `${app}-stable`)] },
      });
    },
    routing: (app) => ({ nginx: { stableIngress: `${app}-ingress` } }),
  },
  {
    name: 'Gateway API',
    async setUp(app) {
      await bed.createObject(httpRouteRef(namespace, `${app}-route`), {
        spec: {
          parentRefs: [{ name: 'gateway' }],
          hostnames: [`${app}.local`],
          rules: [
            {
              backendRefs: [
                { name: `${app}-stable`, port: 80, weight: 100 },
                { name: `${app}-canary`, port: 80, weight: 0 },
              ],
            },
          ],
        },
      });
    },
    routing: (app) => ({ gatewayAPI: { httpRoute: `${app}-route` } }),
  },
];

describe('router objects read from the informer caches', () => {
  it.each(routers.map((router, index) => ({ name: router.name, index })))(
    '$name: a Rollout at rest, Healthy and then paused at 20 percent, makes 0 requests for its router objects over 10 reconciles each',
    async ({ index }) => {
      const router = routers[index];
      if (router === undefined) throw new Error('no router');
      const app = `rc${String(index)}`;
      await bed.createServices(app);
      await router.setUp(app);
      await bed.createRollout(app, { trafficRouting: router.routing(app), steps: [{ setWeight: 20 }, { pause: {} }] });
      await bed.until(app, 'Healthy', (rollout) => rollout.status?.phase === 'Healthy');
      // Whatever the first reconciles wrote has come back through the watches.
      await forceReconciles(app, 2);
      counter.reset();
      await forceReconciles(app, 10);
      expect(routerRequests()).toEqual([]);
      expect(writes()).toEqual([]);

      await bed.setImage(app, 'example.test/app:yellow');
      await bed.until(
        app,
        'paused at 20%',
        (rollout) => rollout.status?.phase === 'Paused' && rollout.status.canary?.weights?.canary.weight === 20,
      );
      await forceReconciles(app, 2);
      counter.reset();
      await forceReconciles(app, 10);
      expect(routerRequests()).toEqual([]);
      expect(writes()).toEqual([]);
    },
    120_000,
  );
});
