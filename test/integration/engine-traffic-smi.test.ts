import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/traffic/index.js';
import { waitUntil } from '../../src/local/wait-until.js';
import {
  runAbortScenario,
  runSeedScenario,
  trafficBed,
  trafficSplitRef,
  weightSequence,
  scenarioTimeoutMs,
} from './support/traffic-fixtures.js';

// The engine driving an SMI TrafficSplit on the real control plane. Argo's smi.go creates the
// TrafficSplit (owned by the Rollout) at the first reconcile and merge-patches its backends after;
// v1alpha1, Argo's default, writes weights as quantities ("20").
const bed = trafficBed('traffic-smi');
const { namespace } = bed;

function splitOf(app: string, weights: { canary: number; stable: number }): JsonObject {
  return {
    apiVersion: 'split.smi-spec.io/v1alpha1',
    kind: 'TrafficSplit',
    metadata: {
      name: `${app}-split`,
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
      service: `${app}-root`,
      backends: [
        { service: `${app}-canary`, weight: String(weights.canary) },
        { service: `${app}-stable`, weight: String(weights.stable) },
      ],
    },
  };
}

const canaryWeightOf =
  (app: string) =>
  (object: JsonObject): number | undefined => {
    const backends = ((object['spec'] as JsonObject | undefined)?.['backends'] as JsonObject[] | undefined) ?? [];
    const backend = backends.find((entry) => entry['service'] === `${app}-canary`);
    return backend === undefined ? undefined : Number(backend['weight']);
  };

const smi = (app: string): Record<string, unknown> => ({
  trafficRouting: { smi: { rootService: `${app}-root`, trafficSplitName: `${app}-split` } },
});

describe('canary with an SMI TrafficSplit, driven by the engine', () => {
  it(
    'seed scenario: the TrafficSplit created at 0, then 20 → promote → 40 → 60 → 80 → 100 → 0, one write per change',
    async () => {
      const app = 'sm';
      await bed.createServices(app, [`${app}-stable`, `${app}-canary`, `${app}-root`]);
      const ref = trafficSplitRef(namespace, `${app}-split`);
      let history: Awaited<ReturnType<typeof bed.history>> | undefined;
      await runSeedScenario(bed, app, smi(app), {
        async healthy() {
          expect(await bed.written(ref)).toEqual(splitOf(app, { canary: 0, stable: 100 }));
          history = await bed.history(ref);
        },
        async paused(blue, yellow, rollout) {
          expect(await bed.written(ref)).toEqual(splitOf(app, { canary: 20, stable: 80 }));
          expect(rollout.status?.canary?.weights).toEqual({
            canary: { weight: 20, podTemplateHash: yellow, serviceName: `${app}-canary` },
            stable: { weight: 80, podTemplateHash: blue, serviceName: `${app}-stable` },
          });
        },
        async done() {
          await waitUntil(async () => canaryWeightOf(app)(await bed.read(ref)) === 0, {
            what: 'the TrafficSplit back to 0',
            timeoutMs: 30_000,
          });
          expect(await bed.written(ref)).toEqual(splitOf(app, { canary: 0, stable: 100 }));
        },
      });
      const versions = history?.versions() ?? [];
      await history?.stop();
      expect(weightSequence(versions, canaryWeightOf(app))).toEqual([0, 20, 40, 60, 80, 100, 0]);
      // The first version is the one the watch listed; every later one is a write, and each changed the weight.
      expect(versions.length - 1).toBe(6);
    },
    scenarioTimeoutMs,
  );

  it(
    'abort: the TrafficSplit at 0 first, the canary scaled down after abortScaleDownDelaySeconds',
    async () => {
      const app = 'sa';
      await bed.createServices(app, [`${app}-stable`, `${app}-canary`, `${app}-root`]);
      const ref = trafficSplitRef(namespace, `${app}-split`);
      await runAbortScenario(bed, app, smi(app), async () => canaryWeightOf(app)(await bed.read(ref)));
      expect(await bed.written(ref)).toEqual(splitOf(app, { canary: 0, stable: 100 }));
    },
    scenarioTimeoutMs,
  );

  it.each([
    [
      'setHeaderRoute',
      { setHeaderRoute: { name: 'by-header', match: [{ headerName: 'x-canary', headerValue: { exact: 'yes' } }] } },
      'SetHeaderRoute requires TrafficRouting, supports Istio, ALB, Apisix and Gateway API',
    ],
    [
      'setMirrorRoute',
      { setMirrorRoute: { name: 'by-header', match: [{ path: { prefix: '/api' } }], percentage: 50 } },
      'SetMirrorRoute requires TrafficRouting, supports Istio and Gateway API',
    ],
  ])(
    'a %s step is refused as Argo refuses it with SMI: InvalidSpec at the step, nothing created',
    async (kind, step, message) => {
      const app = `sh-${kind.toLowerCase()}`;
      await bed.createServices(app, [`${app}-stable`, `${app}-canary`, `${app}-root`]);
      const routing = { smi: { rootService: `${app}-root`, trafficSplitName: `${app}-split` }, managedRoutes: [{ name: 'by-header' }] };
      await bed.createRollout(app, { trafficRouting: routing, steps: [{ setWeight: 20 }, step, { pause: {} }] });
      const invalid = await bed.until(app, 'the InvalidSpec condition', (r) =>
        (r.status?.conditions ?? []).some((c) => c.type === 'InvalidSpec'),
      );
      expect(invalid.status?.conditions?.find((c) => c.type === 'InvalidSpec')?.message).toBe(
        `The Rollout "${app}" is invalid: spec.strategy.canary.steps[1].${kind}: ${message}`,
      );
      expect(await bed.written(trafficSplitRef(namespace, `${app}-split`))).toBeUndefined();
      expect(await bed.replicaSetCount(app)).toBe(0);
    },
    scenarioTimeoutMs,
  );
});
