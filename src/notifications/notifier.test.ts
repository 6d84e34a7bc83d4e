import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiException } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RestClient, RestRequest } from '../kube/index.js';
import { createLogger } from '../log/index.js';
import { BUILTIN_CATALOGUE } from './builtin-catalogue.js';
import { createNotifier } from './notifier.js';
import type { TransitionEvent } from './plan-notifications.js';

let server: Server;
let base = '';
let hits = 0;

beforeAll(async () => {
  // A service that fails: it drops every connection without answering.
  server = createServer((request) => {
    hits += 1;
    request.socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** The API server as the notifier sees it: Argo's ConfigMap, no Secret, and the ledger (stored, or refused with `ledgerStatus`). */
function fakeRest(configMap: Record<string, string>, writes: RestRequest[], ledgerStatus?: number): RestClient {
  let ledger: { data: Record<string, string>; metadata: { resourceVersion: string } } | undefined;
  return {
    request<T>(request: RestRequest): Promise<T> {
      if (
        request.path.includes('/configmaps') &&
        request.method !== 'GET' &&
        !request.path.endsWith('/argo-rollouts-notification-configmap')
      ) {
        writes.push(request);
        if (ledgerStatus !== undefined) return Promise.reject(new ApiException(ledgerStatus, 'forbidden', {}, {}));
        const body = request.body as { data: Record<string, string> };
        ledger = { data: body.data, metadata: { resourceVersion: String(writes.length) } };
        return Promise.resolve(ledger as T);
      }
      if (request.path.endsWith('/configmaps/gradual-notifications-sent')) {
        if (ledgerStatus !== undefined) return Promise.reject(new ApiException(ledgerStatus, 'forbidden', {}, {}));
        return ledger === undefined ? Promise.reject(new ApiException(404, 'not found', {}, {})) : Promise.resolve(ledger as T);
      }
      if (request.path.endsWith('/configmaps/argo-rollouts-notification-configmap')) return Promise.resolve({ data: configMap } as T);
      if (request.path.endsWith('/secrets/argo-rollouts-notification-secret'))
        return Promise.reject(new ApiException(404, 'not found', {}, {}));
      return Promise.reject(new Error(`unexpected ${request.method} ${request.path}`));
    },
  };
}

const rollout = {
  metadata: {
    name: 'web',
    namespace: 'shop',
    uid: 'uid-1',
    annotations: { 'notifications.argoproj.io/subscribe.on-rollout-aborted.receiver': '' },
  },
  spec: { template: { spec: { containers: [] } }, strategy: { canary: { steps: [] } } },
  status: { phase: 'Degraded' },
};
const aborted: TransitionEvent = { type: 'Warning', reason: 'RolloutAborted', message: 'Rollout aborted update to revision 2' };

describe('the notifier shell', () => {
  it('a failing service never stalls the caller: notify returns at once; the failure is an Event and notification_send_error', async () => {
    const patches: RestRequest[] = [];
    const events: TransitionEvent[] = [];
    const registry = new Registry();
    const rest = fakeRest({ ...BUILTIN_CATALOGUE, 'service.webhook.receiver': `url: ${base}/hook` }, patches);
    const notifier = createNotifier({
      rest,
      logger: createLogger({ level: 'silent' }),
      namespace: 'argo-rollouts',
      registry,
      timeoutMs: 5000,
      recordEvent: (_rollout, event) => events.push(event),
    });
    notifier.notify(rollout, rollout.status, [aborted]);
    // Synchronous return: nothing has been sent yet.
    expect(hits).toBe(0);
    await notifier.idle();
    expect(hits).toBe(1);
    expect(events.map((event) => [event.type, event.reason])).toEqual([['Warning', 'NotificationFailed']]);
    expect(events[0]?.message).toContain('Notification on-rollout-aborted to receiver failed: webhook receiver: GET');
    const metrics = await registry.getMetricsAsJSON();
    expect(metrics.find((metric) => metric.name === 'notification_send_error')?.values).toEqual([
      { value: 1, labels: { namespace: 'shop', name: 'web', type: 'Warning', reason: 'RolloutAborted' } },
    ]);
    // Recorded in the ledger ConfigMap in the controller's namespace, created on first use, before the send.
    expect(patches.map((write) => [write.method, write.path])).toEqual([['POST', '/api/v1/namespaces/argo-rollouts/configmaps']]);
    const ledger = (patches[0]?.body as { data: Record<string, string> }).data;
    expect(Object.keys(ledger)).toEqual(['shop.web']);
    expect(JSON.parse(ledger['shop.web'] ?? '{}')).toMatchObject({ uid: 'uid-1' });

    // The same transition handed over again (a retried reconcile with the same cached copy) is not sent again.
    notifier.notify(rollout, rollout.status, [aborted]);
    await notifier.idle();
    expect(hits).toBe(1);

    // Nor by a new process (a restarted controller) reading the same ledger.
    const restarted = createNotifier({
      rest,
      logger: createLogger({ level: 'silent' }),
      namespace: 'argo-rollouts',
      timeoutMs: 5000,
      recordEvent: (_rollout, event) => events.push(event),
    });
    restarted.notify(rollout, rollout.status, [aborted]);
    await restarted.idle();
    expect(hits).toBe(1);
    // A Rollout of the same name created again (another uid) is another Rollout.
    restarted.notify({ ...rollout, metadata: { ...rollout.metadata, uid: 'uid-2' } }, rollout.status, [aborted]);
    await restarted.idle();
    expect(hits).toBe(2);
    expect(patches.map((write) => write.method)).toEqual(['POST', 'PUT']);
  });

  it('an invalid ConfigMap sends nothing and counts an error; a forbidden ledger still sends once per process', async () => {
    const events: TransitionEvent[] = [];
    const bad = createNotifier({
      rest: fakeRest({ 'service.opsgenie': 'x: y', 'service.webhook.receiver': `url: ${base}/hook` }, []),
      logger: createLogger({ level: 'silent' }),
      namespace: 'argo-rollouts',
      recordEvent: (_rollout, event) => events.push(event),
    });
    const before = hits;
    bad.notify(rollout, rollout.status, [aborted]);
    await bad.idle();
    expect(hits).toBe(before);
    expect(events).toEqual([]);

    const patches: RestRequest[] = [];
    const forbidden = createNotifier({
      rest: fakeRest({ ...BUILTIN_CATALOGUE, 'service.webhook.receiver': `url: ${base}/hook` }, patches, 403),
      logger: createLogger({ level: 'silent' }),
      namespace: 'argo-rollouts',
      recordEvent: (_rollout, event) => events.push(event),
    });
    forbidden.notify(rollout, rollout.status, [aborted]);
    forbidden.notify(rollout, rollout.status, [aborted]);
    await forbidden.idle();
    expect(hits).toBe(before + 1);
    // The ledger's read was refused: no write is tried.
    expect(patches).toHaveLength(0);
  });
});
