import { applyRouterPlan } from '../apply-router-plan.js';
import { TrafficRoutingError } from '../errors.js';
import type { RouterOptions, RouterRollout, TrafficKube, TrafficRouter } from '../types.js';
import { defaultSmiApiVersion, smiApiVersions } from './schema.js';
import { planTrafficSplit, trafficSplitRef } from './traffic-split.js';

const nothing = { writes: 0, events: [] };

/**
 * The SMI router's shell (Argo's rollout/trafficrouting/smi/smi.go). Header
 * and mirror routes, hashes and managed routes are no-ops, as in Argo (its
 * validation refuses those steps with SMI: see route-step-support.ts).
 */
export function createSmiRouter(rollout: RouterRollout, kube: TrafficKube, options: RouterOptions = {}): TrafficRouter {
  const apiVersion = options.smiApiVersion ?? defaultSmiApiVersion;
  if (!(smiApiVersions as readonly string[]).includes(apiVersion)) {
    throw new TrafficRoutingError({ code: 'InvalidSpec', kind: 'TrafficSplit', namespace: rollout.namespace, name: '', field: 'apiVersion', message: `Unsupported TrafficSplit API version \`${apiVersion}\`` });
  }
  const ref = trafficSplitRef(rollout, apiVersion);
  return {
    type: 'SMI',
    updateHash: () => Promise.resolve(nothing),
    setWeight: (desiredWeight, additional = []) => applyRouterPlan(kube, [ref], ([object]) => planTrafficSplit({ rollout, ref, object, desiredWeight, additional })),
    setHeaderRoute: () => Promise.resolve(nothing),
    setMirrorRoute: () => Promise.resolve(nothing),
    verifyWeight: () => Promise.resolve('notSupported' as const),
    removeManagedRoutes: () => Promise.resolve(nothing),
  };
}
