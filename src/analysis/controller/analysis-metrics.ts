import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { analysisPhases, type AnalysisRun } from '../../api/index.js';
import { providerTypeOf } from '../../providers/provider.js';

/**
 * The AnalysisRun metrics under Argo Rollouts' names and labels (analysis_run_info,
 * analysis_run_phase, analysis_run_metric_phase, analysis_run_metric_type,
 * analysis_run_reconcile, analysis_run_reconcile_error), on the controller's registry.
 */
export interface AnalysisMetrics {
  observeRun(run: AnalysisRun): void;
  forgetRun(namespace: string, name: string): void;
  observeReconcile(namespace: string, name: string, seconds: number, failed: boolean): void;
}

export function createAnalysisMetrics(registry: Registry): AnalysisMetrics {
  const info = new Gauge({
    name: 'analysis_run_info',
    help: 'Information about analysis run.',
    labelNames: ['namespace', 'name', 'phase'],
    registers: [registry],
  });
  const phase = new Gauge({
    name: 'analysis_run_phase',
    help: 'Information on the state of the Analysis Run (DEPRECATED - use analysis_run_info).',
    labelNames: ['namespace', 'name', 'phase'],
    registers: [registry],
  });
  const metricPhase = new Gauge({
    name: 'analysis_run_metric_phase',
    help: 'Information on the duration of a specific metric in the Analysis Run.',
    labelNames: ['namespace', 'name', 'metric', 'type', 'phase'],
    registers: [registry],
  });
  const metricType = new Gauge({
    name: 'analysis_run_metric_type',
    help: 'Information on the type of a specific metric in the Analysis Runs.',
    labelNames: ['namespace', 'name', 'metric', 'type'],
    registers: [registry],
  });
  const reconcile = new Histogram({
    name: 'analysis_run_reconcile',
    help: 'Analysis Run reconciliation performance.',
    labelNames: ['namespace', 'name'],
    buckets: [0.01, 0.15, 0.25, 0.5, 1],
    registers: [registry],
  });
  const reconcileErrors = new Counter({
    name: 'analysis_run_reconcile_error',
    help: 'Error occurring during the analysis run.',
    labelNames: ['namespace', 'name'],
    registers: [registry],
  });
  // What each run has exported, so a change or a deletion removes the old series.
  const exported = new Map<string, { phase: string; metrics: { metric: string; type: string }[] }>();

  function remove(namespace: string, name: string): void {
    const previous = exported.get(`${namespace}/${name}`);
    if (previous === undefined) return;
    info.remove({ namespace, name, phase: previous.phase });
    for (const candidate of analysisPhases) phase.remove({ namespace, name, phase: candidate });
    for (const { metric, type } of previous.metrics) {
      metricType.remove({ namespace, name, metric, type });
      for (const candidate of analysisPhases) metricPhase.remove({ namespace, name, metric, type, phase: candidate });
    }
    exported.delete(`${namespace}/${name}`);
  }

  return {
    observeRun(run) {
      const namespace = run.metadata?.namespace ?? '';
      const name = run.metadata?.name ?? '';
      remove(namespace, name);
      const current = run.status?.phase ?? 'Pending';
      info.set({ namespace, name, phase: current }, 1);
      for (const candidate of analysisPhases) phase.set({ namespace, name, phase: candidate }, candidate === current ? 1 : 0);
      const metrics = run.spec.metrics.map((metric) => ({ metric: metric.name, type: providerTypeOf(metric) ?? 'Unknown' }));
      for (const { metric, type } of metrics) {
        metricType.set({ namespace, name, metric, type }, 1);
        const resultPhase = run.status?.metricResults?.find((result) => result.name === metric)?.phase ?? 'Pending';
        for (const candidate of analysisPhases)
          metricPhase.set({ namespace, name, metric, type, phase: candidate }, candidate === resultPhase ? 1 : 0);
      }
      exported.set(`${namespace}/${name}`, { phase: current, metrics });
    },
    forgetRun(namespace, name) {
      remove(namespace, name);
      // Argo's MetricsServer.Remove drops the per-run reconcile series too: a name is never reused, so each deleted
      // run would otherwise leave a histogram behind for good (the soak bench saw the registry grow by one per run).
      reconcile.remove({ namespace, name });
      reconcileErrors.remove({ namespace, name });
    },
    observeReconcile(namespace, name, seconds, failed) {
      reconcile.observe({ namespace, name }, seconds);
      if (failed) reconcileErrors.inc({ namespace, name });
    },
  };
}
