import { describe, expect, it } from 'vitest';
import { mappingRef } from '../../src/traffic/ambassador/mapping.js';
import type { JsonObject } from '../../src/traffic/index.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { runAbortScenario, runSeedScenario, scenarioTimeoutMs, trafficBed, weightSequence } from './support/traffic-fixtures.js';
import { itRefusesRouteSteps } from './support/route-step-refusal.js';

// The engine driving Ambassador Mappings on the real control plane (getambassador.io/v2, Argo's default,
// from the fixture CRD). Argo's ambassador.go copies the base Mapping into `<name>-canary` with the canary
// Service and the weight, updates that weight, and removes the canary Mapping at weight 0; the base
// Mapping is never written. Argo's validation refuses header and mirror routes with Ambassador.
const bed = trafficBed('traffic-ambassador');
const { namespace } = bed;

function baseMapping(app: string, spec: JsonObject = {}): JsonObject {
  return {
    apiVersion: 'getambassador.io/v2',
    kind: 'Mapping',
    metadata: { name: app, namespace },
    spec: { prefix: `/${app}/`, rewrite: '/', service: `${app}-stable:80`, ...spec },
  };
}

async function createBase(app: string, spec: JsonObject = {}): Promise<void> {
  await bed.createObject(mappingRef(namespace, app), { spec: baseMapping(app, spec)['spec'] });
}

const weightOf = (object: JsonObject | undefined): number | undefined =>
  object === undefined ? undefined : Number((object['spec'] as JsonObject | undefined)?.['weight']);

/** The canary Mapping's weight; 0 when it does not exist (no canary traffic). */
async function canaryWeight(app: string): Promise<number> {
  return weightOf(await bed.kube.read(mappingRef(namespace, `${app}-canary`))) ?? 0;
}

const ambassador = (app: string): Record<string, unknown> => ({ trafficRouting: { ambassador: { mappings: [app] } } });

describe('canary with Ambassador Mappings, driven by the engine', () => {
  it(
    'seed scenario: no canary Mapping → 20 → promote → 40 → 60 → 80 → 100 → deleted, the base Mapping untouched',
    async () => {
      const app = 'am';
      await bed.createServices(app);
      await createBase(app);
      const baseRef = mappingRef(namespace, app);
      const canaryRef = mappingRef(namespace, `${app}-canary`);
      const base = await bed.read(baseRef);
      const history = await bed.history(canaryRef);
      await runSeedScenario(bed, app, ambassador(app), {
        async healthy() {
          expect(await bed.kube.read(canaryRef)).toBeUndefined();
        },
        async paused(blue, yellow, rollout) {
          expect(await bed.written(canaryRef)).toEqual({
            apiVersion: 'getambassador.io/v2',
            kind: 'Mapping',
            metadata: { name: `${app}-canary`, namespace },
            spec: { prefix: `/${app}/`, rewrite: '/', service: `${app}-canary:80`, weight: 20 },
          });
          expect(rollout.status?.canary?.weights).toEqual({
            canary: { weight: 20, podTemplateHash: yellow, serviceName: `${app}-canary` },
            stable: { weight: 80, podTemplateHash: blue, serviceName: `${app}-stable` },
          });
        },
        async done() {
          await waitUntil(async () => (await bed.kube.read(canaryRef)) === undefined, {
            what: 'the canary Mapping deleted',
            timeoutMs: 30_000,
          });
        },
      });
      const versions = history.versions();
      await history.stop();
      expect(weightSequence(versions, weightOf)).toEqual([20, 40, 60, 80, 100]);
      expect(await bed.read(baseRef)).toEqual(base);
    },
    scenarioTimeoutMs,
  );

  it(
    'abort: the canary Mapping deleted first, the canary scaled down after abortScaleDownDelaySeconds',
    async () => {
      const app = 'aa';
      await bed.createServices(app);
      await createBase(app);
      await runAbortScenario(bed, app, ambassador(app), () => canaryWeight(app));
      expect(await bed.kube.read(mappingRef(namespace, `${app}-canary`))).toBeUndefined();
    },
    scenarioTimeoutMs,
  );

  it(
    'bad input: a base Mapping with a weight is an InvalidSpec naming the Mapping and field, nothing created',
    async () => {
      const app = 'ab';
      await bed.createServices(app);
      await createBase(app, { weight: 30 });
      const before = await bed.read(mappingRef(namespace, app));
      await bed.createRollout(app, { ...ambassador(app), steps: [{ setWeight: 20 }, { pause: {} }] });
      await bed.until(app, 'the first revision to be Healthy', (r) => r.status?.phase === 'Healthy');
      await bed.setImage(app, 'example.test/app:yellow');
      const invalid = await bed.until(app, 'the InvalidSpec condition', (r) =>
        (r.status?.conditions ?? []).some((c) => c.type === 'InvalidSpec'),
      );
      expect(invalid.status?.conditions?.find((c) => c.type === 'InvalidSpec')?.message).toContain(
        `Mapping ${namespace}/${app} spec.weight: Ambassador mapping "${app}" can not define weight`,
      );
      expect(await bed.read(mappingRef(namespace, app))).toEqual(before);
      expect(await bed.kube.read(mappingRef(namespace, `${app}-canary`))).toBeUndefined();
    },
    scenarioTimeoutMs,
  );

  itRefusesRouteSteps(bed, 'Ambassador', 'ah', async (app) => {
    await bed.createServices(app);
    await createBase(app);
    return { trafficRouting: { ambassador: { mappings: [app] } }, watched: mappingRef(namespace, app) };
  });
});
