import { describe, expect, it } from 'vitest';
import { waitUntil } from '../../src/local/wait-until.js';
import type { JsonObject } from '../../src/traffic/index.js';
import {
  httpRouteRef,
  runAbortScenario,
  runSeedScenario,
  trafficBed,
  weightSequence,
  scenarioTimeoutMs,
} from './support/traffic-fixtures.js';

// The engine driving a Gateway API HTTPRoute on the real control plane, as Argo's gatewayAPI plugin
// (argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi) does: the backendRefs' weights, the
// in-progress label while the canary has weight, header routes as rules appended after the others,
// mirror routes a no-op, and VerifyWeight always true (status.canary.weights.verified).
const bed = trafficBed('traffic-gateway');
const { namespace } = bed;
const label = 'rollouts.argoproj.io/gatewayapi-canary';

const backendRefs = (app: string, stable: number, canary: number): JsonObject[] => [
  { name: `${app}-stable`, port: 80, weight: stable },
  { name: `${app}-canary`, port: 80, weight: canary },
];

async function setUpRoute(app: string): Promise<void> {
  await bed.createServices(app);
  await bed.createObject(httpRouteRef(namespace, `${app}-route`), {
    spec: {
      parentRefs: [{ name: 'gateway' }],
      hostnames: [`${app}.local`],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: backendRefs(app, 100, 0) }],
    },
  });
}

function httpRoute(app: string, stable: number, canary: number, extraRules: JsonObject[] = []): JsonObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: `${app}-route`, namespace, ...(canary > 0 ? { labels: { [label]: 'in-progress' } } : {}) },
    spec: {
      parentRefs: [{ name: 'gateway' }],
      hostnames: [`${app}.local`],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: backendRefs(app, stable, canary) }, ...extraRules],
    },
  };
}

const canaryWeightOf =
  (app: string) =>
  (object: JsonObject): number | undefined => {
    const rules = ((object['spec'] as JsonObject)['rules'] as JsonObject[] | undefined) ?? [];
    const backend = ((rules[0]?.['backendRefs'] as JsonObject[] | undefined) ?? []).find((entry) => entry['name'] === `${app}-canary`);
    return backend === undefined ? undefined : Number(backend['weight']);
  };

describe('canary with a Gateway API HTTPRoute, driven by the engine', () => {
  it(
    'seed scenario: 100/0 → 20 → promote → 40 → 60 → 80 → 100 → 0, one write per change, the label only while the canary has weight',
    async () => {
      const app = 'gw';
      await setUpRoute(app);
      const ref = httpRouteRef(namespace, `${app}-route`);
      const history = await bed.history(ref);
      await runSeedScenario(
        bed,
        app,
        { trafficRouting: { gatewayAPI: { httpRoute: `${app}-route` } } },
        {
          async healthy() {
            expect(await bed.written(ref)).toEqual(httpRoute(app, 100, 0));
          },
          async paused(blue, yellow, rollout) {
            expect(await bed.written(ref)).toEqual(httpRoute(app, 80, 20));
            expect(rollout.status?.canary?.weights).toEqual({
              canary: { weight: 20, podTemplateHash: yellow, serviceName: `${app}-canary` },
              stable: { weight: 80, podTemplateHash: blue, serviceName: `${app}-stable` },
              verified: true,
            });
          },
          async done() {
            await waitUntil(async () => canaryWeightOf(app)(await bed.read(ref)) === 0, {
              what: 'the HTTPRoute back to 0',
              timeoutMs: 30_000,
            });
            expect(await bed.written(ref)).toEqual(httpRoute(app, 100, 0));
          },
        },
      );
      const versions = history.versions();
      await history.stop();
      expect(weightSequence(versions, canaryWeightOf(app))).toEqual([0, 20, 40, 60, 80, 100, 0]);
      // The object as created, then one write per weight: the label rides on the weight's write.
      expect(versions.length - 1).toBe(6);
    },
    scenarioTimeoutMs,
  );

  it(
    'abort, through Argo’s plugin config: backendRef weight 0 first, the canary scaled down after abortScaleDownDelaySeconds',
    async () => {
      const app = 'ga';
      await setUpRoute(app);
      const ref = httpRouteRef(namespace, `${app}-route`);
      const plugin = { plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: `${app}-route` } } };
      await runAbortScenario(bed, app, { trafficRouting: plugin }, async () => canaryWeightOf(app)(await bed.read(ref)));
      expect(await bed.written(ref)).toEqual(httpRoute(app, 100, 0));
    },
    scenarioTimeoutMs,
  );

  it(
    'a header route is set by its step and cleared at the end; a mirror route is a no-op, as in the plugin',
    async () => {
      const app = 'gh';
      await setUpRoute(app);
      const ref = httpRouteRef(namespace, `${app}-route`);
      const steps = [
        { setWeight: 20 },
        {
          setHeaderRoute: {
            name: 'by-header',
            match: [
              { headerName: 'x-canary', headerValue: { exact: 'yes' } },
              { headerName: 'x-user', headerValue: { prefix: 'beta-' } },
            ],
          },
        },
        { setMirrorRoute: { name: 'mirror', match: [{ path: { prefix: '/api' } }], percentage: 50 } },
        { pause: {} },
      ];
      const trafficRouting = { gatewayAPI: { httpRoute: `${app}-route` }, managedRoutes: [{ name: 'by-header' }, { name: 'mirror' }] };
      await bed.createRollout(app, { steps, trafficRouting });
      await bed.until(app, 'the first revision to be Healthy', (r) => r.status?.phase === 'Healthy');
      await bed.setImage(app, 'example.test/app:yellow');
      await bed.until(app, 'the canary to pause', (r) => r.status?.phase === 'Paused' && r.status.currentStepIndex === 3);
      const headerRule = {
        name: 'by-header',
        matches: [
          {
            path: { type: 'PathPrefix', value: '/' },
            headers: [
              { name: 'x-canary', type: 'Exact', value: 'yes' },
              { name: 'x-user', type: 'RegularExpression', value: 'beta-.*' },
            ],
          },
        ],
        backendRefs: [{ group: '', kind: 'Service', name: `${app}-canary`, port: 80 }],
      };
      expect(await bed.written(ref)).toEqual(httpRoute(app, 80, 20, [headerRule]));

      await bed.verb('promote', app);
      await bed.until(app, 'Healthy', (r) => r.status?.phase === 'Healthy' && r.status.stableRS === r.status.currentPodHash);
      await waitUntil(async () => canaryWeightOf(app)(await bed.read(ref)) === 0, { what: 'the HTTPRoute back to 0', timeoutMs: 30_000 });
      expect(await bed.written(ref)).toEqual(httpRoute(app, 100, 0));
    },
    scenarioTimeoutMs,
  );
});
