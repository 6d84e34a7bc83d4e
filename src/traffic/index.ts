// The traffic area's surface: the router interface, the explicit registry, the
// Kubernetes port the shells write through, and the pure weight reader.
export { createTrafficRouters, configuredRouters, trafficRouters, type RouterFactory, type RouterKey } from './routers.js';
export { routerRollout } from './router-rollout.js';
export { createTrafficKube } from './kube-port.js';
export { applyRouterPlan, conflictAttempts } from './apply-router-plan.js';
export { readRouteWeights } from './read-weights.js';
export { checkRouteSteps, type RouteStep } from './route-step-support.js';
export { TrafficRoutingError, describeProblem } from './errors.js';
export { createIstioRouter } from './istio/index.js';
export { createSmiRouter } from './smi/index.js';
export { createNginxRouter } from './nginx/index.js';
export { createGatewayApiRouter } from './gateway-api/index.js';
export type * from './types.js';
