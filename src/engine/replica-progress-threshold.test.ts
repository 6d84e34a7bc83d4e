import type { V1ReplicaSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { replicaProgressThresholdMet, type ReplicaProgressThreshold } from './replica-progress-threshold.js';

const rs = (replicas: number, available: number): V1ReplicaSet => ({
  spec: { replicas, selector: {} },
  status: { replicas, availableReplicas: available },
});

// Argo's TestReplicaProgressThresholdMet cases (utils/replicaset/canary_test.go) and the edges of each branch.
describe('replicaProgressThresholdMet', () => {
  it.each<{ what: string; threshold: ReplicaProgressThreshold | undefined; set: V1ReplicaSet | undefined; desired: number; met: boolean }>([
    { what: 'no threshold: all desired available', threshold: undefined, set: rs(10, 10), desired: 10, met: true },
    { what: 'no threshold: one short', threshold: undefined, set: rs(10, 9), desired: 10, met: false },
    { what: 'no threshold: spec differs from desired', threshold: undefined, set: rs(8, 8), desired: 10, met: false },
    { what: 'no ReplicaSet', threshold: { type: 'Pods', value: 1 }, set: undefined, desired: 1, met: false },
    { what: 'negative value: as without a threshold', threshold: { type: 'Pods', value: -1 }, set: rs(10, 9), desired: 10, met: false },
    { what: 'Percent 70 of 10, 7 available', threshold: { type: 'Percent', value: 70 }, set: rs(10, 7), desired: 10, met: true },
    { what: 'Percent 70 of 10, 6 available', threshold: { type: 'Percent', value: 70 }, set: rs(10, 6), desired: 10, met: false },
    { what: 'Percent 33 of 3, 1 available (33.33 %)', threshold: { type: 'Percent', value: 33 }, set: rs(3, 1), desired: 3, met: true },
    { what: 'Percent 34 of 3, 1 available', threshold: { type: 'Percent', value: 34 }, set: rs(3, 1), desired: 3, met: false },
    { what: 'Percent with nothing desired', threshold: { type: 'Percent', value: 100 }, set: rs(0, 0), desired: 0, met: true },
    { what: 'Percent ignores the spec count', threshold: { type: 'Percent', value: 50 }, set: rs(4, 5), desired: 10, met: true },
    { what: 'Pods 3, 3 available', threshold: { type: 'Pods', value: 3 }, set: rs(10, 3), desired: 10, met: true },
    { what: 'Pods 3, 2 available', threshold: { type: 'Pods', value: 3 }, set: rs(10, 2), desired: 10, met: false },
  ])('$what → $met', ({ threshold, set, desired, met }) => {
    expect(replicaProgressThresholdMet(threshold, set, desired)).toBe(met);
  });
});
