import { describe, expect, it } from 'vitest';
import { waitUntil } from '../../src/local/wait-until.js';
import type { JsonObject } from '../../src/traffic/index.js';
import {
  ingressRef,
  runAbortScenario,
  runSeedScenario,
  trafficBed,
  weightSequence,
  scenarioTimeoutMs,
} from './support/traffic-fixtures.js';

// The engine driving NGINX Ingress on the real control plane: Argo's nginx.go clones the stable
// Ingress into `<rollout>-<stable ingress>-canary`, pointed at the canary Service, with the
// `canary`/`canary-weight` annotations (and additionalIngressAnnotations, prefixed), owned by the
// Rollout; the stable Ingress is never written.
const bed = trafficBed('traffic-nginx');
const { namespace } = bed;
const prefix = 'nginx.ingress.kubernetes.io';

const ruleTo = (host: string, service: string): JsonObject => ({
  host,
  http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service, port: { number: 80 } } } }] },
});

async function setUpIngress(app: string): Promise<void> {
  await bed.createServices(app);
  await bed.createObject(ingressRef(namespace, `${app}-ingress`), {
    spec: { ingressClassName: 'nginx', rules: [ruleTo(`${app}.local`, `${app}-stable`)] },
  });
}

function canaryIngress(app: string, weight: number, extra: Record<string, string> = {}): JsonObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: `${app}-${app}-ingress-canary`,
      namespace,
      annotations: { ...extra, [`${prefix}/canary`]: 'true', [`${prefix}/canary-weight`]: String(weight) },
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
    spec: { ingressClassName: 'nginx', rules: [ruleTo(`${app}.local`, `${app}-canary`)] },
  };
}

const canaryWeightOf = (object: JsonObject): number | undefined => {
  const value = ((object['metadata'] as JsonObject)['annotations'] as Record<string, string> | undefined)?.[`${prefix}/canary-weight`];
  return value === undefined ? undefined : Number(value);
};

describe('canary with NGINX Ingress, driven by the engine', () => {
  it(
    'seed scenario: the canary Ingress created at 0, then 20 → promote → 40 → 60 → 80 → 100 → 0, the stable Ingress untouched',
    async () => {
      const app = 'ng';
      await setUpIngress(app);
      const stableRef = ingressRef(namespace, `${app}-ingress`);
      const stableBefore = await bed.read(stableRef);
      const ref = ingressRef(namespace, `${app}-${app}-ingress-canary`);
      const byHeader = { [`${prefix}/canary-by-header`]: 'X-Canary' };
      let history: Awaited<ReturnType<typeof bed.history>> | undefined;
      await runSeedScenario(
        bed,
        app,
        {
          trafficRouting: { nginx: { stableIngress: `${app}-ingress`, additionalIngressAnnotations: { 'canary-by-header': 'X-Canary' } } },
        },
        {
          async healthy() {
            expect(await bed.written(ref)).toEqual(canaryIngress(app, 0, byHeader));
            history = await bed.history(ref);
          },
          async paused(blue, yellow, rollout) {
            expect(await bed.written(ref)).toEqual(canaryIngress(app, 20, byHeader));
            expect(rollout.status?.canary?.weights).toEqual({
              canary: { weight: 20, podTemplateHash: yellow, serviceName: `${app}-canary` },
              stable: { weight: 80, podTemplateHash: blue, serviceName: `${app}-stable` },
            });
          },
          async done() {
            await waitUntil(async () => canaryWeightOf(await bed.read(ref)) === 0, {
              what: 'the canary Ingress back to 0',
              timeoutMs: 30_000,
            });
            expect(await bed.written(ref)).toEqual(canaryIngress(app, 0, byHeader));
          },
        },
      );
      const versions = history?.versions() ?? [];
      await history?.stop();
      expect(weightSequence(versions, canaryWeightOf)).toEqual([0, 20, 40, 60, 80, 100, 0]);
      expect(versions.length - 1).toBe(6);
      expect(await bed.read(stableRef)).toEqual(stableBefore);
    },
    scenarioTimeoutMs,
  );

  it(
    'abort: canary-weight 0 first, the canary scaled down after abortScaleDownDelaySeconds',
    async () => {
      const app = 'na';
      await setUpIngress(app);
      const ref = ingressRef(namespace, `${app}-${app}-ingress-canary`);
      await runAbortScenario(bed, app, { trafficRouting: { nginx: { stableIngress: `${app}-ingress` } } }, async () =>
        canaryWeightOf(await bed.read(ref)),
      );
      expect(await bed.written(ref)).toEqual(canaryIngress(app, 0));
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
    'a %s step is refused as Argo refuses it with NGINX: InvalidSpec at the step, nothing created',
    async (kind, step, message) => {
      const app = `nh-${kind.toLowerCase()}`;
      await setUpIngress(app);
      const routing = { nginx: { stableIngress: `${app}-ingress` }, managedRoutes: [{ name: 'by-header' }] };
      await bed.createRollout(app, { trafficRouting: routing, steps: [{ setWeight: 20 }, step, { pause: {} }] });
      const invalid = await bed.until(app, 'the InvalidSpec condition', (r) =>
        (r.status?.conditions ?? []).some((c) => c.type === 'InvalidSpec'),
      );
      expect(invalid.status?.conditions?.find((c) => c.type === 'InvalidSpec')?.message).toBe(
        `The Rollout "${app}" is invalid: spec.strategy.canary.steps[1].${kind}: ${message}`,
      );
      expect(await bed.written(ingressRef(namespace, `${app}-${app}-ingress-canary`))).toBeUndefined();
      expect(await bed.replicaSetCount(app)).toBe(0);
    },
    scenarioTimeoutMs,
  );
});
