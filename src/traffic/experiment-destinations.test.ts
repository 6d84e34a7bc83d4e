import { describe, expect, it } from 'vitest';
import type { TrafficRouting } from '../api/traffic-routing.js';
import { ingressRef } from './nginx/canary-ingress.js';
import { applyRouterOperations } from './router-operations.js';
import { trafficSplitRef } from './smi/traffic-split.js';
import { createMemoryKube } from './testing/memory-kube.js';
import { testRouterRollout } from './testing/router-rollout.js';
import type { JsonObject, ObjectRef, RouterOperation, WeightDestination } from './types.js';

/*
 * The routers Argo sends an experiment's weighted templates to (its additionalDestinations), each
 * from the engine's operations to the object it writes: the destination at its weight while the
 * experiment runs, the stable Service at what the canary and the destinations leave, and the
 * destination gone again once the operations stop naming it (the experiment ended or aborted).
 */

const experiment: WeightDestination[] = [
  { weight: 5, serviceName: 'rollouts-demo-exp-baseline', podTemplateHash: 'b' },
  { weight: 10, serviceName: 'rollouts-demo-exp-canary', podTemplateHash: 'c' },
];
const operations = (additional?: WeightDestination[]): RouterOperation[] => [
  { op: 'updateHash', canaryHash: 'new', stableHash: 'old', ...(additional === undefined ? {} : { additional }) },
  { op: 'setWeight', weight: 20, ...(additional === undefined ? {} : { additional }) },
];

const vsRef: ObjectRef = {
  group: 'networking.istio.io',
  version: 'v1alpha3',
  resource: 'virtualservices',
  kind: 'VirtualService',
  namespace: 'default',
  name: 'demo-vs',
};
const albIngress = ingressRef('default', 'demo-ingress');

interface Case {
  router: string;
  routing: TrafficRouting;
  ref: ObjectRef;
  /** The object as a person applied it (SMI: none, the router creates it). */
  initial?: JsonObject;
  /** Service → weight, read from the router's object. */
  split: (object: JsonObject | undefined) => Record<string, number>;
}

const cases: Case[] = [
  {
    router: 'SMI (extra TrafficSplit backends; v1alpha1, the default, writes weights as quantities)',
    routing: { smi: {} },
    ref: trafficSplitRef(testRouterRollout({ smi: {} }), 'v1alpha1'),
    split: (object) =>
      Object.fromEntries(
        (object?.['spec'] as { backends: { service: string; weight: string }[] }).backends.map((b) => [b.service, Number(b.weight)]),
      ),
  },
  {
    router: "ALB (extra target groups in the action annotation's forwardConfig)",
    routing: { alb: { ingress: 'demo-ingress', servicePort: 80 } },
    ref: albIngress,
    initial: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      spec: {
        rules: [
          {
            http: {
              paths: [
                {
                  path: '/*',
                  pathType: 'ImplementationSpecific',
                  backend: { service: { name: 'rollouts-demo-stable', port: { name: 'use-annotation' } } },
                },
              ],
            },
          },
        ],
      },
    },
    split: (object) => {
      const annotations = (object?.['metadata'] as { annotations: Record<string, string> }).annotations;
      const action = JSON.parse(annotations['alb.ingress.kubernetes.io/actions.rollouts-demo-stable'] ?? '{}') as {
        ForwardConfig: { TargetGroups: { ServiceName: string; Weight: number }[] };
      };
      return Object.fromEntries(action.ForwardConfig.TargetGroups.map((group) => [group.ServiceName, group.Weight]));
    },
  },
  {
    router: 'Istio (extra route destinations)',
    routing: { istio: { virtualService: { name: 'demo-vs', routes: ['primary'] } } },
    ref: vsRef,
    initial: {
      apiVersion: 'networking.istio.io/v1alpha3',
      kind: 'VirtualService',
      spec: {
        http: [
          {
            name: 'primary',
            route: [
              { destination: { host: 'rollouts-demo-stable' }, weight: 100 },
              { destination: { host: 'rollouts-demo-canary' }, weight: 0 },
            ],
          },
        ],
      },
    },
    split: (object) => {
      const http = (object?.['spec'] as { http: { route: { destination: { host: string }; weight?: number }[] }[] }).http;
      return Object.fromEntries((http[0]?.route ?? []).map((r) => [r.destination.host, r.weight ?? 0]));
    },
  },
];

describe('experiment destinations on the routers that take them', () => {
  it.each(cases)('$router: added at their weights, the stable reduced, removed after', async ({ routing, ref, initial, split }) => {
    const kube = createMemoryKube();
    if (initial !== undefined) kube.put(ref, initial);
    const rollout = testRouterRollout(routing);

    await applyRouterOperations(rollout, operations(experiment), kube);
    expect(split(kube.get(ref))).toEqual({
      'rollouts-demo-canary': 20,
      'rollouts-demo-exp-baseline': 5,
      'rollouts-demo-exp-canary': 10,
      'rollouts-demo-stable': 65,
    });

    // The experiment ended (or was aborted): the engine stops naming the destinations.
    await applyRouterOperations(rollout, operations(), kube);
    expect(split(kube.get(ref))).toEqual({ 'rollouts-demo-canary': 20, 'rollouts-demo-stable': 80 });
  });
});
