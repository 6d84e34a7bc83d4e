import type { IstioVirtualServiceRef } from '../../api/traffic-routing.js';
import { bindRouter } from '../apply-router-plan.js';
import { invalidRolloutSpec } from '../errors.js';
import type { ObjectRef, RouterCall, RouterDecisions, RouterOptions, RouterRollout, TrafficKube, TrafficRouter } from '../types.js';
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
 * The Istio router's decisions (Argo's rollout/trafficrouting/istio/istio.go):
 * each VirtualService in turn, and the DestinationRule for subset-level
 * splitting, as read → pure plan calls.
 */
export function istioRouterDecisions(rollout: RouterRollout, options: RouterOptions = {}): RouterDecisions {
  const apiVersion = options.istioApiVersion ?? defaultIstioApiVersion;
  const references = virtualServices(rollout);
  const ruleName = rollout.trafficRouting.istio?.destinationRule?.name;
  const ruleRef = ruleName === undefined ? undefined : destinationRuleRef(rollout, ruleName, apiVersion);

  function eachVirtualService(call: (reference: IstioVirtualServiceRef, ref: ObjectRef) => RouterCall): RouterCall[] {
    return references.map((reference) => call(reference, virtualServiceRef(rollout, reference.name, apiVersion)));
  }

  function withRule(ref: ObjectRef): ObjectRef[] {
    return ruleRef === undefined ? [ref] : [ref, ruleRef];
  }

  return {
    type: 'Istio',
    refs: () => [
      ...references.map((reference) => virtualServiceRef(rollout, reference.name, apiVersion)),
      ...(ruleRef === undefined ? [] : [ruleRef]),
    ],
    updateHash(canaryHash, stableHash, additional = []) {
      if (ruleRef === undefined) return [];
      return [
        {
          refs: [ruleRef],
          decide: ([object]) => planDestinationRuleHashes({ rollout, ref: ruleRef, object, canaryHash, stableHash, additional }),
        },
      ];
    },
    setWeight(desiredWeight, additional = []) {
      return eachVirtualService((reference, ref) => ({
        refs: [ref],
        decide: ([object]) => planVirtualServiceWeight({ rollout, reference, ref, object, desiredWeight, additional }),
      }));
    },
    setHeaderRoute(step) {
      return eachVirtualService((reference, ref) => ({
        refs: withRule(ref),
        decide: ([object, rule]) =>
          planVirtualServiceHeaderRoute(
            { rollout, reference, ref, object, ...(ruleRef === undefined ? {} : { destinationRule: { ref: ruleRef, object: rule } }) },
            step,
          ),
      }));
    },
    setMirrorRoute(step) {
      return eachVirtualService((reference, ref) => ({
        refs: withRule(ref),
        decide: ([object, rule]) =>
          planVirtualServiceMirrorRoute(
            { rollout, reference, ref, object, ...(ruleRef === undefined ? {} : { destinationRule: { ref: ruleRef, object: rule } }) },
            step,
          ),
      }));
    },
    // Argo's Istio router cannot tell whether the mesh applied a weight.
    verifyWeight: () => 'notSupported',
    removeManagedRoutes() {
      return eachVirtualService((_reference, ref) => ({
        refs: [ref],
        decide: ([object]) => planRemoveManagedRoutes({ rollout, ref, object }),
      }));
    },
  };
}

/** The Istio router's shell: its decisions through read → pure plan → conditional write. */
export function createIstioRouter(rollout: RouterRollout, kube: TrafficKube, options: RouterOptions = {}): TrafficRouter {
  return bindRouter(istioRouterDecisions(rollout, options), kube);
}
