import type {
  AnalysisArgument,
  AnalysisTemplate,
  AnalysisTemplateSpec,
  ClusterAnalysisTemplate,
  Metric,
  PathSegment,
  Rollout,
  RolloutAnalysis,
  RolloutIssue,
} from '../api/index.js';
import { compileMetricConditions } from '../analysis/evaluate-measurement.js';
import { resolveMetricArgs } from '../providers/resolve-args.js';

/*
 * The templates a Rollout's analysis names, resolved and combined as Argo's
 * getAnalysisTemplatesFromRefs, FlattenTemplates and MergeArgs do
 * (rollout/analysis.go, utils/analysis/helpers.go): nested `templates` are
 * followed, duplicates kept once, metrics concatenated (a name twice is an
 * error), arguments merged with the Rollout's. Everything that can be wrong
 * with them is found here, before any run exists, so a Rollout whose
 * analysis cannot run is an InvalidSpec and nothing of it moves.
 */

/** A template as the informer holds it: parsed, or why it could not be. */
export type TemplateEntry<T> = { ok: true; template: T } | { ok: false; message: string };

export interface AnalysisTemplateCatalog {
  /** AnalysisTemplates in the Rollout's namespace, by name. */
  namespaced: Readonly<Record<string, TemplateEntry<AnalysisTemplate>>>;
  /** ClusterAnalysisTemplates, by name. */
  cluster: Readonly<Record<string, TemplateEntry<ClusterAnalysisTemplate>>>;
}

export const EMPTY_TEMPLATE_CATALOG: AnalysisTemplateCatalog = { namespaced: {}, cluster: {} };

/** The combined spec an AnalysisRun is made from: metrics, merged args, dry-run and retention rules. */
export interface FlattenedAnalysis {
  metrics: Metric[];
  args: AnalysisArgument[];
  dryRun: { metricName: string }[];
  measurementRetention: { metricName: string; limit: number }[];
  /** Which template each metric came from, for messages. */
  metricSources: Record<string, string>;
}

export type FlattenResult = { ok: true; analysis: FlattenedAnalysis } | { ok: false; issue: RolloutIssue };

interface NamedSpec {
  label: string;
  spec: AnalysisTemplateSpec;
}

/**
 * Resolves, flattens and checks one RolloutAnalysis. `path` is where it sits in the Rollout
 * (for example spec.strategy.canary.steps[2].analysis); `values` are the Rollout's argument
 * values, already computed (their presence is what MergeArgs checks).
 */
export function flattenRolloutAnalysis(
  analysis: RolloutAnalysis,
  path: readonly PathSegment[],
  catalog: AnalysisTemplateCatalog,
  values: readonly AnalysisArgument[],
): FlattenResult {
  const templatesPath = [...path, 'templates'];
  const specs: NamedSpec[] = [];
  const clusterSpecs: NamedSpec[] = [];
  const seen = new Set<string>();
  const refs = analysis.templates ?? [];
  if (refs.length === 0) return { ok: false, issue: { path: templatesPath, message: 'at least one template is required' } };
  const visit = (
    templateRefs: readonly { templateName: string; clusterScope?: boolean | undefined }[],
    depth: number,
  ): RolloutIssue | undefined => {
    for (const ref of templateRefs) {
      const cluster = ref.clusterScope === true;
      const kind = cluster ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate';
      const key = `${kind}/${ref.templateName}`;
      if (seen.has(key)) continue;
      // Argo would recurse forever on a cycle; a depth bound turns it into an error that names the template.
      if (depth > 10) return { path: templatesPath, message: `${kind} '${ref.templateName}' nests templates more than 10 deep (a cycle?)` };
      seen.add(key);
      const entry = cluster ? catalog.cluster[ref.templateName] : catalog.namespaced[ref.templateName];
      if (entry === undefined) return { path: templatesPath, message: `${kind} '${ref.templateName}' not found` };
      if (!entry.ok) return { path: templatesPath, message: `${kind} '${ref.templateName}' is invalid: ${entry.message}` };
      (cluster ? clusterSpecs : specs).push({ label: `${kind} '${ref.templateName}'`, spec: entry.template.spec });
      const inner = visit(entry.template.spec.templates ?? [], depth + 1);
      if (inner !== undefined) return inner;
    }
    return undefined;
  };
  const missing = visit(refs, 0);
  if (missing !== undefined) return { ok: false, issue: missing };
  // Argo lists namespaced templates before cluster ones, whatever the order of the references.
  const ordered = [...specs, ...clusterSpecs];

  const metrics: Metric[] = [];
  const metricSources: Record<string, string> = {};
  for (const { label, spec } of ordered) {
    for (const metric of spec.metrics ?? []) {
      if (metricSources[metric.name] !== undefined)
        return { ok: false, issue: { path: templatesPath, message: `two metrics have the same name '${metric.name}'` } };
      metricSources[metric.name] = label;
      metrics.push(metric);
    }
  }
  const templateArgs = flattenArgs(ordered);
  if (!templateArgs.ok) return { ok: false, issue: { path: templatesPath, message: templateArgs.message } };
  const args = mergeArgs(values, templateArgs.args);
  if (!args.ok) return { ok: false, issue: { path: [...path, 'args'], message: args.message } };
  // An argument read from elsewhere (a Secret) stands as Argo's "dummy-value" here.
  const placeholders = args.args.map((arg) => (arg.value === undefined ? { name: arg.name, value: 'dummy-value' } : arg));
  for (const metric of metrics) {
    const label = metricSources[metric.name] ?? '';
    // Argo's validateAnalysisMetrics: every `{{…}}` must name an argument; the values are the run's business, so a
    // condition is compiled with its references filled in (a secret's as a placeholder) and checked again by the run.
    const resolved = resolveMetricArgs(metric, placeholders);
    if (!resolved.ok) {
      // Argo's ValidateAnalysisTemplateWithType resolves step and blue-green analyses only: a background run that
      // cannot resolve its references is created, errs as it starts, and its Error aborts the rollout.
      if (isBackgroundAnalysis(path)) continue;
      return { ok: false, issue: { path: templatesPath, message: `${label}: ${resolved.message}` } };
    }
    const conditions = compileMetricConditions(resolved.value);
    if (!conditions.ok) return { ok: false, issue: { path: templatesPath, message: `${label}: ${conditions.message}` } };
  }
  const dryRun = uniqueRules([...(analysis.dryRun ?? []), ...ordered.flatMap(({ spec }) => spec.dryRun ?? [])], 'Dry-Run');
  if (!dryRun.ok) return { ok: false, issue: { path: [...path, 'dryRun'], message: dryRun.message } };
  const retention = uniqueRules(
    [...(analysis.measurementRetention ?? []), ...ordered.flatMap(({ spec }) => spec.measurementRetention ?? [])],
    'Measurement Retention',
  );
  if (!retention.ok) return { ok: false, issue: { path: [...path, 'measurementRetention'], message: retention.message } };
  return { ok: true, analysis: { metrics, args: args.args, dryRun: dryRun.rules, measurementRetention: retention.rules, metricSources } };
}

/** spec.strategy.canary.analysis: the background analysis (Argo's BackgroundAnalysis template type). */
function isBackgroundAnalysis(path: readonly PathSegment[]): boolean {
  return path.length === 4 && path[2] === 'canary' && path[3] === 'analysis';
}

function flattenArgs(specs: readonly NamedSpec[]): { ok: true; args: AnalysisArgument[] } | { ok: false; message: string } {
  const combined: AnalysisArgument[] = [];
  for (const { spec } of specs) {
    for (const arg of spec.args ?? []) {
      const index = combined.findIndex((previous) => previous.name === arg.name);
      const previous = combined[index];
      if (previous === undefined) {
        combined.push(arg);
        continue;
      }
      if (previous.value !== undefined && arg.value !== undefined && previous.value !== arg.value) {
        return {
          ok: false,
          message: `Argument \`${arg.name}\` specified multiple times with different values: '${previous.value}', '${arg.value}'`,
        };
      }
      if (previous.value === undefined) combined[index] = arg;
    }
  }
  return { ok: true, args: combined };
}

/** Argo's MergeArgs: the Rollout's values fill the templates' arguments; one still without a value is an error. */
function mergeArgs(
  incoming: readonly AnalysisArgument[],
  templateArgs: readonly AnalysisArgument[],
): { ok: true; args: AnalysisArgument[] } | { ok: false; message: string } {
  const merged = templateArgs.map((arg) => ({ ...arg }));
  for (const arg of incoming) {
    const target = merged.find((candidate) => candidate.name === arg.name);
    if (target === undefined) continue;
    if (arg.value !== undefined) target.value = arg.value;
    else if (arg.valueFrom !== undefined) target.valueFrom = arg.valueFrom;
  }
  const unresolved = merged.find((arg) => arg.value === undefined && arg.valueFrom === undefined);
  if (unresolved !== undefined) return { ok: false, message: `args.${unresolved.name} was not resolved` };
  return { ok: true, args: merged };
}

function uniqueRules<T extends { metricName: string }>(
  rules: readonly T[],
  kind: string,
): { ok: true; rules: T[] } | { ok: false; message: string } {
  const seen = new Set<string>();
  for (const rule of rules) {
    if (seen.has(rule.metricName)) return { ok: false, message: `two ${kind} metric rules have the same name '${rule.metricName}'` };
    seen.add(rule.metricName);
  }
  return { ok: true, rules: [...rules] };
}

/** Every RolloutAnalysis in a Rollout, with where it sits: Argo's getReferencedRolloutAnalyses order. */
export function rolloutAnalyses(rollout: Rollout): { analysis: RolloutAnalysis; path: PathSegment[] }[] {
  const strategy = rollout.spec.strategy;
  const found: { analysis: RolloutAnalysis; path: PathSegment[] }[] = [];
  if (strategy?.blueGreen !== undefined) {
    const { prePromotionAnalysis, postPromotionAnalysis } = strategy.blueGreen;
    if (prePromotionAnalysis !== undefined)
      found.push({ analysis: prePromotionAnalysis, path: ['spec', 'strategy', 'blueGreen', 'prePromotionAnalysis'] });
    if (postPromotionAnalysis !== undefined)
      found.push({ analysis: postPromotionAnalysis, path: ['spec', 'strategy', 'blueGreen', 'postPromotionAnalysis'] });
  } else if (strategy?.canary !== undefined) {
    (strategy.canary.steps ?? []).forEach((step, index) => {
      if (step.analysis !== undefined)
        found.push({ analysis: step.analysis, path: ['spec', 'strategy', 'canary', 'steps', index, 'analysis'] });
    });
    if (strategy.canary.analysis !== undefined)
      found.push({ analysis: strategy.canary.analysis, path: ['spec', 'strategy', 'canary', 'analysis'] });
  }
  return found;
}
