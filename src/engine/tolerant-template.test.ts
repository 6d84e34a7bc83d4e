import { describe, expect, test } from 'vitest';
import { planRollout } from './plan-rollout.js';
import { canaryRollout } from './testing/fixtures.js';
import { isDecodableQuantity, tolerantPodTemplate } from './tolerant-template.js';

const labels = { metadata: { labels: { app: 'demo' } } };

describe('isDecodableQuantity (apimachinery ParseQuantity through Quantity.UnmarshalJSON)', () => {
  test.each([
    ['1', true],
    ['100m', true],
    ['1.5Gi', true],
    ['128Mi', true],
    ['2k', true],
    ['1e3', true],
    ['+1', true],
    ['-1', true],
    ['.5', true],
    [' 1Gi ', true],
    [1, true],
    [0.5, true],
    [null, true],
    ['invalid', false],
    ['', false],
    ['1 Gi', false],
    ['1gi', false],
    ['1KB', false],
    ['Gi', false],
    ['1e', false],
    [true, false],
    [{}, false],
    [[], false],
  ])('%j → %s', (value, expected) => {
    expect(isDecodableQuantity(value)).toBe(expected);
  });
});

describe('tolerantPodTemplate: Go decoding stops at the first quantity that does not parse', () => {
  test.each([
    [
      'every quantity parses: the template as it is',
      { ...labels, spec: { containers: [{ name: 'a', image: 'x', resources: { requests: { memory: '1Gi' } } }] } },
      { ...labels, spec: { containers: [{ name: 'a', image: 'x', resources: { requests: { memory: '1Gi' } } }] } },
      undefined,
    ],
    [
      "Argo's malformed-rollout.yaml: requests emptied, the container kept",
      {
        ...labels,
        spec: {
          containers: [{ name: 'malformed-rollout', image: 'argoproj/rollouts-demo:blue', resources: { requests: { memory: 'invalid' } } }],
        },
      },
      {
        ...labels,
        spec: { containers: [{ image: 'argoproj/rollouts-demo:blue', name: 'malformed-rollout', resources: { requests: {} } }] },
      },
      'spec.containers[].resources.requests.memory',
    ],
    [
      "Argo's malformed-rollout-ephemeral.yaml: the ephemeral containers come after, and go",
      {
        ...labels,
        spec: {
          containers: [{ name: 'a', image: 'x', resources: { requests: { memory: 'invalid' } } }],
          ephemeralContainers: [{ name: 'a', image: 'x', resources: { requests: { memory: 'invalid' } } }],
        },
      },
      { ...labels, spec: { containers: [{ image: 'x', name: 'a', resources: { requests: {} } }] } },
      'spec.containers[].resources.requests.memory',
    ],
    [
      'entries before the bad one in key order stay; fields, containers and pod fields after it go',
      {
        ...labels,
        spec: {
          affinity: { nodeAffinity: {} },
          containers: [
            {
              name: 'a',
              image: 'x',
              resources: { limits: { cpu: '1' }, requests: { cpu: '100m', memory: 'lots', storage: '1Gi' } },
              volumeMounts: [{ name: 'v', mountPath: '/v' }],
            },
            { name: 'b', image: 'y' },
          ],
          nodeSelector: { zone: 'a' },
          volumes: [{ name: 'v', emptyDir: {} }],
        },
      },
      {
        ...labels,
        spec: {
          affinity: { nodeAffinity: {} },
          containers: [{ image: 'x', name: 'a', resources: { limits: { cpu: '1' }, requests: { cpu: '100m' } } }],
        },
      },
      'spec.containers[].resources.requests.memory',
    ],
    [
      'an init container (sorted after containers): the containers stay whole',
      {
        ...labels,
        spec: {
          containers: [{ name: 'a', image: 'x' }],
          initContainers: [{ name: 'i', resources: { limits: { cpu: true } } }],
          volumes: [],
        },
      },
      { ...labels, spec: { containers: [{ name: 'a', image: 'x' }], initContainers: [{ name: 'i', resources: { limits: {} } }] } },
      'spec.initContainers[].resources.limits.cpu',
    ],
    [
      "an emptyDir's sizeLimit",
      {
        ...labels,
        spec: { containers: [{ name: 'a' }], volumes: [{ name: 'v', emptyDir: { medium: 'Memory', sizeLimit: 'big' } }, { name: 'w' }] },
      },
      { ...labels, spec: { containers: [{ name: 'a' }], volumes: [{ emptyDir: { medium: 'Memory' } }] } }, // "name" sorts after "emptyDir": never decoded
      'spec.volumes[].emptyDir.sizeLimit',
    ],
    [
      'pod-level resources and overhead',
      { ...labels, spec: { containers: [{ name: 'a' }], overhead: { cpu: 'x' }, resources: { requests: { cpu: '1' } } } },
      { ...labels, spec: { containers: [{ name: 'a' }], overhead: {} } },
      'spec.overhead.cpu',
    ],
    [
      'a value that only looks like a quantity elsewhere is not one',
      { ...labels, spec: { containers: [{ name: 'a', env: [{ name: 'memory', value: 'invalid' }] }] } },
      { ...labels, spec: { containers: [{ name: 'a', env: [{ name: 'memory', value: 'invalid' }] }] } },
      undefined,
    ],
  ])('%s', (_name, template, expected, stoppedAt) => {
    const result = tolerantPodTemplate(template);
    expect(result.template).toEqual(expected);
    expect(result.stoppedAt).toBe(stoppedAt);
  });
});

describe('planRollout with a malformed quantity', () => {
  test('creates the ReplicaSet from the template Argo decodes: no bad value for the API server to refuse', () => {
    const rollout = canaryRollout({ steps: [] });
    const container = rollout.spec.template?.spec?.containers?.[0];
    if (container !== undefined) container['resources'] = { requests: { memory: 'invalid' } };
    const plan = planRollout({ rollout, replicaSets: [], services: {}, pods: [], now: new Date(0) });
    const created = plan.actions.find((action) => action.kind === 'createReplicaSet');
    expect(created?.kind === 'createReplicaSet' ? created.replicaSet.spec?.template?.spec?.containers : undefined).toEqual([
      { image: 'demo:1', name: 'app', resources: { requests: {} } },
    ]);
    expect(plan.status.conditions?.some((condition) => condition.type === 'InvalidSpec')).toBe(false);
  });
});
