import type { AnalysisPhase } from '../api/index.js';
import { compileCondition, describeConditionError, evaluateCondition, type CompiledCondition, type Value } from '../condition/index.js';

/*
 * Argo's EvaluateResult (utils/evaluate): a measured value against the metric's success and
 * failure conditions. Without conditions every measurement succeeds; with only a success
 * condition, not meeting it fails; with only a failure condition, not meeting it succeeds;
 * with both, meeting neither is Inconclusive. A condition that cannot be evaluated on this
 * value is an Error measurement whose message says why.
 */

export interface MetricConditions {
  metric: string;
  success?: CompiledCondition | undefined;
  failure?: CompiledCondition | undefined;
}

export type ConditionsResult = { ok: true; conditions: MetricConditions } | { ok: false; message: string };

/** Compiles a metric's conditions once; an unparsable one names the metric, the field and the column. */
export function compileMetricConditions(metric: {
  name: string;
  successCondition?: string | undefined;
  failureCondition?: string | undefined;
}): ConditionsResult {
  const conditions: MetricConditions = { metric: metric.name };
  for (const [field, source] of [
    ['successCondition', metric.successCondition],
    ['failureCondition', metric.failureCondition],
  ] as const) {
    if (source === undefined || source === '') continue;
    const compiled = compileCondition(source);
    if (!compiled.ok) return { ok: false, message: describeConditionError(compiled.error, { metric: metric.name, field, source }) };
    if (field === 'successCondition') conditions.success = compiled.condition;
    else conditions.failure = compiled.condition;
  }
  return { ok: true, conditions };
}

export type MeasurementVerdict = { phase: Exclude<AnalysisPhase, 'Pending' | 'Running'>; message?: string };

export function evaluateMeasurement(conditions: MetricConditions, result: Value): MeasurementVerdict {
  const judge = (condition: CompiledCondition | undefined, field: string): boolean | string | undefined => {
    if (condition === undefined) return undefined;
    const evaluated = evaluateCondition(condition, { result });
    if (evaluated.ok) return evaluated.value;
    return describeConditionError(evaluated.error, { metric: conditions.metric, field, source: condition.source });
  };
  const success = judge(conditions.success, 'successCondition');
  if (typeof success === 'string') return { phase: 'Error', message: success };
  const failure = judge(conditions.failure, 'failureCondition');
  if (typeof failure === 'string') return { phase: 'Error', message: failure };
  if (success === undefined && failure === undefined) return { phase: 'Successful' };
  const failed = failure ?? success === false;
  const succeeded = success ?? failure === false;
  if (failed) return { phase: 'Failed' };
  if (!succeeded) return { phase: 'Inconclusive' };
  return { phase: 'Successful' };
}
