import { applyRouterCalls } from './apply-router-plan.js';
import { TrafficRoutingError } from './errors.js';
import { joinPlans } from './plan.js';
import { trafficRouterDecisions } from './routers.js';
import type {
  ObjectRef,
  RouterCall,
  RouterDecisions,
  RouterObjects,
  RouterOperation,
  RouterOptions,
  RouterOutcome,
  RouterPlan,
  RouterRollout,
  TrafficKube,
} from './types.js';

function callsOf(decisions: RouterDecisions, operation: RouterOperation): RouterCall[] {
  switch (operation.op) {
    case 'updateHash':
      return decisions.updateHash(operation.canaryHash, operation.stableHash, operation.additional ?? []);
    case 'setWeight':
      return decisions.setWeight(operation.weight, operation.additional ?? []);
    case 'setHeaderRoute':
      return decisions.setHeaderRoute(operation.route);
    case 'setMirrorRoute':
      return decisions.setMirrorRoute(operation.route);
    case 'removeManagedRoutes':
      return decisions.removeManagedRoutes();
  }
}

/** As Argo's reconcileTrafficRouting: each router in turn takes every operation. A bad config throws TrafficRoutingError. */
export function routerOperationCalls(
  rollout: RouterRollout,
  operations: readonly RouterOperation[],
  options: RouterOptions = {},
): RouterCall[] {
  return trafficRouterDecisions(rollout, options).flatMap((decisions) => operations.flatMap((operation) => callsOf(decisions, operation)));
}

/**
 * The operations decided on the objects as the reconcile sees them, without
 * any I/O: the writes they would send (each call on the objects as read, not
 * as earlier calls would leave them, as a dry run), or the first problem (a
 * VirtualService or route missing, an object another controller owns, a bad
 * router config). The engine's planner turns a problem into InvalidSpec in
 * the same reconcile, before anything is written.
 */
export function planRouterOperations(
  rollout: RouterRollout,
  operations: readonly RouterOperation[],
  objects: RouterObjects,
  options: RouterOptions = {},
): RouterPlan {
  let calls: RouterCall[];
  try {
    calls = routerOperationCalls(rollout, operations, options);
  } catch (error) {
    if (error instanceof TrafficRoutingError) return { ok: false, problem: error.problem };
    throw error;
  }
  const plans: RouterPlan[] = [];
  for (const call of calls) {
    const first = call.refs.map((ref) => objects(ref));
    const plan = call.decide([...first, ...(call.follow?.(first) ?? []).map((ref) => objects(ref))]);
    if (!plan.ok) return plan;
    plans.push(plan);
  }
  return joinPlans(plans);
}

/** The operations for real, through the port: the writes sent and the routers' Events. */
export function applyRouterOperations(
  rollout: RouterRollout,
  operations: readonly RouterOperation[],
  kube: TrafficKube,
  options: RouterOptions = {},
): Promise<RouterOutcome> {
  return applyRouterCalls(kube, routerOperationCalls(rollout, operations, options));
}

/** Every object the Rollout's routers may read (none for a bad config: the planner reports that itself). */
export function routerObjectRefs(rollout: RouterRollout, options: RouterOptions = {}): ObjectRef[] {
  try {
    return trafficRouterDecisions(rollout, options).flatMap((decisions) => decisions.refs());
  } catch (error) {
    if (error instanceof TrafficRoutingError) return [];
    throw error;
  }
}
