import { bindRouter } from '../apply-router-plan.js';
import { invalidRolloutSpec } from '../errors.js';
import { ingressRef } from '../nginx/canary-ingress.js';
import type { RouterCall, RouterDecisions, RouterRollout, TrafficKube, TrafficRouter } from '../types.js';
import { planAlbHeaderRoute, planAlbRemoveRoutes, planAlbWeight } from './alb-ingress.js';

const albPath = 'spec.strategy.canary.trafficRouting.alb';

/**
 * The AWS ALB router's decisions (Argo's rollout/trafficrouting/alb/alb.go):
 * action and condition annotations on each Ingress (`ingresses`, else
 * `ingress`) that the AWS Load Balancer Controller turns into weighted target
 * groups and header rules. Mirror routes and hashes are no-ops. Target-group
 * verification needs AWS: Argo's switch (--alb-verify-weight) is off by
 * default and refused by Gradual (src/cli/argo-flags.ts), so the weight is
 * not verified (Argo's nil).
 */
export function albRouterDecisions(rollout: RouterRollout): RouterDecisions {
  const alb = rollout.trafficRouting.alb;
  const names = alb?.ingresses ?? (alb?.ingress === undefined || alb.ingress === '' ? [] : [alb.ingress]);
  if (alb === undefined || names.length === 0) throw invalidRolloutSpec(rollout, `${albPath}.ingress`, 'ingress or ingresses must be set');
  const stickiness = alb.stickinessConfig;
  if (stickiness?.enabled === true && (stickiness.durationSeconds < 1 || stickiness.durationSeconds > 604800))
    throw invalidRolloutSpec(
      rollout,
      `${albPath}.stickinessConfig.durationSeconds`,
      "TargetGroupStickinessConfig's duration must be between 1 and 604800 seconds (7 days)!",
    );
  const refs = names.map((name) => ingressRef(rollout.namespace, name));
  const perIngress = (
    decide: (ref: (typeof refs)[number], object: Parameters<RouterCall['decide']>[0][number]) => ReturnType<RouterCall['decide']>,
  ): RouterCall[] => refs.map((ref) => ({ refs: [ref], decide: ([object]) => decide(ref, object) }));
  return {
    type: 'ALB',
    refs: () => refs,
    updateHash: () => [],
    setWeight: (desiredWeight, additional = []) =>
      perIngress((ref, object) => planAlbWeight({ rollout, alb, ref, object, desiredWeight, additional })),
    setHeaderRoute: (route) => perIngress((ref, object) => planAlbHeaderRoute({ rollout, alb, ref, object, route })),
    setMirrorRoute: () => [],
    verifyWeight: () => 'notSupported',
    removeManagedRoutes: () => perIngress((ref, object) => planAlbRemoveRoutes({ rollout, alb, ref, object })),
  };
}

/** The ALB router's shell. */
export function createAlbRouter(rollout: RouterRollout, kube: TrafficKube): TrafficRouter {
  return bindRouter(albRouterDecisions(rollout), kube);
}
