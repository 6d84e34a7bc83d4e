import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import {
  createSeededRandom,
  startBackend,
  startGateway,
  startLoadGenerator,
  type Backend,
  type BackendDirectory,
  type Gateway,
  type RouteTable,
} from '../../src/demo/index.js';
import { installCrds } from '../../src/local/crds.js';
import { writeScrapeTargets } from '../../src/local/index.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { rootLogger } from '../../src/log/index.js';
import { testCluster } from './support/test-cluster.js';

// The gateway on its own: real pods (KWOK makes them Ready), real Services and
// a real VirtualService whose weights the test changes, but a fake backend set
// (one in-process backend per pod, started by the test) instead of the runner.
const cluster = testCluster('demo-gw');
const { custom, core, namespace } = cluster;
const environment = inject('gradualEnv');
const crdDir = fileURLToPath(new URL('../../src/local/traffic-crds/', import.meta.url));
const virtualServiceApi = { group: 'networking.istio.io', version: 'v1alpha3', namespace, plural: 'virtualservices' } as const;
const pods = { 'demo-blue-1': 'blue', 'demo-blue-2': 'blue', 'demo-yellow-1': 'yellow' } as const;
const backends = new Map<string, Backend>();
const errorRates = new Map<string, number>();
let gateway: Gateway;

/** The fake backend set: the test's own backends, looked up by pod name as the runner would. */
const backendSet: BackendDirectory = {
  backendFor: (podNamespace, podName) => (podNamespace === namespace ? backends.get(podName) : undefined),
  setErrorRate(color, rate) {
    errorRates.set(color, rate);
    for (const backend of backends.values()) if (backend.color === color) backend.setErrorRate(rate);
  },
  colors: () =>
    ['blue', 'yellow'].map((color) => ({
      color,
      errorRate: errorRates.get(color) ?? 0,
      backends: [...backends.values()].filter((backend) => backend.color === color).length,
    })),
};

const split = (stable: number, canary: number) => [
  { destination: { host: 'demo-stable', port: { number: 80 } }, weight: stable },
  { destination: { host: 'demo-canary', port: { number: 80 } }, weight: canary },
];

async function setWeights(stable: number, canary: number): Promise<void> {
  await custom.patchNamespacedCustomObject({
    ...virtualServiceApi,
    name: 'demo',
    body: [{ op: 'replace', path: '/spec/http/1/route', value: split(stable, canary) }],
  });
}

const weightsOf = (table: RouteTable): number[] => table.destinations.map((destination) => destination.weight);

/** Resolves with the first route table the gateway builds that `check` accepts (a bounded wait on the watch, not a sleep). */
function nextTable(check: (table: RouteTable) => boolean, what: string, timeoutMs = 10_000): Promise<RouteTable> {
  return new Promise((resolve, reject) => {
    if (check(gateway.routeTable())) {
      resolve(gateway.routeTable());
      return;
    }
    const timer = setTimeout(() => {
      off();
      reject(new Error(`gateway: ${what} not seen within ${String(timeoutMs)} ms; last table ${JSON.stringify(gateway.routeTable())}`));
    }, timeoutMs);
    const off = gateway.onRouteTable((table) => {
      if (!check(table)) return;
      clearTimeout(timer);
      off();
      resolve(table);
    });
  });
}

/** Colours of `count` responses through the gateway, 25 requests in flight at a time. */
async function sampleColors(count: number): Promise<Record<string, number>> {
  const colors: Record<string, number> = {};
  for (let sent = 0; sent < count; sent += 25) {
    const answers = await Promise.all(
      Array.from({ length: Math.min(25, count - sent) }, async () => {
        const response = await fetch(`${gateway.url}/color`);
        return ((await response.json()) as { color?: string }).color ?? `HTTP ${String(response.status)}`;
      }),
    );
    for (const color of answers) colors[color] = (colors[color] ?? 0) + 1;
  }
  return colors;
}

beforeAll(async () => {
  await cluster.setUp();
  await installCrds({ kubeconfig: cluster.kubeconfigPath, dir: crdDir, logger: rootLogger().child({ component: 'demo-gateway-test' }) });
  for (const [name, color] of Object.entries(pods)) {
    await core.createNamespacedPod({
      namespace,
      body: { metadata: { name, labels: { app: 'demo', color } }, spec: { containers: [{ name: 'demo', image: `demo:${color}` }] } },
    });
    backends.set(name, await startBackend({ color, pod: name }));
  }
  for (const [name, color] of [
    ['demo-stable', 'blue'],
    ['demo-canary', 'yellow'],
  ] as const) {
    await core.createNamespacedService({
      namespace,
      body: { metadata: { name }, spec: { selector: { app: 'demo', color }, ports: [{ port: 80 }] } },
    });
  }
  await custom.createNamespacedCustomObject({
    ...virtualServiceApi,
    body: {
      apiVersion: 'networking.istio.io/v1alpha3',
      kind: 'VirtualService',
      metadata: { name: 'demo' },
      spec: {
        hosts: ['demo'],
        http: [
          { name: 'canary-header', match: [{ headers: { 'x-canary': { exact: 'yes' } } }], route: split(0, 100) },
          { name: 'primary', route: split(100, 0) },
        ],
      },
    },
  });
  gateway = await startGateway({
    kubeConfig: cluster.kubeConfig,
    namespace,
    route: { kind: 'VirtualService', name: 'demo', routeName: 'primary' },
    backends: backendSet,
    random: createSeededRandom(10),
  });
  await nextTable(
    (table) => table.destinations.map((destination) => destination.pods.length).join() === '2,1',
    'all three pods Ready',
    60_000,
  );
}, 180_000);

afterAll(async () => {
  await gateway.stop();
  for (const backend of backends.values()) await backend.stop();
  await cluster.tearDown();
});

describe('the demo gateway on the real control plane', () => {
  it('routes the primary route to the Ready pods behind its Services', async () => {
    expect(gateway.routeTable()).toMatchObject({
      source: `VirtualService ${namespace}/demo http[1] (primary)`,
      destinations: [
        { service: 'demo-stable', weight: 100, pods: ['demo-blue-1', 'demo-blue-2'] },
        { service: 'demo-canary', weight: 0, pods: ['demo-yellow-1'] },
      ],
    });
    expect(await sampleColors(100)).toEqual({ blue: 100 });
  });

  it.each([
    [80, 20],
    [50, 50],
    [0, 100],
    [100, 0],
  ])('follows a change to %i/%i within one second, and splits the next 500 requests by it', async (stable, canary) => {
    const seen = nextTable(
      (table) => weightsOf(table).join() === `${String(stable)},${String(canary)}`,
      `weights ${String(stable)}/${String(canary)}`,
    );
    const changedAt = Date.now();
    await setWeights(stable, canary);
    const table = await seen;
    // observedAt is when the watch event reached the gateway and it rebuilt its route.
    expect(table.observedAt - changedAt).toBeLessThan(1000);
    const colors = await sampleColors(500);
    const yellowShare = (colors['yellow'] ?? 0) / 500;
    expect(Object.values(colors).reduce((sum, count) => sum + count, 0)).toBe(500);
    expect(Math.abs(yellowShare - canary / 100)).toBeLessThanOrEqual(0.06);
  });

  it("counts requests as Istio does, and Prometheus computes the seed's success rate with 40 % errors injected into yellow", async () => {
    await setWeights(50, 50);
    await nextTable((table) => weightsOf(table).join() === '50,50', 'weights 50/50');
    const response = await fetch(`${gateway.url}/api/error-rate`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ color: 'yellow', errorRate: 0.4 }),
    });
    expect(response.status).toBe(200);
    expect(backends.get('demo-yellow-1')?.errorRate()).toBe(0.4);
    expect((await fetch(`${gateway.url}/api/error-rate`, { method: 'PUT', body: '{"color":"yellow","errorRate":2}' })).status).toBe(400);

    const targetFile = await writeScrapeTargets(environment.prometheus.targetsDir, `demo-gateway-${namespace}`, [
      { targets: [gateway.hostPort] },
    ]);
    const load = startLoadGenerator({ url: `${gateway.url}/color`, requestsPerSecond: 60 });
    try {
      const selector = (service: string, extra = '') =>
        `istio_requests_total{reporter="destination",destination_service_name="${service}",destination_service_namespace="${namespace}"${extra}}`;
      const successRate = (service: string) =>
        `sum(rate(${selector(service, ',response_code!~"5.*"')}[10s])) / sum(rate(${selector(service)}[10s]))`;
      const query = async (promql: string): Promise<number | undefined> => {
        const body = (await (await fetch(`${environment.prometheus.url}/api/v1/query?query=${encodeURIComponent(promql)}`)).json()) as {
          data: { result: { value: [number, string] }[] };
        };
        const value = body.data.result[0]?.value[1];
        return value === undefined ? undefined : Number(value);
      };
      // Prometheus scrapes every second; a 10 s window needs a few scrapes before it settles.
      let canaryRate: number | undefined;
      await waitUntil(
        async () => {
          const samples = await query(`count_over_time(${selector('demo-canary')}[10s])`);
          canaryRate = await query(successRate('demo-canary'));
          return samples !== undefined && samples >= 6 && canaryRate !== undefined;
        },
        { what: 'six scrapes of the gateway', timeoutMs: 60_000, intervalMs: 500 },
      );
      expect(canaryRate).toBeGreaterThan(0.45);
      expect(canaryRate).toBeLessThan(0.75);
      expect(await query(successRate('demo-stable'))).toBe(1);
      const metrics = await (await fetch(gateway.metricsUrl)).text();
      expect(metrics).toMatch(
        new RegExp(
          `istio_requests_total\\{[^}]*destination_service="demo-canary\\.${namespace}\\.svc\\.cluster\\.local"[^}]*response_code="500"`,
        ),
      );
    } finally {
      await load.stop();
      await rm(targetFile, { force: true });
    }
    expect(load.counts()['200']).toBeGreaterThan(0);
  });
});
