import { KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifests, type ManifestObject } from '../../src/gitops/manifests/index.js';
import { diffAgainstLive, readLiveObject, renderPlanCheck } from '../../src/gitops/plan/index.js';
import { createRestClient } from '../../src/kube/index.js';
import { testCluster } from './support/test-cluster.js';

const cluster = testCluster('it-plan');
const rest = createRestClient(cluster.kubeConfig);

const rollout = (image: string): string =>
  [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Rollout',
    'metadata:',
    '  name: web',
    'spec:',
    '  replicas: 2',
    '  selector: { matchLabels: { app: web } }',
    '  strategy:',
    '    canary:',
    '      steps: [{ setWeight: 20 }, { pause: {} }]',
    '  template:',
    '    metadata: { labels: { app: web } }',
    '    spec:',
    '      containers:',
    `        - name: web`,
    `          image: "${image}"`,
    '          ports: [{ name: http, containerPort: 8080 }]',
    '',
  ].join('\n');

const service = [
  'apiVersion: v1',
  'kind: Service',
  'metadata:',
  '  name: web',
  'spec:',
  '  selector: { app: web }',
  '  ports:',
  '    - port: 80',
  '      targetPort: 8080',
  '',
].join('\n');
const configMap = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: web-settings', 'data: { mode: canary }', ''].join('\n');

function parse(files: Record<string, string>): ManifestObject[] {
  const { objects, errors } = parseManifests(
    Object.entries(files).map(([path, text]) => ({ path, text })),
    { namespace: cluster.namespace },
  );
  expect(errors).toEqual([]);
  return objects;
}

/** Server-side applies the objects as the deploy will (field manager gradual), so the cluster holds them with every server default filled in. */
async function apply(objects: readonly ManifestObject[]): Promise<void> {
  const client = KubernetesObjectApi.makeApiClient(cluster.kubeConfig);
  for (const object of objects) await client.patch(object.object, undefined, undefined, 'gradual', false, PatchStrategy.ServerSideApply);
}

describe('the plan against the real control plane', () => {
  beforeAll(async () => {
    await cluster.setUp();
    await apply(parse({ 'apps/web/rollout.yaml': rollout('nginx:1.25'), 'apps/web/service.yaml': service }));
  });

  afterAll(async () => {
    await cluster.tearDown();
  });

  it('sees the Rollout image change, a new ConfigMap as created, and a Service with server defaults as unchanged', async () => {
    const objects = parse({
      'apps/web/rollout.yaml': rollout('nginx:1.26'),
      'apps/web/service.yaml': service,
      'apps/web/config.yaml': configMap,
    });
    const planned = await diffAgainstLive(objects, (ref) => readLiveObject(rest, ref));
    expect(planned.map(({ ref, change, changes }) => [ref.kind, ref.name, change, changes])).toEqual([
      ['Rollout', 'web', 'changed', [{ path: 'spec.template.spec.containers[name=web].image', from: 'nginx:1.25', to: 'nginx:1.26' }]],
      ['Service', 'web', 'unchanged', []],
      ['ConfigMap', 'web-settings', 'created', []],
    ]);
    // The live Service really carries defaults the manifest never set: the comparison ignored them.
    const live = await readLiveObject(rest, { apiVersion: 'v1', kind: 'Service', namespace: cluster.namespace, name: 'web' });
    expect(live).toMatchObject({ spec: { type: 'ClusterIP', sessionAffinity: 'None', ports: [{ port: 80, protocol: 'TCP' }] } });

    const output = renderPlanCheck({
      headSha: 'f'.repeat(40),
      environment: 'production',
      namespace: cluster.namespace,
      objects: planned,
      errors: [],
    });
    expect([output.conclusion, output.title]).toEqual(['success', '1 to create, 1 to change, 1 unchanged']);
    expect(output.summary).toContain('`spec.template.spec.containers[name=web].image`: `nginx:1.25` → `nginx:1.26`');
  });

  it('plans nothing once the change is applied', async () => {
    const objects = parse({
      'apps/web/rollout.yaml': rollout('nginx:1.26'),
      'apps/web/service.yaml': service,
      'apps/web/config.yaml': configMap,
    });
    await apply(objects);
    const planned = await diffAgainstLive(objects, (ref) => readLiveObject(rest, ref));
    expect(planned.map((object) => object.change)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(
      renderPlanCheck({ headSha: 'f'.repeat(40), environment: 'production', namespace: cluster.namespace, objects: planned, errors: [] })
        .conclusion,
    ).toBe('neutral');
  });

  it('reads an object that does not exist as undefined, and names a kind the server does not serve', async () => {
    expect(
      await readLiveObject(rest, { apiVersion: 'v1', kind: 'ConfigMap', namespace: cluster.namespace, name: 'absent' }),
    ).toBeUndefined();
    await expect(
      readLiveObject(rest, { apiVersion: 'example.com/v1', kind: 'Widget', namespace: cluster.namespace, name: 'w' }),
    ).rejects.toThrow(/serves no example\.com\/v1.*404/);
    await expect(readLiveObject(rest, { apiVersion: 'v1', kind: 'Widget', namespace: cluster.namespace, name: 'w' })).rejects.toThrow(
      'the API server serves no kind Widget in v1',
    );
  });
});
