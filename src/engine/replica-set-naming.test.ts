import { describe, expect, it } from 'vitest';
import {
  CONTROLLER_INSTANCE_ID_LABEL,
  MANAGED_BY_ROLLOUTS_ANNOTATION,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  ROLLOUT_TYPES,
  SCALE_DOWN_DEADLINE_ANNOTATION,
} from '../api/argo-labels.js';
import { computePodTemplateHash } from './pod-template-hash.js';
import { MAX_REPLICA_SET_NAME_LENGTH, MAX_ROLLOUT_NAME_LENGTH, replicaSetName } from './replica-set-naming.js';

describe('replicaSetName', () => {
  it.each([
    { rollout: 'web', hash: '5b8dd4b45d', expected: 'web-5b8dd4b45d' },
    { rollout: 'checkout-api', hash: '7c6', expected: 'checkout-api-7c6' },
  ])('names $rollout’s ReplicaSet $expected', ({ rollout, hash, expected }) => {
    expect(replicaSetName(rollout, hash)).toBe(expected);
  });

  it('never truncates, like Argo: the longest valid Rollout name still yields a valid ReplicaSet name', () => {
    const longest = 'r'.repeat(MAX_ROLLOUT_NAME_LENGTH);
    const name = replicaSetName(longest, computePodTemplateHash({ spec: {} }).padEnd(10, '4'));
    expect(MAX_ROLLOUT_NAME_LENGTH).toBe(242);
    expect(name).toHaveLength(MAX_REPLICA_SET_NAME_LENGTH);
    expect(replicaSetName(`${longest}x`, 'bcd')).toBe(`${longest}x-bcd`);
  });
});

describe('Argo label and annotation keys', () => {
  it('are Argo’s, byte for byte', () => {
    expect([
      POD_TEMPLATE_HASH_LABEL,
      REVISION_ANNOTATION,
      SCALE_DOWN_DEADLINE_ANNOTATION,
      MANAGED_BY_ROLLOUTS_ANNOTATION,
      CONTROLLER_INSTANCE_ID_LABEL,
    ]).toEqual([
      'rollouts-pod-template-hash',
      'rollout.argoproj.io/revision',
      // Not the prefixed key Argo's FAQ names: the controller and the kubectl plugin use this one.
      'scale-down-deadline',
      'argo-rollouts.argoproj.io/managed-by-rollouts',
      'argo-rollouts.argoproj.io/controller-instance-id',
    ]);
    expect(Object.values(ROLLOUT_TYPES)).toEqual(['Step', 'Background', 'PrePromotion', 'PostPromotion']);
  });
});
