import type { V1ReplicaSet } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import { isRollbackWithinWindow } from './rollback-window.js';
import { canaryRollout } from './testing/fixtures.js';
import { runUntilSettled, simulatedCluster, updateSpec, type SimulatedCluster } from './testing/simulate.js';

function rs(name: string, createdSecond: number, annotations: Record<string, string> = {}): V1ReplicaSet {
  return { metadata: { name, annotations, creationTimestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, createdSecond)) } };
}

describe('isRollbackWithinWindow', () => {
  const r1 = rs('r1', 1);
  const r2 = rs('r2', 2);
  const r3 = rs('r3', 3);
  const r4 = rs('r4', 4);
  const all = [r1, r2, r3, r4];
  test.each([
    ['no window', undefined, r3, r4, false],
    ['window 0', 0, r3, r4, false],
    ['back one revision, window 1', 1, r3, r4, true],
    ['back two revisions, window 1', 1, r2, r4, false],
    ['back two revisions, window 2', 2, r2, r4, true],
    ['back three revisions, window 3', 3, r1, r4, true],
    ['forward, not a rollback', 3, r4, r3, false],
    ['the stable one itself', 3, r4, r4, false],
  ])('%s', (_name, revisions, newRS, stableRS, expected) => {
    expect(isRollbackWithinWindow({ rollbackWindow: revisions === undefined ? undefined : { revisions } }, all, newRS, stableRS)).toBe(
      expected,
    );
  });

  test('created in the same second: not a rollback (Argo compares creation times strictly)', () => {
    expect(isRollbackWithinWindow({ rollbackWindow: { revisions: 5 } }, all, rs('a', 4), r4)).toBe(false);
  });

  test("an Experiment's ReplicaSets do not count as revisions", () => {
    const experiment = rs('exp', 3, { 'experiment.argoproj.io/name': 'e' });
    expect(isRollbackWithinWindow({ rollbackWindow: { revisions: 1 } }, [r2, experiment, r4], r2, r4)).toBe(true);
  });
});

describe('rollbackWindow through the canary planner', () => {
  const steps = [{ setWeight: 50 }, { pause: {} }];

  function release(cluster: SimulatedCluster, image: string): void {
    updateSpec(cluster, (spec) => {
      const container = spec.template?.spec?.containers?.[0];
      if (container !== undefined) container.image = image;
    });
    runUntilSettled(cluster);
    // Promote past the indefinite pause, as `gradual promote` does.
    if ((cluster.rollout.status?.pauseConditions?.length ?? 0) > 0) {
      const status = { ...(cluster.rollout.status ?? {}) };
      delete status.pauseConditions;
      cluster.rollout.status = status;
      runUntilSettled(cluster);
    }
  }

  function releasedThreeTimes(revisions: number | undefined): SimulatedCluster {
    const rollout = canaryRollout({ replicas: 4, steps });
    if (revisions !== undefined) rollout.spec.rollbackWindow = { revisions };
    const cluster = simulatedCluster(rollout);
    runUntilSettled(cluster);
    release(cluster, 'demo:2');
    release(cluster, 'demo:3');
    expect(cluster.rollout.status?.phase).toBe('Healthy');
    cluster.events.length = 0;
    return cluster;
  }

  function rollBackTo(cluster: SimulatedCluster, image: string): void {
    updateSpec(cluster, (spec) => {
      const container = spec.template?.spec?.containers?.[0];
      if (container !== undefined) container.image = image;
    });
    runUntilSettled(cluster);
  }

  test('within the window the steps are skipped and the old revision becomes stable', () => {
    const cluster = releasedThreeTimes(1);
    rollBackTo(cluster, 'demo:2');
    expect(cluster.rollout.status).toMatchObject({ phase: 'Healthy', currentStepIndex: 2 });
    expect(cluster.rollout.status?.pauseConditions).toBeUndefined();
    expect(cluster.events.find((event) => event.reason === 'RolloutCompleted')?.message).toContain('Rollback within window');
    expect(cluster.events.some((event) => event.reason === 'RolloutPaused' || event.reason === 'RolloutStepCompleted')).toBe(false);
  });

  test('outside the window the rollback runs the steps like any update', () => {
    const cluster = releasedThreeTimes(1);
    rollBackTo(cluster, 'demo:1');
    expect(cluster.rollout.status).toMatchObject({ phase: 'Paused', currentStepIndex: 1 });
  });

  test('without a window the rollback runs the steps', () => {
    const cluster = releasedThreeTimes(undefined);
    rollBackTo(cluster, 'demo:2');
    expect(cluster.rollout.status).toMatchObject({ phase: 'Paused', currentStepIndex: 1 });
  });
});
