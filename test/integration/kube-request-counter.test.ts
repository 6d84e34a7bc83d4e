import { randomUUID } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createLogger } from '../../src/log/index.js';
import {
  apiPath,
  createInformerCache,
  createRequestCounter,
  createRestClient,
  makeCountedApiClient,
  patchMerge,
} from '../../src/kube/index.js';

const environment = inject('gradualEnv');
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(environment.kubernetes.kubeconfig);
const admin = kubeConfig.makeApiClient(CoreV1Api);
const namespace = `it-count-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  await admin.createNamespace({ body: { metadata: { name: namespace } } });
});

afterAll(async () => {
  await admin.deleteNamespace({ name: namespace });
});

describe('request counting', () => {
  it('counts the requests of generated clients and of the REST client by kind, namespace, name, verb and status', async () => {
    const counter = createRequestCounter();
    const core = makeCountedApiClient(kubeConfig, CoreV1Api, counter);
    const rest = createRestClient(kubeConfig, { requestCounter: counter });

    const created = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'counted' }, data: { value: '0' } } });
    for (let read = 0; read < 10; read += 1) await core.readNamespacedConfigMap({ name: 'counted', namespace });
    await core.listNamespacedConfigMap({ namespace });
    // Ten reads made no writes: the assertion a "second reconcile changes nothing" test makes.
    expect(counter.writes()).toBe(1);
    await patchMerge(
      rest,
      apiPath({ version: 'v1', resource: 'configmaps', namespace, name: 'counted' }),
      { data: { value: '1' } },
      created.metadata?.resourceVersion ?? '',
    );
    await core.readNamespacedConfigMap({ name: 'absent', namespace }).catch(() => undefined);

    expect(counter.writes()).toBe(2);
    expect(counter.total({ verb: 'get', name: 'counted', statusCode: '200' })).toBe(10);
    expect(counter.counts()).toEqual(
      expect.arrayContaining([
        { kind: 'configmaps', namespace, name: 'counted', verb: 'create', statusCode: '201', subresource: '', count: 1 },
        { kind: 'configmaps', namespace, name: '', verb: 'list', statusCode: '200', subresource: '', count: 1 },
        { kind: 'configmaps', namespace, name: 'counted', verb: 'patch', statusCode: '200', subresource: '', count: 1 },
        { kind: 'configmaps', namespace, name: 'absent', verb: 'get', statusCode: '404', subresource: '', count: 1 },
      ]),
    );
    expect(counter.total()).toBe(14);
    counter.reset();
    expect(counter.total()).toBe(0);
  });

  it('counts an informer list and watch, and nothing while the cache serves reads', async () => {
    const counter = createRequestCounter();
    const informer = createInformerCache(kubeConfig, {
      path: apiPath({ version: 'v1', resource: 'configmaps', namespace }),
      requestCounter: counter,
      logger: createLogger({ level: 'warn' }),
    });
    await informer.start();
    await informer.waitForSync(30_000);
    for (let read = 0; read < 10; read += 1) informer.get(namespace, 'counted');
    expect(counter.counts()).toEqual([
      { kind: 'configmaps', namespace, name: '', verb: 'list', statusCode: '200', subresource: '', count: 1 },
      { kind: 'configmaps', namespace, name: '', verb: 'watch', statusCode: '200', subresource: '', count: 1 },
    ]);
    await informer.stop();
  });
});
