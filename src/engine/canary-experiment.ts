import type { V1ReplicaSet } from '@kubernetes/client-node';
import type { Experiment, ExperimentSpec, ExperimentTemplate, Rollout, RolloutExperimentStep } from '../api/index.js';
import { POD_TEMPLATE_HASH_LABEL, REVISION_ANNOTATION } from '../api/argo-labels.js';
import { canonicalJson } from '../api/canonical-json.js';
import { revisionOf, rolloutArgumentValues } from './analysis-run-factory.js';
import { analysisRunsToDelete } from './analysis-run-history.js';
import { isCompletedPhase } from './experiments/plan-experiment.js';
import { currentCanaryStep } from './canary-steps.js';
import { isAborted, type PauseDecisions } from './rollout-status.js';
import type { KubeAction, RolloutEvent } from './reconcile-types.js';

/*
 * The canary step `experiment`, as Argo v1.9's reconcileExperiments and GetExperimentFromTemplate
 * (rollout/experiment.go) run it, pure: at an experiment step the Rollout creates an Experiment from
 * its stable and canary ReplicaSets' pod templates, names it in status.canary.currentExperiment while
 * it runs, aborts on Failed or Error, pauses on Inconclusive, and moves on (canary-planner) on
 * Successful. Every other Experiment the Rollout owns is terminated and, beyond the history limits or
 * when its ReplicaSet is gone, deleted.
 */

export interface CanaryExperimentInput {
  rollout: Rollout;
  newRS: V1ReplicaSet;
  stableRS: V1ReplicaSet | undefined;
  allReplicaSets: readonly V1ReplicaSet[];
  /** The Experiments of the Rollout's namespace as the informer holds them; the Rollout's own are told by their controller reference. */
  experiments: readonly Experiment[];
  decisions: PauseDecisions;
}

export interface CanaryExperimentResult {
  /** The Experiment of the current step (created, adopted or found), whatever its phase: the step completes on its Successful. */
  current: Experiment | undefined;
  /** What status.canary.currentExperiment names: the current Experiment while it is neither finished nor inconclusive. */
  statusName: string | undefined;
  actions: KubeAction[];
  events: RolloutEvent[];
}

const ROLLOUT_API_VERSION = 'argoproj.io/v1alpha1';

function ownedBy(experiment: Experiment, rollout: Rollout): boolean {
  const owner = (experiment.metadata?.ownerReferences ?? []).find((reference) => reference.controller === true);
  return owner !== undefined && owner.uid === rollout.metadata?.uid;
}

/** Argo's GetExperimentFromTemplate; undefined when the step names a ReplicaSet that does not exist. */
export function experimentFromStep(
  rollout: Rollout,
  step: RolloutExperimentStep,
  stepIndex: number,
  stableRS: V1ReplicaSet,
  newRS: V1ReplicaSet,
): Experiment {
  const podHash = newRS.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL] ?? '';
  const revision = revisionOf({ rollout, newRS });
  const templates: ExperimentTemplate[] = step.templates.map((templateStep) => {
    const source = templateStep.specRef === 'canary' ? newRS : stableRS;
    // A deep copy: the template's labels are merged into it below.
    const podTemplate = structuredClone(source.spec?.template ?? {}) as ExperimentTemplate['template'];
    const selector = structuredClone(templateStep.selector ?? source.spec?.selector ?? {}) as NonNullable<ExperimentTemplate['selector']>;
    const labels = templateStep.metadata?.labels;
    if (labels !== undefined) {
      podTemplate.metadata = { ...(podTemplate.metadata ?? {}), labels: { ...(podTemplate.metadata?.labels ?? {}), ...labels } };
      selector.matchLabels = { ...(selector.matchLabels ?? {}), ...labels };
    }
    const annotations = templateStep.metadata?.annotations;
    if (annotations !== undefined)
      podTemplate.metadata = {
        ...(podTemplate.metadata ?? {}),
        annotations: { ...(podTemplate.metadata?.annotations ?? {}), ...annotations },
      };
    const minReadySeconds = source.spec?.minReadySeconds ?? 0;
    return {
      name: templateStep.name,
      ...(templateStep.replicas === undefined ? {} : { replicas: templateStep.replicas }),
      ...(minReadySeconds === 0 ? {} : { minReadySeconds }),
      selector,
      template: podTemplate,
      // Argo gives a template with a weight a Service too: the router sends the weight to it.
      ...(templateStep.weight === undefined && templateStep.service === undefined
        ? {}
        : {
            service:
              templateStep.service?.name === undefined || templateStep.service.name === '' ? {} : { name: templateStep.service.name },
          }),
    };
  });
  const analyses: NonNullable<ExperimentSpec['analyses']> = (step.analyses ?? []).map((analysis) => ({
    name: analysis.name,
    templateName: analysis.templateName,
    ...(analysis.clusterScope === undefined ? {} : { clusterScope: analysis.clusterScope }),
    ...(analysis.args === undefined ? {} : { args: rolloutArgumentValues(analysis.args, rollout, newRS, stableRS) }),
    ...(analysis.requiredForCompletion === true ? { requiredForCompletion: true } : {}),
  }));
  const progressDeadlineSeconds = rollout.spec.progressDeadlineSeconds;
  const spec: ExperimentSpec = {
    templates,
    ...(step.duration === undefined || step.duration === '' ? {} : { duration: step.duration }),
    ...(progressDeadlineSeconds === undefined ? {} : { progressDeadlineSeconds }),
    ...(step.dryRun === undefined ? {} : { dryRun: step.dryRun }),
    ...(step.analysisRunMetadata === undefined ? {} : { analysisRunMetadata: step.analysisRunMetadata }),
    ...(step.scaleDownDelaySeconds === undefined ? {} : { scaleDownDelaySeconds: step.scaleDownDelaySeconds }),
    ...(analyses.length === 0 ? {} : { analyses }),
  };
  const name = rollout.metadata?.name ?? '';
  return {
    apiVersion: ROLLOUT_API_VERSION,
    kind: 'Experiment',
    metadata: {
      name: `${name}-${podHash}-${revision}-${String(stepIndex)}`,
      namespace: rollout.metadata?.namespace ?? 'default',
      labels: { ...(rollout.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: podHash },
      annotations: { [REVISION_ANNOTATION]: revision },
      ownerReferences: [
        {
          apiVersion: ROLLOUT_API_VERSION,
          kind: 'Rollout',
          name,
          uid: rollout.metadata?.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec,
  };
}

/** Argo's IsSemanticallyEqual: the specs without `terminate`. */
export function sameExperimentSpec(left: ExperimentSpec, right: ExperimentSpec): boolean {
  const strip = (spec: ExperimentSpec) => Object.fromEntries(Object.entries(spec).filter(([key]) => key !== 'terminate'));
  return canonicalJson(strip(left)) === canonicalJson(strip(right));
}

/**
 * Argo's createExperimentWithCollisionHandling decided on the cache: an Experiment of the same name
 * that is ours, unfinished and equal is adopted; any other takes the name `-1`, `-2`…
 */
function createOrAdopt(
  wanted: Experiment,
  rollout: Rollout,
  experiments: readonly Experiment[],
): { experiment: Experiment; created: boolean } {
  const base = wanted.metadata?.name ?? '';
  for (let collision = 0; ; collision += 1) {
    const name = collision === 0 ? base : `${base}-${String(collision)}`;
    const existing = experiments.find((candidate) => candidate.metadata?.name === name);
    if (existing === undefined) return { experiment: { ...wanted, metadata: { ...wanted.metadata, name } }, created: true };
    if (!isCompletedPhase(existing.status?.phase) && ownedBy(existing, rollout) && sameExperimentSpec(existing.spec, wanted.spec))
      return { experiment: existing, created: false };
  }
}

function isFinished(experiment: Experiment): boolean {
  return isCompletedPhase(experiment.status?.phase);
}

export function reconcileCanaryExperiment(input: CanaryExperimentInput): CanaryExperimentResult {
  const { rollout, decisions } = input;
  const status = rollout.status ?? {};
  const actions: KubeAction[] = [];
  const events: RolloutEvent[] = [];
  const owned = input.experiments.filter((experiment) => ownedBy(experiment, rollout));
  const currentName = status.canary?.currentExperiment ?? '';
  let current = currentName === '' ? undefined : owned.find((experiment) => experiment.metadata?.name === currentName);
  let others = owned.filter((experiment) => experiment !== current);
  const cancel = (experiments: readonly (Experiment | undefined)[]) => {
    for (const experiment of experiments) {
      if (experiment === undefined || experiment.spec.terminate === true || isFinished(experiment)) continue;
      actions.push({ kind: 'terminateExperiment', name: experiment.metadata?.name ?? '' });
    }
  };
  const result = (statusName: string | undefined): CanaryExperimentResult => ({ current, statusName, actions, events });

  if (isAborted(decisions, status) || status.promoteFull === true) {
    cancel([...others, current]);
    return result(undefined);
  }
  // Argo leaves everything as it is while an inconclusive AnalysisRun pauses the Rollout.
  if ((status.pauseConditions ?? []).some((condition) => condition.reason === 'InconclusiveAnalysisRun')) return result(undefined);

  const { step, index } = currentCanaryStep(rollout);
  let statusName: string | undefined;
  if (step?.experiment !== undefined && index !== undefined) {
    // No Experiment before the stable ReplicaSet exists (the first deploy has no steps to take anyway).
    if (current === undefined && input.stableRS !== undefined) {
      const wanted = experimentFromStep(rollout, step.experiment, index, input.stableRS, input.newRS);
      const { experiment, created } = createOrAdopt(wanted, rollout, input.experiments);
      current = experiment;
      if (created) {
        actions.push({ kind: 'createExperiment', experiment });
        events.push({ type: 'Normal', reason: 'ExperimentCreated', message: `Created Experiment '${experiment.metadata?.name ?? ''}'` });
      }
      // Argo's SetCurrentExperiment rescues an adopted Experiment from the termination of the others.
      others = others.filter((other) => other.metadata?.name !== experiment.metadata?.name);
    }
    switch (current?.status?.phase) {
      case undefined:
        statusName = current?.metadata?.name;
        break;
      case 'Inconclusive':
        if (!decisions.addPause.includes('InconclusiveExperiment')) decisions.addPause.push('InconclusiveExperiment');
        break;
      case 'Error':
      case 'Failed': {
        decisions.addAbort = true;
        const message = current.status.message ?? '';
        decisions.abortMessage = `Experiment analysis phase is error/failed${message === '' ? '' : `: ${message}`}`;
        break;
      }
      case 'Successful':
        // The step completes with it (canary-planner); the status stops naming it.
        break;
      default:
        statusName = current?.metadata?.name;
    }
  } else if (current !== undefined) {
    others = [...others, current];
  }
  cancel(others);
  const doomed = new Set(analysisRunsToDelete(others, input.allReplicaSets, rollout.spec.analysis));
  for (const experiment of others) {
    const name = experiment.metadata?.name ?? '';
    if (doomed.has(name)) actions.push({ kind: 'deleteExperiment', name });
  }
  return result(statusName);
}

/** One weighted experiment template as the routers take it (Argo's WeightDestination). */
export interface ExperimentWeightDestination {
  weight: number;
  serviceName: string;
  podTemplateHash: string;
}

/**
 * Argo's calculateWeightDestinationsFromExperiment (rollout/trafficrouting.go): while the Experiment
 * status.canary.currentExperiment names is Running and the current step is, or follows, an experiment
 * step, each of its templates with a weight is a destination of the routers at that weight, in the
 * order of the Experiment's template statuses. One difference: Argo adds a template whose Service is
 * not created yet with an empty service name (a backend the routers' objects refuse, or traffic to
 * nothing); Gradual adds it once the Experiment names its Service. Once the Experiment ends (or is
 * terminated by an abort) the list is empty and the routers drop the destinations.
 */
export function experimentWeightDestinations(rollout: Rollout, experiments: readonly Experiment[]): ExperimentWeightDestination[] {
  const steps = rollout.spec.strategy?.canary?.steps ?? [];
  const { step: currentStep, index } = currentCanaryStep(rollout);
  if (currentStep === undefined || index === undefined) return [];
  // Argo's GetCurrentExperimentStep: the nearest experiment step at or before the current one.
  let step: RolloutExperimentStep | undefined;
  for (let i = index; i >= 0 && step === undefined; i--) step = steps[i]?.experiment;
  const currentName = rollout.status?.canary?.currentExperiment ?? '';
  if (step === undefined || currentName === '') return [];
  const current = experiments.find((experiment) => experiment.metadata?.name === currentName && ownedBy(experiment, rollout));
  if (current?.status?.phase !== 'Running') return [];
  const weights = new Map(step.templates.map((template) => [template.name, template.weight]));
  return (current.status.templateStatuses ?? []).flatMap((templateStatus): ExperimentWeightDestination[] => {
    const weight = weights.get(templateStatus.name);
    const serviceName = templateStatus.serviceName ?? '';
    if (weight === undefined || serviceName === '') return [];
    return [{ weight, serviceName, podTemplateHash: templateStatus.podTemplateHash ?? '' }];
  });
}
