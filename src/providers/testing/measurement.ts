import type { Metric } from '../../api/index.js';
import { compileMetricConditions } from '../../analysis/evaluate-measurement.js';
import { measurementOf } from '../../analysis/reconcile-analysis-run.js';
import type { ProviderSecrets } from '../provider-secrets.js';
import type { ProviderAnswer } from '../provider.js';

/**
 * What the providers' tests build the same way: the Secrets a provider may
 * read, the context a measurement runs in, and the measurement the
 * AnalysisRun controller stores for an answer.
 */

/** Secrets by `namespace/name` (a missing one answers as the API would), and the controller's environment. */
export function secretsWith(data: Record<string, Record<string, string>>, env: Record<string, string> = {}): ProviderSecrets {
  return {
    controllerNamespace: 'argo-rollouts',
    env,
    read: (namespace, name) => {
      const found = data[`${namespace}/${name}`];
      return Promise.resolve(found === undefined ? { ok: false, message: `secrets "${name}" not found` } : { ok: true, data: found });
    },
  };
}

/** The context of a first measurement of `metric` in the AnalysisRun `shop/run`. */
export function measurementContext(metric: Metric, now: Date, args: Record<string, string> = {}) {
  return { metric, args: new Map(Object.entries(args)), run: { namespace: 'shop', name: 'run', uid: 'u' }, measurementsTaken: 0, now };
}

/** The measurement the controller stores for an answer: conditions applied as Argo's EvaluateResult. */
export function measured(metric: Metric, answer: ProviderAnswer, now: Date) {
  const conditions = compileMetricConditions(metric);
  if (!conditions.ok) throw new Error(conditions.message);
  const task = { kind: 'start', metric } as unknown as Parameters<typeof measurementOf>[0]['task'];
  const { phase, value, message, metadata } = measurementOf({ task, startedAt: '', answer }, conditions.conditions, now);
  return { phase, value, message, ...(metadata !== undefined && { metadata }) };
}
