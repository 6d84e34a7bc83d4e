import { randomUUID } from 'node:crypto';
import { CoreV1Api, KubeConfig, type KubernetesObject, type V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import {
  apiPath,
  createRestClient,
  isConflict,
  isNotFound,
  patchMerge,
  replaceWithResourceVersion,
  statusCodeOf,
} from '../../src/kube/index.js';

const environment = inject('gradualEnv');
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(environment.kubernetes.kubeconfig);
const core = kubeConfig.makeApiClient(CoreV1Api);
const rest = createRestClient(kubeConfig);
const namespace = `it-apply-${randomUUID().slice(0, 8)}`;
/** ConfigMaps as plain JSON (the REST client returns no class instances). */
interface ConfigMapJson extends KubernetesObject {
  data?: Record<string, string>;
}

const path = (name: string): string => apiPath({ version: 'v1', resource: 'configmaps', namespace, name });

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (cause: unknown) => cause,
  );
}

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: namespace } } });
});

afterAll(async () => {
  await core.deleteNamespace({ name: namespace });
});

describe('writes with optimistic concurrency against the API server', () => {
  it('a merge patch with a stale resourceVersion gets 409 and changes nothing; with the current one it applies', async () => {
    const created = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'patched' }, data: { value: '0' } } });
    const stale = created.metadata?.resourceVersion ?? '';
    const first = await patchMerge<V1ConfigMap>(rest, path('patched'), { data: { value: '1' } }, stale);
    expect(first.data).toEqual({ value: '1' });
    expect(first.metadata?.resourceVersion).not.toBe(stale);

    const failure = await failureOf(patchMerge(rest, path('patched'), { data: { value: '2' }, metadata: { labels: { x: 'y' } } }, stale));
    expect(isConflict(failure)).toBe(true);
    expect(statusCodeOf(failure)).toBe(409);
    // Our REST client parses the Status body (client-node's generated clients keep it as a string).
    expect(failure).toMatchObject({ code: 409, body: { kind: 'Status', reason: 'Conflict' } });
    const after = await core.readNamespacedConfigMap({ name: 'patched', namespace });
    expect(after.data).toEqual({ value: '1' });
    expect(after.metadata?.labels).toBeUndefined();
    expect(after.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);

    const second = await patchMerge<V1ConfigMap>(rest, path('patched'), { data: { value: '2' } }, first.metadata?.resourceVersion ?? '');
    expect(second.data).toEqual({ value: '2' });
  });

  it('a replace with a stale resourceVersion gets 409; without one it is refused before any request', async () => {
    const created = await rest.request<ConfigMapJson>({
      method: 'POST',
      path: apiPath({ version: 'v1', resource: 'configmaps', namespace }),
      body: { metadata: { name: 'replaced' }, data: { value: '0' } },
    });
    const updated = await replaceWithResourceVersion(rest, path('replaced'), { ...created, data: { value: '1' } });
    expect(updated.data).toEqual({ value: '1' });
    const failure = await failureOf(replaceWithResourceVersion(rest, path('replaced'), { ...created, data: { value: '2' } }));
    expect(isConflict(failure)).toBe(true);
    await expect(replaceWithResourceVersion(rest, path('replaced'), { metadata: { name: 'replaced' }, data: {} })).rejects.toThrow(
      /no metadata.resourceVersion/,
    );
    expect((await core.readNamespacedConfigMap({ name: 'replaced', namespace })).data).toEqual({ value: '1' });
  });

  it('reads the status code of client-node ApiExceptions from both our client and the generated ones', async () => {
    const ours = await failureOf(rest.request({ method: 'GET', path: path('missing') }));
    const generated = await failureOf(core.readNamespacedConfigMap({ name: 'missing', namespace }));
    expect(isNotFound(ours)).toBe(true);
    expect(isNotFound(generated)).toBe(true);
    expect(isConflict(generated)).toBe(false);
    // The generated clients keep the error body as unparsed JSON text.
    expect(typeof (generated as { body: unknown }).body).toBe('string');
    const duplicate = await failureOf(core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'patched' } } }));
    expect(isConflict(duplicate)).toBe(true);
  });
});
