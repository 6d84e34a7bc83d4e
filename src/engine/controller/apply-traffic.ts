import type { Rollout } from '../../api/index.js';
import {
  applyRouterOperations,
  routerRollout,
  TrafficRoutingError,
  type RouterOptions,
  type RouterOutcome,
  type TrafficKube,
} from '../../traffic/index.js';
import type { TrafficOperation } from '../reconcile-types.js';

/** Runs a plan's routeTraffic operations on the Rollout's routers (src/traffic). */
export interface TrafficApplier {
  /**
   * The operations for real: the writes sent and the routers' Events. The
   * planner has already decided them on the same objects (planRouterOperations),
   * so a bad reference was refused before anything of the plan was written.
   */
  apply(rollout: Rollout, operations: readonly TrafficOperation[]): Promise<RouterOutcome>;
}

export function createTrafficApplier(kube: TrafficKube, options: RouterOptions = {}): TrafficApplier {
  return {
    apply(rollout, operations) {
      const parsed = routerRollout(rollout);
      if (!parsed.ok) throw new TrafficRoutingError(parsed.problem);
      return applyRouterOperations(parsed.value, operations, kube, options);
    },
  };
}
