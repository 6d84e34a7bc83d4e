import { describe, expect, it } from 'vitest';
import { ApiException } from '@kubernetes/client-node';
import { gatewayApiPluginName } from '../api/traffic-routing.js';
import { TrafficRoutingError } from './errors.js';
import { createTrafficRouters } from './routers.js';
import { createMemoryKube } from './testing/memory-kube.js';
import { testRouterRollout } from './testing/router-rollout.js';
import type { JsonObject, ObjectRef } from './types.js';

const vsRef = (namespace: string, name: string): ObjectRef => ({
  group: 'networking.istio.io',
  version: 'v1alpha3',
  resource: 'virtualservices',
  kind: 'VirtualService',
  namespace,
  name,
});
const virtualService = (stable: number, canary: number): JsonObject => ({
  spec: {
    http: [
      {
        name: 'primary',
        route: [
          { destination: { host: 'rollouts-demo-stable' }, weight: stable },
          { destination: { host: 'rollouts-demo-canary' }, weight: canary },
        ],
      },
    ],
  },
});
const weightsOf = (object: JsonObject | undefined): unknown =>
  (object?.['spec'] as { http: { route: { weight: number }[] }[] } | undefined)?.http[0]?.route.map((destination) => destination.weight);

describe('createTrafficRouters and the shell', () => {
  it('builds one router per configured router, in Argo’s order, with Argo’s type names', () => {
    const rollout = testRouterRollout({
      smi: {},
      istio: { virtualService: { name: 'v' } },
      plugins: { [gatewayApiPluginName]: { httpRoute: 'r' } },
      nginx: { stableIngress: 'i' },
    });
    expect(createTrafficRouters(rollout, createMemoryKube()).map((router) => router.type)).toEqual(['Istio', 'Nginx', 'SMI', 'GatewayAPI']);
  });

  it('refuses a configuration it cannot use, naming the Rollout field', () => {
    expect(() => createTrafficRouters(testRouterRollout({ istio: {} }), createMemoryKube())).toThrow(TrafficRoutingError);
    expect(() => createTrafficRouters(testRouterRollout({ plugins: { 'acme/router': {} } }), createMemoryKube())).toThrow(
      'plugins["acme/router"]',
    );
  });

  it('sets the weight on two VirtualServices (one named name.namespace), one write each, and none on a second pass', async () => {
    const kube = createMemoryKube();
    kube.put(vsRef('default', 'vs-a'), virtualService(100, 0));
    kube.put(vsRef('edge', 'vs-b'), virtualService(100, 0));
    const [router] = createTrafficRouters(
      testRouterRollout({
        istio: {
          virtualServices: [
            { name: 'vs-a', routes: ['primary'] },
            { name: 'vs-b.edge', routes: ['primary'] },
          ],
        },
      }),
      kube,
    );
    expect(await router?.setWeight(20)).toMatchObject({ writes: 2 });
    expect([weightsOf(kube.get(vsRef('default', 'vs-a'))), weightsOf(kube.get(vsRef('edge', 'vs-b')))]).toEqual([
      [80, 20],
      [80, 20],
    ]);
    expect(await router?.setWeight(20)).toEqual({ writes: 0, events: [] });
    expect(await router?.verifyWeight(20)).toBe('notSupported');
  });

  it('starts over from a fresh read when a write meets a 409, keeping the other writer’s change', async () => {
    const kube = createMemoryKube();
    const ref = vsRef('default', 'vs-a');
    kube.put(ref, virtualService(100, 0));
    let interfered = false;
    kube.beforeWrite = () => {
      if (interfered) return;
      interfered = true;
      // A person edits the object between our read and our write.
      kube.put(ref, { ...virtualService(100, 0), metadata: { labels: { edited: 'by-hand' } } });
    };
    const [router] = createTrafficRouters(testRouterRollout({ istio: { virtualService: { name: 'vs-a', routes: ['primary'] } } }), kube);
    expect(await router?.setWeight(40)).toMatchObject({ writes: 1 });
    expect(kube.sent).toHaveLength(2);
    expect(weightsOf(kube.get(ref))).toEqual([60, 40]);
    expect((kube.get(ref)?.['metadata'] as JsonObject)['labels']).toEqual({ edited: 'by-hand' });
  });

  it('gives up after five conflicts with the API error, and rejects a problem before any write', async () => {
    const kube = createMemoryKube();
    const ref = vsRef('default', 'vs-a');
    kube.put(ref, virtualService(100, 0));
    kube.beforeWrite = () => {
      kube.put(ref, virtualService(100, 0));
    };
    const rollout = testRouterRollout({ istio: { virtualService: { name: 'vs-a', routes: ['primary'] } } });
    const [router] = createTrafficRouters(rollout, kube);
    await expect(router?.setWeight(40)).rejects.toBeInstanceOf(ApiException);
    expect(kube.sent).toHaveLength(5);

    const [missing] = createTrafficRouters(testRouterRollout({ istio: { virtualService: { name: 'absent', routes: ['primary'] } } }), kube);
    kube.sent.length = 0;
    await expect(missing?.setWeight(40)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      problem: { code: 'NotFound' },
      retryable: true,
      message: expect.stringContaining('VirtualService default/absent') as unknown,
    });
    expect(kube.sent).toHaveLength(0);
  });

  it('creates the TrafficSplit once, then patches it', async () => {
    const kube = createMemoryKube();
    const [router] = createTrafficRouters(testRouterRollout({ smi: {} }), kube, { smiApiVersion: 'v1alpha3' });
    expect(await router?.setWeight(10)).toMatchObject({ writes: 1, events: [{ reason: 'TrafficSplitCreated' }] });
    expect(await router?.setWeight(30)).toMatchObject({ writes: 1 });
    expect(kube.sent.map((write) => write.verb)).toEqual(['create', 'patch']);
  });
});
