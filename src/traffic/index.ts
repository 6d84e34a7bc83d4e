// The traffic area's surface: the router interface, the explicit registry, the
// Kubernetes port the shells write through, and the pure weight reader.
export {
  createTrafficRouters,
  configuredRouters,
  trafficRouters,
  routerDecisions,
  trafficRouterDecisions,
  type RouterFactory,
  type RouterDecisionsFactory,
  type RouterKey,
} from './routers.js';
export { applyRouterOperations, planRouterOperations, routerObjectRefs, routerOperationCalls } from './router-operations.js';
export { createCachedTrafficKube, type CachedTrafficKube, type RouterObjectCache } from './cached-kube.js';
export { routerRollout } from './router-rollout.js';
export { createTrafficKube } from './kube-port.js';
export { applyRouterPlan, applyRouterCalls, bindRouter, conflictAttempts } from './apply-router-plan.js';
export { readRouteWeights } from './read-weights.js';
export { checkRouteSteps, type RouteStep } from './route-step-support.js';
export { TrafficRoutingError, describeProblem } from './errors.js';
export { createIstioRouter, istioRouterDecisions } from './istio/index.js';
export { createSmiRouter, smiRouterDecisions } from './smi/index.js';
export { createNginxRouter, nginxRouterDecisions } from './nginx/index.js';
export { createGatewayApiRouter, gatewayApiRouterDecisions } from './gateway-api/index.js';
export { createTraefikRouter, traefikRouterDecisions } from './traefik/index.js';
export { createApisixRouter, apisixRouterDecisions } from './apisix/index.js';
export { createAlbRouter, albRouterDecisions } from './alb/index.js';
export { createAmbassadorRouter, ambassadorRouterDecisions } from './ambassador/index.js';
export { createAppMeshRouter, appMeshRouterDecisions } from './appmesh/index.js';
export type * from './types.js';
