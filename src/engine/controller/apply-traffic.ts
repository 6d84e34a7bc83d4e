import type { Rollout } from '../../api/index.js';
import { createTrafficRouters, routerRollout, TrafficRoutingError, type RouterOptions, type RouterOutcome, type RouterProblem, type TrafficKube, type TrafficRouter } from '../../traffic/index.js';
import type { TrafficOperation } from '../reconcile-types.js';

/** Runs a plan's routeTraffic operations on the Rollout's routers (src/traffic). */
export interface TrafficApplier {
  /**
   * The operations against reads only (writes dropped): the first problem a
   * router finds (a VirtualService or route missing, an object owned by
   * another controller), or undefined. Run before anything of the plan is
   * written, so a bad reference modifies nothing.
   */
  check(rollout: Rollout, operations: readonly TrafficOperation[]): Promise<RouterProblem | undefined>;
  /** The operations for real: the writes sent and the routers' Events. */
  apply(rollout: Rollout, operations: readonly TrafficOperation[]): Promise<RouterOutcome>;
}

function call(router: TrafficRouter, operation: TrafficOperation): Promise<RouterOutcome> {
  switch (operation.op) {
    case 'updateHash':
      return router.updateHash(operation.canaryHash, operation.stableHash);
    case 'setWeight':
      return router.setWeight(operation.weight);
    case 'setHeaderRoute':
      return router.setHeaderRoute(operation.route);
    case 'setMirrorRoute':
      return router.setMirrorRoute(operation.route);
    case 'removeManagedRoutes':
      return router.removeManagedRoutes();
  }
}

async function run(rollout: Rollout, operations: readonly TrafficOperation[], kube: TrafficKube, options: RouterOptions): Promise<RouterOutcome> {
  const parsed = routerRollout(rollout);
  if (!parsed.ok) throw new TrafficRoutingError(parsed.problem);
  let writes = 0;
  const events: RouterOutcome['events'] = [];
  // As Argo's reconcileTrafficRouting: each router in turn takes every call.
  for (const router of createTrafficRouters(parsed.value, kube, options)) {
    for (const operation of operations) {
      const outcome = await call(router, operation);
      writes += outcome.writes;
      events.push(...outcome.events);
    }
  }
  return { writes, events };
}

export function createTrafficApplier(kube: TrafficKube, options: RouterOptions = {}): TrafficApplier {
  const readOnly: TrafficKube = { read: (ref) => kube.read(ref), write: () => Promise.resolve() };
  return {
    async check(rollout, operations) {
      try {
        await run(rollout, operations, readOnly, options);
        return undefined;
      } catch (error) {
        if (error instanceof TrafficRoutingError) return error.problem;
        throw error;
      }
    },
    apply: (rollout, operations) => run(rollout, operations, kube, options),
  };
}
