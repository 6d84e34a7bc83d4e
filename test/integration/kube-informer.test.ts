import { randomUUID } from 'node:crypto';
import { ApiextensionsV1Api, CoreV1Api, KubeConfig, type KubernetesObject, type V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createLogger } from '../../src/log/index.js';
import { apiPath, createInformerCache, createRequestCounter, createRestClient, type InformerCache } from '../../src/kube/index.js';

const environment = inject('gradualEnv');
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(environment.kubernetes.kubeconfig);
const core = kubeConfig.makeApiClient(CoreV1Api);
const namespace = `it-informer-${randomUUID().slice(0, 8)}`;
const logger = createLogger({ level: 'warn' });

interface Seen {
  event: 'add' | 'update' | 'delete';
  name: string;
  data: Record<string, string> | undefined;
}

/** Records every event and lets a test await the next one matching a predicate, with a bounded wait. */
function recordEvents(informer: InformerCache<V1ConfigMap>): {
  events: Seen[];
  next(match: (seen: Seen) => boolean, what: string): Promise<Seen>;
} {
  const events: Seen[] = [];
  const waiters = new Set<{ match: (seen: Seen) => boolean; resolve: (seen: Seen) => void }>();
  const record = (event: Seen['event']) => (object: V1ConfigMap) => {
    const seen = { event, name: object.metadata?.name ?? '', data: object.data };
    events.push(seen);
    for (const waiter of waiters) {
      if (waiter.match(seen)) {
        waiters.delete(waiter);
        waiter.resolve(seen);
      }
    }
  };
  informer.onAdd(record('add'));
  informer.onUpdate(record('update'));
  informer.onDelete(record('delete'));
  return {
    events,
    next(match, what) {
      const already = events.find(match);
      if (already !== undefined) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no ${what} event within 15 s; saw ${JSON.stringify(events)}`));
        }, 15_000);
        waiters.add({
          match,
          resolve: (seen) => {
            clearTimeout(timer);
            resolve(seen);
          },
        });
      });
    },
  };
}

const extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
const group = `w${randomUUID().slice(0, 8)}.gradual.test`;

const collection = apiPath({ version: 'v1', resource: 'configmaps', namespace });
const informers: { stop(): Promise<void> }[] = [];

function informerFor(labelSelector?: string): InformerCache<V1ConfigMap> {
  const informer = createInformerCache<V1ConfigMap>(
    kubeConfig,
    labelSelector === undefined ? { path: collection, logger } : { path: collection, labelSelector, logger },
  );
  informers.push(informer);
  return informer;
}

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: namespace } } });
});

afterAll(async () => {
  await Promise.all(informers.map((informer) => informer.stop()));
  await core.deleteNamespace({ name: namespace });
  await extensions.deleteCustomResourceDefinition({ name: `widgets.${group}` }).catch(() => undefined);
});

describe('createInformerCache', () => {
  it('lists, then follows adds, updates and deletes, keeping the cache in step', async () => {
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'before' }, data: { value: 'listed' } } });
    const informer = informerFor();
    const seen = recordEvents(informer);
    expect(informer.hasSynced()).toBe(false);
    await informer.start();
    await informer.waitForSync(30_000);
    expect(informer.hasSynced()).toBe(true);
    await seen.next((s) => s.event === 'add' && s.name === 'before', 'add of the listed ConfigMap');
    const listed = informer.get(namespace, 'before');
    // Listed items get kind and apiVersion like watched ones, and keep the server's JSON (timestamps are strings).
    expect(listed).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', data: { value: 'listed' } });
    expect(typeof listed?.metadata?.creationTimestamp).toBe('string');

    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'a', labels: { app: 'demo' } }, data: { value: '1' } } });
    expect(await seen.next((s) => s.event === 'add' && s.name === 'a', 'add of a')).toMatchObject({ data: { value: '1' } });
    const added = informer.get(namespace, 'a');
    expect(added).toMatchObject({ kind: 'ConfigMap', data: { value: '1' } });
    expect(typeof added?.metadata?.creationTimestamp).toBe('string');
    // The server records who wrote what (managedFields); the cache drops it, listed or watched.
    expect((await core.readNamespacedConfigMap({ name: 'a', namespace })).metadata?.managedFields?.length).toBeGreaterThan(0);
    expect(listed?.metadata).not.toHaveProperty('managedFields');
    expect(added?.metadata).not.toHaveProperty('managedFields');

    await core.patchNamespacedConfigMap({ name: 'a', namespace, body: [{ op: 'replace', path: '/data/value', value: '2' }] });
    await seen.next((s) => s.event === 'update' && s.name === 'a' && s.data?.['value'] === '2', 'update of a');
    expect(informer.get(namespace, 'a')?.data).toEqual({ value: '2' });
    expect(informer.get(namespace, 'a')?.metadata).not.toHaveProperty('managedFields');
    expect(
      informer
        .list(namespace)
        .map((cm) => cm.metadata?.name)
        .sort(),
    ).toEqual(expect.arrayContaining(['a', 'before']));
    expect(informer.list(namespace, (cm) => cm.metadata?.labels?.['app'] === 'demo').map((cm) => cm.metadata?.name)).toEqual(['a']);
    expect(informer.list('elsewhere')).toEqual([]);

    await core.deleteNamespacedConfigMap({ name: 'a', namespace });
    expect(await seen.next((s) => s.event === 'delete' && s.name === 'a', 'delete of a')).toMatchObject({ data: { value: '2' } });
    expect(informer.get(namespace, 'a')).toBeUndefined();
    expect(seen.events.filter((s) => s.name === 'a').map((s) => s.event)).toEqual(['add', 'update', 'delete']);
  });

  it('with a label selector, sees only the matching objects', async () => {
    const all = informerFor();
    const selected = informerFor('tier=selected');
    const allSeen = recordEvents(all);
    const selectedSeen = recordEvents(selected);
    await Promise.all([all.start(), selected.start()]);
    await Promise.all([all.waitForSync(30_000), selected.waitForSync(30_000)]);

    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'other' }, data: { value: 'x' } } });
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'chosen', labels: { tier: 'selected' } }, data: { value: 'y' } },
    });
    await selectedSeen.next((s) => s.event === 'add' && s.name === 'chosen', 'add of chosen');
    // Writes are ordered: once the unfiltered informer has seen both, the filtered one has had its chance to see `other`.
    await allSeen.next((s) => s.event === 'add' && s.name === 'chosen', 'add of chosen (unfiltered)');
    await allSeen.next((s) => s.event === 'add' && s.name === 'other', 'add of other (unfiltered)');
    expect(selected.list(namespace).map((cm) => cm.metadata?.name)).toEqual(['chosen']);
    expect(selected.get(namespace, 'other')).toBeUndefined();
    expect(all.get(namespace, 'other')).toBeDefined();

    // Removing the label makes the object leave the filtered view: the server reports it as deleted there.
    await core.patchNamespacedConfigMap({ name: 'chosen', namespace, body: [{ op: 'remove', path: '/metadata/labels/tier' }] });
    await selectedSeen.next((s) => s.event === 'delete' && s.name === 'chosen', 'delete of chosen from the filtered view');
    expect(selected.list(namespace)).toEqual([]);
    await allSeen.next((s) => s.event === 'update' && s.name === 'chosen', 'update of chosen (unfiltered)');
    expect(all.get(namespace, 'chosen')).toBeDefined();
    expect(selectedSeen.events.map((s) => s.name)).not.toContain('other');
  });

  it('keeps retrying a failing list with backoff and syncs once the resource exists', async () => {
    const counter = createRequestCounter();
    const widgets = apiPath({ group, version: 'v1', resource: 'widgets', namespace });
    const informer = createInformerCache<KubernetesObject>(kubeConfig, {
      path: widgets,
      logger: createLogger({ level: 'silent' }),
      requestCounter: counter,
      minRestartDelayMs: 100,
      maxRestartDelayMs: 400,
    });
    informers.push(informer);
    await informer.start();
    expect(informer.hasSynced()).toBe(false);
    await expect(informer.waitForSync(500)).rejects.toThrow(/did not sync/);
    expect(counter.total({ verb: 'list', statusCode: '404' })).toBeGreaterThanOrEqual(2);

    await extensions.createCustomResourceDefinition({
      body: {
        metadata: { name: `widgets.${group}` },
        spec: {
          group,
          scope: 'Namespaced',
          names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: { openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true } },
            },
          ],
        },
      },
    });
    await informer.waitForSync(30_000);
    const rest = createRestClient(kubeConfig);
    const added = new Promise<KubernetesObject>((resolve) => {
      informer.onAdd(resolve);
    });
    await rest.request({ method: 'POST', path: widgets, body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w1' } } });
    const timeout = new Promise<never>((_resolve, reject) => {
      setTimeout(() => {
        reject(new Error('no add event for the widget'));
      }, 15_000).unref();
    });
    expect(await Promise.race([added, timeout])).toMatchObject({ kind: 'Widget', metadata: { name: 'w1' } });
    expect(informer.get(namespace, 'w1')).toBeDefined();
    await informer.stop();
  });
});
