import { applyRouterPlan, sumOutcomes } from '../apply-router-plan.js';
import { invalidRolloutSpec } from '../errors.js';
import type { RouterOutcome, RouterRollout, TrafficKube, TrafficRouter } from '../types.js';
import { canaryIngressName, ingressRef, planCanaryIngress } from './canary-ingress.js';

const nothing = { writes: 0, events: [] };

/**
 * The NGINX Ingress router's shell (Argo's rollout/trafficrouting/nginx/nginx.go):
 * one canary Ingress per stable Ingress (stableIngresses, else stableIngress).
 * Header and mirror routes are no-ops, as in Argo, whose validation refuses
 * those steps with NGINX (route-step-support.ts).
 */
export function createNginxRouter(rollout: RouterRollout, kube: TrafficKube): TrafficRouter {
  const nginx = rollout.trafficRouting.nginx;
  const stableNames = nginx?.stableIngresses ?? (nginx?.stableIngress === undefined ? [] : [nginx.stableIngress]);
  if (stableNames.length === 0) {
    throw invalidRolloutSpec(rollout, 'spec.strategy.canary.trafficRouting.nginx.stableIngress', 'stableIngress or stableIngresses must be set');
  }
  return {
    type: 'Nginx',
    updateHash: () => Promise.resolve(nothing),
    async setWeight(desiredWeight) {
      const outcomes: RouterOutcome[] = [];
      for (const stableName of stableNames) {
        const stableRef = ingressRef(rollout.namespace, stableName);
        const canaryRef = ingressRef(rollout.namespace, canaryIngressName(rollout.name, stableName));
        outcomes.push(await applyRouterPlan(kube, [stableRef, canaryRef], ([stable, canary]) => planCanaryIngress({ rollout, stableRef, stable, canaryRef, canary, desiredWeight })));
      }
      return sumOutcomes(outcomes);
    },
    setHeaderRoute: () => Promise.resolve(nothing),
    setMirrorRoute: () => Promise.resolve(nothing),
    verifyWeight: () => Promise.resolve('notSupported' as const),
    removeManagedRoutes: () => Promise.resolve(nothing),
  };
}
