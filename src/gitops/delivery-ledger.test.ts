import { describe, expect, it } from 'vitest';
import { createLogger } from '../log/index.js';
import type { RestClient, RestRequest } from '../kube/index.js';
import { createDeliveryLedger, isRecordableDelivery, mergeLedger } from './delivery-ledger.js';

const logger = createLogger({ level: 'silent' });

/** An API server holding ConfigMaps by path, with resourceVersions and 409 on a stale PUT; `down` fails every request. */
function fakeApiServer(): RestClient & {
  objects: Map<string, { metadata: { resourceVersion: string }; data?: Record<string, string> }>;
  down: boolean;
  conflictsToInject: number;
  writes: number;
} {
  let version = 1;
  const server = {
    objects: new Map<string, { metadata: { resourceVersion: string }; data?: Record<string, string> }>(),
    down: false,
    conflictsToInject: 0,
    writes: 0,
    request<T>(request: RestRequest): Promise<T> {
      if (server.down) return Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 503 }));
      const body = request.body as { metadata: { name: string; resourceVersion?: string }; data?: Record<string, string> } | undefined;
      const path = request.method === 'POST' ? `${request.path}/${body?.metadata.name ?? ''}` : request.path;
      const current = server.objects.get(path);
      if (request.method === 'GET')
        return current === undefined
          ? Promise.reject(Object.assign(new Error('not found'), { code: 404 }))
          : Promise.resolve(structuredClone(current) as T);
      if (
        server.conflictsToInject > 0 ||
        (request.method === 'PUT' && current?.metadata.resourceVersion !== body?.metadata.resourceVersion) ||
        (request.method === 'POST' && current !== undefined)
      ) {
        server.conflictsToInject = Math.max(0, server.conflictsToInject - 1);
        return Promise.reject(Object.assign(new Error('conflict'), { code: 409 }));
      }
      version += 1;
      server.writes += 1;
      const stored = { ...body, metadata: { ...body?.metadata, resourceVersion: String(version) } };
      server.objects.set(path, stored);
      return Promise.resolve(structuredClone(stored) as T);
    },
  };
  return server;
}

const id = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('the delivery ledger (delivery-ledger.ts)', () => {
  it('a handled delivery is remembered by the next process (a restart): the ConfigMap keeps it', async () => {
    const server = fakeApiServer();
    let clock = Date.parse('2026-12-07T09:00:00Z');
    const first = createDeliveryLedger({ store: { client: server, namespace: 'gradual' }, now: () => new Date(clock), logger });
    expect(await first.handled(id(1))).toBe(false);
    await first.record(id(1));
    clock += 1000;
    const restarted = createDeliveryLedger({ store: { client: server, namespace: 'gradual' }, now: () => new Date(clock), logger });
    expect([await restarted.handled(id(1)), await restarted.handled(id(2))]).toEqual([true, false]);
    expect([...server.objects.keys()]).toEqual(['/api/v1/namespaces/gradual/configmaps/gradual-deliveries']);
  });

  it('only what was recorded counts: a delivery whose handler failed (never recorded) is handled again after a restart', async () => {
    const server = fakeApiServer();
    const ledger = createDeliveryLedger({ store: { client: server, namespace: 'gradual' }, now: () => new Date(), logger });
    expect(await ledger.handled(id(7))).toBe(false);
    // The handler threw here: nothing recorded.
    const restarted = createDeliveryLedger({ store: { client: server, namespace: 'gradual' }, now: () => new Date(), logger });
    expect(await restarted.handled(id(7))).toBe(false);
  });

  it('two replicas writing at once both keep their ids (a 409 merges over the other’s version)', async () => {
    const server = fakeApiServer();
    const a = createDeliveryLedger({ store: { client: server, namespace: 'gradual' }, now: () => new Date(), logger });
    const b = createDeliveryLedger({ store: { client: server, namespace: 'gradual' }, now: () => new Date(), logger });
    server.conflictsToInject = 2;
    await Promise.all([a.record(id(1)), b.record(id(2))]);
    const third = createDeliveryLedger({ store: { client: server, namespace: 'gradual' }, now: () => new Date(), logger });
    expect([await third.handled(id(1)), await third.handled(id(2))]).toEqual([true, true]);
  });

  it('an API server that is down: deliveries are handled as new (idempotent handlers), nothing throws, and it is written once it is back', async () => {
    const server = fakeApiServer();
    server.down = true;
    const ledger = createDeliveryLedger({ store: { client: server, namespace: 'gradual' }, now: () => new Date(), logger });
    expect(await ledger.handled(id(3))).toBe(false);
    await ledger.record(id(3));
    expect(await ledger.handled(id(3))).toBe(true);
    server.down = false;
    await ledger.record(id(4));
    const restarted = createDeliveryLedger({ store: { client: server, namespace: 'gradual' }, now: () => new Date(), logger });
    expect([await restarted.handled(id(3)), await restarted.handled(id(4))]).toEqual([true, true]);
  });

  it('keeps the newest ids up to its capacity', () => {
    const added = new Map(Array.from({ length: 10 }, (_, n) => [id(n), 1000 + n] as const));
    expect(Object.keys(mergeLedger({}, added, 3)).sort()).toEqual([id(7), id(8), id(9)]);
    expect(mergeLedger({ [id(1)]: '5' }, new Map([[id(1), 9]]), 3)).toEqual({ [id(1)]: '9' });
  });

  it('hostile: an id that is not a GUID (a hand-made delivery) is neither recorded nor able to break the ConfigMap’s keys', async () => {
    for (const bad of ['', '../etc', 'a b', 'x'.repeat(65), 'id\nwith-newline', '{"__proto__":1}'])
      expect(isRecordableDelivery(bad)).toBe(false);
    const server = fakeApiServer();
    const ledger = createDeliveryLedger({ store: { client: server, namespace: 'gradual' }, now: () => new Date(), logger });
    await ledger.record('../etc');
    expect(server.writes).toBe(0);
    expect(mergeLedger({ 'bad key': '1', [id(1)]: 'NaN', [id(2)]: '3' }, new Map(), 10)).toEqual({ [id(2)]: '3' });
  });
});
