import { describe, expect, it } from 'vitest';
import { createRequestCounter } from '../../kube/index.js';
import { countedInMetrics } from './counted-requests.js';
import { createControllerMetrics } from './metrics.js';

describe('countedInMetrics', () => {
  it('counts every recorded request in controller_clientset_k8s_request_total, and still in the counter', async () => {
    const metrics = createControllerMetrics();
    const counter = createRequestCounter();
    const counted = countedInMetrics(counter, metrics);
    const conflict = { kind: 'rollouts', namespace: 'shop', name: 'web', verb: 'update', statusCode: '409', subresource: 'status' };
    counted.record(conflict);
    counted.record(conflict);
    counted.record({ ...conflict, statusCode: '200' });
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'controller_clientset_k8s_request_total{kind="rollouts",namespace="shop",name="web",verb="update",status_code="409"} 2',
    );
    expect(text).toContain(
      'controller_clientset_k8s_request_total{kind="rollouts",namespace="shop",name="web",verb="update",status_code="200"} 1',
    );
    expect(counter.total({ statusCode: '409' })).toBe(2);
    expect(counted.writes({ name: 'web' })).toBe(3);
  });
});
