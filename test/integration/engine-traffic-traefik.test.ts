import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/traffic/index.js';
import { waitUntil } from '../../src/local/wait-until.js';
import {
  runAbortScenario,
  runSeedScenario,
  scenarioTimeoutMs,
  traefikServiceRef,
  trafficBed,
  weightSequence,
} from './support/traffic-fixtures.js';
import { itRefusesRouteSteps } from './support/route-step-refusal.js';

// The engine driving a weighted TraefikService on the real control plane. Argo's traefik.go sets the
// canary and stable weights in spec.weighted.services and touches nothing else (it creates nothing,
// verifies nothing, and its validation refuses header and mirror routes with Traefik).
const bed = trafficBed('traffic-traefik');
const { namespace } = bed;

function weighted(app: string, canary: number, stable: number): JsonObject {
  return {
    apiVersion: 'traefik.containo.us/v1alpha1',
    kind: 'TraefikService',
    metadata: { name: `${app}-weighted`, namespace },
    spec: {
      weighted: {
        services: [
          { name: `${app}-stable`, port: 80, weight: stable },
          { name: `${app}-canary`, port: 80, weight: canary },
        ],
      },
    },
  };
}

async function createWeighted(app: string, services?: JsonObject[]): Promise<void> {
  const spec = weighted(app, 0, 100)['spec'] as JsonObject;
  await bed.createObject(traefikServiceRef(namespace, `${app}-weighted`), {
    spec: services === undefined ? spec : { weighted: { services } },
  });
}

const canaryWeightOf =
  (app: string) =>
  (object: JsonObject): number | undefined => {
    const services = (((object['spec'] as JsonObject | undefined)?.['weighted'] as JsonObject | undefined)?.['services'] ??
      []) as JsonObject[];
    const service = services.find((entry) => entry['name'] === `${app}-canary`);
    return service === undefined ? undefined : Number(service['weight']);
  };

const traefik = (app: string): Record<string, unknown> => ({
  trafficRouting: { traefik: { weightedTraefikServiceName: `${app}-weighted` } },
});

describe('canary with a weighted TraefikService, driven by the engine', () => {
  it(
    'seed scenario: 20 → promote → 40 → 60 → 80 → 100 → 0, one write per change',
    async () => {
      const app = 'tr';
      await bed.createServices(app);
      await createWeighted(app);
      const ref = traefikServiceRef(namespace, `${app}-weighted`);
      const history = await bed.history(ref);
      await runSeedScenario(bed, app, traefik(app), {
        async healthy() {
          expect(await bed.written(ref)).toEqual(weighted(app, 0, 100));
        },
        async paused(blue, yellow, rollout) {
          expect(await bed.written(ref)).toEqual(weighted(app, 20, 80));
          expect(rollout.status?.canary?.weights).toEqual({
            canary: { weight: 20, podTemplateHash: yellow, serviceName: `${app}-canary` },
            stable: { weight: 80, podTemplateHash: blue, serviceName: `${app}-stable` },
          });
        },
        async done() {
          await waitUntil(async () => canaryWeightOf(app)(await bed.read(ref)) === 0, {
            what: 'the TraefikService back to 0',
            timeoutMs: 30_000,
          });
          expect(await bed.written(ref)).toEqual(weighted(app, 0, 100));
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
      const app = 'ta';
      await bed.createServices(app);
      await createWeighted(app);
      const ref = traefikServiceRef(namespace, `${app}-weighted`);
      await runAbortScenario(bed, app, traefik(app), async () => canaryWeightOf(app)(await bed.read(ref)));
      expect(await bed.written(ref)).toEqual(weighted(app, 0, 100));
    },
    scenarioTimeoutMs,
  );

  it(
    'bad input: a TraefikService without the stable service is an InvalidSpec naming the object and field, nothing written',
    async () => {
      const app = 'tb';
      await bed.createServices(app);
      await createWeighted(app, [{ name: `${app}-canary`, port: 80, weight: 0 }]);
      const ref = traefikServiceRef(namespace, `${app}-weighted`);
      const before = await bed.read(ref);
      await bed.createRollout(app, { ...traefik(app), steps: [{ setWeight: 20 }, { pause: {} }] });
      const invalid = await bed.until(app, 'the InvalidSpec condition', (r) =>
        (r.status?.conditions ?? []).some((c) => c.type === 'InvalidSpec'),
      );
      expect(invalid.status?.conditions?.find((c) => c.type === 'InvalidSpec')?.message).toContain(
        `TraefikService ${namespace}/${app}-weighted spec.weighted.services: traefik stable service \`${app}-stable\` was not found`,
      );
      expect(await bed.read(ref)).toEqual(before);
      expect(await bed.replicaSetCount(app)).toBe(0);
    },
    scenarioTimeoutMs,
  );

  itRefusesRouteSteps(bed, 'Traefik', 'th', async (app) => {
    await bed.createServices(app);
    await createWeighted(app);
    return {
      trafficRouting: { traefik: { weightedTraefikServiceName: `${app}-weighted` } },
      watched: traefikServiceRef(namespace, `${app}-weighted`),
    };
  });
});
