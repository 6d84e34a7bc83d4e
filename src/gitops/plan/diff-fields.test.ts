import { describe, expect, it } from 'vitest';
import { diffFields } from './diff-fields.js';

const manifest = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'web', namespace: 'prod', labels: { 'app.kubernetes.io/name': 'web' } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          { name: 'web', image: 'nginx:1.26', ports: [{ name: 'http', containerPort: 8080 }], env: [{ name: 'MODE', value: 'canary' }] },
          { name: 'sidecar', image: 'envoy:1.30' },
        ],
      },
    },
  },
};

/** The same Rollout as the API server returns it: server metadata, defaults, status, and the old image. */
const live = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: {
    name: 'web',
    namespace: 'prod',
    labels: { 'app.kubernetes.io/name': 'web' },
    annotations: { 'gradual.dev/pull-request': '7' },
    resourceVersion: '4711',
    uid: '5d1c',
    generation: 4,
    creationTimestamp: '2026-11-20T10:00:00Z',
    managedFields: [{ manager: 'gradual', operation: 'Apply' }],
  },
  spec: {
    replicas: 3,
    revisionHistoryLimit: 10,
    selector: { matchLabels: { app: 'web' } },
    strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }], maxSurge: '25%' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        restartPolicy: 'Always',
        containers: [
          { name: 'sidecar', image: 'envoy:1.30', imagePullPolicy: 'IfNotPresent' },
          {
            name: 'web',
            image: 'nginx:1.25',
            imagePullPolicy: 'IfNotPresent',
            terminationMessagePath: '/dev/termination-log',
            ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
            env: [{ name: 'MODE', value: 'canary' }],
          },
        ],
      },
    },
  },
  status: { phase: 'Healthy', currentPodHash: 'abc' },
};

describe('diffFields', () => {
  it('finds the image change in a named container, whatever order the cluster lists containers in', () => {
    expect(diffFields(manifest, live)).toEqual([
      { path: 'spec.template.spec.containers[name=web].image', from: 'nginx:1.25', to: 'nginx:1.26' },
    ]);
  });

  it('sees nothing when only server defaults, server metadata, status and other annotations differ', () => {
    const sameImage = structuredClone(live);
    const web = sameImage.spec.template.spec.containers[1];
    if (web !== undefined) web.image = 'nginx:1.26';
    expect(diffFields(manifest, sameImage)).toEqual([]);
  });

  it('ignores server metadata and status written in the manifest', () => {
    const withServerFields = {
      ...manifest,
      metadata: { ...manifest.metadata, resourceVersion: '1', uid: 'x' },
      status: { phase: 'Degraded' },
    };
    const same = structuredClone(live);
    const web = same.spec.template.spec.containers[1];
    if (web !== undefined) web.image = 'nginx:1.26';
    expect(diffFields(withServerFields, same)).toEqual([]);
  });

  it.each([
    [
      'a new env entry',
      {
        env: [
          { name: 'MODE', value: 'canary' },
          { name: 'DEBUG', value: '1' },
        ],
      },
      [{ path: 'spec.template.spec.containers[name=web].env[name=DEBUG]', to: { name: 'DEBUG', value: '1' } }],
    ],
    [
      'a changed env value',
      { env: [{ name: 'MODE', value: 'stable' }] },
      [{ path: 'spec.template.spec.containers[name=web].env[name=MODE].value', from: 'canary', to: 'stable' }],
    ],
    [
      'a changed port number',
      { ports: [{ name: 'http', containerPort: 9090 }] },
      [{ path: 'spec.template.spec.containers[name=web].ports[name=http].containerPort', from: 8080, to: 9090 }],
    ],
    ['a port number written as a string', { ports: [{ name: 'http', containerPort: '8080' }] }, []],
    ['new args', { args: ['--verbose'] }, [{ path: 'spec.template.spec.containers[name=web].args', to: ['--verbose'] }]],
  ])('matches named lists by name: %s', (_, webChanges, expected) => {
    const desired = structuredClone(manifest);
    const web = desired.spec.template.spec.containers[0];
    if (web !== undefined) Object.assign(web, { image: 'nginx:1.25' }, webChanges);
    expect(diffFields(desired, live)).toEqual(expected);
  });

  it('reports a container the cluster lacks as a whole, and a new label by its quoted name', () => {
    const desired = structuredClone(manifest);
    desired.spec.template.spec.containers = [
      { name: 'web', image: 'nginx:1.25', ports: [], env: [] },
      { name: 'debug', image: 'busybox' },
    ] as typeof desired.spec.template.spec.containers;
    Object.assign(desired.metadata.labels, { 'team.example.com/owner': 'payments' });
    expect(diffFields(desired, live)).toEqual([
      { path: 'metadata.labels["team.example.com/owner"]', to: 'payments' },
      { path: 'spec.template.spec.containers[name=web].ports', from: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }], to: [] },
      { path: 'spec.template.spec.containers[name=web].env', from: [{ name: 'MODE', value: 'canary' }], to: [] },
      { path: 'spec.template.spec.containers[name=debug]', to: { name: 'debug', image: 'busybox' } },
    ]);
  });

  it('compares unkeyed lists of maps item by item, and replaces them whole when their length changes', () => {
    const oneMoreStep = { spec: { strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }] } } } };
    expect(diffFields(oneMoreStep, live)).toEqual([
      {
        path: 'spec.strategy.canary.steps',
        from: [{ setWeight: 20 }, { pause: {} }],
        to: [{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }],
      },
    ]);
    const otherWeight = { spec: { strategy: { canary: { steps: [{ setWeight: 30 }, { pause: {} }] } } } };
    expect(diffFields(otherWeight, live)).toEqual([{ path: 'spec.strategy.canary.steps[0].setWeight', from: 20, to: 30 }]);
  });

  it('keys unnamed Service ports by their number', () => {
    const desired = { spec: { ports: [{ port: 80, targetPort: 8081 }] } };
    const service = { spec: { clusterIP: '10.0.0.1', ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] } };
    expect(diffFields(desired, service)).toEqual([{ path: 'spec.ports[port=80].targetPort', from: 8080, to: 8081 }]);
  });
});
