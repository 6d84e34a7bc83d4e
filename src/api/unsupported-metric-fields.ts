import type { PathSegment, RolloutIssue } from './types.js';

/*
 * Fields of Argo's metric providers that Gradual's schema accepts (Argo's manifests carry them)
 * but Gradual does not act on: each is refused by name, at its place, by the bot's plan (this
 * check, over AnalysisTemplates and ClusterAnalysisTemplates) and, in the same words, by the
 * provider when a run measures with it — never silently ignored. Pure.
 */

export const unsupportedPrometheusSigv4RoleArn =
  'authentication.sigv4.roleArn is not supported by Gradual (assuming a role needs AWS STS): give the controller the role through its AWS credential chain instead (IRSA, or a profile with role_arn), and keep region and profile here';
export const unsupportedWebSigv4 =
  'authentication.sigv4 is not supported for the web provider (Argo Rollouts does not sign web requests either)';

/** Prometheus signs with sigv4 (region, profile) but refuses its roleArn; the web provider refuses the whole block. */
const rules: readonly { provider: string; field: 'roleArn' | undefined; message: string }[] = [
  { provider: 'prometheus', field: 'roleArn', message: unsupportedPrometheusSigv4RoleArn },
  { provider: 'web', field: undefined, message: unsupportedWebSigv4 },
];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty sigv4 block (Argo treats an empty one as absent), or with a field named, a non-empty value of that field. */
function hasSigv4(settings: unknown, field: string | undefined): boolean {
  if (!isRecord(settings) || !isRecord(settings.authentication)) return false;
  const sigv4 = settings.authentication.sigv4;
  if (!isRecord(sigv4)) return false;
  if (field === undefined) return Object.keys(sigv4).length > 0;
  return sigv4[field] !== undefined && sigv4[field] !== '';
}

/** The refused fields of a template (or run) object, each with its path from the object's root. */
export function findUnsupportedMetricFields(object: unknown): RolloutIssue[] {
  const spec = isRecord(object) ? object.spec : undefined;
  const metrics = isRecord(spec) && Array.isArray(spec.metrics) ? (spec.metrics as unknown[]) : [];
  const issues: RolloutIssue[] = [];
  for (const [index, metric] of metrics.entries()) {
    const provider = isRecord(metric) ? metric.provider : undefined;
    if (!isRecord(provider)) continue;
    for (const rule of rules) {
      if (!hasSigv4(provider[rule.provider], rule.field)) continue;
      const path: PathSegment[] = ['spec', 'metrics', index, 'provider', rule.provider, 'authentication', 'sigv4'];
      if (rule.field !== undefined) path.push(rule.field);
      issues.push({ path, message: rule.message, at: 'key' });
    }
  }
  return issues;
}
