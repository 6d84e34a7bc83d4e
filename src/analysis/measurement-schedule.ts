import type { AnalysisRun, Measurement, Metric, MetricResult } from '../api/index.js';
import { ERROR_RETRY_INTERVAL_MS, durationMs, effectiveCount } from './metric-settings.js';

/*
 * When each metric is measured, as Argo's generateMetricTasks and calculateNextReconcileTime
 * decide it (analysis/analysis.go): the first measurement once initialDelay has passed since
 * the run started, the next one `interval` after the last finished (10 s after an Error), an
 * in-flight one (a Job) resumed at its resumeAt, nothing new once the run is terminating. The
 * next wake-up is the earliest of those instants — the controller requeues there, it never
 * polls.
 */

export type MetricTask = { metric: Metric; kind: 'new' } | { metric: Metric; kind: 'resume'; measurement: Measurement };

export function millis(time: string | undefined): number | undefined {
  if (time === undefined) return undefined;
  const parsed = Date.parse(time);
  return Number.isNaN(parsed) ? undefined : parsed;
}

export function metricResultOf(run: AnalysisRun, name: string): MetricResult | undefined {
  return run.status?.metricResults?.find((result) => result.name === name);
}

function lastMeasurement(result: MetricResult | undefined): Measurement | undefined {
  return result?.measurements?.at(-1);
}

function completed(phase: string | undefined): boolean {
  return phase === 'Successful' || phase === 'Failed' || phase === 'Error' || phase === 'Inconclusive';
}

/** Argo's IsTerminating: asked to stop, or a metric that counts (not a dry run) has failed, errored or been inconclusive. */
export function isTerminating(run: AnalysisRun): boolean {
  if (run.spec.terminate === true) return true;
  return (run.status?.metricResults ?? []).some(
    (result) => (result.phase === 'Failed' || result.phase === 'Error' || result.phase === 'Inconclusive') && result.dryRun !== true,
  );
}

/** When the metric's next measurement is due (epoch ms), or undefined when it needs none. */
function nextMeasurementAt(run: AnalysisRun, metric: Metric): { at: number; resume?: Measurement } | undefined {
  const result = metricResultOf(run, metric.name);
  if (completed(result?.phase)) return undefined;
  const last = lastMeasurement(result);
  if (last !== undefined && last.finishedAt === undefined) return { at: millis(last.resumeAt) ?? Number.NEGATIVE_INFINITY, resume: last };
  if (last === undefined) {
    const delay = durationMs(metric.initialDelay);
    if (delay === undefined) return { at: Number.NEGATIVE_INFINITY };
    const started = millis(run.status?.startedAt);
    // Argo waits for startedAt (written by the first reconcile) before counting the delay.
    return { at: started === undefined ? Number.POSITIVE_INFINITY : started + delay };
  }
  const count = effectiveCount(metric);
  if (count !== undefined && (result?.count ?? 0) >= count) return undefined;
  const interval = last.phase === 'Error' ? ERROR_RETRY_INTERVAL_MS : (durationMs(metric.interval) ?? ERROR_RETRY_INTERVAL_MS);
  return { at: (millis(last.finishedAt) ?? 0) + interval };
}

/** The measurements to take or resume now. */
export function metricTasks(run: AnalysisRun, metrics: readonly Metric[], now: Date): MetricTask[] {
  const terminating = isTerminating(run);
  const tasks: MetricTask[] = [];
  for (const metric of metrics) {
    const next = nextMeasurementAt(run, metric);
    if (next === undefined) continue;
    if (next.resume !== undefined) {
      // An in-flight measurement is finished even while terminating: its provider terminates it.
      if (next.at <= now.getTime()) tasks.push({ metric, kind: 'resume', measurement: next.resume });
      continue;
    }
    if (terminating) continue;
    // Argo's "now.After(last + interval)": a measurement due at this very instant is taken now (the requeue lands on it).
    if (next.at <= now.getTime()) tasks.push({ metric, kind: 'new' });
  }
  return tasks;
}

/** Argo's calculateNextReconcileTime: the earliest instant a metric needs attention, in ms from now; undefined when none. */
export function nextReconcileAfterMs(run: AnalysisRun, metrics: readonly Metric[], now: Date): number | undefined {
  let earliest: number | undefined;
  for (const metric of metrics) {
    const next = nextMeasurementAt(run, metric);
    if (next === undefined || !Number.isFinite(next.at)) continue;
    if (earliest === undefined || next.at < earliest) earliest = next.at;
  }
  return earliest === undefined ? undefined : Math.max(1, earliest - now.getTime());
}
