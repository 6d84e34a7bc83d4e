import { describe, expect, it } from 'vitest';
import { waitUntil } from '../../src/local/wait-until.js';
import type { JsonObject } from '../../src/traffic/index.js';
import {
  destinationRuleRef,
  runAbortScenario,
  runSeedScenario,
  trafficBed,
  virtualServiceRef,
  weightSequence,
  scenarioTimeoutMs,
} from './support/traffic-fixtures.js';

// The engine driving Istio on the real control plane beyond the host-level case of
// engine-traffic.test.ts: subset-level splitting (Argo's UpdateHash labels the DestinationRule's
// canary and stable subsets with `rollouts-pod-template-hash` and annotates it as managed; the
// VirtualService's weights go to the subsets), and two VirtualServices moved together.
const bed = trafficBed('traffic-istio-subset');
const { namespace } = bed;
const hashLabel = 'rollouts-pod-template-hash';
const managedBy = 'argo-rollouts.argoproj.io/managed-by-rollouts';

async function setUpSubsets(app: string): Promise<void> {
  await bed.createServices(app, [`${app}-stable`, `${app}-canary`, app]);
  await bed.createObject(destinationRuleRef(namespace, `${app}-dr`), {
    spec: { host: app, subsets: [{ name: 'stable' }, { name: 'canary' }] },
  });
  await bed.createObject(virtualServiceRef(namespace, `${app}-vs`), {
    spec: { hosts: [`${app}.local`], http: [{ name: 'primary', route: subsetRoute(app, 100, 0) }] },
  });
}

const subsetRoute = (app: string, stable: number, canary: number): JsonObject[] => [
  { destination: { host: app, subset: 'stable' }, weight: stable },
  { destination: { host: app, subset: 'canary' }, weight: canary },
];

function virtualService(name: string, hosts: string[], http: JsonObject[]): JsonObject {
  return { apiVersion: 'networking.istio.io/v1alpha3', kind: 'VirtualService', metadata: { name, namespace }, spec: { hosts, http } };
}

function destinationRule(app: string, stableHash: string, canaryHash: string): JsonObject {
  return {
    apiVersion: 'networking.istio.io/v1alpha3',
    kind: 'DestinationRule',
    metadata: { name: `${app}-dr`, namespace, annotations: { [managedBy]: app } },
    spec: {
      host: app,
      subsets: [
        { name: 'stable', labels: { [hashLabel]: stableHash } },
        { name: 'canary', labels: { [hashLabel]: canaryHash } },
      ],
    },
  };
}

const canaryWeightOf = (object: JsonObject): number | undefined => {
  const http = ((object['spec'] as JsonObject)['http'] as JsonObject[] | undefined) ?? [];
  const route = (http[0]?.['route'] as JsonObject[] | undefined) ?? [];
  const canary = route.find((destination) => {
    const target = destination['destination'] as JsonObject;
    return target['subset'] === 'canary' || String(target['host']).endsWith('-canary');
  });
  return canary === undefined ? undefined : Number(canary['weight']);
};

const subsetRouting = (app: string): Record<string, unknown> => ({
  trafficRouting: {
    istio: {
      virtualService: { name: `${app}-vs`, routes: ['primary'] },
      destinationRule: { name: `${app}-dr`, canarySubsetName: 'canary', stableSubsetName: 'stable' },
    },
  },
});

describe('canary with Istio subset-level splitting, driven by the engine', () => {
  it(
    'seed scenario: the DestinationRule subsets on the hashes, the VirtualService 100/0 → 20 → promote → 40 … → 100/0',
    async () => {
      const app = 'is';
      await setUpSubsets(app);
      const vsRef = virtualServiceRef(namespace, `${app}-vs`);
      const drRef = destinationRuleRef(namespace, `${app}-dr`);
      const history = await bed.history(vsRef);
      await runSeedScenario(bed, app, subsetRouting(app), {
        async healthy(blue) {
          await waitUntil(
            async () => (await bed.written(drRef))?.['metadata'] !== undefined && JSON.stringify(await bed.written(drRef)).includes(blue),
            { what: 'the subsets on blue', timeoutMs: 30_000 },
          );
          expect(await bed.written(drRef)).toEqual(destinationRule(app, blue, blue));
          expect(await bed.written(vsRef)).toEqual(
            virtualService(`${app}-vs`, [`${app}.local`], [{ name: 'primary', route: subsetRoute(app, 100, 0) }]),
          );
        },
        async paused(blue, yellow) {
          expect(await bed.written(drRef)).toEqual(destinationRule(app, blue, yellow));
          expect(await bed.written(vsRef)).toEqual(
            virtualService(`${app}-vs`, [`${app}.local`], [{ name: 'primary', route: subsetRoute(app, 80, 20) }]),
          );
        },
        async done(yellow) {
          await waitUntil(async () => canaryWeightOf(await bed.read(vsRef)) === 0, {
            what: 'the VirtualService back to 0',
            timeoutMs: 30_000,
          });
          expect(await bed.written(vsRef)).toEqual(
            virtualService(`${app}-vs`, [`${app}.local`], [{ name: 'primary', route: subsetRoute(app, 100, 0) }]),
          );
          expect(await bed.written(drRef)).toEqual(destinationRule(app, yellow, yellow));
        },
      });
      const versions = history.versions();
      await history.stop();
      expect(weightSequence(versions, canaryWeightOf)).toEqual([0, 20, 40, 60, 80, 100, 0]);
      expect(versions.length - 1).toBe(6);
    },
    scenarioTimeoutMs,
  );

  it(
    'abort: the VirtualService at 0 first, the canary scaled down after abortScaleDownDelaySeconds, the subsets left on their hashes as Argo leaves them',
    async () => {
      const app = 'ia';
      await setUpSubsets(app);
      const vsRef = virtualServiceRef(namespace, `${app}-vs`);
      await runAbortScenario(bed, app, subsetRouting(app), async () => canaryWeightOf(await bed.read(vsRef)));
      expect(await bed.written(vsRef)).toEqual(
        virtualService(`${app}-vs`, [`${app}.local`], [{ name: 'primary', route: subsetRoute(app, 100, 0) }]),
      );
      // Argo's reconcileTrafficRouting keeps canaryHash on the new ReplicaSet after an abort: the weight, not the subset, moves.
      const rollout = await bed.cluster.readRollout(app);
      expect(await bed.written(destinationRuleRef(namespace, `${app}-dr`))).toEqual(
        destinationRule(app, rollout.status?.stableRS ?? '', rollout.status?.currentPodHash ?? ''),
      );
    },
    scenarioTimeoutMs,
  );

  it(
    'two VirtualServices at once: an http route in one, a tls route in the other, both moved at each step',
    async () => {
      const app = 'iv';
      await bed.createServices(app);
      const hostRoute = (stable: number, canary: number): JsonObject[] => [
        { destination: { host: `${app}-stable` }, weight: stable },
        { destination: { host: `${app}-canary` }, weight: canary },
      ];
      const tlsRoute = (stable: number, canary: number): JsonObject[] => [
        { destination: { host: `${app}-stable`, port: { number: 443 } }, weight: stable },
        { destination: { host: `${app}-canary`, port: { number: 443 } }, weight: canary },
      ];
      const tls = (stable: number, canary: number): JsonObject[] => [
        { match: [{ port: 443, sniHosts: [`${app}.local`] }], route: tlsRoute(stable, canary) },
      ];
      await bed.createObject(virtualServiceRef(namespace, `${app}-web`), {
        spec: { hosts: [`${app}.local`], http: [{ name: 'primary', route: hostRoute(100, 0) }] },
      });
      await bed.createObject(virtualServiceRef(namespace, `${app}-tls`), { spec: { hosts: [`${app}.local`], tls: tls(100, 0) } });
      const trafficRouting = {
        istio: {
          virtualServices: [
            { name: `${app}-web`, routes: ['primary'] },
            { name: `${app}-tls`, tlsRoutes: [{ port: 443, sniHosts: [`${app}.local`] }] },
          ],
        },
      };
      await bed.createRollout(app, { trafficRouting, steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }, { pause: {} }] });
      await bed.until(app, 'the first revision to be Healthy', (r) => r.status?.phase === 'Healthy');
      await bed.setImage(app, 'example.test/app:yellow');
      const web = virtualServiceRef(namespace, `${app}-web`);
      const tlsRef = virtualServiceRef(namespace, `${app}-tls`);
      const expectBoth = async (stable: number, canary: number): Promise<void> => {
        expect(await bed.written(web)).toEqual(
          virtualService(`${app}-web`, [`${app}.local`], [{ name: 'primary', route: hostRoute(stable, canary) }]),
        );
        expect((await bed.written(tlsRef))?.['spec']).toEqual({ hosts: [`${app}.local`], tls: tls(stable, canary) });
      };
      await bed.until(app, 'the canary to pause at 20', (r) => r.status?.phase === 'Paused' && r.status.currentStepIndex === 1);
      await expectBoth(80, 20);
      await bed.verb('promote', app);
      await bed.until(app, 'the canary to pause at 60', (r) => r.status?.phase === 'Paused' && r.status.currentStepIndex === 3);
      await expectBoth(40, 60);
      await bed.verb('promote', app);
      await bed.until(
        app,
        'Healthy on yellow',
        (r) =>
          r.status?.phase === 'Healthy' && r.status.stableRS === r.status.currentPodHash && r.status.canary?.weights?.canary.weight === 0,
      );
      await waitUntil(async () => canaryWeightOf(await bed.read(web)) === 0, {
        what: 'the web VirtualService back to 0',
        timeoutMs: 30_000,
      });
      await expectBoth(100, 0);
    },
    scenarioTimeoutMs,
  );
});
