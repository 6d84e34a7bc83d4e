import type { KubeAction, RolloutEvent } from './reconcile-types.js';

/**
 * What the steps of one reconcile decide, in order: the writes and the Events. Owned by the
 * reconcile (Argo's steps write and record as they go, on the rolloutContext); each step adds
 * to it instead of taking an actions and an events array. A later update of the same
 * ReplicaSet joins the earlier one (canary-replica-sets.ts addUpdate), so steps share one list.
 */
export interface PlanCollector {
  readonly actions: KubeAction[];
  readonly events: RolloutEvent[];
}

export function newPlanCollector(): PlanCollector {
  return { actions: [], events: [] };
}
