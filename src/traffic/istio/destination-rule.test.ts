import { describe, expect, it } from 'vitest';
import { testRouterRollout } from '../testing/router-rollout.js';
import type { JsonObject, RouterPlan } from '../types.js';
import { planDestinationRuleHashes } from './destination-rule.js';
import { destinationRuleRef } from './refs.js';

const rollout = testRouterRollout({
  istio: {
    virtualService: { name: 'vsvc' },
    destinationRule: { name: 'istio-destrule', canarySubsetName: 'canary', stableSubsetName: 'stable' },
  },
});
const ref = destinationRuleRef(rollout, 'istio-destrule', 'v1beta1');

function rule(subsets: unknown[], annotations?: Record<string, string>): JsonObject {
  return {
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'DestinationRule',
    metadata: { name: 'istio-destrule', namespace: 'default', resourceVersion: '5', ...(annotations === undefined ? {} : { annotations }) },
    spec: { host: 'ratings.prod.svc.cluster.local', trafficPolicy: { loadBalancer: { simple: 'LEAST_CONN' } }, subsets },
  };
}

function written(result: RouterPlan): JsonObject {
  if (!result.ok || result.writes[0]?.verb !== 'replace') throw new Error(JSON.stringify(result));
  return result.writes[0].object;
}

const managed = { 'argo-rollouts.argoproj.io/managed-by-rollouts': 'rollouts-demo' };

describe('planDestinationRuleHashes', () => {
  it('labels the canary and stable subsets, keeps their other fields, annotates the rule (Argo: TestUpdateHashAdditionalFieldsWithListers)', () => {
    const before = rule([
      { name: 'stable', labels: { version: 'v3' } },
      { name: 'canary', trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } } },
    ]);
    const result = planDestinationRuleHashes({ rollout, ref, object: before, canaryHash: 'abc123', stableHash: 'def456', additional: [] });
    const after = written(result);
    expect(after).toEqual(
      rule(
        [
          { name: 'stable', labels: { version: 'v3', 'rollouts-pod-template-hash': 'def456' } },
          {
            name: 'canary',
            labels: { 'rollouts-pod-template-hash': 'abc123' },
            trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } },
          },
        ],
        managed,
      ),
    );
    expect(result.ok && result.events).toEqual([
      {
        type: 'Normal',
        reason: 'UpdatedDestinationRule',
        message: 'DestinationRule istio-destrule subset updated (canary: abc123, stable: def456)',
      },
    ]);
    expect(planDestinationRuleHashes({ rollout, ref, object: after, canaryHash: 'abc123', stableHash: 'def456', additional: [] })).toEqual({
      ok: true,
      writes: [],
      events: [],
    });
  });

  it('adds subsets for additional destinations (sorted), drops unrelated subsets, and removes the hash label for an empty hash', () => {
    const before = rule([
      { name: 'stable', labels: { 'rollouts-pod-template-hash': 'old' } },
      { name: 'canary' },
      { name: 'legacy', labels: { v: '1' } },
    ]);
    const additional = [
      { serviceName: 'exp-b', podTemplateHash: 'hash-b', weight: 10 },
      { serviceName: 'exp-a', podTemplateHash: 'hash-a', weight: 10 },
    ];
    const after = written(planDestinationRuleHashes({ rollout, ref, object: before, canaryHash: 'c1', stableHash: '', additional }));
    expect((after['spec'] as { subsets: unknown }).subsets).toEqual([
      { name: 'stable', labels: {} },
      { name: 'canary', labels: { 'rollouts-pod-template-hash': 'c1' } },
      { name: 'exp-a', labels: { 'rollouts-pod-template-hash': 'hash-a' } },
      { name: 'exp-b', labels: { 'rollouts-pod-template-hash': 'hash-b' } },
    ]);
  });

  it('is a NotFound naming the DestinationRule when it is missing', () => {
    expect(planDestinationRuleHashes({ rollout, ref, object: undefined, canaryHash: 'a', stableHash: 'b', additional: [] })).toMatchObject({
      ok: false,
      problem: { code: 'NotFound', kind: 'DestinationRule', namespace: 'default', name: 'istio-destrule' },
    });
  });
});
