import { parseGoDuration, type Metric } from '../api/index.js';
import { intOrStringValue } from './metric-settings.js';

/*
 * Argo's ValidateMetrics (utils/analysis/factory.go), which its AnalysisRun reconcile applies to
 * the metrics once their arguments are resolved: a run whose resolved settings contradict each
 * other is an Error ("Analysis spec invalid: metrics[i]: …"), not a run with defaults. The
 * messages are Argo's words.
 */

export function validateMetrics(metrics: readonly Metric[]): string | undefined {
  if (metrics.length === 0) return 'no metrics specified';
  const names = new Set<string>();
  for (const [index, metric] of metrics.entries()) {
    if (names.has(metric.name)) return `metrics[${String(index)}]: duplicate name '${metric.name}'`;
    names.add(metric.name);
    const problem = validateMetric(metric);
    if (problem !== undefined) return `metrics[${String(index)}]: ${problem}`;
  }
  return undefined;
}

export function validateMetric(metric: Metric): string | undefined {
  const count = intOrStringValue(metric.count);
  const failureLimit = intOrStringValue(metric.failureLimit);
  const consecutiveSuccessLimit = intOrStringValue(metric.consecutiveSuccessLimit);
  const inconclusiveLimit = intOrStringValue(metric.inconclusiveLimit);
  if (consecutiveSuccessLimit < 0) return 'consecutiveSuccessLimit must be >= 0';
  if (failureLimit < -1) return 'failureLimit must be >= 0, or -1 to be disabled';
  if (consecutiveSuccessLimit === 0 && failureLimit === -1) return 'failureLimit and consecutiveSuccessLimit cannot both be disabled';
  if (inconclusiveLimit < 0) return 'inconclusiveLimit must be >= 0';
  if (metric.consecutiveErrorLimit !== undefined && intOrStringValue(metric.consecutiveErrorLimit) < 0)
    return 'consecutiveErrorLimit must be >= 0';
  if (count > 0) {
    if (failureLimit >= 0 && count < failureLimit + consecutiveSuccessLimit) {
      return `count (${String(count)}) must be >= failureLimit + consecutiveSuccessLimit (${String(failureLimit)} + ${String(consecutiveSuccessLimit)}) if both >= 0`;
    }
    if (failureLimit < 0 && count < consecutiveSuccessLimit) return 'count must be >= consecutiveSuccessLimit';
    if (count < inconclusiveLimit) return 'count must be >= inconclusiveLimit';
  }
  const interval = metric.interval ?? '';
  if (count > 1 && interval === '') return 'interval must be specified when count > 1';
  // Go's error text for a bad duration is `time: invalid duration "<text>"`.
  if (interval !== '' && parseGoDuration(interval) === undefined)
    return `invalid interval string: time: invalid duration ${JSON.stringify(interval)}`;
  const initialDelay = metric.initialDelay ?? '';
  if (initialDelay !== '' && parseGoDuration(initialDelay) === undefined)
    return `invalid startDelay string: time: invalid duration ${JSON.stringify(initialDelay)}`;
  const providers = Object.values(metric.provider).filter((provider) => provider !== undefined).length;
  if (providers === 0) return 'no provider specified';
  if (providers > 1) return 'multiple providers specified';
  return undefined;
}
