import { describe, expect, test } from 'vitest';
import { planRollout } from './plan-rollout.js';
import { canaryRollout } from './testing/fixtures.js';
import { observe, runUntilSettled, simulatedCluster, updateSpec } from './testing/simulate.js';

describe('minReadySeconds on the new ReplicaSet', () => {
  test('a change to minReadySeconds alone is written to the existing ReplicaSet, once', () => {
    const cluster = simulatedCluster(canaryRollout({ replicas: 2 }));
    expect(runUntilSettled(cluster).settled).toBe(true);
    updateSpec(cluster, (rolloutSpec) => {
      rolloutSpec.minReadySeconds = 7;
    });
    const plan = planRollout(observe(cluster));
    expect(plan.actions).toEqual([expect.objectContaining({ kind: 'updateReplicaSet', minReadySeconds: 7 })]);
    expect(runUntilSettled(cluster).settled).toBe(true);
    expect(cluster.replicaSets.map((rs) => rs.spec?.minReadySeconds)).toEqual([7]);
    expect(planRollout(observe(cluster)).actions).toEqual([]);
  });
});
