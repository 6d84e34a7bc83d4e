import { parseGoDuration } from './duration.js';
import { experimentDefaults, experimentSchema, experimentStatusSchema, type Experiment } from './experiment.js';
import { selectorExpressionProblems, unmetRequirements } from './label-selector.js';
import { checkTemplateAffinity } from './pod-affinity-checks.js';
import type { PathSegment, RolloutIssue } from './types.js';
import { fromZodIssues } from './zod-issues.js';

/*
 * The one check of an Experiment, shared by lint (and so the bot's plan) and the Experiment
 * controller. Argo's VerifyExperimentSpec rules carry Argo's words (`argo: true`): the
 * controller puts the first of them in the InvalidSpec condition, as Argo does. The pod-template
 * rules a Rollout's template obeys (containers, selector matching the labels, affinity) hold for
 * each Experiment template too, since a pull request's template is hostile input whatever kind
 * carries it; Argo leaves those to the API server (the ReplicaSet's creation fails), so the
 * controller does not refuse on them and an Experiment applied directly behaves as in Argo.
 */

export interface ExperimentIssue extends RolloutIssue {
  /** One of Argo's InvalidSpec rules (the controller refuses the Experiment on it). */
  argo?: boolean;
}

export type ValidateExperimentResult = { ok: true; experiment: Experiment } | { ok: false; issues: ExperimentIssue[] };

export function validateExperiment(object: unknown): ValidateExperimentResult {
  const record = typeof object === 'object' && object !== null && !Array.isArray(object) ? (object as Record<string, unknown>) : undefined;
  const { status, ...rest } = record ?? {};
  const parsed = experimentSchema.safeParse(record === undefined ? object : rest, { reportInput: true });
  if (!parsed.success)
    return { ok: false, issues: fromZodIssues(parsed.error.issues, experimentSchema).map((issue) => ({ ...issue, argo: true })) };
  const leniently = experimentStatusSchema.safeParse(status ?? {});
  const experiment: Experiment = leniently.success && status !== undefined ? { ...parsed.data, status: leniently.data } : parsed.data;
  const issues = checkExperimentSpec(experiment);
  return issues.length === 0 ? { ok: true, experiment } : { ok: false, issues };
}

/** Argo's VerifyExperimentSpec (its words), then the pod-template rules and the fields Argo parses later (duration). */
export function checkExperimentSpec(experiment: Experiment): ExperimentIssue[] {
  const issues: ExperimentIssue[] = [];
  const { spec } = experiment;
  const name = experiment.metadata?.name ?? experiment.metadata?.generateName ?? '';
  if (name === '') issues.push({ path: ['metadata', 'name'], message: 'missing field "name": an Experiment needs a name' });
  const deadline = spec.progressDeadlineSeconds ?? experimentDefaults.progressDeadlineSeconds;
  const seen = new Set<string>();
  spec.templates.forEach((template, index) => {
    const path: PathSegment[] = ['spec', 'templates', index];
    const argo = (at: PathSegment[], message: string): void => {
      issues.push({ path: at, message, argo: true });
    };
    if (template.selector === undefined) argo([...path, 'selector'], `Rollout has missing field '.Spec.Templates[${index}].Selector'`);
    else if (Object.keys(template.selector.matchLabels ?? {}).length + (template.selector.matchExpressions?.length ?? 0) === 0)
      argo([...path, 'selector'], `This experiment is selecting all pods at index ${index}. A non-empty selector is required.`);
    if ((template.minReadySeconds ?? 0) > deadline)
      argo([...path, 'minReadySeconds'], `MinReadySeconds cannot be longer than ProgressDeadlineSeconds. Check template index ${index}`);
    if (template.name === '') argo([...path, 'name'], `Experiment ${name} has empty template name at index ${index}`);
    else if (seen.has(template.name))
      argo([...path, 'name'], `Experiment ${name} has repeated template name '${template.name}' in templates`);
    seen.add(template.name);

    // The Rollout's pod-template rules (spec-checks.ts), not Argo's InvalidSpec.
    for (const field of ['replicas', 'minReadySeconds'] as const) {
      const value = template[field];
      if (value !== undefined && value < 0) issues.push({ path: [...path, field], message: `must not be negative (got ${value})` });
    }
    if (template.selector !== undefined) {
      for (const problem of selectorExpressionProblems(template.selector))
        issues.push({ path: [...path, 'selector', 'matchExpressions', problem.index, 'operator'], message: problem.message });
      const unmet = unmetRequirements(template.selector, template.template.metadata?.labels ?? {});
      if (
        unmet.length > 0 &&
        Object.keys(template.selector.matchLabels ?? {}).length + (template.selector.matchExpressions?.length ?? 0) > 0
      )
        issues.push({
          path: [...path, 'template', 'metadata', 'labels'],
          message: `do not match the selector, which needs ${unmet.join(', ')}`,
        });
    }
    const podSpec = template.template.spec;
    if (podSpec !== undefined)
      checkTemplateAffinity(podSpec, [...path, 'template', 'spec'], (at, message) => issues.push({ path: at, message }));
    if ((podSpec?.containers ?? []).length === 0)
      issues.push({
        path: [...path, 'template', 'spec', 'containers'],
        message: 'missing containers: the pod template needs at least one',
      });
  });
  if (spec.duration !== undefined && parseGoDuration(spec.duration) === undefined)
    issues.push({ path: ['spec', 'duration'], message: `not a duration: "${spec.duration}" (for example 30s, 5m, 1h)` });
  for (const field of ['progressDeadlineSeconds', 'scaleDownDelaySeconds'] as const) {
    const value = spec[field];
    if (value !== undefined && value < 0) issues.push({ path: ['spec', field], message: `must not be negative (got ${value})` });
  }
  const analyses = new Set<string>();
  (spec.analyses ?? []).forEach((analysis, index) => {
    if (analyses.has(analysis.name))
      issues.push({
        path: ['spec', 'analyses', index, 'name'],
        message: `two analyses are named '${analysis.name}'; each creates its own AnalysisRun`,
      });
    analyses.add(analysis.name);
  });
  return issues;
}
