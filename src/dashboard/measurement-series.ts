import type { DashboardAnalysisRun } from './schema.js';
import { metricThreshold } from './threshold.js';
import type { AnalysisRunView, MeasurementPoint, MetricChart } from './types.js';

function numberOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

/**
 * The number a measurement plots: providers write a JSON value (Prometheus a
 * vector `[0.95]`, web a scalar `0.95` or `"0.95"`), so the first number of
 * it; null for anything else (`[]`, `true`, an Error's empty value).
 */
export function firstNumber(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return numberOf(raw);
  }
  if (Array.isArray(value)) return numberOf(value[0]);
  return numberOf(value);
}

type Measurements = NonNullable<NonNullable<NonNullable<DashboardAnalysisRun['status']>['metricResults']>[number]['measurements']>;

/** One point per measurement, in the order the run recorded them; a measurement without a time is not plottable and is left out. */
export function measurementPoints(measurements: Measurements): MeasurementPoint[] {
  const points: MeasurementPoint[] = [];
  for (const measurement of measurements) {
    const at = Date.parse(measurement.finishedAt ?? measurement.startedAt ?? '');
    if (Number.isNaN(at)) continue;
    points.push({
      at,
      value: firstNumber(measurement.value),
      phase: measurement.phase,
      raw: measurement.value ?? measurement.message ?? '',
    });
  }
  return points;
}

/** A run's charts: one per metric of its spec (in spec order), each with its measurements and its condition's line. */
export function analysisRunView(run: DashboardAnalysisRun): AnalysisRunView {
  const results = run.status?.metricResults ?? [];
  const metrics =
    run.spec?.metrics ?? results.map((result) => ({ name: result.name, successCondition: undefined, failureCondition: undefined }));
  const charts: MetricChart[] = metrics.map((metric) => {
    const result = results.find((candidate) => candidate.name === metric.name);
    return {
      metric: metric.name,
      phase: result?.phase ?? 'Pending',
      condition: metric.successCondition ?? metric.failureCondition ?? '',
      threshold: metricThreshold(metric.successCondition, metric.failureCondition),
      points: measurementPoints(result?.measurements ?? []),
    };
  });
  return { name: run.metadata.name, phase: run.status?.phase ?? 'Pending', message: run.status?.message ?? '', charts };
}
