import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube/index.js';
import { parseManifests } from '../manifests/index.js';
import { diffAgainstLive } from './diff-against-live.js';
import { hideSecretValues, storedForm } from './hide-secret-values.js';
import { renderPlanCheck } from './render-plan-check.js';

const livePassword = 'bGl2ZS1wYXNzd29yZA=='; // "live-password"
const liveSecret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: {
    name: 'db-credentials',
    namespace: 'prod',
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"stringData":{"password":"live-password"}}' },
  },
  data: { password: livePassword, user: 'YWRtaW4=' },
} as KubeObject;

async function planOf(text: string): Promise<string> {
  const { objects, errors } = parseManifests([{ path: 's.yaml', text }], { namespace: 'prod' });
  expect(errors).toEqual([]);
  const planned = await diffAgainstLive(objects, () => Promise.resolve(liveSecret));
  const output = renderPlanCheck({ headSha: 'a'.repeat(40), environment: 'production', namespace: 'prod', objects: planned, errors: [] });
  // Everything the plan produces: its objects as data and the check run as a person reads it.
  return `${JSON.stringify(planned)}\n${output.title}\n${output.summary}`;
}

describe('a Secret in the plan', () => {
  it.each([
    [
      'a new data value',
      'apiVersion: v1\nkind: Secret\nmetadata: { name: db-credentials }\ndata: { password: bmV3LXBhc3N3b3Jk }\n',
      'data.password',
    ],
    [
      'a new stringData value',
      'apiVersion: v1\nkind: Secret\nmetadata: { name: db-credentials }\nstringData: { password: new-password }\n',
      'data.password',
    ],
    ['a whole data map of another shape', 'apiVersion: v1\nkind: Secret\nmetadata: { name: db-credentials }\ndata: [x]\n', 'data'],
    [
      'an annotation that holds the values live',
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-credentials\n  annotations: { kubectl.kubernetes.io/last-applied-configuration: x }\n',
      'metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]',
    ],
  ])('shows %s as changed, values hidden — neither the live nor the proposed value', async (_, text, path) => {
    const rendered = await planOf(text);
    expect(rendered).toContain(path);
    expect(rendered).toContain('changed, values hidden');
    for (const secret of [livePassword, 'live-password', 'bmV3LXBhc3N3b3Jk', 'new-password', 'YWRtaW4='])
      expect(rendered).not.toContain(secret);
  });

  it('sees no change when stringData holds the value the cluster stores in data', async () => {
    const { objects } = parseManifests(
      [
        {
          path: 's.yaml',
          text: 'apiVersion: v1\nkind: Secret\nmetadata: { name: db-credentials }\nstringData: { password: live-password }\n',
        },
      ],
      { namespace: 'prod' },
    );
    const [planned] = await diffAgainstLive(objects, () =>
      Promise.resolve({ ...liveSecret, metadata: { name: 'db-credentials', namespace: 'prod' } } as KubeObject),
    );
    expect(planned?.change).toBe('unchanged');
  });

  it.each([
    ['Secret', [{ path: 'data.a', from: 'x', to: 'y' }], [{ path: 'data.a', hidden: true }]],
    ['Secret', [{ path: 'metadata.labels.team', to: 'a' }], [{ path: 'metadata.labels.team', hidden: true }]],
    ['ConfigMap', [{ path: 'data.a', from: 'x', to: 'y' }], [{ path: 'data.a', from: 'x', to: 'y' }]],
  ] as const)('hideSecretValues on a %s', (kind, changes, expected) => {
    expect(hideSecretValues(kind, changes)).toEqual(expected);
  });

  it('stores stringData as base64 data, over data of the same key, and leaves other kinds alone', () => {
    expect(storedForm('Secret', { kind: 'Secret', data: { a: 'eA==', b: 'eQ==' }, stringData: { a: 'z' } })).toEqual({
      kind: 'Secret',
      data: { a: 'eg==', b: 'eQ==' },
    });
    const configMap = { kind: 'ConfigMap', stringData: { a: 'z' } };
    expect(storedForm('ConfigMap', configMap)).toBe(configMap);
  });
});
