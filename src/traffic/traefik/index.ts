import { bindRouter } from '../apply-router-plan.js';
import { invalidRolloutSpec } from '../errors.js';
import type { RouterDecisions, RouterRollout, TrafficKube, TrafficRouter } from '../types.js';
import { planTraefikService, traefikServiceRef } from './traefik-service.js';

/**
 * The Traefik router's decisions (Argo's rollout/trafficrouting/traefik/traefik.go):
 * the weights of one weighted TraefikService. Hashes, header and mirror
 * routes and managed routes are no-ops, as in Argo, whose validation refuses
 * those steps with Traefik (route-step-support.ts); the weight cannot be
 * verified (Argo's nil).
 */
export function traefikRouterDecisions(rollout: RouterRollout): RouterDecisions {
  const ref = traefikServiceRef(rollout);
  if (ref.name === '')
    throw invalidRolloutSpec(rollout, 'spec.strategy.canary.trafficRouting.traefik.weightedTraefikServiceName', 'must be set');
  return {
    type: 'Traefik',
    refs: () => [ref],
    updateHash: () => [],
    setWeight: (desiredWeight) => [{ refs: [ref], decide: ([object]) => planTraefikService({ rollout, ref, object, desiredWeight }) }],
    setHeaderRoute: () => [],
    setMirrorRoute: () => [],
    verifyWeight: () => 'notSupported',
    removeManagedRoutes: () => [],
  };
}

/** The Traefik router's shell. */
export function createTraefikRouter(rollout: RouterRollout, kube: TrafficKube): TrafficRouter {
  return bindRouter(traefikRouterDecisions(rollout), kube);
}
