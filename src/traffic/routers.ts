import { albRouterDecisions } from './alb/index.js';
import { ambassadorRouterDecisions } from './ambassador/index.js';
import { appMeshRouterDecisions } from './appmesh/index.js';
import { apisixRouterDecisions } from './apisix/index.js';
import { bindRouter } from './apply-router-plan.js';
import { gatewayApiRouterDecisions } from './gateway-api/index.js';
import { istioRouterDecisions } from './istio/index.js';
import { nginxRouterDecisions } from './nginx/index.js';
import { smiRouterDecisions } from './smi/index.js';
import { traefikRouterDecisions } from './traefik/index.js';
import type { RouterDecisions, RouterOptions, RouterRollout, TrafficKube, TrafficRouter } from './types.js';

export type RouterFactory = (rollout: RouterRollout, kube: TrafficKube, options: RouterOptions) => TrafficRouter;

/** A router's pure side: its calls as data, built from the Rollout (a bad config throws TrafficRoutingError). */
export type RouterDecisionsFactory = (rollout: RouterRollout, options: RouterOptions) => RouterDecisions;

/** Which routers a Rollout's trafficRouting asks for. */
export type RouterKey = 'istio' | 'nginx' | 'alb' | 'smi' | 'ambassador' | 'appMesh' | 'traefik' | 'apisix' | 'gatewayAPI';

/** Every router, registered here and nowhere else; a new router is one folder and one line. */
export const routerDecisions: Readonly<Record<RouterKey, RouterDecisionsFactory>> = {
  istio: istioRouterDecisions,
  nginx: (rollout) => nginxRouterDecisions(rollout),
  alb: (rollout) => albRouterDecisions(rollout),
  smi: smiRouterDecisions,
  ambassador: ambassadorRouterDecisions,
  appMesh: (rollout) => appMeshRouterDecisions(rollout),
  traefik: (rollout) => traefikRouterDecisions(rollout),
  apisix: (rollout) => apisixRouterDecisions(rollout),
  gatewayAPI: (rollout) => gatewayApiRouterDecisions(rollout),
};

/** The routers bound to a Kubernetes port (read → decide → write), one per key. */
export const trafficRouters: Readonly<Record<RouterKey, RouterFactory>> = {
  istio: (rollout, kube, options) => bindRouter(routerDecisions.istio(rollout, options), kube),
  nginx: (rollout, kube, options) => bindRouter(routerDecisions.nginx(rollout, options), kube),
  alb: (rollout, kube, options) => bindRouter(routerDecisions.alb(rollout, options), kube),
  smi: (rollout, kube, options) => bindRouter(routerDecisions.smi(rollout, options), kube),
  ambassador: (rollout, kube, options) => bindRouter(routerDecisions.ambassador(rollout, options), kube),
  appMesh: (rollout, kube, options) => bindRouter(routerDecisions.appMesh(rollout, options), kube),
  traefik: (rollout, kube, options) => bindRouter(routerDecisions.traefik(rollout, options), kube),
  apisix: (rollout, kube, options) => bindRouter(routerDecisions.apisix(rollout, options), kube),
  gatewayAPI: (rollout, kube, options) => bindRouter(routerDecisions.gatewayAPI(rollout, options), kube),
};

/** In Argo's order (NewTrafficRoutingReconciler: istio, nginx, alb, smi, ambassador, appMesh, traefik, apisix, then plugins). */
const order: readonly RouterKey[] = ['istio', 'nginx', 'alb', 'smi', 'ambassador', 'appMesh', 'traefik', 'apisix', 'gatewayAPI'];

/** The keys configured in the Rollout; Argo's Gateway API plugin config counts as `gatewayAPI`. */
export function configuredRouters(rollout: RouterRollout): RouterKey[] {
  const routing = rollout.trafficRouting;
  const present: Record<RouterKey, boolean> = {
    istio: routing.istio !== undefined,
    nginx: routing.nginx !== undefined,
    alb: routing.alb !== undefined,
    smi: routing.smi !== undefined,
    ambassador: routing.ambassador !== undefined,
    appMesh: routing.appMesh !== undefined,
    traefik: routing.traefik !== undefined,
    apisix: routing.apisix !== undefined,
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

/** The routers' decisions for a Rollout, in the same order; a bad config throws TrafficRoutingError. */
export function trafficRouterDecisions(rollout: RouterRollout, options: RouterOptions = {}): RouterDecisions[] {
  return configuredRouters(rollout).map((key) => routerDecisions[key](rollout, options));
}
