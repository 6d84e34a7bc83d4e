import type { V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import type { Rollout, RolloutStatus } from '../api/index.js';
import { planRollout } from './plan-rollout.js';
import { classifyReplicaSets } from './replica-set-classification.js';
import { replicaSetTemplateActions } from './replica-set-template-sync.js';
import { canaryRollout } from './testing/fixtures.js';
import { observe, runUntilSettled, simulatedCluster, updateSpec, type SimulatedCluster } from './testing/simulate.js';

const HASH_KEY = 'rollouts-pod-template-hash';
const RECORD = 'rollout.argoproj.io/ephemeral-metadata';

function withRoles(rollout: Rollout): Rollout {
  const canary = rollout.spec.strategy?.canary;
  if (canary !== undefined) {
    canary.canaryMetadata = { labels: { role: 'canary' }, annotations: { 'example.com/track': 'canary' } };
    canary.stableMetadata = { labels: { role: 'stable' } };
    canary.antiAffinity = { preferredDuringSchedulingIgnoredDuringExecution: { weight: 40 } };
  }
  return rollout;
}

function templateOf(cluster: SimulatedCluster, hash: string): NonNullable<V1ReplicaSet['spec']>['template'] {
  return cluster.replicaSets.find((rs) => rs.metadata?.labels?.[HASH_KEY] === hash)?.spec?.template;
}

function expectSecondPassChangesNothing(cluster: SimulatedCluster): void {
  const observation = observe(cluster);
  const plan = planRollout(observation);
  expect(plan.actions).toEqual([]);
  expect(plan.status).toEqual(observation.rollout.status);
}

describe('the canary through an update and its promotion', () => {
  test('the new ReplicaSet is the canary (metadata, anti-affinity against the stable hash), then stable; the old one loses its role and, once scaled away, the term goes', () => {
    const cluster = simulatedCluster(withRoles(canaryRollout({ steps: [{ setWeight: 20 }, { pause: {} }] })));
    expect(runUntilSettled(cluster).settled).toBe(true);
    const blue = cluster.rollout.status?.stableRS ?? '';
    expect(templateOf(cluster, blue)?.metadata?.labels?.['role']).toBe('stable');
    // A first deploy has no stable pods to avoid.
    expect(templateOf(cluster, blue)?.spec?.affinity).toBeUndefined();

    updateSpec(cluster, (spec) => {
      const container = spec.template?.spec?.containers?.[0];
      if (container !== undefined) container.image = 'demo:2';
    });
    expect(runUntilSettled(cluster).settled).toBe(true);
    const green = cluster.rollout.status?.currentPodHash ?? '';
    expect(cluster.rollout.status?.phase).toBe('Paused');
    const canaryTemplate = templateOf(cluster, green);
    expect(canaryTemplate?.metadata?.labels).toMatchObject({ role: 'canary' });
    expect(canaryTemplate?.metadata?.annotations).toEqual({ 'example.com/track': 'canary' });
    expect(canaryTemplate?.spec?.affinity).toEqual({
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 40,
            podAffinityTerm: {
              labelSelector: { matchExpressions: [{ key: HASH_KEY, operator: 'In', values: [blue] }] },
              namespaces: ['default'],
              topologyKey: 'kubernetes.io/hostname',
            },
          },
        ],
      },
    });
    expect(templateOf(cluster, blue)?.metadata?.labels?.['role']).toBe('stable');

    const status: RolloutStatus = { ...(cluster.rollout.status ?? {}) };
    delete status.pauseConditions;
    cluster.rollout.status = status;
    expect(runUntilSettled(cluster).settled).toBe(true);
    expect(cluster.rollout.status).toMatchObject({ phase: 'Healthy', stableRS: green });
    const promoted = templateOf(cluster, green);
    expect(promoted?.metadata?.labels).toMatchObject({ app: 'demo', role: 'stable' });
    expect(promoted?.metadata?.annotations).toEqual({});
    expect(promoted?.spec?.affinity).toBeUndefined();
    expect(cluster.replicaSets.find((rs) => rs.metadata?.labels?.[HASH_KEY] === green)?.metadata?.annotations?.[RECORD]).toBe(
      '{"labels":{"role":"stable"}}',
    );
    expect(templateOf(cluster, blue)?.metadata?.labels?.['role']).toBeUndefined();
    expect(cluster.replicaSets.find((rs) => rs.metadata?.labels?.[HASH_KEY] === blue)?.metadata?.annotations?.[RECORD]).toBeUndefined();
    expectSecondPassChangesNothing(cluster);
  });
});

describe('the canary aborted, then rolled back', () => {
  test('abort keeps the roles (the stable ReplicaSet is still stable); a fast rollback takes the canary role off the abandoned ReplicaSet', () => {
    const cluster = simulatedCluster(withRoles(canaryRollout({ steps: [{ setWeight: 20 }, { pause: {} }] })));
    expect(runUntilSettled(cluster).settled).toBe(true);
    const blue = cluster.rollout.status?.stableRS ?? '';
    const setImage = (image: string): void => {
      updateSpec(cluster, (spec) => {
        const container = spec.template?.spec?.containers?.[0];
        if (container !== undefined) container.image = image;
      });
    };
    setImage('demo:2');
    expect(runUntilSettled(cluster).settled).toBe(true);
    const green = cluster.rollout.status?.currentPodHash ?? '';

    cluster.rollout.status = { ...(cluster.rollout.status ?? {}), abort: true };
    expect(runUntilSettled(cluster).settled).toBe(true);
    expect(cluster.rollout.status.phase).toBe('Degraded');
    expect([templateOf(cluster, blue)?.metadata?.labels?.['role'], templateOf(cluster, green)?.metadata?.labels?.['role']]).toEqual([
      'stable',
      'canary',
    ]);

    setImage('demo:1');
    expect(runUntilSettled(cluster).settled).toBe(true);
    expect(cluster.rollout.status).toMatchObject({ phase: 'Healthy', stableRS: blue, currentPodHash: blue });
    expect([templateOf(cluster, blue)?.metadata?.labels?.['role'], templateOf(cluster, green)?.metadata?.labels?.['role']]).toEqual([
      'stable',
      undefined,
    ]);
    expectSecondPassChangesNothing(cluster);
  });
});

describe('replicaSetTemplateActions with running pods', () => {
  function rs(name: string, hash: string, role: string | undefined, uid: string): V1ReplicaSet {
    return {
      metadata: {
        name,
        uid,
        resourceVersion: `rv-${name}`,
        labels: { [HASH_KEY]: hash },
        annotations: role === undefined ? {} : { [RECORD]: `{"labels":{"role":"${role}"}}` },
        creationTimestamp: new Date(uid === 'uid-old' ? '2026-01-01T00:00:00Z' : '2026-01-02T00:00:00Z'),
      },
      spec: {
        replicas: 2,
        selector: {},
        template: {
          metadata: { labels: { app: 'demo', [HASH_KEY]: hash, ...(role === undefined ? {} : { role }) } },
          spec: { containers: [] },
        },
      },
      status: { replicas: 2 },
    };
  }
  function pod(name: string, ownerUid: string, labels: Record<string, string>): V1Pod {
    return {
      metadata: {
        name,
        resourceVersion: `rv-${name}`,
        labels,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: ownerUid, controller: true }],
      },
    };
  }

  test('after promotion: the ReplicaSet first, then each pod not yet relabelled, each with the version it was judged on', () => {
    const rollout = withRoles(canaryRollout());
    const canary = rollout.spec.strategy?.canary;
    if (canary !== undefined) delete canary.antiAffinity;
    const newHash = classifyReplicaSets(rollout, []).desiredHash;
    rollout.status = { stableRS: newHash, currentPodHash: newHash };
    const replicaSets = [rs('demo-old', 'old', 'stable', 'uid-old'), rs(`demo-${newHash}`, newHash, 'canary', 'uid-new')];
    const pods = [
      pod('new-a', 'uid-new', { app: 'demo', role: 'canary' }),
      pod('new-b', 'uid-new', { app: 'demo', role: 'stable' }),
      pod('old-a', 'uid-old', { app: 'demo', role: 'stable' }),
      pod('stray', 'uid-else', { role: 'canary' }),
    ];
    const classified = classifyReplicaSets(rollout, replicaSets);
    const newRS = classified.newRS;
    if (newRS === undefined) throw new Error('no new ReplicaSet');
    const actions = replicaSetTemplateActions({ rollout, replicaSets, services: {}, pods, now: new Date() }, classified, newRS);
    expect(actions).toEqual([
      {
        kind: 'updateReplicaSet',
        name: `demo-${newHash}`,
        resourceVersion: `rv-demo-${newHash}`,
        annotations: { [RECORD]: '{"labels":{"role":"stable"}}' },
        template: { labels: { role: 'stable' } },
      },
      { kind: 'updatePodMetadata', name: 'new-a', resourceVersion: 'rv-new-a', labels: { role: 'stable' } },
      {
        kind: 'updateReplicaSet',
        name: 'demo-old',
        resourceVersion: 'rv-demo-old',
        annotations: { [RECORD]: null },
        template: { labels: { role: null } },
      },
      { kind: 'updatePodMetadata', name: 'old-a', resourceVersion: 'rv-old-a', labels: { role: null } },
    ]);
  });
});
