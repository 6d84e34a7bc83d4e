import { canaryStepKinds } from './canary-strategy.js';
import { rolloutDefaults } from './defaults.js';
import { pauseDurationSeconds } from './duration.js';
import { selectorExpressionProblems, unmetRequirements } from './label-selector.js';
import { checkExperimentWeights } from './experiment-weight-checks.js';
import { checkTemplateAffinity } from './pod-affinity-checks.js';
import type {
  AntiAffinity,
  BlueGreenStrategy,
  CanaryStep,
  CanaryStrategy,
  IntOrString,
  PathSegment,
  Rollout,
  RolloutIssue,
} from './types.js';

/*
 * The checks Argo's controller makes before it acts on a Rollout (an
 * InvalidSpec condition when one fails), on a Rollout that already has the
 * schema's shape. Gradual makes the same checks, with its own words and the
 * path of the field at fault, so lint finds what reconcile would refuse.
 * Like Argo, a manifest is checked as written; defaults are applied only
 * where a rule compares against one (progressDeadlineSeconds, for example).
 */

type Report = (path: PathSegment[], message: string, extra?: Pick<RolloutIssue, 'unplaced'>) => void;

export function checkRolloutSpec(rollout: Rollout): RolloutIssue[] {
  const issues: RolloutIssue[] = [];
  const report: Report = (path, message, extra) => issues.push({ path, message, ...extra });
  const { spec } = rollout;

  if ((rollout.metadata?.name ?? '') === '' && (rollout.metadata?.generateName ?? '') === '') {
    report(['metadata', 'name'], 'missing field "name": a Rollout needs a name');
  }
  for (const field of ['replicas', 'minReadySeconds', 'revisionHistoryLimit', 'progressDeadlineSeconds'] as const) {
    const value = spec[field];
    if (value !== undefined && value < 0) report(['spec', field], `must not be negative (got ${value})`);
  }
  const minReadySeconds = spec.minReadySeconds ?? rolloutDefaults.minReadySeconds;
  const progressDeadlineSeconds = spec.progressDeadlineSeconds ?? rolloutDefaults.progressDeadlineSeconds;
  if (progressDeadlineSeconds <= minReadySeconds) {
    report(['spec', 'progressDeadlineSeconds'], `must be greater than minReadySeconds (${progressDeadlineSeconds} <= ${minReadySeconds})`);
  }
  checkSelectorAndTemplate(rollout, report);

  const { canary, blueGreen } = spec.strategy ?? {};
  if (canary === undefined && blueGreen === undefined) {
    report(['spec', 'strategy'], 'missing strategy: set exactly one of canary and blueGreen');
  } else if (canary !== undefined && blueGreen !== undefined) {
    report(['spec', 'strategy'], 'canary and blueGreen are both set: a Rollout has exactly one strategy');
  } else if (blueGreen !== undefined) {
    checkBlueGreen(blueGreen, spec.revisionHistoryLimit ?? rolloutDefaults.revisionHistoryLimit, report);
  } else if (canary !== undefined) {
    checkCanary(canary, report);
  }
  return issues;
}

function checkSelectorAndTemplate(rollout: Rollout, report: Report): void {
  const { spec } = rollout;
  const templateMetadata = spec.template?.metadata;
  if (spec.workloadRef !== undefined) {
    // Argo takes template and selector from the workload; a template of one's own would be silently replaced. Argo's
    // EmptyTemplate looks at the template's labels and annotations only, and its resolver's words name no field.
    if (Object.keys(templateMetadata?.labels ?? {}).length + Object.keys(templateMetadata?.annotations ?? {}).length > 0) {
      report(['spec', 'template'], 'template must be empty for workload reference rollout', { unplaced: true });
    }
    return;
  }
  const { selector } = spec;
  if (selector === undefined) {
    report(['spec', 'selector'], 'missing field "selector": a Rollout without a workloadRef needs one');
    return;
  }
  if (Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions?.length ?? 0) === 0) {
    report(['spec', 'selector'], 'an empty selector would select every pod: give matchLabels or matchExpressions');
    return;
  }
  for (const { index, message } of selectorExpressionProblems(selector))
    report(['spec', 'selector', 'matchExpressions', index, 'operator'], message);
  const podSpec = spec.template?.spec;
  if (podSpec !== undefined) checkTemplateAffinity(podSpec, ['spec', 'template', 'spec'], report);
  const containers = spec.template?.spec?.containers ?? [];
  if (containers.length === 0)
    report(['spec', 'template', 'spec', 'containers'], 'missing containers: the pod template needs at least one');
  const unmet = unmetRequirements(selector, templateMetadata?.labels ?? {});
  if (unmet.length > 0) {
    report(['spec', 'template', 'metadata', 'labels'], `do not match spec.selector, which needs ${unmet.join(', ')}`);
  }
}

function checkBlueGreen(blueGreen: BlueGreenStrategy, revisionHistoryLimit: number, report: Report): void {
  const path = ['spec', 'strategy', 'blueGreen'];
  if (blueGreen.activeService === blueGreen.previewService) {
    report([...path, 'activeService'], 'activeService and previewService are the same Service; blue-green needs two');
  }
  if (blueGreen.scaleDownDelayRevisionLimit !== undefined && blueGreen.scaleDownDelayRevisionLimit > revisionHistoryLimit) {
    report(
      [...path, 'scaleDownDelayRevisionLimit'],
      `must not exceed revisionHistoryLimit (${blueGreen.scaleDownDelayRevisionLimit} > ${revisionHistoryLimit})`,
    );
  }
  checkIntOrPercent(blueGreen.maxUnavailable, [...path, 'maxUnavailable'], report);
  checkAntiAffinity(blueGreen.antiAffinity, [...path, 'antiAffinity'], report);
}

function checkCanary(canary: CanaryStrategy, report: Report): void {
  const path = ['spec', 'strategy', 'canary'];
  checkIntOrPercent(canary.maxSurge, [...path, 'maxSurge'], report);
  checkIntOrPercent(canary.maxUnavailable, [...path, 'maxUnavailable'], report);
  if (isZero(canary.maxSurge ?? rolloutDefaults.maxSurge) && isZero(canary.maxUnavailable ?? rolloutDefaults.maxUnavailable)) {
    report([...path, 'maxSurge'], 'maxSurge and maxUnavailable are both zero: the update could never make progress');
  }
  if (canary.canaryService !== undefined && canary.canaryService !== '' && canary.canaryService === canary.stableService) {
    report([...path, 'stableService'], 'canaryService and stableService are the same Service; the canary needs two');
  }
  const routed = canary.trafficRouting !== undefined;
  if (!routed && canary.scaleDownDelaySeconds !== undefined) {
    report([...path, 'scaleDownDelaySeconds'], 'only takes effect with trafficRouting; remove it or add trafficRouting');
  }
  if (!routed && canary.dynamicStableScale === true) {
    report([...path, 'dynamicStableScale'], 'only takes effect with trafficRouting; remove it or add trafficRouting');
  }
  if (routed && canary.dynamicStableScale === true && canary.scaleDownDelaySeconds !== undefined) {
    report([...path, 'dynamicStableScale'], 'cannot be combined with scaleDownDelaySeconds');
  }
  const configuredMaxWeight = canary.trafficRouting?.['maxTrafficWeight'];
  const maxWeight = typeof configuredMaxWeight === 'number' ? configuredMaxWeight : rolloutDefaults.maxTrafficWeight;
  (canary.steps ?? []).forEach((step, index) => {
    checkStep(step, [...path, 'steps', index], { routed, maxWeight }, report);
  });
  checkAntiAffinity(canary.antiAffinity, [...path, 'antiAffinity'], report);
  checkExperimentWeights(canary, report);
}

function checkStep(step: CanaryStep, path: PathSegment[], context: { routed: boolean; maxWeight: number }, report: Report): void {
  if (canaryStepKinds.every((kind) => step[kind] === undefined)) report(path, `empty step: set one of ${canaryStepKinds.join(', ')}`);
  // Argo refuses a step that combines two of these four; other combinations it accepts.
  const exclusive = (['setWeight', 'pause', 'experiment', 'analysis'] as const).filter((kind) => step[kind] !== undefined);
  if (exclusive.length > 1) report(path, `a step does one thing: it sets ${exclusive.join(' and ')}`);
  if (step.setWeight !== undefined && (step.setWeight < 0 || step.setWeight > context.maxWeight)) {
    report([...path, 'setWeight'], `must be between 0 and ${context.maxWeight} (got ${step.setWeight})`);
  }
  const duration = step.pause?.duration;
  if (duration !== undefined) {
    const seconds = pauseDurationSeconds(duration);
    if (seconds === undefined)
      report([...path, 'pause', 'duration'], `expected seconds or a duration such as 30s, 5m, 1h; got "${String(duration)}"`);
    else if (seconds < 0) report([...path, 'pause', 'duration'], `must not be negative (got ${JSON.stringify(duration)})`);
  }
  if (step.setCanaryScale !== undefined && !context.routed) {
    report([...path, 'setCanaryScale'], 'needs trafficRouting: without it the canary is scaled by setWeight');
  }
}

function checkAntiAffinity(antiAffinity: AntiAffinity | undefined, path: PathSegment[], report: Report): void {
  if (antiAffinity === undefined) return;
  const preferred = antiAffinity.preferredDuringSchedulingIgnoredDuringExecution;
  const required = antiAffinity.requiredDuringSchedulingIgnoredDuringExecution;
  if ((preferred === undefined) === (required === undefined)) {
    report(path, 'set exactly one of preferredDuringSchedulingIgnoredDuringExecution and requiredDuringSchedulingIgnoredDuringExecution');
  }
  if (preferred !== undefined && (preferred.weight < 1 || preferred.weight > 100)) {
    report([...path, 'preferredDuringSchedulingIgnoredDuringExecution', 'weight'], `must be between 1 and 100 (got ${preferred.weight})`);
  }
}

/**
 * maxSurge and maxUnavailable: a non-negative integer (pods) or a percentage
 * such as "25%". Argo reads a string of digits without "%" as a percentage
 * too (its helpers strip the sign), so "25" is accepted and means 25%.
 */
function checkIntOrPercent(value: IntOrString | undefined, path: PathSegment[], report: Report): void {
  if (value === undefined) return;
  if (typeof value === 'number' ? value < 0 : !/^\d+%?$/u.test(value)) {
    report(path, `expected a non-negative integer or a percentage such as "25%", got ${JSON.stringify(value)}`);
  }
}

function isZero(value: IntOrString): boolean {
  return typeof value === 'number' ? value === 0 : /^0+%?$/u.test(value);
}
