import { parseGoDuration, type Metric } from '../api/index.js';

/*
 * A metric's settings as Argo's controller reads them (pkg/apis/rollouts/v1alpha1 and
 * utils/defaults): the limits with their defaults, the effective count, and the durations.
 */

/** Argo retries a measurement that errored after 10 s, whatever the interval. */
export const ERROR_RETRY_INTERVAL_MS = 10_000;
/** Measurements kept per metric when measurementRetention does not say. */
export const DEFAULT_MEASUREMENT_HISTORY_LIMIT = 10;
export const DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;

/**
 * An IntOrString setting as Argo's IntValue() reads it: a string through Go's strconv.Atoi (an
 * optional sign and digits, nothing else), anything else as 0. Arguments are resolved before
 * this is read (resolveMetricArgs): a `{{args.*}}` left here would be a bug, not a 0.
 */
export function intOrStringValue(value: number | string | undefined): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  return /^[+-]?\d+$/u.test(value) ? Number(value) : 0;
}

function intValue(value: number | string | undefined, otherwise: number): number {
  return value === undefined ? otherwise : intOrStringValue(value);
}

export function failureLimit(metric: Metric): number {
  return intValue(metric.failureLimit, 0);
}

export function inconclusiveLimit(metric: Metric): number {
  return intValue(metric.inconclusiveLimit, 0);
}

export function consecutiveErrorLimit(metric: Metric): number {
  return intValue(metric.consecutiveErrorLimit, DEFAULT_CONSECUTIVE_ERROR_LIMIT);
}

export function consecutiveSuccessLimit(metric: Metric): number {
  return intValue(metric.consecutiveSuccessLimit, 0);
}

/**
 * Argo's EffectiveCount: the count; without one (or with one that reads as 0), a single
 * measurement unless an interval repeats it forever.
 */
export function effectiveCount(metric: Metric): number | undefined {
  const count = intOrStringValue(metric.count);
  if (count === 0) return metric.interval === undefined || metric.interval === '' ? 1 : undefined;
  return count;
}

/** A metric duration (interval, initialDelay) in ms; undefined when absent or not a Go duration. */
export function durationMs(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const seconds = parseGoDuration(text);
  return seconds === undefined ? undefined : seconds * 1000;
}

/** Argo's GetDryRunMetrics: each rule is an unanchored regular expression over metric names. */
export function dryRunMetricNames(rules: readonly { metricName: string }[] | undefined, metrics: readonly Metric[]): Set<string> {
  const names = new Set<string>();
  for (const rule of rules ?? []) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(rule.metricName, 'u');
    } catch {
      continue;
    }
    for (const metric of metrics) if (pattern.test(metric.name)) names.add(metric.name);
  }
  return names;
}
