import { expect, it } from 'vitest';
import type { JsonObject, ObjectRef } from '../../../src/traffic/index.js';
import { scenarioTimeoutMs, type TrafficBed } from './traffic-fixtures.js';

/** Argo's validation messages for route steps on a router that has no header or mirror routes. */
const refusedSteps = [
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
] as const;

/**
 * One test per route step Argo's validation refuses with `router` (Traefik, Ambassador, App Mesh): the
 * Rollout gets InvalidSpec at the step with Argo's message, no ReplicaSet is created and the router's
 * object is as it was. `setUp` creates the app's Services and router objects and returns the router
 * config and the object to compare.
 */
export function itRefusesRouteSteps(
  bed: TrafficBed,
  router: string,
  prefix: string,
  setUp: (app: string) => Promise<{ trafficRouting: JsonObject; watched: ObjectRef }>,
): void {
  it.each(refusedSteps)(
    `a %s step is refused as Argo refuses it with ${router}: InvalidSpec at the step, nothing written`,
    async (kind, step, message) => {
      const app = `${prefix}-${kind.toLowerCase()}`;
      const { trafficRouting, watched } = await setUp(app);
      const before = await bed.read(watched);
      await bed.createRollout(app, {
        trafficRouting: { ...trafficRouting, managedRoutes: [{ name: 'by-header' }] },
        steps: [{ setWeight: 20 }, step, { pause: {} }],
      });
      const invalid = await bed.until(app, 'the InvalidSpec condition', (r) =>
        (r.status?.conditions ?? []).some((c) => c.type === 'InvalidSpec'),
      );
      expect(invalid.status?.conditions?.find((c) => c.type === 'InvalidSpec')?.message).toBe(
        `The Rollout "${app}" is invalid: spec.strategy.canary.steps[1].${kind}: ${message}`,
      );
      expect(await bed.read(watched)).toEqual(before);
      expect(await bed.replicaSetCount(app)).toBe(0);
    },
    scenarioTimeoutMs,
  );
}
