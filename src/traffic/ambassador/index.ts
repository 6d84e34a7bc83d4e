import { bindRouter } from '../apply-router-plan.js';
import { invalidRolloutSpec } from '../errors.js';
import type { RouterDecisions, RouterOptions, RouterRollout, TrafficKube, TrafficRouter } from '../types.js';
import { canaryMappingName, mappingRef, planMappingWeight } from './mapping.js';

/**
 * The Ambassador router's decisions (Argo's rollout/trafficrouting/ambassador/ambassador.go):
 * per base Mapping, a `<name>-canary` Mapping with the canary weight,
 * created from the base and deleted at weight 0 (completion, abort). Hashes,
 * header and mirror routes and managed routes are no-ops, as in Argo, whose
 * validation refuses those steps with Ambassador (route-step-support.ts);
 * the weight cannot be verified (Argo's nil).
 */
export function ambassadorRouterDecisions(rollout: RouterRollout, options: RouterOptions = {}): RouterDecisions {
  const mappings = rollout.trafficRouting.ambassador?.mappings ?? [];
  if (mappings.length === 0)
    throw invalidRolloutSpec(rollout, 'spec.strategy.canary.trafficRouting.ambassador.mappings', 'must name at least one Mapping');
  const pairs = mappings.map((name, index) => {
    if (name === '')
      throw invalidRolloutSpec(rollout, `spec.strategy.canary.trafficRouting.ambassador.mappings[${String(index)}]`, 'must be set');
    return {
      baseRef: mappingRef(rollout.namespace, name, options.ambassadorApiVersion),
      canaryRef: mappingRef(rollout.namespace, canaryMappingName(name), options.ambassadorApiVersion),
    };
  });
  return {
    type: 'Ambassador',
    refs: () => pairs.flatMap(({ baseRef, canaryRef }) => [baseRef, canaryRef]),
    updateHash: () => [],
    setWeight: (desiredWeight) =>
      pairs.map(({ baseRef, canaryRef }) => ({
        refs: [baseRef, canaryRef],
        decide: ([base, canary]) => planMappingWeight({ rollout, baseRef, canaryRef, base, canary, desiredWeight }),
      })),
    setHeaderRoute: () => [],
    setMirrorRoute: () => [],
    verifyWeight: () => 'notSupported',
    removeManagedRoutes: () => [],
  };
}

/** The Ambassador router's shell. */
export function createAmbassadorRouter(rollout: RouterRollout, kube: TrafficKube, options: RouterOptions = {}): TrafficRouter {
  return bindRouter(ambassadorRouterDecisions(rollout, options), kube);
}
