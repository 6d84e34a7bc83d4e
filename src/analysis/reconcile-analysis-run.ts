import type { AnalysisRun, AnalysisRunStatus, Measurement, Metric, MetricResult } from '../api/index.js';
import type { ProviderAnswer } from '../providers/provider.js';
import { assessRun, isCompleted, recordMeasurement, retainMeasurements, type AnalysisEvent } from './assess-analysis-run.js';
import { compileMetricConditions, evaluateMeasurement, type MetricConditions } from './evaluate-measurement.js';
import { metricTasks, nextReconcileAfterMs, type MetricTask } from './measurement-schedule.js';
import { dryRunMetricNames } from './metric-settings.js';
import { secretRedactor } from './redact-secrets.js';
import { resolveMetricArgs } from '../providers/resolve-args.js';
import { validateMetrics } from './validate-metrics.js';

/*
 * One reconcile of an AnalysisRun, in two pure halves around the providers: planAnalysisRun
 * says which measurements to take now; finishAnalysisRun folds what the providers answered
 * into the status and says when to come back. The shell between them only calls providers.
 */

export interface TakenMeasurement {
  task: MetricTask;
  startedAt: string;
  answer: ProviderAnswer;
}

export type AnalysisRunPlan = { kind: 'completed' } | { kind: 'invalid'; status: AnalysisRunStatus; events: AnalysisEvent[] } | MeasurePlan;

/**
 * Measurements to take now, with the run's metrics as they are read: arguments resolved in
 * every setting (count, interval, limits, conditions), the provider left as written so the
 * provider resolves it with the secrets' real values.
 */
export interface MeasurePlan {
  kind: 'measure';
  tasks: MetricTask[];
  metrics: Metric[];
  conditions: ReadonlyMap<string, MetricConditions>;
}

export function formatTime(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/u, 'Z');
}

function compileAll(metrics: readonly Metric[]): { ok: true; conditions: Map<string, MetricConditions> } | { ok: false; message: string } {
  const conditions = new Map<string, MetricConditions>();
  for (const metric of metrics) {
    const compiled = compileMetricConditions(metric);
    if (!compiled.ok) return { ok: false, message: compiled.message };
    conditions.set(metric.name, compiled.conditions);
  }
  return { ok: true, conditions };
}

/** The run's metrics with their arguments resolved (Argo's getResolvedMetricsWithoutSecrets), or why they cannot be. */
export function resolveRunMetrics(run: AnalysisRun): { ok: true; metrics: Metric[] } | { ok: false; message: string } {
  const metrics: Metric[] = [];
  for (const metric of run.spec.metrics) {
    const resolved = resolveMetricArgs(metric, run.spec.args);
    if (!resolved.ok) return resolved;
    // The provider keeps its references: the provider fills them in with the secrets' values, which the planner never sees.
    metrics.push({ ...resolved.value, provider: metric.provider });
  }
  return { ok: true, metrics };
}

function invalid(run: AnalysisRun, message: string, now: Date): AnalysisRunPlan {
  return {
    kind: 'invalid',
    status: {
      ...(run.status ?? {}),
      phase: 'Error',
      message,
      startedAt: run.status?.startedAt ?? formatTime(now),
      completedAt: formatTime(now),
    },
    events: [{ type: 'Warning', reason: 'AnalysisRunError', message: 'Analysis Completed. Result: Error' }],
  };
}

export function planAnalysisRun(run: AnalysisRun, now: Date): AnalysisRunPlan {
  if (isCompleted(run.status?.phase)) return { kind: 'completed' };
  // Argo's reconcile, in its order: resolve every metric's arguments, validate the resolved settings, then measure.
  const resolved = resolveRunMetrics(run);
  if (!resolved.ok) return invalid(run, `Unable to resolve metric arguments: ${resolved.message}`, now);
  const problem = validateMetrics(resolved.metrics);
  if (problem !== undefined) return invalid(run, `Analysis spec invalid: ${problem}`, now);
  const compiled = compileAll(resolved.metrics);
  if (!compiled.ok) return invalid(run, `Analysis spec invalid: ${compiled.message}`, now);
  return { kind: 'measure', tasks: metricTasks(run, resolved.metrics, now), metrics: resolved.metrics, conditions: compiled.conditions };
}

/** A provider's answer as the measurement Argo stores. */
export function measurementOf(taken: TakenMeasurement, conditions: MetricConditions | undefined, now: Date): Measurement {
  const { answer } = taken;
  const startedAt = taken.task.kind === 'resume' ? (taken.task.measurement.startedAt ?? taken.startedAt) : taken.startedAt;
  const finishedAt = formatTime(now);
  const metadata = answer.kind === 'error' || answer.metadata === undefined ? {} : { metadata: answer.metadata };
  switch (answer.kind) {
    case 'running':
      return { phase: 'Running', startedAt, ...(answer.resumeAt === undefined ? {} : { resumeAt: answer.resumeAt }), ...metadata };
    case 'error':
      return { phase: 'Error', startedAt, finishedAt, message: answer.message };
    case 'verdict':
      return {
        phase: answer.phase,
        startedAt,
        finishedAt,
        ...(answer.value === undefined ? {} : { value: answer.value }),
        ...(answer.message === undefined ? {} : { message: answer.message }),
        ...metadata,
      };
    case 'value': {
      const verdict = conditions === undefined ? { phase: 'Successful' as const } : evaluateMeasurement(conditions, answer.value);
      return {
        phase: verdict.phase,
        startedAt,
        finishedAt,
        value: answer.text,
        ...(verdict.message === undefined ? {} : { message: verdict.message }),
        ...metadata,
      };
    }
  }
}

/** Secrets from args never reach a stored message, value or metadata, in any encoding (Argo's redaction covers the message only). */
function redact(measurement: Measurement, mask: (text: string) => string): Measurement {
  const redacted: Measurement = { ...measurement };
  if (measurement.message !== undefined) redacted.message = mask(measurement.message);
  if (measurement.value !== undefined) redacted.value = mask(measurement.value);
  if (measurement.metadata !== undefined)
    redacted.metadata = Object.fromEntries(Object.entries(measurement.metadata).map(([key, value]) => [key, mask(value)]));
  return redacted;
}

export interface AnalysisRunOutcome {
  status: AnalysisRunStatus;
  events: AnalysisEvent[];
  requeueAfterMs: number | undefined;
}

export function finishAnalysisRun(
  run: AnalysisRun,
  taken: readonly TakenMeasurement[],
  plan: Pick<MeasurePlan, 'metrics' | 'conditions'>,
  now: Date,
  secrets: readonly string[] = [],
): AnalysisRunOutcome {
  const { metrics, conditions } = plan;
  const dryRun = dryRunMetricNames(run.spec.dryRun, metrics);
  const mask = secretRedactor(secrets);
  const results: MetricResult[] = [...(run.status?.metricResults ?? [])];
  for (const measurementTaken of taken) {
    const name = measurementTaken.task.metric.name;
    const index = results.findIndex((result) => result.name === name);
    const current: MetricResult = results[index] ?? { name, phase: 'Running', ...(dryRun.has(name) ? { dryRun: true } : {}) };
    const measurement = redact(measurementOf(measurementTaken, conditions.get(name), now), mask);
    const next = recordMeasurement(current, measurement, measurementTaken.task.kind === 'resume');
    if (index === -1) results.push(next);
    else results[index] = next;
  }
  const measured: AnalysisRun = { ...run, status: { ...(run.status ?? {}), metricResults: results } };
  const { status, events } = assessRun(measured, metrics, dryRun, formatTime(now));
  const retained = retainMeasurements(status, run.spec.measurementRetention);
  const after: AnalysisRun = { ...run, status: retained };
  const requeueAfterMs = isCompleted(retained.phase) ? undefined : nextReconcileAfterMs(after, metrics, now);
  return { status: retained, events, requeueAfterMs };
}
