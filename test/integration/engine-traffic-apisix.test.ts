import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/traffic/index.js';
import { waitUntil } from '../../src/local/wait-until.js';
import {
  apisixRouteRef,
  runAbortScenario,
  runSeedScenario,
  scenarioTimeoutMs,
  trafficBed,
  weightSequence,
} from './support/traffic-fixtures.js';

// The engine driving an ApisixRoute on the real control plane. Argo's apisix.go sets the backend
// weights in the named rules; a setHeaderRoute step creates an ApisixRoute of its own (owned by the
// Rollout, canary only, the headers matched) which removeManagedRoutes deletes at the end. Argo's
// validation refuses setMirrorRoute with APISIX.
const bed = trafficBed('traffic-apisix');
const { namespace } = bed;

function rule(app: string, canary: number, stable: number): JsonObject {
  return {
    name: 'rule-1',
    match: { hosts: [`${app}.local`], paths: ['/*'] },
    backends: [
      { serviceName: `${app}-stable`, servicePort: 80, weight: stable },
      { serviceName: `${app}-canary`, servicePort: 80, weight: canary },
    ],
  };
}

function route(app: string, canary: number, stable: number): JsonObject {
  return {
    apiVersion: 'apisix.apache.org/v2',
    kind: 'ApisixRoute',
    metadata: { name: `${app}-route`, namespace },
    spec: { http: [rule(app, canary, stable)] },
  };
}

async function createRoute(app: string, http?: JsonObject[]): Promise<void> {
  await bed.createObject(apisixRouteRef(namespace, `${app}-route`), { spec: { http: http ?? [rule(app, 0, 100)] } });
}

const canaryWeightOf =
  (app: string) =>
  (object: JsonObject): number | undefined => {
    const http = ((object['spec'] as JsonObject | undefined)?.['http'] ?? []) as JsonObject[];
    const backends = (http[0]?.['backends'] ?? []) as JsonObject[];
    const backend = backends.find((entry) => entry['serviceName'] === `${app}-canary`);
    return backend === undefined ? undefined : Number(backend['weight']);
  };

const apisix = (app: string): Record<string, unknown> => ({
  trafficRouting: { apisix: { route: { name: `${app}-route`, rules: ['rule-1'] } } },
});

describe('canary with an ApisixRoute, driven by the engine', () => {
  it(
    'seed scenario: 20 → promote → 40 → 60 → 80 → 100 → 0, one write per change',
    async () => {
      const app = 'ap';
      await bed.createServices(app);
      await createRoute(app);
      const ref = apisixRouteRef(namespace, `${app}-route`);
      const history = await bed.history(ref);
      await runSeedScenario(bed, app, apisix(app), {
        async healthy() {
          expect(await bed.written(ref)).toEqual(route(app, 0, 100));
        },
        async paused() {
          expect(await bed.written(ref)).toEqual(route(app, 20, 80));
        },
        async done() {
          await waitUntil(async () => canaryWeightOf(app)(await bed.read(ref)) === 0, {
            what: 'the ApisixRoute back to 0',
            timeoutMs: 30_000,
          });
          expect(await bed.written(ref)).toEqual(route(app, 0, 100));
        },
      });
      const versions = history.versions();
      await history.stop();
      expect(weightSequence(versions, canaryWeightOf(app))).toEqual([0, 20, 40, 60, 80, 100, 0]);
      expect(versions.length - 1).toBe(6);
    },
    scenarioTimeoutMs,
  );

  it(
    'abort: the canary weight at 0 first, the canary scaled down after abortScaleDownDelaySeconds',
    async () => {
      const app = 'aa';
      await bed.createServices(app);
      await createRoute(app);
      const ref = apisixRouteRef(namespace, `${app}-route`);
      await runAbortScenario(bed, app, apisix(app), async () => canaryWeightOf(app)(await bed.read(ref)));
      expect(await bed.written(ref)).toEqual(route(app, 0, 100));
    },
    scenarioTimeoutMs,
  );

  it(
    'a header route: its own ApisixRoute while the step holds, deleted at the end',
    async () => {
      const app = 'ah';
      await bed.createServices(app);
      await createRoute(app);
      const headerRef = apisixRouteRef(namespace, 'by-header');
      const steps = [
        { setWeight: 20 },
        { setHeaderRoute: { name: 'by-header', match: [{ headerName: 'x-canary', headerValue: { exact: 'yes' } }] } },
        { pause: {} },
      ];
      const trafficRouting = { apisix: { route: { name: `${app}-route`, rules: ['rule-1'] } }, managedRoutes: [{ name: 'by-header' }] };
      await bed.createRollout(app, { steps, trafficRouting });
      await bed.until(app, 'the first revision to be Healthy', (r) => r.status?.phase === 'Healthy');
      await bed.setImage(app, 'example.test/app:yellow');
      await bed.until(app, 'the canary to pause', (r) => r.status?.phase === 'Paused' && r.status.currentStepIndex === 2);
      const header = await bed.written(headerRef);
      expect(header).toEqual({
        apiVersion: 'apisix.apache.org/v2',
        kind: 'ApisixRoute',
        metadata: {
          name: 'by-header',
          namespace,
          ownerReferences: [
            {
              apiVersion: 'argoproj.io/v1alpha1',
              kind: 'Rollout',
              name: app,
              uid: '<rollout uid>',
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: {
          http: [
            {
              name: 'rule-1',
              priority: 1,
              match: {
                hosts: [`${app}.local`],
                paths: ['/*'],
                exprs: [{ subject: { scope: 'Header', name: 'x-canary' }, op: 'Equal', value: 'yes' }],
              },
              backends: [{ serviceName: `${app}-canary`, servicePort: 80, weight: 100 }],
            },
          ],
        },
      });
      expect(await bed.written(apisixRouteRef(namespace, `${app}-route`))).toEqual(route(app, 20, 80));

      await bed.verb('promote', app);
      await bed.until(app, 'Healthy', (r) => r.status?.phase === 'Healthy' && r.status.stableRS === r.status.currentPodHash);
      await waitUntil(async () => (await bed.kube.read(headerRef)) === undefined, {
        what: 'the header ApisixRoute deleted',
        timeoutMs: 30_000,
      });
      expect(await bed.written(apisixRouteRef(namespace, `${app}-route`))).toEqual(route(app, 0, 100));
    },
    scenarioTimeoutMs,
  );

  it(
    "hostile: a header route named like someone else's ApisixRoute is refused (NotOwned), that route untouched",
    async () => {
      const app = 'ax';
      await bed.createServices(app);
      await createRoute(app);
      const foreign = apisixRouteRef(namespace, 'taken');
      await bed.createObject(foreign, { spec: { http: [{ name: 'other', backends: [{ serviceName: 'elsewhere', servicePort: 80 }] }] } });
      const before = await bed.read(foreign);
      const steps = [
        { setWeight: 20 },
        { setHeaderRoute: { name: 'taken', match: [{ headerName: 'x', headerValue: { exact: '1' } }] } },
        { pause: {} },
      ];
      const trafficRouting = { apisix: { route: { name: `${app}-route`, rules: ['rule-1'] } }, managedRoutes: [{ name: 'taken' }] };
      await bed.createRollout(app, { steps, trafficRouting });
      await bed.until(app, 'the first revision to be Healthy', (r) => r.status?.phase === 'Healthy');
      await bed.setImage(app, 'example.test/app:yellow');
      const stuck = await bed.until(app, 'the refusal in a condition', (r) =>
        (r.status?.conditions ?? []).some((c) => c.message?.includes('duplicate ApisixRoute [taken] already exists') === true),
      );
      expect(JSON.stringify(stuck.status?.conditions)).toContain(`ApisixRoute ${namespace}/taken metadata.ownerReferences`);
      expect(await bed.read(foreign)).toEqual(before);
    },
    scenarioTimeoutMs,
  );

  it(
    'bad input: a rule the Rollout names but the ApisixRoute lacks is an InvalidSpec naming the object and field, nothing written',
    async () => {
      const app = 'ab';
      await bed.createServices(app);
      await createRoute(app, [{ ...rule('ab', 0, 100), name: 'rule-2' }]);
      const ref = apisixRouteRef(namespace, `${app}-route`);
      const before = await bed.read(ref);
      await bed.createRollout(app, { ...apisix(app), steps: [{ setWeight: 20 }, { pause: {} }] });
      const invalid = await bed.until(app, 'the InvalidSpec condition', (r) =>
        (r.status?.conditions ?? []).some((c) => c.type === 'InvalidSpec'),
      );
      expect(invalid.status?.conditions?.find((c) => c.type === 'InvalidSpec')?.message).toContain(
        `ApisixRoute ${namespace}/${app}-route spec.http: Apisix http route rule rule-1 not found`,
      );
      expect(await bed.read(ref)).toEqual(before);
      expect(await bed.replicaSetCount(app)).toBe(0);
    },
    scenarioTimeoutMs,
  );

  it(
    'a setMirrorRoute step is refused as Argo refuses it with APISIX: InvalidSpec at the step',
    async () => {
      const app = 'am';
      await bed.createServices(app);
      await createRoute(app);
      const step = { setMirrorRoute: { name: 'mirror', match: [{ path: { prefix: '/api' } }], percentage: 50 } };
      const trafficRouting = { apisix: { route: { name: `${app}-route`, rules: ['rule-1'] } }, managedRoutes: [{ name: 'mirror' }] };
      await bed.createRollout(app, { trafficRouting, steps: [{ setWeight: 20 }, step, { pause: {} }] });
      const invalid = await bed.until(app, 'the InvalidSpec condition', (r) =>
        (r.status?.conditions ?? []).some((c) => c.type === 'InvalidSpec'),
      );
      expect(invalid.status?.conditions?.find((c) => c.type === 'InvalidSpec')?.message).toBe(
        `The Rollout "${app}" is invalid: spec.strategy.canary.steps[1].setMirrorRoute: SetMirrorRoute requires TrafficRouting, supports Istio and Gateway API`,
      );
      expect(await bed.replicaSetCount(app)).toBe(0);
    },
    scenarioTimeoutMs,
  );
});
