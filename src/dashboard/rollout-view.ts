import { experimentInfo, rolloutExperiment } from '../rollout-view/experiment-info.js';
import { rolloutInfo } from '../rollout-view/rollout-info.js';
import { analysisRunView } from './measurement-series.js';
import type { NamedRolloutObject } from '../rollout-view/rollout-object-schema.js';
import type { DashboardAnalysisRun, DashboardExperiment, TreePod, TreeReplicaSet } from './schema.js';
import { stepViews } from './steps.js';
import type { ExperimentInfo } from '../rollout-view/experiment-info.js';
import type { RolloutSummary, RolloutTree, RolloutView, WeightsView } from './types.js';

/** The objects of one namespace that a rollout's page is computed from (the informers' caches). */
export interface RolloutObjects {
  rollout: NamedRolloutObject;
  replicaSets: readonly TreeReplicaSet[];
  pods: readonly TreePod[];
  analysisRuns: readonly DashboardAnalysisRun[];
  /** The namespace's Experiments (the Rollout's own are told by their controller reference). */
  experiments?: readonly DashboardExperiment[];
}

function ownedBy(uid: string | undefined, run: DashboardAnalysisRun): boolean {
  return uid !== undefined && run.metadata.ownerReferences?.some((owner) => owner.uid === uid) === true;
}

function summaryOf(tree: RolloutTree): RolloutSummary {
  return {
    namespace: tree.namespace,
    name: tree.name,
    strategy: tree.strategy,
    status: tree.status,
    message: tree.message,
    step: tree.step,
    setWeight: tree.setWeight,
    actualWeight: tree.actualWeight,
    desired: tree.desired,
    ready: tree.ready,
    available: tree.available,
  };
}

function weightsOf(tree: RolloutTree): WeightsView | undefined {
  if (tree.strategy !== 'Canary') return undefined;
  const actual = Number(tree.actualWeight);
  return { set: Number(tree.setWeight), actual, stable: 100 - actual };
}

// rolloutInfo reads all-optional views of the same objects the schema checked.
function treeOf(objects: RolloutObjects): RolloutTree {
  return rolloutInfo(objects.rollout, objects.replicaSets, objects.pods, objects.analysisRuns);
}

/**
 * At a canary `experiment` step: the step's Experiment, as the rollout check shows it; after an abort (the step index
 * is back at 0), the current revision's Experiment if it failed or errored, the abort's reason.
 */
function experimentView(objects: RolloutObjects): ExperimentInfo | undefined {
  const { rollout } = objects;
  const steps = rollout.spec?.strategy?.canary?.steps ?? [];
  const atStep = steps[rollout.status?.currentStepIndex ?? 0]?.['experiment'] !== undefined;
  if (!atStep && rollout.status?.abort !== true) return undefined;
  const experiment = rolloutExperiment(rollout, objects.experiments ?? []);
  if (experiment === undefined || (!atStep && !['Failed', 'Error'].includes(experiment.status?.phase ?? ''))) return undefined;
  return experimentInfo(experiment, objects.analysisRuns);
}

/** The list's row for one Rollout. */
export function rolloutSummary(objects: RolloutObjects): RolloutSummary {
  return summaryOf(treeOf(objects));
}

/**
 * Everything a rollout's page draws, from the cached objects alone (pure):
 * the `get rollout` tree, the steps with the current one, the weights, and
 * its analysis runs (newest first) as charts.
 */
export function rolloutView(objects: RolloutObjects): RolloutView {
  const tree = treeOf(objects);
  const { rollout } = objects;
  const steps = rollout.spec?.strategy?.canary?.steps ?? [];
  const index = rollout.status?.currentStepIndex;
  const runs = objects.analysisRuns
    .filter((run) => ownedBy(rollout.metadata.uid, run))
    .sort(
      (a, b) =>
        (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') ||
        b.metadata.name.localeCompare(a.metadata.name),
    );
  return {
    ...summaryOf(tree),
    tree,
    steps: stepViews(steps, index),
    // Argo's `Step: 7/7` once past the last step.
    currentStep: steps.length === 0 ? undefined : Math.min((index ?? 0) + 1, steps.length),
    stepCount: steps.length,
    weights: weightsOf(tree),
    analysisRuns: runs.map(analysisRunView),
    experiment: experimentView(objects),
  };
}
