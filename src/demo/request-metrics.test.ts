import { describe, expect, it } from 'vitest';
import { createRequestMetrics, istioRequestLabels } from './request-metrics.js';

describe('istioRequestLabels', () => {
  it("labels a request as Istio's destination proxy does", () => {
    expect(istioRequestLabels({ service: 'rollouts-demo-canary', namespace: 'demo', color: 'yellow', status: 500, flags: '-' })).toEqual({
      reporter: 'destination',
      source_workload: 'demo-gateway',
      source_workload_namespace: 'demo',
      destination_service: 'rollouts-demo-canary.demo.svc.cluster.local',
      destination_service_name: 'rollouts-demo-canary',
      destination_service_namespace: 'demo',
      destination_version: 'yellow',
      request_protocol: 'http',
      response_code: '500',
      response_flags: '-',
    });
  });

  it('marks a request no backend answered', () => {
    expect(istioRequestLabels({ service: 'web', namespace: 'demo', color: '', status: 503, flags: 'UH' })).toMatchObject({
      destination_version: 'unknown',
      response_code: '503',
      response_flags: 'UH',
    });
  });
});

describe('createRequestMetrics', () => {
  it('exposes istio_requests_total counters in its own registry', async () => {
    const metrics = createRequestMetrics();
    const ok = { service: 'web', namespace: 'demo', color: 'blue', status: 200, flags: '-' } as const;
    metrics.record(ok);
    metrics.record(ok);
    metrics.record({ ...ok, status: 500 });
    const text = await metrics.registry.metrics();
    expect(text).toContain('# TYPE istio_requests_total counter');
    expect(text).toMatch(/istio_requests_total\{[^}]*destination_service_name="web"[^}]*response_code="200"[^}]*\} 2\n/);
    expect(text).toMatch(/istio_requests_total\{[^}]*response_code="500"[^}]*\} 1\n/);
    expect(createRequestMetrics().registry.getSingleMetric('istio_requests_total')).toBeDefined();
  });
});
