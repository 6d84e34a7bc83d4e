import { describe, expect, it } from 'vitest';
import type { TrafficRouting } from '../../api/traffic-routing.js';
import { testRolloutOwner, testRouterRollout } from '../testing/router-rollout.js';
import type { JsonObject, RouterPlan } from '../types.js';
import { canaryIngressName, ingressRef, planCanaryIngress } from './canary-ingress.js';

const owner = testRolloutOwner;
const path = (service: string, at = '/'): JsonObject => ({
  path: at,
  pathType: 'Prefix',
  backend: { service: { name: service, port: { number: 80 } } },
});

const stableIngress: JsonObject = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: {
    name: 'rollouts-demo-stable',
    namespace: 'default',
    resourceVersion: '4',
    annotations: { 'kubernetes.io/ingress.class': 'nginx', 'cert-manager.io/issuer': 'x' },
    labels: { app: 'demo' },
  },
  spec: {
    ingressClassName: 'nginx',
    tls: [{ hosts: ['demo.example'], secretName: 'demo-tls' }],
    rules: [
      { host: 'demo.example', http: { paths: [path('rollouts-demo-stable'), path('docs', '/docs')] } },
      { host: 'other.example', http: { paths: [path('other')] } },
    ],
  },
};

const routing: TrafficRouting = {
  nginx: {
    stableIngress: 'rollouts-demo-stable',
    additionalIngressAnnotations: { 'canary-by-header': 'X-Canary', 'nginx.ingress.kubernetes.io/load-balance': 'ewma' },
  },
};
const stableRef = ingressRef('default', 'rollouts-demo-stable');
const canaryRef = ingressRef('default', canaryIngressName('rollouts-demo', 'rollouts-demo-stable'));

function plan(
  trafficRouting: TrafficRouting,
  canary: JsonObject | undefined,
  desiredWeight: number,
  stable: JsonObject | undefined,
): RouterPlan {
  return planCanaryIngress({ rollout: testRouterRollout(trafficRouting), stableRef, stable, canaryRef, canary, desiredWeight });
}

const createdAnnotations = {
  'kubernetes.io/ingress.class': 'nginx',
  'nginx.ingress.kubernetes.io/canary-by-header': 'X-Canary',
  'nginx.ingress.kubernetes.io/load-balance': 'ewma',
  'nginx.ingress.kubernetes.io/canary': 'true',
  'nginx.ingress.kubernetes.io/canary-weight': '20',
};
const createdSpec = {
  ingressClassName: 'nginx',
  tls: [{ hosts: ['demo.example'], secretName: 'demo-tls' }],
  rules: [{ host: 'demo.example', http: { paths: [path('rollouts-demo-canary'), path('docs', '/docs')] } }],
};

describe('planCanaryIngress', () => {
  it('creates the canary Ingress cloned from the stable one, only the rules reaching the stable Service', () => {
    expect(canaryRef.name).toBe('rollouts-demo-rollouts-demo-stable-canary');
    expect(plan(routing, undefined, 20, stableIngress)).toEqual({
      ok: true,
      writes: [
        {
          verb: 'create',
          ref: canaryRef,
          object: {
            apiVersion: 'networking.k8s.io/v1',
            kind: 'Ingress',
            metadata: { name: canaryRef.name, namespace: 'default', annotations: createdAnnotations, ownerReferences: [owner] },
            spec: createdSpec,
          },
        },
      ],
      events: [
        { type: 'Normal', reason: 'CreatingCanaryIngress', message: `Creating canary ingress \`${canaryRef.name}\` with weight \`20\`` },
      ],
    });
  });

  const existing = (annotations: Record<string, string>): JsonObject => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: canaryRef.name, namespace: 'default', resourceVersion: '9', annotations, ownerReferences: [owner] },
    spec: createdSpec,
  });

  it('patches only the weight, keeps annotations others added, and a second pass writes nothing', () => {
    const current = existing({ ...createdAnnotations, 'rancher.io/added': 'yes' });
    expect(plan(routing, current, 45, stableIngress)).toEqual({
      ok: true,
      writes: [
        {
          verb: 'patch',
          ref: canaryRef,
          resourceVersion: '9',
          patch: { metadata: { annotations: { 'nginx.ingress.kubernetes.io/canary-weight': '45' } } },
        },
      ],
      events: [
        { type: 'Normal', reason: 'PatchingCanaryIngress', message: `Updating Ingress \`${canaryRef.name}\` to desiredWeight '45'` },
      ],
    });
    expect(plan(routing, current, 20, stableIngress)).toEqual({ ok: true, writes: [], events: [] });
  });

  it('uses annotationPrefix and writes canary-weight-total with maxTrafficWeight', () => {
    const result = plan(
      { nginx: { stableIngress: 'rollouts-demo-stable', annotationPrefix: 'custom.nginx.org' }, maxTrafficWeight: 1000 },
      undefined,
      250,
      stableIngress,
    );
    const write = result.ok ? result.writes[0] : undefined;
    expect(write?.verb === 'create' ? (write.object['metadata'] as JsonObject)['annotations'] : undefined).toEqual({
      'kubernetes.io/ingress.class': 'nginx',
      'custom.nginx.org/canary': 'true',
      'custom.nginx.org/canary-weight': '250',
      'custom.nginx.org/canary-weight-total': '1000',
    });
  });

  it.each([
    {
      name: 'a missing stable Ingress',
      stable: undefined,
      canary: undefined,
      problem: { code: 'NotFound', kind: 'Ingress', name: 'rollouts-demo-stable' },
    },
    {
      name: 'a stable Ingress without the stable Service',
      stable: { ...stableIngress, spec: { rules: [{ http: { paths: [path('other')] } }] } },
      canary: undefined,
      problem: {
        code: 'InvalidSpec',
        kind: 'Ingress',
        name: 'rollouts-demo-stable',
        field: 'spec.rules',
        message: 'ingress `rollouts-demo-stable` has no rules using service rollouts-demo-stable backend',
      },
    },
    {
      name: 'a canary Ingress controlled by another object',
      stable: stableIngress,
      canary: {
        ...existing(createdAnnotations),
        metadata: { name: canaryRef.name, resourceVersion: '1', ownerReferences: [{ ...owner, uid: 'other' }] },
      },
      problem: {
        code: 'NotOwned',
        kind: 'Ingress',
        name: canaryRef.name,
        message: `canary ingress \`${canaryRef.name}\` controlled by different object`,
      },
    },
  ])('refuses $name', ({ stable, canary, problem }) => {
    expect(plan(routing, canary, 20, stable)).toMatchObject({ ok: false, problem });
  });
});
