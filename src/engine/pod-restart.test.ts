import type { V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import { withDefaults, type RolloutSpec } from '../api/index.js';
import { planRollout } from './plan-rollout.js';
import { isPodAvailable, needsRestart, planPodRestart, restartWakeUpMs } from './pod-restart.js';
import { canaryRollout } from './testing/fixtures.js';
import { observe, podsOf, runUntilSettled, simulatedCluster, updateSpec, type SimulatedCluster } from './testing/simulate.js';

const NOW = new Date('2026-01-01T01:00:00Z');
const RESTART_AT = '2026-01-01T00:30:00Z';
const BEFORE = new Date('2026-01-01T00:10:00Z');
const AFTER = new Date('2026-01-01T00:40:00Z');

function replicaSet(name: string, replicas: number): V1ReplicaSet {
  return { metadata: { name, uid: `uid-${name}`, creationTimestamp: new Date('2026-01-01T00:00:00Z') }, spec: { replicas, selector: {} } };
}

function pod(name: string, owner: string, created: Date, options: { ready?: boolean; deleting?: boolean } = {}): V1Pod {
  return {
    metadata: {
      name,
      creationTimestamp: created,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: `uid-${owner}`, controller: true }],
      ...(options.deleting === true ? { deletionTimestamp: NOW } : {}),
    },
    status: { conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True', lastTransitionTime: created }] },
  };
}

function spec(change: Partial<RolloutSpec> = {}, canary: Record<string, unknown> = {}) {
  const base = canaryRollout({ replicas: 4 }).spec;
  return withDefaults({ ...base, restartAt: RESTART_AT, ...change, strategy: { canary: { ...base.strategy?.canary, ...canary } } });
}

describe('needsRestart and restartWakeUpMs', () => {
  test.each([
    ['no restartAt', undefined, undefined, false],
    ['restartAt passed, never restarted', RESTART_AT, undefined, true],
    ['restartAt passed, an older restart recorded', RESTART_AT, '2026-01-01T00:00:00Z', true],
    ['restartAt passed and recorded', RESTART_AT, RESTART_AT, false],
    ['restartAt ahead', '2026-01-01T02:00:00Z', undefined, false],
  ])('%s', (_name, restartAt, restartedAt, expected) => {
    expect(needsRestart({ restartAt }, restartedAt === undefined ? {} : { restartedAt }, NOW)).toBe(expected);
  });

  test('a restart ahead wakes the rollout at its instant, a passed one does not', () => {
    expect(restartWakeUpMs({ restartAt: '2026-01-01T01:00:30Z' }, NOW)).toBe(30_000);
    expect(restartWakeUpMs({ restartAt: RESTART_AT }, NOW)).toBeUndefined();
  });
});

describe('isPodAvailable', () => {
  test.each([
    ['ready, no minReadySeconds', pod('p', 'rs', BEFORE), 0, true],
    ['not ready', pod('p', 'rs', BEFORE, { ready: false }), 0, false],
    ['terminating', pod('p', 'rs', BEFORE, { deleting: true }), 0, false],
    ['ready long enough', pod('p', 'rs', new Date(NOW.getTime() - 10_000)), 10, true],
    ['ready too recently', pod('p', 'rs', new Date(NOW.getTime() - 9_000)), 10, false],
  ])('%s', (_name, candidate, minReadySeconds, expected) => {
    expect(isPodAvailable(candidate, minReadySeconds, NOW)).toBe(expected);
  });
});

describe('planPodRestart', () => {
  const stable = replicaSet('demo-stable', 4);
  const fourOld = ['a', 'b', 'c', 'd'].map((name) => pod(`demo-stable-${name}`, 'demo-stable', BEFORE));

  test.each([
    // 4 replicas, maxUnavailable 25 % = 1: one pod at a time.
    ['all old, all available: one eviction', spec(), fourOld, ['demo-stable-a']],
    // maxUnavailable 2: two at once.
    ['maxUnavailable 2: two evictions', spec({}, { maxUnavailable: 2 }), fourOld, ['demo-stable-a', 'demo-stable-b']],
    // maxUnavailable 0 still restarts, one at a time.
    ['maxUnavailable 0: still one eviction', spec({}, { maxUnavailable: 0, maxSurge: 1 }), fourOld, ['demo-stable-a']],
    // One replacement is not ready yet: the budget is spent.
    [
      'a replacement not ready yet: none',
      spec(),
      [pod('demo-stable-new', 'demo-stable', AFTER, { ready: false }), ...fourOld.slice(1)],
      [],
    ],
    // A terminating pod is never evicted again, and counts as unavailable.
    [
      'a pod terminating: none',
      spec({}, { maxUnavailable: 2 }),
      [pod('demo-stable-a', 'demo-stable', BEFORE, { deleting: true }), ...fourOld.slice(1)],
      ['demo-stable-b'],
    ],
  ])('%s', (_name, rolloutSpec, pods, evicted) => {
    const decision = planPodRestart({ spec: rolloutSpec, all: [stable], stableRS: stable, newRS: stable, pods, now: NOW }, {});
    const names = decision.kind === 'evict' ? decision.actions.map((action) => (action.kind === 'evictPod' ? action.name : '')) : [];
    expect(names).toEqual(evicted);
    if (evicted.length === 0) expect(decision).toEqual({ kind: 'waiting', requeueAfterMs: 30_000 });
  });

  test('the stable ReplicaSet goes first, then the new one', () => {
    const canary = replicaSet('demo-canary', 1);
    const older = replicaSet('demo-older', 1);
    const stable = replicaSet('demo-stable', 1);
    const pods = [
      pod('demo-canary-a', 'demo-canary', BEFORE),
      pod('demo-older-a', 'demo-older', BEFORE),
      pod('demo-stable-z', 'demo-stable', BEFORE),
    ];
    const decision = planPodRestart(
      { spec: spec({ replicas: 3 }, { maxUnavailable: 3 }), all: [older, canary, stable], stableRS: stable, newRS: canary, pods, now: NOW },
      {},
    );
    expect(decision.kind === 'evict' ? decision.actions.map((action) => (action.kind === 'evictPod' ? action.name : '')) : []).toEqual([
      'demo-stable-z',
      'demo-canary-a',
      'demo-older-a',
    ]);
  });

  test('every pod newer than restartAt: done, with restartAt to record', () => {
    const pods = ['a', 'b', 'c', 'd'].map((name) => pod(`demo-stable-${name}`, 'demo-stable', AFTER));
    expect(planPodRestart({ spec: spec(), all: [stable], stableRS: stable, newRS: stable, pods, now: NOW }, {})).toEqual({
      kind: 'done',
      restartedAt: RESTART_AT,
    });
  });

  test('a pod created exactly at restartAt is current', () => {
    const pods = ['a', 'b', 'c', 'd'].map((name) => pod(`demo-stable-${name}`, 'demo-stable', new Date(RESTART_AT)));
    expect(planPodRestart({ spec: spec(), all: [stable], stableRS: stable, newRS: stable, pods, now: NOW }, {}).kind).toBe('done');
  });
});

describe('restartAt through the planner', () => {
  function settled(): SimulatedCluster {
    const cluster = simulatedCluster(canaryRollout({ replicas: 4 }), { readyAfterMs: 5_000 });
    expect(runUntilSettled(cluster).settled).toBe(true);
    cluster.events.length = 0;
    return cluster;
  }

  test('a due restart replaces every pod one at a time, keeps the ReplicaSet, and records restartedAt', () => {
    const cluster = settled();
    const restartAt = new Date(cluster.now).toISOString().replace(/\.\d+Z$/u, 'Z');
    const [rsName] = [...cluster.pods.keys()];
    updateSpec(cluster, (rolloutSpec) => {
      rolloutSpec.restartAt = restartAt;
    });
    cluster.now += 1_000;
    const result = runUntilSettled(cluster);
    expect(result.settled).toBe(true);
    const evictionsPerPlan = result.steps
      .map((step) => step.plan.actions.filter((action) => action.kind === 'evictPod').length)
      .filter((count) => count > 0);
    expect(evictionsPerPlan).toEqual([1, 1, 1, 1]);
    expect(cluster.replicaSets.map((rs) => rs.metadata?.name)).toEqual([rsName]);
    expect(podsOf(cluster).every((candidate) => (candidate.metadata?.creationTimestamp?.getTime() ?? 0) >= Date.parse(restartAt))).toBe(
      true,
    );
    expect(cluster.rollout.status).toMatchObject({ restartedAt: restartAt, phase: 'Healthy' });
    expect(cluster.events).toEqual([]);
    const again = planRollout(observe(cluster));
    expect(again.actions).toEqual([]);
    expect(again.requeueAfterMs).toBeUndefined();
  });

  test('a restart ahead does nothing until its instant, and wakes the rollout then', () => {
    const cluster = settled();
    const restartAt = new Date(cluster.now + 60_000).toISOString().replace(/\.\d+Z$/u, 'Z');
    updateSpec(cluster, (rolloutSpec) => {
      rolloutSpec.restartAt = restartAt;
    });
    const plan = planRollout(observe(cluster));
    expect(plan.actions).toEqual([]);
    expect(plan.requeueAfterMs).toBe(Date.parse(restartAt) - cluster.now);
  });

  test('a new template during a restart ends the restart: the new pods are all newer', () => {
    const cluster = settled();
    const restartAt = new Date(cluster.now).toISOString().replace(/\.\d+Z$/u, 'Z');
    updateSpec(cluster, (rolloutSpec) => {
      rolloutSpec.restartAt = restartAt;
      const container = rolloutSpec.template?.spec?.containers?.[0];
      if (container !== undefined) container.image = 'demo:2';
    });
    cluster.now += 1_000;
    for (let i = 0; i < 4; i++) runUntilSettled(cluster, 1);
    expect(cluster.rollout.status?.restartedAt).toBe(restartAt);
    expect(cluster.plans.some((plan) => plan.actions.some((action) => action.kind === 'evictPod'))).toBe(false);
  });
});
