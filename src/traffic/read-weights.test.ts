import { describe, expect, it } from 'vitest';
import { readRouteWeights } from './read-weights.js';
import type { JsonObject } from './types.js';

const metadata = { name: 'demo', namespace: 'default' };

describe('readRouteWeights', () => {
  it.each<{ name: string; object: JsonObject; stableIngress?: JsonObject; expected: unknown }>([
    {
      name: 'a VirtualService: every route, host shortened, missing weight 0',
      object: {
        kind: 'VirtualService',
        metadata,
        spec: {
          http: [
            {
              name: 'primary',
              route: [
                { destination: { host: 'web-stable.default.svc.cluster.local', port: { number: 80 } }, weight: 60 },
                { destination: { host: 'web-canary' } },
              ],
            },
          ],
          tcp: [{ route: [{ destination: { host: 'web', subset: 'stable' }, weight: 100 }] }],
        },
      },
      expected: [
        {
          source: 'VirtualService default/demo http[0] (primary)',
          destinations: [
            { service: 'web-stable', port: 80, weight: 60 },
            { service: 'web-canary', weight: 0 },
          ],
        },
        { source: 'VirtualService default/demo tcp[0]', destinations: [{ service: 'web', subset: 'stable', weight: 100 }] },
      ],
    },
    {
      name: 'a v1alpha1 TrafficSplit (quantities)',
      object: {
        kind: 'TrafficSplit',
        metadata,
        spec: {
          service: 'web',
          backends: [
            { service: 'web-canary', weight: '30' },
            { service: 'web-stable', weight: '70' },
          ],
        },
      },
      expected: [
        {
          source: 'TrafficSplit default/demo (web)',
          destinations: [
            { service: 'web-canary', weight: 30 },
            { service: 'web-stable', weight: 70 },
          ],
        },
      ],
    },
    {
      name: 'an HTTPRoute (default weight 1)',
      object: {
        kind: 'HTTPRoute',
        metadata,
        spec: {
          rules: [
            {
              backendRefs: [
                { name: 'web-stable', port: 80, weight: 90 },
                { name: 'web-canary', port: 80 },
              ],
            },
          ],
        },
      },
      expected: [
        {
          source: 'HTTPRoute default/demo rules[0]',
          destinations: [
            { service: 'web-stable', port: 80, weight: 90 },
            { service: 'web-canary', port: 80, weight: 1 },
          ],
        },
      ],
    },
    {
      name: 'a canary Ingress with its stable Ingress',
      object: {
        kind: 'Ingress',
        metadata: {
          ...metadata,
          annotations: { 'nginx.ingress.kubernetes.io/canary': 'true', 'nginx.ingress.kubernetes.io/canary-weight': '25' },
        },
        spec: { rules: [{ http: { paths: [{ backend: { service: { name: 'web-canary' } } }] } }] },
      },
      stableIngress: {
        kind: 'Ingress',
        metadata,
        spec: { rules: [{ http: { paths: [{ backend: { service: { name: 'web-stable' } } }] } }] },
      },
      expected: [
        {
          source: 'Ingress default/demo',
          destinations: [
            { service: 'web-canary', weight: 25 },
            { service: 'web-stable', weight: 75 },
          ],
        },
      ],
    },
  ])('$name', ({ object, stableIngress, expected }) => {
    expect(readRouteWeights(object, stableIngress === undefined ? {} : { stableIngress })).toEqual({ ok: true, value: expected });
  });

  it('names the object and field of a malformed weight', () => {
    expect(
      readRouteWeights({ kind: 'HTTPRoute', metadata, spec: { rules: [{ backendRefs: [{ name: 'x', weight: 'ten' }] }] } }),
    ).toMatchObject({
      ok: false,
      problem: { kind: 'HTTPRoute', name: 'demo', field: 'spec.rules[0].backendRefs[0].weight' },
    });
  });
});
