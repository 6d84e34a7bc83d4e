import type { IstioVirtualServiceRef } from '../../api/traffic-routing.js';
import { applyRouterPlan, sumOutcomes } from '../apply-router-plan.js';
import { invalidRolloutSpec } from '../errors.js';
import type { ObjectRef, RouterOptions, RouterOutcome, RouterRollout, TrafficKube, TrafficRouter } from '../types.js';
import { planDestinationRuleHashes } from './destination-rule.js';
import { defaultIstioApiVersion, destinationRuleRef, virtualServiceRef } from './refs.js';
import { planRemoveManagedRoutes, planVirtualServiceHeaderRoute, planVirtualServiceMirrorRoute } from './virtual-service-routes.js';
import { planVirtualServiceWeight } from './virtual-service-weights.js';

/** Argo's `virtualServices` when set, else its single `virtualService`; neither is an InvalidSpec on the Rollout. */
function virtualServices(rollout: RouterRollout): IstioVirtualServiceRef[] {
  const istio = rollout.trafficRouting.istio;
  const list = istio?.virtualServices ?? (istio?.virtualService === undefined ? [] : [istio.virtualService]);
  if (list.length === 0) {
    throw invalidRolloutSpec(rollout, 'spec.strategy.canary.trafficRouting.istio', 'either virtualService or virtualServices must be set');
  }
  return list;
}

/**
 * The Istio router's shell (Argo's rollout/trafficrouting/istio/istio.go):
 * each VirtualService in turn, and the DestinationRule for subset-level
 * splitting, through read → pure plan → conditional write.
 */
export function createIstioRouter(rollout: RouterRollout, kube: TrafficKube, options: RouterOptions = {}): TrafficRouter {
  const apiVersion = options.istioApiVersion ?? defaultIstioApiVersion;
  const references = virtualServices(rollout);
  const ruleName = rollout.trafficRouting.istio?.destinationRule?.name;
  const ruleRef = ruleName === undefined ? undefined : destinationRuleRef(rollout, ruleName, apiVersion);

  async function eachVirtualService(run: (reference: IstioVirtualServiceRef, ref: ObjectRef) => Promise<RouterOutcome>): Promise<RouterOutcome> {
    const outcomes: RouterOutcome[] = [];
    for (const reference of references) outcomes.push(await run(reference, virtualServiceRef(rollout, reference.name, apiVersion)));
    return sumOutcomes(outcomes);
  }

  function withRule(ref: ObjectRef): ObjectRef[] {
    return ruleRef === undefined ? [ref] : [ref, ruleRef];
  }

  return {
    type: 'Istio',
    async updateHash(canaryHash, stableHash, additional = []) {
      if (ruleRef === undefined) return { writes: 0, events: [] };
      return applyRouterPlan(kube, [ruleRef], ([object]) => planDestinationRuleHashes({ rollout, ref: ruleRef, object, canaryHash, stableHash, additional }));
    },
    setWeight(desiredWeight, additional = []) {
      return eachVirtualService((reference, ref) =>
        applyRouterPlan(kube, [ref], ([object]) => planVirtualServiceWeight({ rollout, reference, ref, object, desiredWeight, additional })),
      );
    },
    setHeaderRoute(step) {
      return eachVirtualService((reference, ref) =>
        applyRouterPlan(kube, withRule(ref), ([object, rule]) =>
          planVirtualServiceHeaderRoute({ rollout, reference, ref, object, ...(ruleRef === undefined ? {} : { destinationRule: { ref: ruleRef, object: rule } }) }, step),
        ),
      );
    },
    setMirrorRoute(step) {
      return eachVirtualService((reference, ref) =>
        applyRouterPlan(kube, withRule(ref), ([object, rule]) =>
          planVirtualServiceMirrorRoute({ rollout, reference, ref, object, ...(ruleRef === undefined ? {} : { destinationRule: { ref: ruleRef, object: rule } }) }, step),
        ),
      );
    },
    // Argo's Istio router cannot tell whether the mesh applied a weight.
    verifyWeight() {
      return Promise.resolve('notSupported' as const);
    },
    removeManagedRoutes() {
      return eachVirtualService((_reference, ref) => applyRouterPlan(kube, [ref], ([object]) => planRemoveManagedRoutes({ rollout, ref, object })));
    },
  };
}
