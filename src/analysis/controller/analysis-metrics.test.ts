import { Registry } from 'prom-client';
import { describe, expect, test } from 'vitest';
import type { AnalysisRun } from '../../api/index.js';
import { createAnalysisMetrics } from './analysis-metrics.js';

function run(phase: 'Running' | 'Failed'): AnalysisRun {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: { name: 'web-6d4f-2', namespace: 'shop' },
    spec: { metrics: [{ name: 'success-rate', provider: { prometheus: { address: 'http://p', query: 'q' } } }] },
    status: { phase, metricResults: [{ name: 'success-rate', phase }] },
  };
}

describe("the AnalysisRun metrics, under Argo's names", () => {
  test('info, phase, metric phase and metric type follow the run, and go when it goes', async () => {
    const registry = new Registry();
    const metrics = createAnalysisMetrics(registry);
    metrics.observeRun(run('Running'));
    metrics.observeRun(run('Failed'));
    const text = await registry.metrics();
    expect(text).toContain('analysis_run_info{namespace="shop",name="web-6d4f-2",phase="Failed"} 1');
    expect(text).not.toContain('analysis_run_info{namespace="shop",name="web-6d4f-2",phase="Running"}');
    expect(text).toContain('analysis_run_phase{namespace="shop",name="web-6d4f-2",phase="Failed"} 1');
    expect(text).toContain('analysis_run_phase{namespace="shop",name="web-6d4f-2",phase="Running"} 0');
    expect(text).toContain(
      'analysis_run_metric_phase{namespace="shop",name="web-6d4f-2",metric="success-rate",type="prometheus",phase="Failed"} 1',
    );
    expect(text).toContain('analysis_run_metric_type{namespace="shop",name="web-6d4f-2",metric="success-rate",type="prometheus"} 1');
    metrics.observeReconcile('shop', 'web-6d4f-2', 0.02, true);
    expect(await registry.metrics()).toContain('analysis_run_reconcile_error{namespace="shop",name="web-6d4f-2"} 1');
    metrics.forgetRun('shop', 'web-6d4f-2');
    expect(await registry.metrics()).not.toMatch(
      /analysis_run_(info|phase|metric_phase|metric_type|reconcile_bucket|reconcile_count|reconcile_error)\{/u,
    );
  });
});
