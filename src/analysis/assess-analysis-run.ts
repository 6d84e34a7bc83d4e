import type { AnalysisPhase, AnalysisRun, AnalysisRunStatus, Measurement, Metric, MetricResult } from '../api/index.js';
import {
  DEFAULT_MEASUREMENT_HISTORY_LIMIT,
  consecutiveErrorLimit,
  consecutiveSuccessLimit,
  effectiveCount,
  failureLimit,
  inconclusiveLimit,
} from './metric-settings.js';
import { isTerminating } from './measurement-schedule.js';

/*
 * Argo's bookkeeping and verdicts (analysis/analysis.go, v1.9): counting a finished
 * measurement into its metric, a metric's phase from its counts and limits, the run's phase
 * as the worst of its metrics (dry-run metrics never count against it), the summaries, and
 * the measurement history kept per metric.
 */

export interface AnalysisEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

const COMPLETED: ReadonlySet<string> = new Set(['Successful', 'Failed', 'Error', 'Inconclusive']);
/** Argo's analysisStatusOrder: later is worse. */
const ORDER: readonly AnalysisPhase[] = ['Pending', 'Running', 'Successful', 'Inconclusive', 'Error', 'Failed'];

export function isCompleted(phase: string | undefined): boolean {
  return phase !== undefined && COMPLETED.has(phase);
}

function isWorse(current: AnalysisPhase, candidate: AnalysisPhase): boolean {
  return ORDER.indexOf(candidate) > ORDER.indexOf(current);
}

/** The counter a finished measurement other than Error moves. */
const counterOf: Readonly<Record<string, 'successful' | 'failed' | 'inconclusive' | undefined>> = {
  Successful: 'successful',
  Failed: 'failed',
  Inconclusive: 'inconclusive',
};

/** runMeasurements' bookkeeping: a finished measurement moves the counters; an in-flight one replaces the last entry. */
export function recordMeasurement(result: MetricResult, measurement: Measurement, replacesLast: boolean): MetricResult {
  const next: MetricResult = { ...result, measurements: [...(result.measurements ?? [])] };
  if (isCompleted(measurement.phase)) {
    const counter = counterOf[measurement.phase];
    if (counter === undefined) {
      // An Error measurement: counted apart, and it does not end a run of successes (Argo's runMeasurements).
      next.error = (next.error ?? 0) + 1;
      next.consecutiveError = (next.consecutiveError ?? 0) + 1;
    } else {
      next[counter] = (next[counter] ?? 0) + 1;
      next.count = (next.count ?? 0) + 1;
      next.consecutiveError = 0;
      next.consecutiveSuccess = counter === 'successful' ? (next.consecutiveSuccess ?? 0) + 1 : 0;
    }
  }
  if (replacesLast && next.measurements !== undefined && next.measurements.length > 0)
    next.measurements[next.measurements.length - 1] = measurement;
  else next.measurements?.push(measurement);
  return next;
}

/** Argo's assessMetricFailureInconclusiveOrError: which limit, if any, the metric has gone past, and the words Argo uses for it. */
export function limitExceeded(metric: Metric, result: MetricResult): { phase: AnalysisPhase; message: string } | undefined {
  let verdict: { phase: AnalysisPhase; message: string } | undefined;
  if ((result.failed ?? 0) > failureLimit(metric))
    verdict = { phase: 'Failed', message: `failed (${String(result.failed ?? 0)}) > failureLimit (${String(failureLimit(metric))})` };
  if ((result.inconclusive ?? 0) > inconclusiveLimit(metric)) {
    verdict = {
      phase: 'Inconclusive',
      message: `inconclusive (${String(result.inconclusive ?? 0)}) > inconclusiveLimit (${String(inconclusiveLimit(metric))})`,
    };
  }
  if ((result.consecutiveError ?? 0) > consecutiveErrorLimit(metric)) {
    verdict = {
      phase: 'Error',
      message: `consecutiveErrors (${String(result.consecutiveError ?? 0)}) > consecutiveErrorLimit (${String(consecutiveErrorLimit(metric))})`,
    };
  }
  return verdict;
}

/** Argo's assessMetricStatus. */
export function assessMetricStatus(metric: Metric, result: MetricResult, terminating: boolean): AnalysisPhase {
  if (isCompleted(result.phase)) return result.phase;
  const measurements = result.measurements ?? [];
  const last = measurements.at(-1);
  if (last === undefined) return terminating ? 'Successful' : 'Pending';
  if (!isCompleted(last.phase)) return 'Running';
  const exceeded = limitExceeded(metric, result);
  if (exceeded !== undefined) return exceeded.phase;
  const count = effectiveCount(metric);
  if (count !== undefined && (result.count ?? 0) >= count) return 'Successful';
  const successes = consecutiveSuccessLimit(metric);
  if (successes > 0 && (result.consecutiveSuccess ?? 0) >= successes) return 'Successful';
  return terminating ? 'Successful' : 'Running';
}

export interface RunAssessment {
  status: AnalysisRunStatus;
  events: AnalysisEvent[];
}

/** Argo's assessRunStatus: metric phases, summaries, and the run's phase and message. */
export function assessRun(run: AnalysisRun, metrics: readonly Metric[], dryRun: ReadonlySet<string>, now: string): RunAssessment {
  const status: AnalysisRunStatus = { ...(run.status ?? {}), metricResults: [...(run.status?.metricResults ?? [])] };
  status.startedAt ??= now;
  const events: AnalysisEvent[] = [];
  const terminating = isTerminating(run);
  let worst: AnalysisPhase | undefined;
  let worstMessage = run.spec.terminate === true ? 'Run Terminated' : '';
  let everythingCompleted = true;
  const runSummary = { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 };
  const dryRunSummary = { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 };
  const results = status.metricResults ?? [];
  for (const metric of metrics) {
    const isDryRun = dryRun.has(metric.name);
    const summary = isDryRun ? dryRunSummary : runSummary;
    summary.count += 1;
    const index = results.findIndex((candidate) => candidate.name === metric.name);
    const found = results[index];
    if (found === undefined) {
      everythingCompleted = false;
      continue;
    }
    let result = found;
    const phase = assessMetricStatus(metric, result, terminating);
    if (result.phase !== phase) {
      if (isCompleted(phase)) {
        const warning = phase === 'Error' || phase === 'Failed';
        events.push({
          type: warning ? 'Warning' : 'Normal',
          reason: `Metric${phase}`,
          message: `Metric '${metric.name}' Completed. Result: ${phase}`,
        });
      }
      const lastMessage = result.measurements?.at(-1)?.message;
      result = { ...result, phase, ...(lastMessage === undefined ? {} : { message: lastMessage }) };
      results[index] = result;
    }
    if (!isCompleted(phase)) {
      everythingCompleted = false;
      continue;
    }
    const exceeded = limitExceeded(metric, result);
    if (isDryRun) {
      worst ??= 'Successful';
      if (exceeded !== undefined) results[index] = { ...result, message: `Metric assessed ${phase} due to ${exceeded.message}` };
    } else if (worst === undefined || isWorse(worst, phase)) {
      worst = phase;
      if (exceeded !== undefined) {
        worstMessage = `Metric "${metric.name}" assessed ${phase} due to ${exceeded.message}`;
        if ((result.message ?? '') !== '') worstMessage += `: "Error Message: ${result.message ?? ''}"`;
      }
    }
    const verdict = exceeded?.phase ?? 'Successful';
    if (verdict === 'Error') summary.error += 1;
    else if (verdict === 'Failed') summary.failed += 1;
    else if (verdict === 'Inconclusive') summary.inconclusive += 1;
    else summary.successful += 1;
  }
  status.runSummary = runSummary;
  status.dryRunSummary = dryRunSummary;
  let phase: AnalysisPhase;
  let message = worstMessage.trim();
  if (terminating) phase = worst ?? 'Successful';
  else if (!everythingCompleted || worst === undefined) {
    phase = 'Running';
    message = '';
  } else phase = worst;
  if (status.phase !== phase) {
    status.phase = phase;
    if (message === '') delete status.message;
    else status.message = message;
    if (isCompleted(phase)) {
      status.completedAt = now;
      const warning = phase === 'Error' || phase === 'Failed';
      events.push({ type: warning ? 'Warning' : 'Normal', reason: `AnalysisRun${phase}`, message: `Analysis Completed. Result: ${phase}` });
    }
  }
  return { status, events };
}

/** Argo's garbageCollectMeasurements: the newest measurements per metric, measurementRetention's limit or 10. */
export function retainMeasurements(
  status: AnalysisRunStatus,
  retention: readonly { metricName: string; limit: number }[] | undefined,
): AnalysisRunStatus {
  const limits = new Map((retention ?? []).map((rule) => [rule.metricName, rule.limit]));
  return {
    ...status,
    metricResults: (status.metricResults ?? []).map((result) => {
      const configured = limits.get(result.name);
      const limit = configured !== undefined && configured > 0 ? configured : DEFAULT_MEASUREMENT_HISTORY_LIMIT;
      const measurements = result.measurements ?? [];
      return measurements.length > limit ? { ...result, measurements: measurements.slice(measurements.length - limit) } : result;
    }),
  };
}
