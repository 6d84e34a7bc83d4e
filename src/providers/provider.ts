import type { Metric } from '../api/index.js';
import type { Value } from '../condition/index.js';
import type { ResolvedArgs } from './resolve-args.js';

/*
 * Argo's metric provider model (metricproviders/provider.go): run a measurement, resume one
 * still in flight, terminate it, collect what old measurements left behind. A provider never
 * throws: whatever goes wrong is an `error` answer, an Error measurement counted against
 * consecutiveErrorLimit.
 */

export interface MeasurementContext {
  metric: Metric;
  args: ResolvedArgs;
  /** The run's namespace and name, for providers that create objects (Job). */
  run: {
    namespace: string;
    name: string;
    uid: string;
    /** The run's status.startedAt (Kayenta's lookback). */ startedAt?: string | undefined;
  };
  /** Measurements the metric has finished so far (counted and errored): a provider that names objects after the measurement uses it. */
  measurementsTaken: number;
  now: Date;
}

/** What a provider answers for one measurement; a provider never throws. */
export type ProviderAnswer =
  /** A value to judge with the metric's conditions, and its text as Argo stores it (e.g. `[0.97]`). */
  | { kind: 'value'; value: Value; text: string; metadata?: Record<string, string> }
  /** Still running (a Job): look again at resumeAt, or when the provider's own watch wakes the run. */
  | { kind: 'running'; resumeAt?: string; metadata?: Record<string, string> }
  /** Already judged by the provider (a Job that succeeded or failed; a Kayenta score against its thresholds, with the score as value). */
  | {
      kind: 'verdict';
      phase: 'Successful' | 'Failed' | 'Inconclusive';
      message?: string;
      value?: string;
      metadata?: Record<string, string>;
    }
  /** Could not measure: unreachable, timed out, a bad response. An Error measurement, counted against consecutiveErrorLimit. */
  | { kind: 'error'; message: string };

export interface MetricProvider {
  readonly type: string;
  run(context: MeasurementContext): Promise<ProviderAnswer>;
  resume?(context: MeasurementContext, metadata: Readonly<Record<string, string>>): Promise<ProviderAnswer>;
  terminate?(context: MeasurementContext, metadata: Readonly<Record<string, string>>): Promise<ProviderAnswer>;
  garbageCollect?(context: Omit<MeasurementContext, 'args' | 'now'>, keep: number): Promise<void>;
}

/** The provider a metric names: exactly one key of metric.provider. */
export function providerTypeOf(metric: Metric): string | undefined {
  const types = Object.entries(metric.provider)
    .filter(([, settings]) => settings !== undefined)
    .map(([type]) => type);
  return types.length === 1 ? types[0] : undefined;
}
