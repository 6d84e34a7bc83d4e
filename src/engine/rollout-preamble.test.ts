import { describe, expect, test } from 'vitest';
import { planRollout } from './plan-rollout.js';
import { canaryRollout } from './testing/fixtures.js';
import { observe, reconcileOnce, runUntilSettled, simulatedCluster, updateSpec } from './testing/simulate.js';

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

describe("the Rollout's own revision annotation (Argo's setRolloutRevision)", () => {
  const revisionOfRollout = (cluster: ReturnType<typeof simulatedCluster>): string | undefined =>
    cluster.rollout.metadata?.annotations?.['rollout.argoproj.io/revision'];

  test('follows each new ReplicaSet, written with its creation and before the status', () => {
    const cluster = simulatedCluster(canaryRollout({ replicas: 2 }));
    expect(runUntilSettled(cluster).settled).toBe(true);
    expect(revisionOfRollout(cluster)).toBe('1');
    updateSpec(cluster, (rolloutSpec) => {
      const container = rolloutSpec.template?.spec?.containers?.[0];
      if (container !== undefined) container.image = 'demo:2';
    });
    const plan = planRollout(observe(cluster));
    expect(plan.actions).toEqual([
      expect.objectContaining({ kind: 'createReplicaSet' }),
      { kind: 'setRolloutRevision', revision: '2', resourceVersion: '' },
    ]);
    expect(plan.events.map((event) => event.reason)).toEqual(['RolloutUpdated', 'NewReplicaSetCreated']);
  });

  test('a fast rollback: the ReplicaSet takes the next revision first, the Rollout follows in the next reconcile, before its scaling', () => {
    const cluster = simulatedCluster(canaryRollout({ replicas: 2 }));
    expect(runUntilSettled(cluster).settled).toBe(true);
    const setImage = (image: string): void => {
      updateSpec(cluster, (rolloutSpec) => {
        const container = rolloutSpec.template?.spec?.containers?.[0];
        if (container !== undefined) container.image = image;
      });
    };
    setImage('demo:2');
    runUntilSettled(cluster);
    expect(cluster.rollout.status?.phase).toBe('Paused');
    expect(revisionOfRollout(cluster)).toBe('2');
    setImage('demo:1');
    const revisionSync = reconcileOnce(cluster);
    expect(revisionSync.actions).toEqual([
      expect.objectContaining({
        kind: 'updateReplicaSet',
        annotations: expect.objectContaining({ 'rollout.argoproj.io/revision': '3' }) as unknown,
      }),
    ]);
    expect(revisionOfRollout(cluster)).toBe('2');
    const next = reconcileOnce(cluster);
    expect(next.actions[0]).toEqual({ kind: 'setRolloutRevision', revision: '3', resourceVersion: '' });
    expect(revisionOfRollout(cluster)).toBe('3');
    expect(runUntilSettled(cluster).settled).toBe(true);
    expect(cluster.plans.flatMap((plan) => plan.actions).filter((action) => action.kind === 'setRolloutRevision')).toHaveLength(3);
  });

  test('a Rollout that lacks it (written by an older controller) gets it on its next reconcile; a settled one costs nothing', () => {
    const cluster = simulatedCluster(canaryRollout({ replicas: 2 }));
    expect(runUntilSettled(cluster).settled).toBe(true);
    expect(planRollout(observe(cluster)).actions).toEqual([]);
    cluster.rollout.metadata = { ...cluster.rollout.metadata, annotations: {} };
    expect(planRollout(observe(cluster)).actions).toEqual([{ kind: 'setRolloutRevision', revision: '1', resourceVersion: '' }]);
  });
});
