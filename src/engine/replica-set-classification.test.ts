import type { V1ReplicaSet } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import type { Rollout } from '../api/index.js';
import { computeStepHash, canaryStepString } from './canary-steps.js';
import { computePodTemplateHash } from './pod-template-hash.js';
import { classifyReplicaSets, newReplicaSetFor, templatesEqualIgnoringHash } from './replica-set-classification.js';
import { canaryRollout } from './testing/fixtures.js';

function replicaSet(
  name: string,
  hash: string,
  created: string,
  template: unknown,
  annotations: Record<string, string> = {},
): V1ReplicaSet {
  return {
    metadata: { name, labels: { 'rollouts-pod-template-hash': hash }, annotations, creationTimestamp: new Date(created) },
    spec: { selector: {}, template: template as NonNullable<NonNullable<V1ReplicaSet['spec']>['template']> },
  };
}

describe('classifyReplicaSets', () => {
  const rollout: Rollout = { ...canaryRollout(), status: { stableRS: 'stable1' } };
  const hash = computePodTemplateHash(rollout.spec.template);

  test('new by hash label, stable by status.stableRS, the rest oldest first', () => {
    const replicaSets = [
      replicaSet('demo-new', hash, '2026-01-03T00:00:00Z', {}),
      replicaSet('demo-stable1', 'stable1', '2026-01-02T00:00:00Z', {}),
      replicaSet('demo-older', 'older', '2026-01-01T00:00:00Z', {}),
    ];
    const result = classifyReplicaSets(rollout, replicaSets);
    expect(result.newRS?.metadata?.name).toBe('demo-new');
    expect(result.stableRS?.metadata?.name).toBe('demo-stable1');
    expect(result.others.map((rs) => rs.metadata?.name)).toEqual(['demo-older']);
    expect(result.older.map((rs) => rs.metadata?.name)).toEqual(['demo-older', 'demo-stable1']);
  });

  test('falls back to template equality (Argo-made hash, injected metadata) and keeps the existing hash', () => {
    const live = {
      metadata: { labels: { app: 'demo', 'rollouts-pod-template-hash': 'argohash', role: 'stable' } },
      spec: { containers: [{ image: 'demo:1', name: 'app' }] },
    };
    const adopted = replicaSet('demo-argohash', 'argohash', '2026-01-01T00:00:00Z', live, {
      'rollout.argoproj.io/ephemeral-metadata': '{"labels":{"role":"stable"}}',
    });
    const result = classifyReplicaSets(rollout, [adopted]);
    expect(result.newRS).toBe(adopted);
    expect(result.desiredHash).toBe(hash);
  });

  test('a different template is not the new ReplicaSet', () => {
    const other = replicaSet('demo-x', 'x', '2026-01-01T00:00:00Z', {
      metadata: { labels: { app: 'demo' } },
      spec: { containers: [{ name: 'app', image: 'demo:0' }] },
    });
    expect(classifyReplicaSets(rollout, [other]).newRS).toBeUndefined();
  });
});

describe('newReplicaSetFor', () => {
  test('builds the ReplicaSet Argo creates', () => {
    const rollout = canaryRollout();
    rollout.metadata = {
      ...rollout.metadata,
      labels: { 'argo-rollouts.argoproj.io/controller-instance-id': 'gradual' },
      annotations: { team: 'a', 'rollout.argoproj.io/revision': '9' },
    };
    const canary = rollout.spec.strategy?.canary;
    if (canary !== undefined) canary.stableMetadata = { labels: { role: 'stable' } };
    const rs = newReplicaSetFor(rollout, 'h4sh', 3);
    expect(rs.metadata).toEqual({
      name: 'demo-h4sh',
      namespace: 'default',
      // The Rollout's controller-instance-id label is not copied: Argo's ReplicaSets carry the template's labels and the hash only.
      labels: { app: 'demo', 'rollouts-pod-template-hash': 'h4sh' },
      annotations: {
        team: 'a',
        'rollout.argoproj.io/revision': '3',
        'rollout.argoproj.io/desired-replicas': '5',
        'rollout.argoproj.io/ephemeral-metadata': '{"labels":{"role":"stable"}}',
      },
      ownerReferences: [
        { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'demo', uid: 'uid-1', controller: true, blockOwnerDeletion: true },
      ],
    });
    expect(rs.spec?.replicas).toBe(0);
    expect(rs.spec?.selector).toEqual({ matchLabels: { app: 'demo', 'rollouts-pod-template-hash': 'h4sh' } });
    expect(rs.spec?.template?.metadata?.labels).toEqual({ app: 'demo', 'rollouts-pod-template-hash': 'h4sh', role: 'stable' });
  });

  test('with a stable ReplicaSet the new pods get canaryMetadata', () => {
    const rollout = canaryRollout();
    const canary = rollout.spec.strategy?.canary;
    if (canary !== undefined) canary.canaryMetadata = { labels: { role: 'canary' } };
    expect(newReplicaSetFor(rollout, 'h', 2, { hasStableReplicaSet: true }).spec?.template?.metadata?.labels?.role).toBe('canary');
    expect(newReplicaSetFor(rollout, 'h', 2).spec?.template?.metadata?.labels?.role).toBeUndefined();
  });

  test('blue-green: previewMetadata while an active ReplicaSet exists, activeMetadata on a first deploy', () => {
    const rollout = canaryRollout();
    rollout.spec.strategy = {
      blueGreen: { activeService: 'a', previewMetadata: { labels: { role: 'preview' } }, activeMetadata: { labels: { role: 'active' } } },
    };
    expect(newReplicaSetFor(rollout, 'h', 2, { hasStableReplicaSet: true }).spec?.template?.metadata?.labels?.role).toBe('preview');
    const first = newReplicaSetFor(rollout, 'h', 1);
    expect(first.spec?.template?.metadata?.labels?.role).toBe('active');
    expect(first.metadata?.annotations?.['rollout.argoproj.io/ephemeral-metadata']).toBe('{"labels":{"role":"active"}}');
  });

  test.each([
    ['another stable hash: the anti-affinity term names it', 'old', ['old']],
    ['no stable yet', undefined, undefined],
    ['the stable hash is this one (a rollback): no term', 'h', undefined],
  ])('antiAffinity, %s', (_name, stableHash, values) => {
    const rollout = canaryRollout();
    const canary = rollout.spec.strategy?.canary;
    if (canary !== undefined) canary.antiAffinity = { requiredDuringSchedulingIgnoredDuringExecution: {} };
    const rs = newReplicaSetFor(rollout, 'h', 2, { hasStableReplicaSet: stableHash !== undefined, stableHash });
    const terms = rs.spec?.template?.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    expect(terms?.[0]?.labelSelector?.matchExpressions?.[0]?.values).toEqual(values);
    if (values !== undefined) expect(terms?.[0]?.topologyKey).toBe('kubernetes.io/hostname');
  });

  test('a ReplicaSet with an injected anti-affinity term is still recognised as the template it runs', () => {
    const rollout = canaryRollout();
    const canary = rollout.spec.strategy?.canary;
    if (canary !== undefined) canary.antiAffinity = { preferredDuringSchedulingIgnoredDuringExecution: { weight: 5 } };
    const rs = newReplicaSetFor(rollout, 'argohash', 2, { hasStableReplicaSet: true, stableHash: 'old' });
    expect(rs.spec?.template?.spec?.affinity).toBeDefined();
    expect(templatesEqualIgnoringHash(rs, rollout)).toBe(true);
  });
});

describe('canary steps', () => {
  test('step hash: FNV-1a of Go JSON; equal steps hash alike, changed steps do not', () => {
    const a = computeStepHash(canaryRollout({ steps: [{ setWeight: 20 }, { pause: { duration: '30s' } }] }));
    expect(a).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/u);
    expect(computeStepHash(canaryRollout({ steps: [{ setWeight: 20 }, { pause: { duration: '30s' } }] }))).toBe(a);
    expect(computeStepHash(canaryRollout({ steps: [{ setWeight: 30 }, { pause: { duration: '30s' } }] }))).not.toBe(a);
  });

  // Vectors computed with Go: encoding/json over structs with Argo's CanaryStep/RolloutPause tags, FNV-1a 32, SafeEncodeString.
  test.each([
    [[{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }, { pause: { duration: '30s' } }], '5fd75bcd7f'],
    [[{ setWeight: 20 }, { pause: { duration: 10 } }], '6c4467f6d'],
  ])("step hash of %j is Argo's %s", (steps, hash) => {
    expect(computeStepHash(canaryRollout({ steps }))).toBe(hash);
  });

  test.each([
    [{ setWeight: 20 }, 'setWeight: 20'],
    [{ pause: {} }, 'pause'],
    [{ pause: { duration: '30s' } }, 'pause: 30s'],
    [{ pause: { duration: 10 } }, 'pause: 10'],
    [{ setCanaryScale: { weight: 5 } }, 'setCanaryScale{weight: 5}'],
  ])('%o is described as %s', (step, text) => {
    expect(canaryStepString(step)).toBe(text);
  });
});
