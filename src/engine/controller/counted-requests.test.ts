import { describe, expect, it } from 'vitest';
import { createRequestCounter } from '../../kube/index.js';
import { countedInMetrics, requestMetricName } from './counted-requests.js';
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

describe('controller_clientset_k8s_request_total series', () => {
  const series = async (metrics: ReturnType<typeof createControllerMetrics>): Promise<{ labels: Record<string, unknown> }[]> =>
    (await metrics.registry.getSingleMetric('controller_clientset_k8s_request_total')?.get())?.values ?? [];

  it('stay as many after a thousand rollout cycles as after ten: generated names are "N/A", as Argo counts events and replicasets', async () => {
    const metrics = createControllerMetrics();
    const counted = countedInMetrics(undefined, metrics);
    // What one soak cycle asks for by name: a new ReplicaSet, an AnalysisRun, an Experiment, a Job, pods and Events, each named anew.
    const cycle = (round: number): void => {
      const named = (kind: string, verb: string, name: string): void => {
        counted.record({ kind, namespace: 'shop', name, verb, statusCode: '201', subresource: '' });
      };
      named('replicasets', 'create', `web-${String(round)}abc`);
      named('replicasets', 'patch', `web-${String(round)}abc`);
      named('replicasets', 'delete', `web-${String(round - 3)}abc`);
      named('analysisruns', 'create', `web-${String(round)}abc-1`);
      named('analysisruns', 'update', `web-${String(round)}abc-1`);
      named('analysisruns', 'delete', `web-${String(round - 6)}abc-1`);
      named('experiments', 'create', `web-${String(round)}abc-exp`);
      named('jobs', 'create', `${String(round)}.health`);
      named('pods', 'delete', `web-${String(round)}abc-x1`);
      for (const reason of ['RolloutUpdated', 'NewReplicaSetCreated', 'ScalingReplicaSet'])
        named('events', 'create', `web.${reason}${String(round)}`);
      named('rollouts', 'update', 'web');
    };
    for (let round = 0; round < 10; round += 1) cycle(round);
    const afterTen = (await series(metrics)).length;
    for (let round = 10; round < 1000; round += 1) cycle(round);
    const afterThousand = await series(metrics);
    expect(afterThousand).toHaveLength(afterTen);
    expect(afterThousand.filter((sample) => sample.labels['kind'] === 'events').map((sample) => sample.labels['name'])).toEqual(['N/A']);
    // A Rollout's name stays: it lives as long as the Rollout (Argo keeps it for per-Rollout dashboards).
    expect(afterThousand.filter((sample) => sample.labels['kind'] === 'rollouts').map((sample) => sample.labels['name'])).toEqual(['web']);
  });

  it('name a list "N/A" and keep names for stable kinds', () => {
    const sample = { kind: 'services', namespace: 'shop', name: 'web-canary', verb: 'patch', statusCode: '200', subresource: '' };
    expect(requestMetricName(sample)).toBe('web-canary');
    expect(requestMetricName({ ...sample, name: '', verb: 'list' })).toBe('N/A');
    expect(requestMetricName({ ...sample, kind: 'replicasets', name: 'web-7d4f' })).toBe('N/A');
  });

  it('keep nothing per request in the process when the caller gave no counter (a running controller)', async () => {
    const metrics = createControllerMetrics();
    const counted = countedInMetrics(undefined, metrics);
    counted.record({ kind: 'rollouts', namespace: 'shop', name: 'web', verb: 'update', statusCode: '200', subresource: 'status' });
    expect(counted.counts()).toEqual([]);
    expect(await metrics.registry.metrics()).toContain(
      'controller_clientset_k8s_request_total{kind="rollouts",namespace="shop",name="web",verb="update",status_code="200"} 1',
    );
  });
});
