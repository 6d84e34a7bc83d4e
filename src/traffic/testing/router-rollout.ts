import type { TrafficRouting } from '../../api/traffic-routing.js';
import type { RouterRollout } from '../types.js';

/** A RouterRollout for unit tests: the getting-started demo's names, in namespace `default`. */
export function testRouterRollout(trafficRouting: TrafficRouting, overrides: Partial<RouterRollout> = {}): RouterRollout {
  return {
    name: 'rollouts-demo',
    namespace: 'default',
    uid: '7d0c1f3e-0000-4000-8000-000000000001',
    canaryService: 'rollouts-demo-canary',
    stableService: 'rollouts-demo-stable',
    trafficRouting,
    stepRouteNames: [],
    ...overrides,
  };
}

/** The ownerReference a router writes on the objects it creates for testRouterRollout(). */
export const testRolloutOwner = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  name: 'rollouts-demo',
  uid: '7d0c1f3e-0000-4000-8000-000000000001',
  controller: true,
  blockOwnerDeletion: true,
};
