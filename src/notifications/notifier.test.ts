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

function fakeRest(configMap: Record<string, string>, patches: RestRequest[], patchStatus?: number): RestClient {
  return {
    request<T>(request: RestRequest): Promise<T> {
      if (request.method === 'PATCH') {
        patches.push(request);
        if (patchStatus !== undefined) return Promise.reject(new ApiException(patchStatus, 'forbidden', {}, {}));
        return Promise.resolve({} as T);
      }
      if (request.path.endsWith('/configmaps/argo-rollouts-notification-configmap')) return Promise.resolve({ data: configMap } as T);
      if (request.path.endsWith('/secrets/argo-rollouts-notification-secret'))
        return Promise.reject(new ApiException(404, 'not found', {}, {}));
      return Promise.reject(new Error(`unexpected ${request.method} ${request.path}`));
    },
  };
}

const rollout = {
  metadata: { name: 'web', namespace: 'shop', annotations: { 'notifications.argoproj.io/subscribe.on-rollout-aborted.receiver': '' } },
  spec: { template: { spec: { containers: [] } }, strategy: { canary: { steps: [] } } },
  status: { phase: 'Degraded' },
};
const aborted: TransitionEvent = { type: 'Warning', reason: 'RolloutAborted', message: 'Rollout aborted update to revision 2' };

describe('the notifier shell', () => {
  it('a failing service never stalls the caller: notify returns at once; the failure is an Event and notification_send_error', async () => {
    const patches: RestRequest[] = [];
    const events: TransitionEvent[] = [];
    const registry = new Registry();
    const notifier = createNotifier({
      rest: fakeRest({ ...BUILTIN_CATALOGUE, 'service.webhook.receiver': `url: ${base}/hook` }, patches),
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
    expect(patches).toHaveLength(1);

    // The same transition handed over again (a retried reconcile with the same cached copy) is not sent again.
    notifier.notify(rollout, rollout.status, [aborted]);
    await notifier.idle();
    expect(hits).toBe(1);
  });

  it('an invalid ConfigMap sends nothing and counts an error; a forbidden annotation patch still sends once', async () => {
    const events: TransitionEvent[] = [];
    const bad = createNotifier({
      rest: fakeRest({ 'service.teams': 'x: y', 'service.webhook.receiver': `url: ${base}/hook` }, []),
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
    expect(patches).toHaveLength(1);
  });
});
