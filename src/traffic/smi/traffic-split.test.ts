import { describe, expect, it } from 'vitest';
import { testRolloutOwner, testRouterRollout } from '../testing/router-rollout.js';
import type { JsonObject } from '../types.js';
import { planTrafficSplit, trafficSplitRef } from './traffic-split.js';

const owner = testRolloutOwner;

describe('planTrafficSplit', () => {
  it.each([
    {
      version: 'v1alpha1',
      smi: {},
      name: 'rollouts-demo',
      spec: {
        service: 'rollouts-demo-stable',
        backends: [
          { service: 'rollouts-demo-canary', weight: '20' },
          { service: 'rollouts-demo-stable', weight: '80' },
        ],
      },
    },
    {
      version: 'v1alpha3',
      smi: { rootService: 'rollouts-demo', trafficSplitName: 'demo-split' },
      name: 'demo-split',
      spec: {
        service: 'rollouts-demo',
        backends: [
          { service: 'rollouts-demo-canary', weight: 20 },
          { service: 'rollouts-demo-stable', weight: 80 },
        ],
      },
    },
  ])('creates the $version TrafficSplit $name owned by the Rollout', ({ version, smi, name, spec }) => {
    const rollout = testRouterRollout({ smi });
    const ref = trafficSplitRef(rollout, version);
    expect(planTrafficSplit({ rollout, ref, object: undefined, desiredWeight: 20, additional: [] })).toEqual({
      ok: true,
      writes: [
        {
          verb: 'create',
          ref,
          object: {
            apiVersion: `split.smi-spec.io/${version}`,
            kind: 'TrafficSplit',
            metadata: { name, namespace: 'default', ownerReferences: [owner] },
            spec,
          },
        },
      ],
      events: [{ type: 'Normal', reason: 'TrafficSplitCreated', message: `TrafficSplit \`${name}\` created` }],
    });
  });

  const rollout = testRouterRollout({ smi: {} });
  const ref = trafficSplitRef(rollout, 'v1alpha2');
  const existing = (backends: unknown[], owners: unknown[] = [owner]): JsonObject => ({
    apiVersion: 'split.smi-spec.io/v1alpha2',
    kind: 'TrafficSplit',
    metadata: { name: 'rollouts-demo', namespace: 'default', resourceVersion: '12', ownerReferences: owners },
    spec: { service: 'rollouts-demo-stable', backends },
  });

  it('merge-patches only the backends, with additional destinations between canary and stable', () => {
    const object = existing([
      { service: 'rollouts-demo-canary', weight: 20 },
      { service: 'rollouts-demo-stable', weight: 80 },
    ]);
    expect(
      planTrafficSplit({ rollout, ref, object, desiredWeight: 40, additional: [{ serviceName: 'exp', weight: 10, podTemplateHash: 'h' }] }),
    ).toEqual({
      ok: true,
      writes: [
        {
          verb: 'patch',
          ref,
          resourceVersion: '12',
          patch: {
            spec: {
              backends: [
                { service: 'rollouts-demo-canary', weight: 40 },
                { service: 'exp', weight: 10 },
                { service: 'rollouts-demo-stable', weight: 50 },
              ],
            },
          },
        },
      ],
      events: [],
    });
  });

  it('writes nothing when the split is already right', () => {
    const object = existing([
      { service: 'rollouts-demo-canary', weight: 40 },
      { service: 'rollouts-demo-stable', weight: 60 },
    ]);
    expect(planTrafficSplit({ rollout, ref, object, desiredWeight: 40, additional: [] })).toEqual({ ok: true, writes: [], events: [] });
  });

  it('refuses a TrafficSplit the Rollout does not control', () => {
    const object = existing([], [{ ...owner, uid: 'someone-else' }]);
    expect(planTrafficSplit({ rollout, ref, object, desiredWeight: 40, additional: [] })).toEqual({
      ok: false,
      problem: {
        code: 'NotOwned',
        kind: 'TrafficSplit',
        namespace: 'default',
        name: 'rollouts-demo',
        field: 'metadata.ownerReferences',
        message: 'Rollout does not own TrafficSplit `rollouts-demo`',
      },
    });
  });
});
