import { describe, expect, it } from 'vitest';
import {
  approximateCanaryStableSplit,
  basicCanaryDesiredWeight,
  basicCanaryOlderReplicaSets,
  basicCanaryReplicaCounts,
  minPodsPerReplicaSet,
  newestRevisionFirst,
  nextBasicCanaryScaling,
  replicasForScaleDown,
} from './canary-replica-counts.js';
import { canaryFenceposts } from './int-or-percent.js';
import type { IntOrPercent, OlderReplicaSet } from './types.js';

type Pods = [replicas: number, available: number];

function rs(name: string, [replicas, availableReplicas]: Pods, revision = 1): OlderReplicaSet {
  return { name, replicas, availableReplicas, revision };
}

describe('approximateCanaryStableSplit', () => {
  // Every row of Argo's TestApproximateWeightedNewStableReplicaCounts (maxWeight 100):
  // [replicas, weight, maxSurge, canary, stable].
  it.each([
    [0, 0, 0, 0, 0],
    [0, 50, 0, 0, 0],
    [0, 100, 0, 0, 0],
    [0, 0, 1, 0, 0],
    [0, 50, 1, 0, 0],
    [0, 100, 1, 0, 0],
    [1, 0, 0, 0, 1],
    [1, 1, 0, 0, 1],
    [1, 49, 0, 0, 1],
    [1, 50, 0, 1, 0],
    [1, 99, 0, 1, 0],
    [1, 100, 0, 1, 0],
    [1, 0, 1, 0, 1],
    [1, 1, 1, 1, 1],
    [1, 49, 1, 1, 1],
    [1, 50, 1, 1, 1],
    [1, 99, 1, 1, 1],
    [1, 100, 1, 1, 0],
    [2, 0, 0, 0, 2],
    [2, 1, 0, 1, 1],
    [2, 50, 0, 1, 1],
    [2, 99, 0, 1, 1],
    [2, 100, 0, 2, 0],
    [2, 0, 1, 0, 2],
    [2, 1, 1, 1, 2],
    [2, 50, 1, 1, 1],
    [2, 99, 1, 2, 1],
    [2, 100, 1, 2, 0],
    [3, 10, 0, 1, 2],
    [3, 25, 0, 1, 2],
    [3, 33, 0, 1, 2],
    [3, 34, 0, 1, 2],
    [3, 49, 0, 1, 2],
    [3, 50, 0, 2, 1],
    [3, 10, 1, 1, 3],
    [3, 25, 1, 1, 3],
    [3, 33, 1, 1, 2],
    [3, 34, 1, 1, 2],
    [3, 49, 1, 2, 2],
    [3, 50, 1, 2, 2],
    [10, 0, 1, 0, 10],
    [10, 1, 0, 1, 9],
    [10, 14, 0, 1, 9],
    [10, 15, 0, 2, 8],
    [10, 16, 0, 2, 8],
    [10, 99, 0, 9, 1],
    [10, 100, 1, 10, 0],
    [10, 1, 1, 1, 10],
    [10, 18, 1, 2, 9],
    [10, 19, 1, 2, 9],
    [10, 20, 1, 2, 8],
    [10, 23, 1, 2, 8],
    [10, 24, 1, 3, 8],
    [10, 25, 1, 3, 8],
    [10, 99, 1, 10, 1],
  ])('%i replicas at %i%% with surge %i → canary %i, stable %i (Argo table)', (replicas, weight, surge, canary, stable) => {
    expect(approximateCanaryStableSplit(replicas, weight, 100, surge)).toEqual([canary, stable]);
  });

  // Where a canary settles, for the weights. The split depends on surge only through
  // "may the total be replicas + 1", so surge 0 and surge ≥ 1 are the two cases.
  const weights = [0, 10, 20, 25, 33, 50, 60, 75, 80, 90, 100];
  it.each([
    { replicas: 1, surge: 0, canary: [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1], stable: [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0] },
    { replicas: 1, surge: 1, canary: [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], stable: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0] },
    { replicas: 3, surge: 0, canary: [0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3], stable: [3, 2, 2, 2, 2, 1, 1, 1, 1, 1, 0] },
    { replicas: 3, surge: 1, canary: [0, 1, 1, 1, 1, 2, 2, 3, 3, 3, 3], stable: [3, 3, 3, 3, 2, 2, 1, 1, 1, 1, 0] },
    { replicas: 5, surge: 0, canary: [0, 1, 1, 1, 2, 3, 3, 4, 4, 4, 5], stable: [5, 4, 4, 4, 3, 2, 2, 1, 1, 1, 0] },
    { replicas: 5, surge: 1, canary: [0, 1, 1, 1, 2, 3, 3, 4, 4, 5, 5], stable: [5, 5, 4, 4, 4, 3, 2, 1, 1, 1, 0] },
    { replicas: 10, surge: 0, canary: [0, 1, 2, 3, 3, 5, 6, 8, 8, 9, 10], stable: [10, 9, 8, 7, 7, 5, 4, 2, 2, 1, 0] },
    { replicas: 10, surge: 1, canary: [0, 1, 2, 3, 3, 5, 6, 8, 8, 9, 10], stable: [10, 9, 8, 8, 7, 5, 4, 3, 2, 1, 0] },
  ])('settles $replicas replicas (surge $surge) at the closest split for each weight', ({ replicas, surge, canary, stable }) => {
    expect(weights.map((w) => approximateCanaryStableSplit(replicas, w, 100, surge))).toEqual(canary.map((c, i) => [c, stable[i]]));
  });

  // Argo returns [0, replicas] here (its "should not get here" branch): see the source comment.
  it.each([
    [5, 90, 4, 1],
    [2, 75, 1, 1],
    [10, 95, 9, 1],
    [25, 98, 24, 1],
    [50, 99, 49, 1],
  ])('keeps the canary at the floor for %i replicas at %i%% without surge (differs from Argo)', (replicas, weight, canary, stable) => {
    expect(approximateCanaryStableSplit(replicas, weight, 100, 0)).toEqual([canary, stable]);
  });
});

interface CountsCase {
  name: string;
  replicas: number;
  weight: number;
  surge: IntOrPercent;
  unavailable: IntOrPercent;
  stable: Pods;
  canary: Pods;
  older?: Pods;
  expected: [canary: number, stable: number];
}

function counts(c: CountsCase): [number, number] {
  const result = basicCanaryReplicaCounts({
    replicas: c.replicas,
    canaryWeight: c.weight,
    maxSurge: c.surge,
    maxUnavailable: c.unavailable,
    stable: rs('stable', c.stable),
    canary: rs('canary', c.canary),
    older: c.older ? [rs('older', c.older)] : [],
  });
  return [result.canary, result.stable];
}

describe('basicCanaryReplicaCounts', () => {
  // Rows of Argo's TestCalculateReplicaCountsForCanary without trafficRouting, by Argo's row
  // name (shortened). Weight is what Argo's GetCanaryReplicasOrWeight yields (promoteFull → 100).
  // Its "Ignore setCanaryScale when trafficRouting is missing" row is row 3 again: setCanaryScale
  // is not an input of the basic canary.
  it.each<CountsCase>([
    {
      name: 'extra RSs not counted when spec < available',
      replicas: 10,
      weight: 100,
      surge: 3,
      unavailable: 0,
      stable: [7, 8],
      canary: [6, 3],
      expected: [6, 7],
    },
    {
      name: 'max surge int scales up canary',
      replicas: 10,
      weight: 20,
      surge: 2,
      unavailable: 0,
      stable: [10, 10],
      canary: [0, 0],
      expected: [2, 10],
    },
    {
      name: 'max surge percentage scales up canary',
      replicas: 10,
      weight: 20,
      surge: '20%',
      unavailable: 0,
      stable: [10, 10],
      canary: [0, 0],
      expected: [2, 10],
    },
    {
      name: 'scale down extra stable replicas',
      replicas: 10,
      weight: 20,
      surge: '20%',
      unavailable: 0,
      stable: [10, 10],
      canary: [2, 2],
      expected: [2, 8],
    },
    {
      name: 'do not go past max surge',
      replicas: 10,
      weight: 30,
      surge: 2,
      unavailable: 0,
      stable: [10, 10],
      canary: [0, 0],
      expected: [2, 10],
    },
    {
      name: 'max unavailable int scales down stable',
      replicas: 10,
      weight: 20,
      surge: 0,
      unavailable: 2,
      stable: [10, 10],
      canary: [0, 0],
      expected: [0, 8],
    },
    {
      name: 'max unavailable percentage scales down stable',
      replicas: 10,
      weight: 20,
      surge: 0,
      unavailable: '20%',
      stable: [10, 10],
      canary: [0, 0],
      expected: [0, 8],
    },
    {
      name: 'do not go past max unavailable',
      replicas: 10,
      weight: 30,
      surge: 0,
      unavailable: 2,
      stable: [10, 10],
      canary: [0, 0],
      expected: [0, 8],
    },
    {
      name: 'max surge and max unavailable',
      replicas: 10,
      weight: 50,
      surge: 2,
      unavailable: 1,
      stable: [10, 10],
      canary: [0, 0],
      expected: [2, 9],
    },
    {
      name: 'canary to zero at weight 0',
      replicas: 10,
      weight: 0,
      surge: 1,
      unavailable: 1,
      stable: [10, 10],
      canary: [1, 1],
      expected: [0, 10],
    },
    {
      name: 'stable to zero at weight 100',
      replicas: 10,
      weight: 100,
      surge: 1,
      unavailable: 1,
      stable: [1, 1],
      canary: [10, 10],
      expected: [10, 0],
    },
    {
      name: 'canary not zero on non-zero weight',
      replicas: 1,
      weight: 20,
      surge: 1,
      unavailable: 0,
      stable: [1, 1],
      canary: [0, 0],
      expected: [1, 1],
    },
    {
      name: 'canary not zero on non-100 weight',
      replicas: 1,
      weight: 90,
      surge: 1,
      unavailable: 0,
      stable: [1, 1],
      canary: [0, 0],
      expected: [1, 1],
    },
    {
      name: 'canary zero below 50 without surge',
      replicas: 1,
      weight: 49,
      surge: 0,
      unavailable: 1,
      stable: [1, 1],
      canary: [0, 0],
      expected: [0, 1],
    },
    {
      name: 'stable zero from 50 without surge',
      replicas: 1,
      weight: 51,
      surge: 0,
      unavailable: 1,
      stable: [1, 1],
      canary: [0, 0],
      expected: [0, 0],
    },
    {
      name: 'canary one from 50 without surge or stable',
      replicas: 1,
      weight: 51,
      surge: 0,
      unavailable: 1,
      stable: [0, 0],
      canary: [0, 0],
      expected: [1, 0],
    },
    {
      name: 'scale up stable before canary',
      replicas: 10,
      weight: 30,
      surge: 1,
      unavailable: 0,
      stable: [1, 1],
      canary: [0, 0],
      older: [3, 3],
      expected: [1, 7],
    },
    {
      name: 'scale down canary and stable',
      replicas: 10,
      weight: 30,
      surge: 0,
      unavailable: 3,
      stable: [8, 5],
      canary: [4, 4],
      expected: [3, 7],
    },
    {
      name: 'scale down stable and canary available',
      replicas: 10,
      weight: 100,
      surge: 1,
      unavailable: 0,
      stable: [10, 2],
      canary: [10, 8],
      expected: [9, 2],
    },
    {
      name: 'older RS count >= scaleDownCount',
      replicas: 10,
      weight: 30,
      surge: 0,
      unavailable: 1,
      stable: [8, 6],
      canary: [4, 2],
      older: [3, 3],
      expected: [4, 8],
    },
    {
      name: 'uneven divisor does not round past surge',
      replicas: 10,
      weight: 5,
      surge: 0,
      unavailable: 1,
      stable: [10, 10],
      canary: [0, 0],
      expected: [0, 9],
    },
    {
      name: 'uneven divisor (part 2)',
      replicas: 10,
      weight: 5,
      surge: 0,
      unavailable: 1,
      stable: [9, 9],
      canary: [0, 0],
      expected: [1, 9],
    },
    {
      name: 'unavailable 1 when 0%/0%',
      replicas: 10,
      weight: 10,
      surge: '0%',
      unavailable: '0%',
      stable: [10, 10],
      canary: [0, 0],
      expected: [0, 9],
    },
    {
      name: 'honor maxSurge when stable unavailable',
      replicas: 4,
      weight: 100,
      surge: 1,
      unavailable: 0,
      stable: [4, 1],
      canary: [0, 0],
      expected: [1, 4],
    },
    {
      name: 'to maxUnavailable without exceeding maxSurge',
      replicas: 3,
      weight: 99,
      surge: 0,
      unavailable: 2,
      stable: [3, 3],
      canary: [0, 0],
      expected: [0, 1],
    },
    {
      name: 'to maxUnavailable without exceeding maxSurge (part 2)',
      replicas: 3,
      weight: 99,
      surge: 0,
      unavailable: 2,
      stable: [1, 1],
      canary: [0, 0],
      expected: [2, 1],
    },
    {
      name: 'honor maxUnavailable when stable unavailable',
      replicas: 4,
      weight: 100,
      surge: 1,
      unavailable: 0,
      stable: [4, 1],
      canary: [1, 1],
      expected: [1, 3],
    },
    {
      name: 'abort part 1: surge stable first',
      replicas: 4,
      weight: 0,
      surge: 1,
      unavailable: 0,
      stable: [0, 0],
      canary: [4, 4],
      expected: [4, 1],
    },
    {
      name: 'abort part 2: wait for stable',
      replicas: 4,
      weight: 0,
      surge: 1,
      unavailable: 0,
      stable: [1, 0],
      canary: [4, 4],
      expected: [4, 1],
    },
    {
      name: 'abort part 3: one canary pod down',
      replicas: 4,
      weight: 0,
      surge: 1,
      unavailable: 0,
      stable: [1, 1],
      canary: [4, 4],
      expected: [3, 1],
    },
    {
      name: 'promote full ignores weight',
      replicas: 4,
      weight: 100,
      surge: 4,
      unavailable: 4,
      stable: [4, 4],
      canary: [0, 0],
      expected: [4, 0],
    },
    {
      name: 'promote full honors surge/unavailable',
      replicas: 4,
      weight: 100,
      surge: 3,
      unavailable: 0,
      stable: [4, 4],
      canary: [0, 0],
      expected: [3, 4],
    },
  ])('Argo: $name', (c) => {
    expect(counts(c)).toEqual(c.expected);
  });

  it('takes the canary to 100 % when there is no distinct stable ReplicaSet (Argo: ForNewDeployment, StableRSdEdgeCases)', () => {
    const common = { replicas: 10, canaryWeight: 10, maxSurge: 0, maxUnavailable: 1, older: [] };
    const same = { name: 'v1', replicas: 10, availableReplicas: 0 };
    expect(basicCanaryReplicaCounts({ ...common, canary: same, stable: same })).toEqual({ canary: 10, stable: 0 });
    const nine = { name: 'v1', replicas: 9, availableReplicas: 9 };
    expect(basicCanaryReplicaCounts({ ...common, canary: nine, stable: undefined })).toEqual({ canary: 10, stable: 0 });
    expect(basicCanaryReplicaCounts({ ...common, canary: nine, stable: nine })).toEqual({ canary: 10, stable: 0 });
  });

  it('reports no stable pods when the shrinking canary is also the stable ReplicaSet', () => {
    // spec.replicas lowered from 20 to 10 after promotion, most pods not ready: Argo's own
    // calculation says stable 3 here for the same ReplicaSet, a number its callers never use.
    const same = { name: 'v1', replicas: 20, availableReplicas: 5 };
    const result = basicCanaryReplicaCounts({ replicas: 10, canaryWeight: 100, canary: same, stable: same, older: [] });
    expect(result).toEqual({ canary: 10, stable: 0 });
  });

  it('sizes only the stable side before the canary ReplicaSet exists', () => {
    const result = basicCanaryReplicaCounts({
      replicas: 10,
      canaryWeight: 20,
      maxSurge: 0,
      maxUnavailable: 2,
      canary: undefined,
      stable: rs('stable', [10, 10]),
      older: [],
    });
    expect(result).toEqual({ canary: 0, stable: 8 });
  });

  // Derived by hand from the algorithm (see the module comment); 25%/25% of 10 is surge 3,
  // unavailable 2; of 3 it is surge 1, unavailable 0; of 1 it is surge 1, unavailable 0.
  it.each<CountsCase>([
    {
      name: 'settled 0%→20%, 25%/25%: both sides move at once',
      replicas: 10,
      weight: 20,
      surge: '25%',
      unavailable: '25%',
      stable: [10, 10],
      canary: [0, 0],
      expected: [2, 8],
    },
    {
      name: 'settled 20%→50%, 1/0: surge one canary pod',
      replicas: 10,
      weight: 50,
      surge: 1,
      unavailable: 0,
      stable: [8, 8],
      canary: [2, 2],
      expected: [3, 8],
    },
    {
      name: 'mid 20%→50%, 1/0: wait for the new canary pod',
      replicas: 10,
      weight: 50,
      surge: 1,
      unavailable: 0,
      stable: [8, 8],
      canary: [3, 0],
      expected: [3, 8],
    },
    {
      name: 'mid 20%→50%, 1/0: canary pod ready, drop one stable',
      replicas: 10,
      weight: 50,
      surge: 1,
      unavailable: 0,
      stable: [8, 8],
      canary: [3, 3],
      expected: [3, 7],
    },
    {
      name: 'settled 20%→50%, 0/1: drop one stable first',
      replicas: 10,
      weight: 50,
      surge: 0,
      unavailable: 1,
      stable: [8, 8],
      canary: [2, 2],
      expected: [2, 7],
    },
    {
      name: 'mid 20%→50%, 0/1: then one more canary',
      replicas: 10,
      weight: 50,
      surge: 0,
      unavailable: 1,
      stable: [7, 7],
      canary: [2, 2],
      expected: [3, 7],
    },
    {
      name: 'settled 20%→50%, 100%/0: whole canary at once',
      replicas: 10,
      weight: 50,
      surge: '100%',
      unavailable: 0,
      stable: [8, 8],
      canary: [2, 2],
      expected: [5, 8],
    },
    {
      name: 'settled 20%→50%, 0/100%: stable straight to target',
      replicas: 10,
      weight: 50,
      surge: 0,
      unavailable: '100%',
      stable: [8, 8],
      canary: [2, 2],
      expected: [2, 5],
    },
    {
      name: 'settled 0%→33%, 3 replicas 25%/25%',
      replicas: 3,
      weight: 33,
      surge: '25%',
      unavailable: '25%',
      stable: [3, 3],
      canary: [0, 0],
      expected: [1, 3],
    },
    {
      name: 'settled 0%→50%, 1 replica 25%/25%',
      replicas: 1,
      weight: 50,
      surge: '25%',
      unavailable: '25%',
      stable: [1, 1],
      canary: [0, 0],
      expected: [1, 1],
    },
    {
      name: 'abort 50%→0%, 25%/25%: stable up, canary down',
      replicas: 10,
      weight: 0,
      surge: '25%',
      unavailable: '25%',
      stable: [5, 5],
      canary: [5, 5],
      expected: [3, 8],
    },
    {
      name: 'older present: scale up only, no scale-down',
      replicas: 10,
      weight: 50,
      surge: '25%',
      unavailable: '25%',
      stable: [5, 5],
      canary: [3, 3],
      older: [2, 2],
      expected: [5, 5],
    },
  ])('$name', (c) => {
    expect(counts(c)).toEqual(c.expected);
  });
});

describe('nextBasicCanaryScaling', () => {
  it('scales the stable side first, and the recomputation can then differ from the one-shot counts', () => {
    const stable = rs('stable', [10, 10]);
    const input = { replicas: 10, canaryWeight: 50, maxSurge: 2, maxUnavailable: 1, canary: rs('canary', [0, 0]), stable, older: [] };
    expect(basicCanaryReplicaCounts(input)).toEqual({ canary: 2, stable: 9 });
    expect(nextBasicCanaryScaling(input)).toEqual({ target: 'stable', scales: [{ name: 'stable', replicas: 9 }] });
    expect(nextBasicCanaryScaling({ ...input, stable: rs('stable', [9, 9]) })).toEqual({
      target: 'canary',
      scales: [{ name: 'canary', replicas: 3 }],
    });
  });

  it('drains older ReplicaSets once canary and stable are where they should be', () => {
    const input = {
      replicas: 10,
      canaryWeight: 50,
      maxSurge: '25%',
      maxUnavailable: '25%',
      canary: rs('canary', [5, 5]),
      stable: rs('stable', [5, 5]),
      older: [rs('older', [2, 2])],
    };
    expect(nextBasicCanaryScaling(input)).toEqual({ target: 'older', scales: [{ name: 'older', replicas: 0 }] });
    expect(nextBasicCanaryScaling({ ...input, older: [rs('older', [0, 0])] })).toBeUndefined();
  });

  // One scaling per reconcile, then pods become ready: instantly, or one pod per ReplicaSet per pass.
  function run(
    replicas: number,
    surge: IntOrPercent,
    unavailable: IntOrPercent,
    from: [number, number],
    weight: number,
    slow: boolean,
    older?: Pods,
  ) {
    const all = [rs('canary', [from[0], from[0]], 3), rs('stable', [from[1], from[1]], 1), ...(older ? [rs('older', older, 2)] : [])];
    const [canary, stable] = all as [OlderReplicaSet, OlderReplicaSet];
    const fence = canaryFenceposts(replicas, surge, unavailable);
    const steps: string[] = [];
    for (let pass = 0; pass < 100; pass++) {
      const step = nextBasicCanaryScaling({
        replicas,
        canaryWeight: weight,
        maxSurge: surge,
        maxUnavailable: unavailable,
        canary,
        stable,
        older: all.slice(2),
      });
      if (step === undefined && all.every((r) => r.availableReplicas === r.replicas)) {
        return { steps, canary: canary.replicas, stable: stable.replicas, older: all[2]?.replicas };
      }
      for (const scale of step?.scales ?? []) {
        const target = all.find((r) => r.name === scale.name);
        if (target) [target.replicas, target.availableReplicas] = [scale.replicas, Math.min(target.availableReplicas, scale.replicas)];
      }
      steps.push(step ? `${step.target} ${step.scales.map((s) => s.replicas).join()}` : 'wait');
      expect(
        all.reduce((n, r) => n + r.replicas, 0),
        `surge after ${steps.join(' → ')}`,
      ).toBeLessThanOrEqual(replicas + fence.maxSurge);
      expect(
        all.reduce((n, r) => n + r.availableReplicas, 0),
        `availability after ${steps.join(' → ')}`,
      ).toBeGreaterThanOrEqual(replicas - fence.maxUnavailable);
      for (const r of all) r.availableReplicas = slow ? Math.min(r.replicas, r.availableReplicas + 1) : r.replicas;
    }
    throw new Error(`no fixed point: ${steps.join(' → ')}`);
  }

  it.each([
    { replicas: 10, surge: '25%', unavailable: '25%', from: [2, 8], weight: 50, slow: false, steps: ['stable 6', 'canary 5', 'stable 5'] },
    {
      replicas: 10,
      surge: '25%',
      unavailable: '25%',
      from: [2, 8],
      weight: 50,
      slow: true,
      steps: ['stable 6', 'canary 5', 'stable 5', 'wait'],
    },
    {
      replicas: 10,
      surge: 1,
      unavailable: 0,
      from: [2, 8],
      weight: 50,
      slow: false,
      steps: ['canary 3', 'stable 7', 'canary 4', 'stable 6', 'canary 5', 'stable 5'],
    },
    {
      replicas: 10,
      surge: 0,
      unavailable: 1,
      from: [2, 8],
      weight: 50,
      slow: false,
      steps: ['stable 7', 'canary 3', 'stable 6', 'canary 4', 'stable 5', 'canary 5'],
    },
    { replicas: 10, surge: '25%', unavailable: '25%', from: [5, 5], weight: 0, slow: false, steps: ['stable 8', 'canary 0', 'stable 10'] },
    {
      replicas: 5,
      surge: '100%',
      unavailable: 0,
      from: [0, 5],
      weight: 100,
      slow: true,
      steps: ['canary 5', 'stable 4', 'stable 3', 'stable 2', 'stable 1', 'stable 0'],
    },
    { replicas: 3, surge: 0, unavailable: '100%', from: [1, 2], weight: 100, slow: false, steps: ['stable 0', 'canary 3'] },
  ])('$replicas replicas $surge/$unavailable, $from → $weight% (slow pods: $slow): $steps', (c) => {
    expect(run(c.replicas, c.surge, c.unavailable, c.from as [number, number], c.weight, c.slow).steps).toEqual(c.steps);
  });

  // The matrix, for both directions and both readiness speeds: every pass respects
  // maxSurge and maxUnavailable (asserted inside run) and each step settles on the split above.
  const weights = [0, 10, 20, 25, 33, 50, 60, 75, 80, 90, 100];
  const fenceposts: [IntOrPercent, IntOrPercent][] = [
    ['25%', '25%'],
    [1, 0],
    [0, 1],
    ['100%', 0],
    [0, '100%'],
    ['10%', '10%'],
  ];
  const matrix = [1, 3, 5, 10].flatMap((replicas) =>
    fenceposts.flatMap(([surge, unavailable]) => [false, true].map((slow) => ({ replicas, surge, unavailable, slow }))),
  );
  it.each(matrix)(
    '$replicas replicas $surge/$unavailable (slow pods: $slow) steps up and down within the limits',
    ({ replicas, surge, unavailable, slow }) => {
      const { maxSurge } = canaryFenceposts(replicas, surge, unavailable);
      for (const sequence of [weights, [...weights].reverse()]) {
        let at = approximateCanaryStableSplit(replicas, sequence[0] ?? 0, 100, maxSurge);
        for (const weight of sequence.slice(1)) {
          const end = run(replicas, surge, unavailable, at, weight, slow);
          at = approximateCanaryStableSplit(replicas, weight, 100, maxSurge);
          expect([end.canary, end.stable], `${at.join('/')} at ${weight}%`).toEqual(at);
        }
      }
    },
  );

  it.each(matrix)(
    '$replicas replicas $surge/$unavailable (slow pods: $slow): a v3 mid-way through v2 drains v2 within the limits',
    ({ replicas, surge, unavailable, slow }) => {
      const { maxSurge } = canaryFenceposts(replicas, surge, unavailable);
      for (const [v2, weight] of [
        [25, 10],
        [50, 0],
        [75, 50],
        [50, 100],
      ] as const) {
        const [v2Pods, v1Pods] = approximateCanaryStableSplit(replicas, v2, 100, maxSurge);
        const end = run(replicas, surge, unavailable, [0, v1Pods], weight, slow, [v2Pods, v2Pods]);
        expect([end.canary, end.stable, end.older]).toEqual([...approximateCanaryStableSplit(replicas, weight, 100, maxSurge), 0]);
      }
    },
  );
});

describe('basicCanaryDesiredWeight', () => {
  const steps = [{ setWeight: 10 }, {}, { setWeight: 40 }, {}];
  const base = { steps, currentStepIndex: 1, aborted: false, promoteFull: false, stableHash: 'v1', currentPodHash: 'v2' };
  it.each([
    { name: 'latest setWeight at or before the step', change: {}, weight: 10 },
    { name: 'the step itself', change: { currentStepIndex: 2 }, weight: 40 },
    { name: 'index absent reads as 0', change: { currentStepIndex: undefined }, weight: 10 },
    { name: 'no setWeight yet', change: { steps: [{}, { setWeight: 30 }], currentStepIndex: 0 }, weight: 0 },
    { name: 'past the last step (Argo: TestGetCurrentSetWeight)', change: { currentStepIndex: 4 }, weight: 100 },
    { name: 'no steps', change: { steps: [] }, weight: 100 },
    { name: 'aborted (Argo: TestGetCurrentSetWeight)', change: { aborted: true }, weight: 0 },
    { name: 'promote full (Argo: TestGetCanaryReplicasOrWeight)', change: { promoteFull: true }, weight: 100 },
    { name: 'no stable yet, even aborted (Argo: TestGetCanaryReplicasOrWeight)', change: { stableHash: '', aborted: true }, weight: 100 },
    { name: 'current template is the stable one', change: { currentPodHash: 'v1' }, weight: 100 },
  ])('$name → $weight', ({ change, weight }) => {
    expect(basicCanaryDesiredWeight({ ...base, ...change })).toBe(weight);
  });
});

describe('basicCanaryOlderReplicaSets', () => {
  const older = (...sets: OlderReplicaSet[]) => ({ replicas: 10, maxSurge: '25%', maxUnavailable: '25%', older: sets });
  it('drains older pods down to the availability floor', () => {
    expect(basicCanaryOlderReplicaSets({ ...older(rs('v2', [2, 2])), totalAvailableReplicas: 10 })).toEqual([{ name: 'v2', replicas: 0 }]);
    expect(basicCanaryOlderReplicaSets({ ...older(rs('v2', [4, 4])), totalAvailableReplicas: 9 })).toEqual([{ name: 'v2', replicas: 3 }]);
    expect(basicCanaryOlderReplicaSets({ ...older(rs('v2', [4, 4])), totalAvailableReplicas: 8 })).toEqual([{ name: 'v2', replicas: 4 }]);
  });

  it('drops unready pods first, then the newest revision first', () => {
    const result = basicCanaryOlderReplicaSets({ ...older(rs('v1', [3, 1], 1), rs('v2', [4, 4], 2)), totalAvailableReplicas: 10 });
    expect(result).toEqual([
      { name: 'v1', replicas: 1 },
      { name: 'v2', replicas: 2 },
    ]);
  });

  it('gives up the pass at an older ReplicaSet still shrinking, as Argo does', () => {
    expect(basicCanaryOlderReplicaSets({ ...older(rs('v1', [1, 3], 1), rs('v2', [4, 2], 2)), totalAvailableReplicas: 15 })).toEqual([
      { name: 'v1', replicas: 1 },
      { name: 'v2', replicas: 4 },
    ]);
    expect(basicCanaryOlderReplicaSets({ ...older(rs('v2', [4, 2], 2), rs('v1', [1, 3], 1)), totalAvailableReplicas: 15 })).toEqual([
      { name: 'v2', replicas: 2 },
      { name: 'v1', replicas: 1 },
    ]);
  });

  it('orders by revision, later-created first among equal revisions', () => {
    const sorted = newestRevisionFirst([rs('a', [1, 1], 2), rs('b', [1, 1], 5), rs('c', [1, 1], 2)]);
    expect(sorted.map((r) => r.name)).toEqual(['b', 'c', 'a']);
  });
});

describe('replicasForScaleDown (Argo: TestGetReplicasForScaleDown)', () => {
  it.each([
    { rs: undefined, ignore: false, expected: 0 },
    { rs: { name: 'x', replicas: 3, availableReplicas: 5 }, ignore: false, expected: 3 },
    { rs: { name: 'x', replicas: 3, availableReplicas: 2 }, ignore: true, expected: 3 },
    { rs: { name: 'x', replicas: 3, availableReplicas: 2 }, ignore: false, expected: 2 },
  ])('$rs (ignore availability: $ignore) → $expected', ({ rs: set, ignore, expected }) => {
    expect(replicasForScaleDown(set, ignore)).toBe(expected);
  });
});

describe('minPodsPerReplicaSet', () => {
  it.each([
    { name: 'raises a small count (Argo: Honor MinPodsPerReplicaSet, 10 × 5 % → 1 → 2)', count: 1, minimum: 2, replicas: 10, expected: 2 },
    { name: 'caps at spec.replicas (Argo: Cap MinPodsPerReplicaSet)', count: 1, minimum: 2, replicas: 1, expected: 1 },
    { name: 'leaves zero alone', count: 0, minimum: 2, replicas: 10, expected: 0 },
    { name: 'unset', count: 1, minimum: undefined, replicas: 10, expected: 1 },
  ])('$name', ({ count, minimum, replicas, expected }) => {
    expect(minPodsPerReplicaSet(count, minimum, replicas)).toBe(expected);
  });
});
