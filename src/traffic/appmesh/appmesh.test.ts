import { describe, expect, it } from 'vitest';
import { planRouterOperations } from '../router-operations.js';
import { testRouterRollout } from '../testing/router-rollout.js';
import type { JsonObject, ObjectRef, TrafficRouting } from '../types.js';
import { appMeshRouterDecisions } from './index.js';
import { planVirtualNodeHash, virtualNodeHashes } from './virtual-node.js';
import { meshRef, planVirtualRouterWeight } from './virtual-router.js';

const appMesh = (routes?: string[]): TrafficRouting => ({
  appMesh: {
    virtualService: { name: 'my-svc', ...(routes === undefined ? {} : { routes }) },
    virtualNodeGroup: { canaryVirtualNodeRef: { name: 'my-vn-canary' }, stableVirtualNodeRef: { name: 'my-vn-stable' } },
  },
});
const rollout = testRouterRollout(appMesh());
const serviceRef = meshRef('virtualservices', 'default', 'my-svc');
const routerRef = meshRef('virtualrouters', 'default', 'my-vrouter');

const virtualService: JsonObject = {
  apiVersion: 'appmesh.k8s.aws/v1beta2',
  kind: 'VirtualService',
  metadata: { name: 'my-svc', namespace: 'default', resourceVersion: '1' },
  spec: { provider: { virtualRouter: { virtualRouterRef: { name: 'my-vrouter' } } } },
};

const targets = (canary: number, stable: number): JsonObject[] => [
  { virtualNodeRef: { name: 'my-vn-canary' }, weight: canary },
  { virtualNodeRef: { name: 'my-vn-stable' }, weight: stable },
  { virtualNodeRef: { name: 'my-vn-stable', namespace: 'elsewhere' }, weight: 7 },
];

function virtualRouter(routes: JsonObject[]): JsonObject {
  return {
    apiVersion: 'appmesh.k8s.aws/v1beta2',
    kind: 'VirtualRouter',
    metadata: { name: 'my-vrouter', namespace: 'default', resourceVersion: '5' },
    spec: { listeners: [{ portMapping: { port: 80, protocol: 'http' } }], routes },
  };
}
const route = (name: string, type: string, canary: number, stable: number): JsonObject => ({
  name,
  [type]: { match: { prefix: '/' }, action: { weightedTargets: targets(canary, stable) } },
});

const weight = (input: { service?: JsonObject; router?: JsonObject; weight: number; routes?: string[] }) =>
  planVirtualRouterWeight({
    rollout: input.routes === undefined ? rollout : testRouterRollout(appMesh(input.routes)),
    serviceRef,
    virtualService: input.service,
    virtualRouter: input.router,
    desiredWeight: input.weight,
  });

describe('planVirtualRouterWeight', () => {
  it('sets canary and stable weighted targets in every route type, leaving other nodes and namespaces alone', () => {
    const router = virtualRouter([
      route('primary', 'httpRoute', 0, 100),
      route('grpc', 'grpcRoute', 0, 100),
      route('tcp', 'tcpRoute', 0, 100),
    ]);
    expect(weight({ service: virtualService, router, weight: 25 })).toEqual({
      ok: true,
      writes: [
        {
          verb: 'patch',
          ref: routerRef,
          patch: {
            spec: { routes: [route('primary', 'httpRoute', 25, 75), route('grpc', 'grpcRoute', 25, 75), route('tcp', 'tcpRoute', 25, 75)] },
          },
          resourceVersion: '5',
        },
      ],
      events: [],
    });
  });

  it('sets only the routes the Rollout names', () => {
    const router = virtualRouter([route('primary', 'httpRoute', 0, 100), route('other', 'http2Route', 0, 100)]);
    expect(weight({ service: virtualService, router, weight: 50, routes: ['other'] })).toMatchObject({
      ok: true,
      writes: [{ patch: { spec: { routes: [route('primary', 'httpRoute', 0, 100), route('other', 'http2Route', 50, 50)] } } }],
    });
  });

  it('writes nothing when the weights are already set', () => {
    expect(weight({ service: virtualService, router: virtualRouter([route('primary', 'httpRoute', 25, 75)]), weight: 25 })).toEqual({
      ok: true,
      writes: [],
      events: [],
    });
  });

  it('follows a VirtualRouter in the namespace the VirtualService names', () => {
    const decisions = appMeshRouterDecisions(rollout);
    const [call] = decisions.setWeight(20);
    const elsewhere = { ...virtualService, spec: { provider: { virtualRouter: { virtualRouterRef: { name: 'r', namespace: 'mesh' } } } } };
    expect(call?.follow?.([elsewhere])).toEqual([meshRef('virtualrouters', 'mesh', 'r')]);
    expect(call?.follow?.([undefined])).toEqual([]);
  });

  it.each([
    {
      what: 'the VirtualService absent',
      input: { weight: 20 },
      problem: {
        code: 'NotFound',
        kind: 'VirtualService',
        name: 'my-svc',
        message: 'VirtualService `my-svc` not found in namespace `default`',
      },
    },
    {
      what: 'a VirtualService whose provider is a VirtualNode',
      input: { service: { ...virtualService, spec: { provider: { virtualNode: { virtualNodeRef: { name: 'x' } } } } }, weight: 20 },
      problem: {
        code: 'InvalidSpec',
        kind: 'VirtualService',
        field: 'spec.provider.virtualRouter.virtualRouterRef',
        message: 'Virtual-service is not associated with virtual-router',
      },
    },
    {
      what: 'the VirtualRouter absent',
      input: { service: virtualService, weight: 20 },
      problem: {
        code: 'NotFound',
        kind: 'VirtualRouter',
        name: 'my-vrouter',
        message: 'VirtualRouter for `my-svc` not found in namespace `default`',
      },
    },
    {
      what: 'a VirtualRouter without routes',
      input: { service: virtualService, router: { ...virtualRouter([]), spec: {} }, weight: 20 },
      problem: { code: 'InvalidSpec', kind: 'VirtualRouter', field: 'spec.routes', message: 'No routes found' },
    },
    {
      what: 'a route of no known type',
      input: { service: virtualService, router: virtualRouter([{ name: 'primary', udpRoute: {} }]), weight: 20 },
      problem: { code: 'InvalidSpec', kind: 'VirtualRouter', field: 'spec.routes[0]', message: 'not well-formed' },
    },
    {
      what: 'a weight that is not a number',
      input: {
        service: virtualService,
        router: virtualRouter([
          { name: 'p', httpRoute: { action: { weightedTargets: [{ virtualNodeRef: { name: 'a' }, weight: 'x' }] } } },
        ]),
        weight: 20,
      },
      problem: { code: 'InvalidSpec', kind: 'VirtualRouter', field: 'spec.routes[0].httpRoute.action.weightedTargets[0].weight' },
    },
  ])('refuses $what, naming the object and field', ({ input, problem }) => {
    const result = weight(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatchObject(problem);
  });
});

describe('updateHash (Argo’s updateVirtualNodeWithHash)', () => {
  it.each([
    ['c1', 's1', { canary: 'c1', stable: 's1' }],
    ['', 's1', { canary: 'canary-hash', stable: 's1' }],
    ['s1', 's1', { canary: 'canary-hash', stable: 's1' }],
    ['c1', '', { canary: 'c1', stable: 'stable-hash' }],
  ])('canary %j stable %j', (canaryHash, stableHash, expected) => {
    expect(virtualNodeHashes(canaryHash, stableHash)).toEqual(expected);
  });

  const nodeRef = meshRef('virtualnodes', 'default', 'my-vn-stable');
  const node = (labels: Record<string, string>, annotations?: Record<string, string>): JsonObject => ({
    apiVersion: 'appmesh.k8s.aws/v1beta2',
    kind: 'VirtualNode',
    metadata: { name: 'my-vn-stable', namespace: 'default', resourceVersion: '2', ...(annotations === undefined ? {} : { annotations }) },
    spec: { podSelector: { matchLabels: labels }, listeners: [] },
  });

  it('points the pod selector at the hash and marks the node as the Rollout’s', () => {
    expect(planVirtualNodeHash(rollout, nodeRef, node({ app: 'my-app' }), 'abc')).toEqual({
      ok: true,
      writes: [
        {
          verb: 'patch',
          ref: nodeRef,
          patch: {
            metadata: { annotations: { 'argo-rollouts.argoproj.io/managed-by-rollouts': 'rollouts-demo' } },
            spec: { podSelector: { matchLabels: { 'rollouts-pod-template-hash': 'abc' } } },
          },
          resourceVersion: '2',
        },
      ],
      events: [],
    });
  });

  it('writes nothing when the node already selects the hash', () => {
    const current = node(
      { app: 'my-app', 'rollouts-pod-template-hash': 'abc' },
      { 'argo-rollouts.argoproj.io/managed-by-rollouts': 'rollouts-demo' },
    );
    expect(planVirtualNodeHash(rollout, nodeRef, current, 'abc')).toEqual({ ok: true, writes: [], events: [] });
  });

  it('refuses an absent VirtualNode with Argo’s words', () => {
    expect(planVirtualNodeHash(rollout, nodeRef, undefined, 'abc')).toMatchObject({
      ok: false,
      problem: {
        code: 'NotFound',
        kind: 'VirtualNode',
        name: 'my-vn-stable',
        message: 'VirtualNode `my-vn-stable` not found in namespace `default`',
      },
    });
  });
});

describe('appMeshRouterDecisions', () => {
  it('plans the stable node, the canary node, then the router, reading the VirtualRouter the VirtualService names', () => {
    const objects = new Map<string, JsonObject>([
      ['virtualservices/my-svc', virtualService],
      ['virtualrouters/my-vrouter', virtualRouter([route('primary', 'httpRoute', 0, 100)])],
      ['virtualnodes/my-vn-stable', { metadata: { name: 'my-vn-stable', resourceVersion: '1' }, spec: {} }],
      ['virtualnodes/my-vn-canary', { metadata: { name: 'my-vn-canary', resourceVersion: '1' }, spec: {} }],
    ]);
    const plan = planRouterOperations(
      rollout,
      [
        { op: 'updateHash', canaryHash: 'new', stableHash: 'old' },
        { op: 'setWeight', weight: 30 },
        { op: 'setHeaderRoute', route: { name: 'h' } },
        { op: 'setMirrorRoute', route: { name: 'm' } },
        { op: 'removeManagedRoutes' },
      ],
      (ref: ObjectRef) => objects.get(`${ref.resource}/${ref.name}`),
    );
    expect(plan.ok && plan.writes.map((write) => `${write.verb} ${write.ref.kind}/${write.ref.name}`)).toEqual([
      'patch VirtualNode/my-vn-stable',
      'patch VirtualNode/my-vn-canary',
      'patch VirtualRouter/my-vrouter',
    ]);
  });

  it.each([
    [{ appMesh: {} }, 'spec.strategy.canary.trafficRouting.appMesh.virtualService.name: must be set'],
    [{ appMesh: { virtualService: { name: 'x' } } }, 'spec.strategy.canary.trafficRouting.appMesh.virtualNodeGroup: must be set'],
    [
      {
        appMesh: {
          virtualService: { name: 'x' },
          virtualNodeGroup: { canaryVirtualNodeRef: { name: '' }, stableVirtualNodeRef: { name: 's' } },
        },
      },
      'spec.strategy.canary.trafficRouting.appMesh.virtualNodeGroup.canaryVirtualNodeRef.name: must be set',
    ],
  ])('refuses %j on the Rollout', (routing, message) => {
    expect(() => appMeshRouterDecisions(testRouterRollout(routing))).toThrow(message);
  });
});
