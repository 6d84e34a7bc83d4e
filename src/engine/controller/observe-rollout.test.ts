import type { V1Deployment, V1Pod, V1ReplicaSet, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { rolloutSchema } from '../../api/index.js';
import { observeRollout, referencedDeploymentName, referencedServiceNames } from './observe-rollout.js';

const rollout = rolloutSchema.parse({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'web', namespace: 'shop', uid: 'rollout-uid' },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web:1' }] } },
    strategy: { canary: { canaryService: 'web-canary', stableService: 'web-stable', steps: [{ setWeight: 20 }] } },
  },
});

function replicaSet(name: string, ownerUid: string, controller = true): V1ReplicaSet {
  return {
    metadata: {
      name,
      uid: `${name}-uid`,
      ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'web', uid: ownerUid, controller }],
    },
  };
}

function pod(name: string, ownerUid: string): V1Pod {
  return {
    metadata: { name, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: ownerUid, controller: true }] },
  };
}

function service(name: string): V1Service {
  return { metadata: { name } };
}

describe('observeRollout', () => {
  it('keeps only what the Rollout controls and the Services it names', () => {
    const now = new Date('2026-11-23T12:00:00Z');
    const observation = observeRollout({
      rollout,
      replicaSets: [replicaSet('web-a', 'rollout-uid'), replicaSet('other-b', 'other-uid'), replicaSet('web-c', 'rollout-uid', false)],
      services: [service('web-canary'), service('web-stable'), service('unrelated')],
      pods: [pod('web-a-1', 'web-a-uid'), pod('other-b-1', 'other-b-uid')],
      now,
    });
    expect(observation.replicaSets.map((rs) => rs.metadata?.name)).toEqual(['web-a']);
    expect(Object.keys(observation.services).sort()).toEqual(['web-canary', 'web-stable']);
    expect(observation.pods.map((p) => p.metadata?.name)).toEqual(['web-a-1']);
    expect(observation.now).toBe(now);
  });

  it('names the strategy Services', () => {
    expect(referencedServiceNames(rollout)).toEqual(['web-canary', 'web-stable']);
  });

  it('adds the Deployment a workloadRef names, and only that one', () => {
    const spec = { ...rollout.spec };
    delete spec.template;
    const referencing = { ...rollout, spec: { ...spec, workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } } };
    const deployments: V1Deployment[] = [{ metadata: { name: 'other' } }, { metadata: { name: 'web' } }];
    expect(referencedDeploymentName(referencing)).toBe('web');
    expect(
      observeRollout({ rollout: referencing, replicaSets: [], services: [], pods: [], deployments, now: new Date() }).workload?.metadata
        ?.name,
    ).toBe('web');
    expect(observeRollout({ rollout, replicaSets: [], services: [], pods: [], deployments, now: new Date() }).workload).toBeUndefined();
    expect(
      observeRollout({ rollout: referencing, replicaSets: [], services: [], pods: [], deployments: [], now: new Date() }).workload,
    ).toBeUndefined();
  });

  it.each([null, 'web', { apiVersion: 5, kind: 'Deployment', name: 'web' }, { apiVersion: 'apps/v1', kind: 'Deployment' }])(
    'reads a malformed workloadRef %j of a Rollout that failed validation as none, without throwing',
    (workloadRef) => {
      const raw = { ...rollout, spec: { ...rollout.spec, workloadRef } } as unknown as typeof rollout;
      expect(referencedDeploymentName(raw)).toBeUndefined();
    },
  );
});
