import { bindRouter } from '../apply-router-plan.js';
import { TrafficRoutingError } from '../errors.js';
import type { RouterDecisions, RouterOptions, RouterRollout, TrafficKube, TrafficRouter } from '../types.js';
import { defaultSmiApiVersion, smiApiVersions } from './schema.js';
import { planTrafficSplit, trafficSplitRef } from './traffic-split.js';

/**
 * The SMI router's decisions (Argo's rollout/trafficrouting/smi/smi.go). Header
 * and mirror routes, hashes and managed routes are no-ops, as in Argo (its
 * validation refuses those steps with SMI: see route-step-support.ts).
 */
export function smiRouterDecisions(rollout: RouterRollout, options: RouterOptions = {}): RouterDecisions {
  const apiVersion = options.smiApiVersion ?? defaultSmiApiVersion;
  if (!(smiApiVersions as readonly string[]).includes(apiVersion)) {
    throw new TrafficRoutingError({
      code: 'InvalidSpec',
      kind: 'TrafficSplit',
      namespace: rollout.namespace,
      name: '',
      field: 'apiVersion',
      message: `Unsupported TrafficSplit API version \`${apiVersion}\``,
    });
  }
  const ref = trafficSplitRef(rollout, apiVersion);
  return {
    type: 'SMI',
    refs: () => [ref],
    updateHash: () => [],
    setWeight: (desiredWeight, additional = []) => [
      { refs: [ref], decide: ([object]) => planTrafficSplit({ rollout, ref, object, desiredWeight, additional }) },
    ],
    setHeaderRoute: () => [],
    setMirrorRoute: () => [],
    verifyWeight: () => 'notSupported',
    removeManagedRoutes: () => [],
  };
}

/** The SMI router's shell. */
export function createSmiRouter(rollout: RouterRollout, kube: TrafficKube, options: RouterOptions = {}): TrafficRouter {
  return bindRouter(smiRouterDecisions(rollout, options), kube);
}
