import { bindRouter } from '../apply-router-plan.js';
import { invalidRolloutSpec } from '../errors.js';
import type { RouterDecisions, RouterRollout, TrafficKube, TrafficRouter } from '../types.js';
import { canaryIngressName, ingressRef, planCanaryIngress } from './canary-ingress.js';

/**
 * The NGINX Ingress router's decisions (Argo's rollout/trafficrouting/nginx/nginx.go):
 * one canary Ingress per stable Ingress (stableIngresses, else stableIngress).
 * Header and mirror routes are no-ops, as in Argo, whose validation refuses
 * those steps with NGINX (route-step-support.ts).
 */
export function nginxRouterDecisions(rollout: RouterRollout): RouterDecisions {
  const nginx = rollout.trafficRouting.nginx;
  const stableNames = nginx?.stableIngresses ?? (nginx?.stableIngress === undefined ? [] : [nginx.stableIngress]);
  if (stableNames.length === 0) {
    throw invalidRolloutSpec(
      rollout,
      'spec.strategy.canary.trafficRouting.nginx.stableIngress',
      'stableIngress or stableIngresses must be set',
    );
  }
  const pairs = stableNames.map((stableName) => ({
    stableRef: ingressRef(rollout.namespace, stableName),
    canaryRef: ingressRef(rollout.namespace, canaryIngressName(rollout.name, stableName)),
  }));
  return {
    type: 'Nginx',
    refs: () => pairs.flatMap(({ stableRef, canaryRef }) => [stableRef, canaryRef]),
    updateHash: () => [],
    setWeight: (desiredWeight) =>
      pairs.map(({ stableRef, canaryRef }) => ({
        refs: [stableRef, canaryRef],
        decide: ([stable, canary]) => planCanaryIngress({ rollout, stableRef, stable, canaryRef, canary, desiredWeight }),
      })),
    setHeaderRoute: () => [],
    setMirrorRoute: () => [],
    verifyWeight: () => 'notSupported',
    removeManagedRoutes: () => [],
  };
}

/** The NGINX Ingress router's shell. */
export function createNginxRouter(rollout: RouterRollout, kube: TrafficKube): TrafficRouter {
  return bindRouter(nginxRouterDecisions(rollout), kube);
}
