import { createGatewayApiRouter } from './gateway-api/index.js';
import { createIstioRouter } from './istio/index.js';
import { createNginxRouter } from './nginx/index.js';
import { createSmiRouter } from './smi/index.js';
import type { RouterOptions, RouterRollout, TrafficKube, TrafficRouter } from './types.js';

export type RouterFactory = (rollout: RouterRollout, kube: TrafficKube, options: RouterOptions) => TrafficRouter;

/** Which routers a Rollout's trafficRouting asks for. */
export type RouterKey = 'istio' | 'nginx' | 'smi' | 'gatewayAPI';

/** Every router, registered here and nowhere else; a new router is one folder and one line. */
export const trafficRouters: Readonly<Record<RouterKey, RouterFactory>> = {
  istio: createIstioRouter,
  nginx: (rollout, kube) => createNginxRouter(rollout, kube),
  smi: createSmiRouter,
  gatewayAPI: (rollout, kube) => createGatewayApiRouter(rollout, kube),
};

/** In Argo's order (NewTrafficRoutingReconciler: istio, nginx, smi, then plugins). */
const order: readonly RouterKey[] = ['istio', 'nginx', 'smi', 'gatewayAPI'];

/** The keys configured in the Rollout; Argo's Gateway API plugin config counts as `gatewayAPI`. */
export function configuredRouters(rollout: RouterRollout): RouterKey[] {
  const routing = rollout.trafficRouting;
  const present: Record<RouterKey, boolean> = {
    istio: routing.istio !== undefined,
    nginx: routing.nginx !== undefined,
    smi: routing.smi !== undefined,
    gatewayAPI: routing.gatewayAPI !== undefined || routing.plugins !== undefined,
  };
  return order.filter((key) => present[key]);
}

/**
 * The routers for a Rollout, as Argo's NewTrafficRoutingReconciler builds
 * them: one per configured router, all driven on every step. A bad config
 * throws TrafficRoutingError (InvalidSpec) naming the Rollout field.
 */
export function createTrafficRouters(rollout: RouterRollout, kube: TrafficKube, options: RouterOptions = {}): TrafficRouter[] {
  return configuredRouters(rollout).map((key) => trafficRouters[key](rollout, kube, options));
}
