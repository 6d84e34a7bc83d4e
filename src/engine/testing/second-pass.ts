import { expect } from 'vitest';
import { planRollout } from '../plan-rollout.js';
import { observe, type SimulatedCluster } from './simulate.js';

/** A settled cluster is a fixed point: planning it again changes nothing, emits nothing and writes the same status. */
export function expectSecondPassChangesNothing(cluster: SimulatedCluster): void {
  const observation = observe(cluster);
  const plan = planRollout(observation);
  expect(plan.actions).toEqual([]);
  expect(plan.events).toEqual([]);
  expect(plan.status).toEqual(observation.rollout.status);
}

/** The Rollout's conditions as `type → status/reason`, the way Argo's tests compare them. */
export function conditionsByType(cluster: SimulatedCluster): Record<string, string> {
  return Object.fromEntries(
    (cluster.rollout.status?.conditions ?? []).map((condition) => [condition.type, `${condition.status}/${condition.reason ?? ''}`]),
  );
}
