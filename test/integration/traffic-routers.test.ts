import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootLogger } from '../../src/log/index.js';
import { createRestClient } from '../../src/kube/index.js';
import { installCrds } from '../../src/local/crds.js';
import { gatewayApiPluginName, type TrafficRouting } from '../../src/api/traffic-routing.js';
import {
  createTrafficKube,
  createTrafficRouters,
  readRouteWeights,
  type JsonObject,
  type ObjectRef,
  type RouterOptions,
  type RouterRollout,
  type TrafficKube,
  type TrafficRouter,
} from '../../src/traffic/index.js';
import { testCluster } from './support/test-cluster.js';

// Each router's shell against real objects on the real control plane: the
// fixture CRDs are installed, the router writes through the project's REST
// client, and the test reads the objects back. A Rollout object exists so the
// garbage collector keeps what the routers create with it as owner.
const cluster = testCluster('traffic');
const { custom, namespace } = cluster;
const crdDir = fileURLToPath(new URL('../../src/local/traffic-crds/', import.meta.url));
const client = createRestClient(cluster.kubeConfig);
const kube = createTrafficKube(client);
let rolloutUid = '';

const vs = (name: string, version = 'v1alpha3'): ObjectRef => ({
  group: 'networking.istio.io',
  version,
  resource: 'virtualservices',
  kind: 'VirtualService',
  namespace,
  name,
});
const dr = (name: string): ObjectRef => ({
  group: 'networking.istio.io',
  version: 'v1beta1',
  resource: 'destinationrules',
  kind: 'DestinationRule',
  namespace,
  name,
});

beforeAll(async () => {
  await cluster.setUp();
  await installCrds({ kubeconfig: cluster.kubeconfigPath, dir: crdDir, logger: rootLogger().child({ component: 'traffic-test' }) });
  const rollout = (await custom.createNamespacedCustomObject({
    ...cluster.rolloutApi,
    body: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'rollouts-demo' },
      spec: {
        selector: { matchLabels: { app: 'demo' } },
        template: { metadata: { labels: { app: 'demo' } }, spec: { containers: [{ name: 'demo', image: 'demo:blue' }] } },
        strategy: { canary: { canaryService: 'rollouts-demo-canary', stableService: 'rollouts-demo-stable' } },
      },
    },
  })) as { metadata: { uid: string } };
  rolloutUid = rollout.metadata.uid;
});

afterAll(async () => {
  await cluster.tearDown();
});

function routers(trafficRouting: TrafficRouting, options: RouterOptions = {}, through: TrafficKube = kube): TrafficRouter {
  const rollout: RouterRollout = {
    name: 'rollouts-demo',
    namespace,
    uid: rolloutUid,
    canaryService: 'rollouts-demo-canary',
    stableService: 'rollouts-demo-stable',
    trafficRouting,
    stepRouteNames: [],
  };
  const [router] = createTrafficRouters(rollout, through, options);
  if (router === undefined) throw new Error('no router');
  return router;
}

async function create(ref: ObjectRef, body: JsonObject): Promise<void> {
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
}

async function read(ref: ObjectRef): Promise<JsonObject> {
  const object = await kube.read(ref);
  if (object === undefined) throw new Error(`${ref.kind} ${ref.name} is missing`);
  return object;
}

/** `service:weight` of each destination of each route, through the reader the demo gateway uses. */
async function weights(ref: ObjectRef, stableIngress?: ObjectRef): Promise<string[][]> {
  const result = readRouteWeights(await read(ref), stableIngress === undefined ? {} : { stableIngress: await read(stableIngress) });
  if (!result.ok) throw new Error(result.problem.message);
  return result.value.map((route) =>
    route.destinations.map((destination) => `${destination.subset ?? destination.service}:${destination.weight}`),
  );
}

const split = (stable: number, canary: number, port = 80): JsonObject[] => [
  { destination: { host: 'rollouts-demo-stable', port: { number: port } }, weight: stable },
  { destination: { host: 'rollouts-demo-canary', port: { number: port } }, weight: canary },
];

describe('Istio on the real API server', () => {
  it('moves the seed VirtualService 100/0 → 80/20 → 60/40 → 100/0, one write per step and none when settled', async () => {
    await create(vs('seed'), {
      spec: { hosts: ['rollouts-demo.local'], gateways: ['rollouts-demo-gateway'], http: [{ name: 'primary', route: split(100, 0) }] },
    });
    const router = routers({ istio: { virtualService: { name: 'seed', routes: ['primary'] } } });
    for (const [weight, expected] of [
      [20, ['rollouts-demo-stable:80', 'rollouts-demo-canary:20']],
      [40, ['rollouts-demo-stable:60', 'rollouts-demo-canary:40']],
      [0, ['rollouts-demo-stable:100', 'rollouts-demo-canary:0']],
    ] as const) {
      expect(await router.setWeight(weight)).toMatchObject({ writes: 1 });
      expect(await weights(vs('seed'))).toEqual([expected]);
    }
    expect(await router.setWeight(0)).toEqual({ writes: 0, events: [] });
    // Fields the router does not know survive its writes.
    expect((await read(vs('seed')))['spec']).toMatchObject({ hosts: ['rollouts-demo.local'], gateways: ['rollouts-demo-gateway'] });
  });

  it('sets and clears a header route and a mirror route, and removes managed routes at the end', async () => {
    await create(vs('routes'), { spec: { hosts: ['demo'], http: [{ name: 'primary', route: split(70, 30) }] } });
    const router = routers({
      istio: { virtualService: { name: 'routes', routes: ['primary'] } },
      managedRoutes: [{ name: 'mirror' }, { name: 'header' }],
    });
    await router.setHeaderRoute({ name: 'header', match: [{ headerName: 'x-canary', headerValue: { exact: 'yes' } }] });
    await router.setMirrorRoute({ name: 'mirror', match: [{ path: { prefix: '/api' } }], percentage: 20 });
    const names = async (): Promise<unknown[]> =>
      ((await read(vs('routes')))['spec'] as { http: { name: string }[] }).http.map((route) => route.name);
    expect(await names()).toEqual(['mirror', 'header', 'primary']);
    expect(await weights(vs('routes'))).toEqual([
      ['rollouts-demo-stable:70', 'rollouts-demo-canary:30'],
      ['rollouts-demo-canary:100'],
      ['rollouts-demo-stable:70', 'rollouts-demo-canary:30'],
    ]);
    await router.setHeaderRoute({ name: 'header' });
    expect(await names()).toEqual(['mirror', 'primary']);
    expect(await router.removeManagedRoutes()).toMatchObject({ writes: 1 });
    expect(await names()).toEqual(['primary']);
  });

  it('splits by DestinationRule subsets (v1beta1) and labels them with the pod-template hashes', async () => {
    await create(dr('destrule'), {
      spec: {
        host: 'rollouts-demo',
        subsets: [
          { name: 'stable', labels: { app: 'demo' } },
          { name: 'canary', labels: { app: 'demo' } },
        ],
      },
    });
    await create(vs('subsets', 'v1beta1'), {
      spec: {
        hosts: ['demo'],
        http: [
          {
            route: [
              { destination: { host: 'rollouts-demo', subset: 'stable' }, weight: 100 },
              { destination: { host: 'rollouts-demo', subset: 'canary' }, weight: 0 },
            ],
          },
        ],
      },
    });
    const router = routers(
      {
        istio: {
          virtualService: { name: 'subsets' },
          destinationRule: { name: 'destrule', canarySubsetName: 'canary', stableSubsetName: 'stable' },
        },
      },
      { istioApiVersion: 'v1beta1' },
    );
    await router.updateHash('canary-hash', 'stable-hash');
    await router.setWeight(25);
    const rule = (await read(dr('destrule'))) as { spec: { subsets: { labels: Record<string, string> }[] } };
    expect(rule.spec.subsets.map((subset) => subset.labels['rollouts-pod-template-hash'])).toEqual(['stable-hash', 'canary-hash']);
    expect(await weights(vs('subsets', 'v1beta1'))).toEqual([['stable:75', 'canary:25']]);
  });

  it('drives two VirtualServices at once', async () => {
    await create(vs('edge-a'), { spec: { hosts: ['a'], http: [{ name: 'primary', route: split(100, 0) }] } });
    await create(vs('edge-b'), { spec: { hosts: ['b'], http: [{ name: 'primary', route: split(100, 0) }] } });
    const router = routers({
      istio: {
        virtualServices: [
          { name: 'edge-a', routes: ['primary'] },
          { name: `edge-b.${namespace}`, routes: ['primary'] },
        ],
      },
    });
    expect(await router.setWeight(50)).toMatchObject({ writes: 2 });
    expect([await weights(vs('edge-a')), await weights(vs('edge-b'))]).toEqual([
      [['rollouts-demo-stable:50', 'rollouts-demo-canary:50']],
      [['rollouts-demo-stable:50', 'rollouts-demo-canary:50']],
    ]);
  });

  it('meets a real 409 when a person edits between read and write, and succeeds on a fresh read', async () => {
    await create(vs('contended'), { spec: { hosts: ['c'], http: [{ name: 'primary', route: split(100, 0) }] } });
    const statuses: string[] = [];
    let edited = false;
    const contended: TrafficKube = {
      read: (ref) => kube.read(ref),
      async write(write) {
        if (!edited) {
          edited = true;
          const current = await read(write.ref);
          await kube.write({
            verb: 'replace',
            ref: write.ref,
            object: { ...current, metadata: { ...(current['metadata'] as JsonObject), labels: { edited: 'by-hand' } } },
          });
        }
        try {
          await kube.write(write);
          statuses.push('ok');
        } catch (error) {
          statuses.push(String((error as { code?: number }).code));
          throw error;
        }
      },
    };
    expect(
      await routers({ istio: { virtualService: { name: 'contended', routes: ['primary'] } } }, {}, contended).setWeight(10),
    ).toMatchObject({ writes: 1 });
    expect(statuses).toEqual(['409', 'ok']);
    expect(((await read(vs('contended')))['metadata'] as JsonObject)['labels']).toEqual({ edited: 'by-hand' });
    expect(await weights(vs('contended'))).toEqual([['rollouts-demo-stable:90', 'rollouts-demo-canary:10']]);
  });

  it('refuses a missing VirtualService, writing nothing', async () => {
    await expect(routers({ istio: { virtualService: { name: 'absent' } } }).setWeight(10)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      problem: { code: 'NotFound', kind: 'VirtualService', name: 'absent' },
    });
  });
});

describe('SMI, NGINX and Gateway API on the real API server', () => {
  it('creates the TrafficSplit owned by the Rollout, then patches it', async () => {
    const router = routers({ smi: { rootService: 'rollouts-demo' } });
    const ref: ObjectRef = {
      group: 'split.smi-spec.io',
      version: 'v1alpha1',
      resource: 'trafficsplits',
      kind: 'TrafficSplit',
      namespace,
      name: 'rollouts-demo',
    };
    expect(await router.setWeight(10)).toMatchObject({ writes: 1, events: [{ reason: 'TrafficSplitCreated' }] });
    expect(await router.setWeight(35)).toMatchObject({ writes: 1 });
    expect(await router.setWeight(35)).toMatchObject({ writes: 0 });
    expect(await weights(ref)).toEqual([['rollouts-demo-canary:35', 'rollouts-demo-stable:65']]);
  });

  it('clones the canary Ingress from the stable one and moves canary-weight', async () => {
    const stable: ObjectRef = {
      group: 'networking.k8s.io',
      version: 'v1',
      resource: 'ingresses',
      kind: 'Ingress',
      namespace,
      name: 'demo',
    };
    const rule = {
      host: 'demo.example',
      http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'rollouts-demo-stable', port: { number: 80 } } } }] },
    };
    await create(stable, { spec: { ingressClassName: 'nginx', rules: [rule] } });
    const router = routers({ nginx: { stableIngress: 'demo', additionalIngressAnnotations: { 'canary-by-header': 'X-Canary' } } });
    expect(await router.setWeight(15)).toMatchObject({ writes: 1, events: [{ reason: 'CreatingCanaryIngress' }] });
    expect(await router.setWeight(45)).toMatchObject({ writes: 1, events: [{ reason: 'PatchingCanaryIngress' }] });
    const canary = { ...stable, name: 'rollouts-demo-demo-canary' };
    expect(await weights(canary, stable)).toEqual([['rollouts-demo-canary:45', 'rollouts-demo-stable:55']]);
    expect(
      ((await read(canary))['metadata'] as { annotations: Record<string, string> }).annotations[
        'nginx.ingress.kubernetes.io/canary-by-header'
      ],
    ).toBe('X-Canary');
  });

  it('sets HTTPRoute backendRef weights and a header route under Argo’s plugin config', async () => {
    const ref: ObjectRef = {
      group: 'gateway.networking.k8s.io',
      version: 'v1',
      resource: 'httproutes',
      kind: 'HTTPRoute',
      namespace,
      name: 'demo-route',
    };
    const backends = [
      { name: 'rollouts-demo-stable', port: 80, weight: 100 },
      { name: 'rollouts-demo-canary', port: 80, weight: 0 },
    ];
    await create(ref, { spec: { parentRefs: [{ name: 'gateway' }], rules: [{ backendRefs: backends }] } });
    const router = routers({
      plugins: { [gatewayApiPluginName]: { httpRoute: 'demo-route' } },
      managedRoutes: [{ name: 'canary-header' }],
    });
    await router.setWeight(30);
    await router.setHeaderRoute({ name: 'canary-header', match: [{ headerName: 'x-canary', headerValue: { exact: 'yes' } }] });
    expect(await weights(ref)).toEqual([['rollouts-demo-stable:70', 'rollouts-demo-canary:30'], ['rollouts-demo-canary:1']]);
    await router.removeManagedRoutes();
    expect(await weights(ref)).toEqual([['rollouts-demo-stable:70', 'rollouts-demo-canary:30']]);
  });
});
