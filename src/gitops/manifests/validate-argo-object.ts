import {
  analysisTemplateKind,
  analysisTemplateSchema,
  clusterAnalysisTemplateKind,
  clusterAnalysisTemplateSchema,
  experimentKind,
  rolloutApiVersion,
  rolloutGroup,
  rolloutKind,
  validateExperiment,
  validateRollout,
  type RolloutIssue,
} from '../../api/index.js';
import { fromZodIssues } from '../../api/index.js';
import { subscriptionIssues } from '../../notifications/subscription-issues.js';
import { findUnsupportedMetricFields } from '../../api/unsupported-metric-fields.js';

/**
 * The engine's own checks of the argoproj.io kinds it reads from git: a
 * Rollout through validateRollout (schema, unknown fields, unsupported
 * fields, Argo's InvalidSpec rules), an AnalysisTemplate or
 * ClusterAnalysisTemplate through its strict schema, an Experiment through
 * validateExperiment (its templates are pod templates from the same pull
 * request, held to a Rollout's rules). Undefined for any other
 * kind (applied as written; the API server judges it).
 */
export function validateArgoObject(object: Record<string, unknown>): RolloutIssue[] | undefined {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== 'string' || !apiVersion.startsWith(`${rolloutGroup}/`)) return undefined;
  if (kind !== rolloutKind && kind !== analysisTemplateKind && kind !== clusterAnalysisTemplateKind && kind !== experimentKind)
    return undefined;
  if (apiVersion !== rolloutApiVersion)
    return [{ path: ['apiVersion'], message: `Gradual serves ${kind} of ${rolloutApiVersion}, got "${apiVersion}"` }];
  if (kind === rolloutKind) {
    const result = validateRollout(object);
    // A subscription to a trigger no Event fires (a typo) is a plan error at its annotation; services live in the cluster's ConfigMap.
    const subscriptions = subscriptionIssues((object.metadata as { annotations?: unknown } | undefined)?.annotations);
    return [...(result.ok ? [] : result.issues), ...subscriptions];
  }
  if (kind === experimentKind) {
    const result = validateExperiment(object);
    return result.ok ? [] : result.issues;
  }
  const schema = kind === analysisTemplateKind ? analysisTemplateSchema : clusterAnalysisTemplateSchema;
  const parsed = schema.safeParse(object, { reportInput: true });
  // Fields the schema accepts but Gradual does not act on are refused by name, as the provider refuses them at run time.
  return [...(parsed.success ? [] : fromZodIssues(parsed.error.issues, schema)), ...findUnsupportedMetricFields(object)];
}
