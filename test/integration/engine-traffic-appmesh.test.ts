import { describe, expect, it } from 'vitest';
import { meshRef } from '../../src/traffic/appmesh/virtual-router.js';
import type { JsonObject } from '../../src/traffic/index.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { runAbortScenario, runSeedScenario, scenarioTimeoutMs, trafficBed, weightSequence } from './support/traffic-fixtures.js';
import { itRefusesRouteSteps } from './support/route-step-refusal.js';

// The engine driving AWS App Mesh objects on the real control plane (appmesh.k8s.aws/v1beta2, Argo's
// default, from the fixture CRDs), shaped as Argo's own e2e fixture (test/e2e/appmesh): Argo's appmesh.go
// sets the canary/stable weighted targets of the VirtualRouter behind the VirtualService, and points the
// VirtualNodes' pod selectors at the ReplicaSets' hashes. Argo's validation refuses header and mirror
// routes with App Mesh.
const bed = trafficBed('traffic-appmesh');
const { namespace } = bed;

const serviceRef = (app: string) => meshRef('virtualservices', namespace, `${app}-svc`);
const routerRef = (app: string) => meshRef('virtualrouters', namespace, `${app}-vrouter`);
const nodeRef = (app: string, role: 'canary' | 'stable') => meshRef('virtualnodes', namespace, `${app}-vn-${role}`);

const targets = (app: string, canary: number, stable: number): JsonObject[] => [
  { virtualNodeRef: { name: `${app}-vn-canary` }, weight: canary },
  { virtualNodeRef: { name: `${app}-vn-stable` }, weight: stable },
];

function routerSpec(app: string, canary: number, stable: number): JsonObject {
  return {
    listeners: [{ portMapping: { port: 80, protocol: 'http' } }],
    routes: [
      { name: 'primary', httpRoute: { match: { prefix: '/' }, action: { weightedTargets: targets(app, canary, stable) } } },
      { name: 'grpc', grpcRoute: { match: { serviceName: 'demo' }, action: { weightedTargets: targets(app, canary, stable) } } },
    ],
  };
}

async function createMesh(app: string, provider?: JsonObject): Promise<void> {
  await bed.createObject(serviceRef(app), {
    spec: { provider: provider ?? { virtualRouter: { virtualRouterRef: { name: `${app}-vrouter` } } } },
  });
  await bed.createObject(routerRef(app), { spec: routerSpec(app, 0, 100) });
  for (const role of ['canary', 'stable'] as const)
    await bed.createObject(nodeRef(app, role), {
      spec: {
        podSelector: { matchLabels: { app, 'rollouts-pod-template-hash': `${role}-tbd` } },
        listeners: [{ portMapping: { port: 80, protocol: 'http' } }],
        serviceDiscovery: { dns: { hostname: `${app}-${role}.${namespace}.svc.cluster.local` } },
      },
    });
}

/** The canary weight of every route, when they agree (Argo's e2e assertWeightedTargets checks each route). */
const canaryWeightOf =
  (app: string) =>
  (object: JsonObject): number | undefined => {
    const routes = ((object['spec'] as JsonObject | undefined)?.['routes'] ?? []) as JsonObject[];
    const weights = routes.map((route) => {
      const rule = (route['httpRoute'] ?? route['grpcRoute']) as { action: { weightedTargets: JsonObject[] } };
      const target = rule.action.weightedTargets.find((entry) => (entry['virtualNodeRef'] as JsonObject)['name'] === `${app}-vn-canary`);
      return Number(target?.['weight']);
    });
    return weights.every((weight) => weight === weights[0]) ? weights[0] : undefined;
  };

async function selectedHash(app: string, role: 'canary' | 'stable'): Promise<string | undefined> {
  const node = await bed.read(nodeRef(app, role));
  const labels = ((node['spec'] as JsonObject)['podSelector'] as { matchLabels: Record<string, string> }).matchLabels;
  return labels['rollouts-pod-template-hash'];
}

const appMesh = (app: string): Record<string, unknown> => ({
  trafficRouting: {
    appMesh: {
      virtualService: { name: `${app}-svc` },
      virtualNodeGroup: { canaryVirtualNodeRef: { name: `${app}-vn-canary` }, stableVirtualNodeRef: { name: `${app}-vn-stable` } },
    },
  },
});

describe('canary with an App Mesh VirtualRouter, driven by the engine', () => {
  it(
    'seed scenario: 0 → 20 → promote → 40 → 60 → 80 → 100 → 0 in every route, the VirtualNodes following the hashes',
    async () => {
      const app = 'mm';
      await bed.createServices(app);
      await createMesh(app);
      const history = await bed.history(routerRef(app));
      const service = await bed.read(serviceRef(app));
      await runSeedScenario(bed, app, appMesh(app), {
        async healthy(blue) {
          await waitUntil(async () => (await selectedHash(app, 'stable')) === blue, {
            what: 'the stable VirtualNode on blue',
            timeoutMs: 30_000,
          });
          // Argo's placeholder: no canary distinct from the stable ReplicaSet selects no pod.
          await waitUntil(async () => (await selectedHash(app, 'canary')) === 'canary-hash', {
            what: 'the canary VirtualNode on the placeholder',
            timeoutMs: 30_000,
          });
          const node = await bed.read(nodeRef(app, 'stable'));
          expect((node['metadata'] as JsonObject)['annotations']).toEqual({ 'argo-rollouts.argoproj.io/managed-by-rollouts': app });
          expect(await bed.written(routerRef(app))).toMatchObject({ spec: routerSpec(app, 0, 100) });
        },
        async paused(blue, yellow, rollout) {
          expect(await bed.written(routerRef(app))).toMatchObject({ spec: routerSpec(app, 20, 80) });
          expect(await selectedHash(app, 'canary')).toBe(yellow);
          expect(await selectedHash(app, 'stable')).toBe(blue);
          expect(rollout.status?.canary?.weights).toEqual({
            canary: { weight: 20, podTemplateHash: yellow, serviceName: `${app}-canary` },
            stable: { weight: 80, podTemplateHash: blue, serviceName: `${app}-stable` },
          });
        },
        async done(yellow) {
          await waitUntil(async () => canaryWeightOf(app)(await bed.read(routerRef(app))) === 0, {
            what: 'the VirtualRouter back to 0',
            timeoutMs: 30_000,
          });
          await waitUntil(async () => (await selectedHash(app, 'canary')) === 'canary-hash', {
            what: 'the canary VirtualNode on the placeholder',
            timeoutMs: 30_000,
          });
          expect(await selectedHash(app, 'stable')).toBe(yellow);
          expect(await bed.written(routerRef(app))).toMatchObject({ spec: routerSpec(app, 0, 100) });
        },
      });
      const versions = history.versions();
      await history.stop();
      expect(weightSequence(versions, canaryWeightOf(app))).toEqual([0, 20, 40, 60, 80, 100, 0]);
      expect(await bed.read(serviceRef(app))).toEqual(service);
    },
    scenarioTimeoutMs,
  );

  it(
    'abort: the canary weight at 0 first, the canary scaled down after abortScaleDownDelaySeconds',
    async () => {
      const app = 'ma';
      await bed.createServices(app);
      await createMesh(app);
      await runAbortScenario(bed, app, appMesh(app), async () => canaryWeightOf(app)(await bed.read(routerRef(app))));
      expect(await bed.written(routerRef(app))).toMatchObject({ spec: routerSpec(app, 0, 100) });
    },
    scenarioTimeoutMs,
  );

  it(
    'bad input: a VirtualService without a VirtualRouter is an InvalidSpec naming the object and field, nothing written',
    async () => {
      const app = 'mb';
      await bed.createServices(app);
      await createMesh(app, { virtualNode: { virtualNodeRef: { name: `${app}-vn-stable` } } });
      const before = await bed.read(routerRef(app));
      await bed.createRollout(app, { ...appMesh(app), steps: [{ setWeight: 20 }, { pause: {} }] });
      const invalid = await bed.until(app, 'the InvalidSpec condition', (r) =>
        (r.status?.conditions ?? []).some((c) => c.type === 'InvalidSpec'),
      );
      expect(invalid.status?.conditions?.find((c) => c.type === 'InvalidSpec')?.message).toContain(
        `VirtualService ${namespace}/${app}-svc spec.provider.virtualRouter.virtualRouterRef: Virtual-service is not associated with virtual-router`,
      );
      expect(await bed.read(routerRef(app))).toEqual(before);
      expect(await selectedHash(app, 'stable')).toBe('stable-tbd');
      expect(await bed.replicaSetCount(app)).toBe(0);
    },
    scenarioTimeoutMs,
  );

  itRefusesRouteSteps(bed, 'App Mesh', 'mh', async (app) => {
    await bed.createServices(app);
    await createMesh(app);
    return { trafficRouting: appMesh(app)['trafficRouting'] as JsonObject, watched: routerRef(app) };
  });
});
