import { describe, expect, it } from 'vitest';
import type { ObjectRef } from '../../src/traffic/index.js';
import { httpRouteRef, ingressRef, trafficBed, trafficSplitRef, virtualServiceRef } from './support/traffic-fixtures.js';

// Bad references on every router, on the real control plane: the Rollout gets Argo's InvalidSpec
// condition naming the object and the field, and nothing is modified — no ReplicaSet, the Services
// and the router objects exactly as they were (same resourceVersion), nothing created.
const bed = trafficBed('traffic-bad-input');
const { namespace } = bed;

interface RouterCase {
  name: string;
  /** The router's own objects, created before the Rollout. */
  setUp(app: string): Promise<void>;
  trafficRouting(app: string): Record<string, unknown>;
  /** The objects the router would write or create. */
  objects(app: string): ObjectRef[];
}

const routers: RouterCase[] = [
  {
    name: 'istio',
    async setUp(app) {
      const http = [
        {
          name: 'primary',
          route: [
            { destination: { host: `${app}-stable` }, weight: 100 },
            { destination: { host: `${app}-canary` }, weight: 0 },
          ],
        },
      ];
      await bed.createObject(virtualServiceRef(namespace, `${app}-vs`), { spec: { hosts: [`${app}.local`], http } });
    },
    trafficRouting: (app) => ({ istio: { virtualService: { name: `${app}-vs`, routes: ['primary'] } } }),
    objects: (app) => [virtualServiceRef(namespace, `${app}-vs`)],
  },
  {
    name: 'smi',
    setUp: () => Promise.resolve(),
    trafficRouting: (app) => ({ smi: { trafficSplitName: `${app}-split` } }),
    objects: (app) => [trafficSplitRef(namespace, `${app}-split`)],
  },
  {
    name: 'nginx',
    async setUp(app) {
      const rule = {
        host: `${app}.local`,
        http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: `${app}-stable`, port: { number: 80 } } } }] },
      };
      await bed.createObject(ingressRef(namespace, `${app}-ingress`), { spec: { ingressClassName: 'nginx', rules: [rule] } });
    },
    trafficRouting: (app) => ({ nginx: { stableIngress: `${app}-ingress` } }),
    objects: (app) => [ingressRef(namespace, `${app}-ingress`), ingressRef(namespace, `${app}-${app}-ingress-canary`)],
  },
  {
    name: 'gatewayAPI',
    async setUp(app) {
      const backendRefs = [
        { name: `${app}-stable`, port: 80, weight: 100 },
        { name: `${app}-canary`, port: 80, weight: 0 },
      ];
      await bed.createObject(httpRouteRef(namespace, `${app}-route`), {
        spec: { parentRefs: [{ name: 'gateway' }], rules: [{ backendRefs }] },
      });
    },
    trafficRouting: (app) => ({ gatewayAPI: { httpRoute: `${app}-route` } }),
    objects: (app) => [httpRouteRef(namespace, `${app}-route`)],
  },
];

const prefixOf = (app: string): string => `The Rollout "${app}" is invalid: spec.strategy.canary.stableService: `;

let serial = 0;
function appName(router: string): string {
  serial += 1;
  return `${router.toLowerCase()}-${String(serial)}`;
}

/** Every object that could be touched, as the API server holds it (undefined when absent): compared before and after. */
async function snapshot(app: string, router: RouterCase, services: string[]): Promise<unknown[]> {
  const objects = await Promise.all(router.objects(app).map((ref) => bed.kube.read(ref)));
  const serviceObjects = await Promise.all(
    services.map(async (name) => {
      const service = await bed.cluster.core.readNamespacedService({ name, namespace }).catch(() => undefined);
      return service === undefined
        ? undefined
        : {
            metadata: { resourceVersion: service.metadata?.resourceVersion, annotations: service.metadata?.annotations },
            selector: service.spec?.selector,
          };
    }),
  );
  return [...objects, ...serviceObjects];
}

async function expectInvalidAndUntouched(app: string, router: RouterCase, services: string[], before: unknown[]): Promise<string> {
  const invalid = await bed.until(app, 'the InvalidSpec condition', (r) =>
    (r.status?.conditions ?? []).some((c) => c.type === 'InvalidSpec'),
  );
  const condition = invalid.status?.conditions?.find((c) => c.type === 'InvalidSpec');
  expect(condition?.reason).toBe('InvalidSpec');
  expect(condition?.status).toBe('True');
  // A few reconciles more (the status write wakes the Rollout again): still nothing moved.
  await bed.until(app, 'the condition observed again', (r) => r.status?.observedGeneration !== undefined);
  expect(await snapshot(app, router, services)).toEqual(before);
  expect(await bed.replicaSetCount(app)).toBe(0);
  return condition?.message ?? '';
}

describe.each(routers)('bad Service references with $name', (router) => {
  it('a Service referenced but absent: InvalidSpec naming the field and the Service, nothing modified', async () => {
    const app = appName(router.name);
    await bed.createServices(app, [`${app}-canary`]);
    await router.setUp(app);
    const services = [`${app}-canary`, `${app}-stable`];
    const before = await snapshot(app, router, services);
    await bed.createRollout(app, { trafficRouting: router.trafficRouting(app), steps: [{ setWeight: 20 }, { pause: {} }] });
    const message = await expectInvalidAndUntouched(app, router, services, before);
    // Argo: field.Invalid(spec.strategy.canary.stableService, name, the API server's NotFound).
    expect(message).toBe(`The Rollout "${app}" is invalid: spec.strategy.canary.stableService: service "${app}-stable" not found`);
  });

  it('the canary and stable Service being the same: Argo’s InvalidSpec at stableService, nothing modified', async () => {
    const app = appName(router.name);
    await bed.createServices(app, [`${app}-stable`]);
    await router.setUp(app);
    const services = [`${app}-stable`];
    const before = await snapshot(app, router, services);
    await bed.createRollout(app, {
      canaryService: `${app}-stable`,
      trafficRouting: router.trafficRouting(app),
      steps: [{ setWeight: 20 }, { pause: {} }],
    });
    const message = await expectInvalidAndUntouched(app, router, services, before);
    // Argo's DuplicatedServicesCanaryMessage, or the wording validateRollout (src/api/spec-checks.ts) has today.
    const argo = 'This rollout uses the same service for the stable and canary services, but two different services are required.';
    expect([
      `${prefixOf(app)}${argo}`,
      `${prefixOf(app)}canaryService and stableService are the same Service; the canary needs two`,
    ]).toContain(message);
  });
});

describe('router objects referenced but absent', () => {
  it.each([
    [
      'nginx',
      (app: string) => ({ nginx: { stableIngress: `${app}-ingress` } }),
      (app: string) => `Ingress ${namespace}/${app}-ingress: stable Ingress \`${app}-ingress\` not found`,
    ],
    [
      'gatewayAPI',
      (app: string) => ({ gatewayAPI: { httpRoute: `${app}-route` } }),
      (app: string) => `HTTPRoute ${namespace}/${app}-route: HTTPRoute \`${app}-route\` not found`,
    ],
  ])('%s: InvalidSpec naming the missing object, nothing created', async (name, trafficRouting, expected) => {
    const app = appName(name);
    await bed.createServices(app);
    await bed.createRollout(app, { trafficRouting: trafficRouting(app), steps: [{ setWeight: 20 }, { pause: {} }] });
    const invalid = await bed.until(app, 'the InvalidSpec condition', (r) =>
      (r.status?.conditions ?? []).some((c) => c.type === 'InvalidSpec'),
    );
    expect(invalid.status?.conditions?.find((c) => c.type === 'InvalidSpec')?.message).toContain(expected(app));
    expect(await bed.replicaSetCount(app)).toBe(0);
    expect(await bed.kube.read(ingressRef(namespace, `${app}-${app}-ingress-canary`))).toBeUndefined();
    expect((await bed.selectorOf(`${app}-stable`))?.['rollouts-pod-template-hash']).toBeUndefined();
  });
});
