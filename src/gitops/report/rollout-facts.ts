import { pauseDurationSeconds, type AnalysisRun, type CanaryStep, type Rollout } from '../../api/index.js';
import { experimentInfo, rolloutExperiment, type ExperimentInfo } from '../../rollout-view/experiment-info.js';
import { currentSetWeight } from '../../rollout-view/rollout-info.js';
import { rolloutPhase } from '../../rollout-view/rollout-phase.js';
import type { RolloutObject } from '../../rollout-view/types.js';
import { POD_TEMPLATE_HASH_LABEL } from '../../api/argo-labels.js';
import type { ReplicaSetReport, RolloutCheckState, RolloutReportInput } from './types.js';

/*
 * What every renderer needs to know about one rollout, derived once from the report input (as
 * Argo builds its rollout context once per reconcile). The phase and the desired weight come
 * from the CLI's helpers, so `gradual get rollout` and the PR check never disagree.
 */

export interface MetricVerdict {
  run: string;
  metric: string;
  phase: string;
  /** The last measured values, oldest first (an Error measurement shows its message). */
  values: string[];
  successCondition?: string;
  failureCondition?: string;
  failureLimit?: string;
  inconclusiveLimit?: string;
  failed: number;
  count: number;
  message?: string;
}

export interface PauseFacts {
  reason: string;
  startTime?: Date;
  /** When a timed pause ends; absent for a pause that waits for a person. */
  until?: Date;
}

export interface WeightFacts {
  canary: number;
  stable: number;
  /** `status`: the weights the traffic router reported; `steps`: what the current step asks for. */
  source: 'status' | 'steps';
}

export interface RolloutFacts {
  namespace: string;
  name: string;
  /** `namespace/name`: names the check run and the notices. */
  id: string;
  strategy: 'canary' | 'blueGreen';
  state: RolloutCheckState;
  phase: string;
  message: string;
  steps: CanaryStep[];
  /** The current step, counted from 0; equal to steps.length when every step is done. */
  stepIndex: number;
  podHash?: string;
  stableHash?: string;
  /** The ReplicaSet of the current pod template hash (the new revision). */
  current?: ReplicaSetReport;
  stable?: ReplicaSetReport;
  weights?: WeightFacts;
  pause?: PauseFacts;
  manualPause: boolean;
  /** The current revision's AnalysisRuns, oldest first. */
  runs: AnalysisRun[];
  failure?: MetricVerdict;
  inconclusive?: MetricVerdict;
  /** At an experiment step: the step's Experiment. */
  experiment?: ExperimentFacts;
}

export interface ExperimentFacts {
  info: ExperimentInfo;
  /** Its AnalysisRuns that exist, in the order of its analyses. */
  runs: AnalysisRun[];
  /** The failed or errored metric of its newest failed run: why the Rollout aborted. */
  failure?: MetricVerdict;
}

const valuesShown = 5;

/** The CLI's helpers read a loosely typed Rollout: they need the generation and annotations of its metadata. */
function asRolloutObject(rollout: Rollout): RolloutObject {
  const { name, namespace, generation, annotations } = rollout.metadata ?? {};
  return {
    apiVersion: rollout.apiVersion,
    kind: rollout.kind,
    metadata: { name, namespace, generation, annotations },
    spec: rollout.spec,
    status: rollout.status,
  };
}

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text === '' ? undefined : text;
}

function currentRuns(rollout: Rollout, runs: readonly AnalysisRun[], podHash: string | undefined): AnalysisRun[] {
  const status = rollout.status;
  const named = new Set(
    [
      status?.canary?.currentStepAnalysisRunStatus?.name,
      status?.canary?.currentBackgroundAnalysisRunStatus?.name,
      status?.blueGreen?.prePromotionAnalysisRunStatus?.name,
      status?.blueGreen?.postPromotionAnalysisRunStatus?.name,
    ].filter((name): name is string => name !== undefined && name !== ''),
  );
  const mine = runs.filter((run) => {
    const hash = run.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL];
    return (podHash !== undefined && hash === podHash) || named.has(run.metadata?.name ?? '');
  });
  const created = (run: AnalysisRun): string => run.metadata?.creationTimestamp ?? run.status?.startedAt ?? '';
  return mine.sort((a, b) => created(a).localeCompare(created(b)) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

function verdictsOf(runs: readonly AnalysisRun[], phases: readonly string[]): MetricVerdict | undefined {
  // The newest run decides: an older run of the same revision may have failed before a retry.
  for (const run of [...runs].reverse()) {
    for (const result of run.status?.metricResults ?? []) {
      if (!phases.includes(result.phase)) continue;
      const metric = run.spec.metrics.find((candidate) => candidate.name === result.name);
      const measurements = result.measurements ?? [];
      const verdict: MetricVerdict = {
        run: run.metadata?.name ?? '',
        metric: result.name,
        phase: result.phase,
        values: measurements.slice(-valuesShown).map((measurement) => measurement.value ?? measurement.message ?? measurement.phase),
        failed: result.failed ?? 0,
        count: result.count ?? measurements.length,
      };
      if (metric?.successCondition !== undefined) verdict.successCondition = metric.successCondition;
      if (metric?.failureCondition !== undefined) verdict.failureCondition = metric.failureCondition;
      if (metric?.failureLimit !== undefined) verdict.failureLimit = String(metric.failureLimit);
      if (metric?.inconclusiveLimit !== undefined) verdict.inconclusiveLimit = String(metric.inconclusiveLimit);
      const message = nonEmpty(result.message) ?? nonEmpty(run.status?.message);
      if (message !== undefined) verdict.message = message;
      return verdict;
    }
  }
  return undefined;
}

/**
 * The current step's Experiment, when the current step is an `experiment` step and the Rollout has one for it; or,
 * on an abort (which sets the step index back to 0, as Argo's does), the current revision's Experiment that failed
 * or errored: the abort's reason.
 */
function experimentOf(input: RolloutReportInput, step: CanaryStep | undefined, aborted: boolean): ExperimentFacts | undefined {
  if (step?.experiment === undefined && !aborted) return undefined;
  const experiment = rolloutExperiment(input.rollout, input.experiments ?? []);
  if (experiment === undefined) return undefined;
  if (step?.experiment === undefined && !['Failed', 'Error'].includes(experiment.status?.phase ?? '')) return undefined;
  const uid = experiment.metadata.uid;
  // Only runs the Experiment controls: a run of the same name that another object owns is not its.
  const ownRuns = input.analysisRuns.filter((run) =>
    (run.metadata?.ownerReferences ?? []).some((owner) => owner.controller === true && uid !== undefined && owner.uid === uid),
  );
  const info = experimentInfo(experiment, ownRuns);
  const runs = info.analyses.flatMap((analysis) => ownRuns.filter((run) => run.metadata?.name === analysis.analysisRun));
  const facts: ExperimentFacts = { info, runs };
  const failure = verdictsOf(runs, ['Failed', 'Error']);
  if (failure !== undefined) facts.failure = failure;
  return facts;
}

function pauseOf(rollout: Rollout, step: CanaryStep | undefined): PauseFacts | undefined {
  const condition = rollout.status?.pauseConditions?.[0];
  if (condition === undefined) return undefined;
  const pause: PauseFacts = { reason: condition.reason, startTime: new Date(condition.startTime) };
  const blueGreen = rollout.spec.strategy?.blueGreen;
  let seconds: number | undefined;
  if (condition.reason === 'CanaryPauseStep' && step?.pause?.duration !== undefined) seconds = pauseDurationSeconds(step.pause.duration);
  if (condition.reason === 'BlueGreenPause' && blueGreen?.autoPromotionEnabled !== false) seconds = blueGreen?.autoPromotionSeconds;
  if (seconds !== undefined) pause.until = new Date(Date.parse(condition.startTime) + seconds * 1000);
  return pause;
}

function weightsOf(rollout: Rollout, object: RolloutObject, healthy: boolean): WeightFacts | undefined {
  if (rollout.spec.strategy?.canary === undefined) return undefined;
  const reported = rollout.status?.canary?.weights;
  if (reported !== undefined) return { canary: reported.canary.weight, stable: reported.stable.weight, source: 'status' };
  if (healthy) return { canary: 0, stable: 100, source: 'steps' };
  const canary = currentSetWeight(object);
  return { canary, stable: Math.max(0, 100 - canary), source: 'steps' };
}

/**
 * The controller could not create the new ReplicaSet (Argo's Progressing=False, ReplicaSetCreateError: the API
 * server refused the pod template). Argo's phase stays Progressing, but nothing will progress until the Rollout
 * changes: the check must not stay "in progress".
 */
function replicaSetCreateError(rollout: Rollout): string | undefined {
  const progressing = rollout.status?.conditions?.find((condition) => condition.type === 'Progressing');
  return progressing?.status === 'False' && progressing.reason === 'ReplicaSetCreateError'
    ? `ReplicaSetCreateError: ${progressing.message ?? ''}`
    : undefined;
}

function stateOf(rollout: Rollout, phase: string, pause: PauseFacts | undefined): RolloutCheckState {
  const status = rollout.status;
  if (status?.abort === true) return 'aborted';
  if (phase === 'Degraded' || replicaSetCreateError(rollout) !== undefined) return 'degraded';
  const reasons = (status?.pauseConditions ?? []).map((condition) => condition.reason);
  if (reasons.some((reason) => reason.startsWith('Inconclusive'))) return 'inconclusive';
  if (rollout.spec.paused === true) return 'paused';
  if (pause !== undefined && pause.until === undefined) return 'paused';
  const promoted = nonEmpty(status?.stableRS) !== undefined && status?.stableRS === status?.currentPodHash;
  if (phase === 'Healthy' && promoted) return 'healthy';
  return 'progressing';
}

export function rolloutFacts(input: RolloutReportInput): RolloutFacts {
  const { rollout } = input;
  const object = asRolloutObject(rollout);
  const status = rollout.status;
  const { phase, message: phaseMessage } = rolloutPhase(object);
  const message = phase === 'Degraded' ? phaseMessage : (replicaSetCreateError(rollout) ?? phaseMessage);
  const steps = rollout.spec.strategy?.canary?.steps ?? [];
  const stepIndex = Math.min(status?.currentStepIndex ?? 0, steps.length);
  const podHash = nonEmpty(status?.currentPodHash);
  const stableHash = nonEmpty(status?.stableRS);
  const pause = pauseOf(rollout, steps[stepIndex]);
  const state = stateOf(rollout, phase, pause);
  const runs = currentRuns(rollout, input.analysisRuns, podHash);
  const namespace = rollout.metadata?.namespace ?? 'default';
  const name = rollout.metadata?.name ?? '';
  const facts: RolloutFacts = {
    namespace,
    name,
    id: `${namespace}/${name}`,
    strategy: rollout.spec.strategy?.blueGreen !== undefined ? 'blueGreen' : 'canary',
    state,
    phase,
    message,
    steps,
    stepIndex,
    manualPause: rollout.spec.paused === true,
    runs,
  };
  if (podHash !== undefined) facts.podHash = podHash;
  if (stableHash !== undefined) facts.stableHash = stableHash;
  const current = input.replicaSets.find((rs) => rs.podTemplateHash === podHash);
  if (current !== undefined) facts.current = current;
  const stable = input.replicaSets.find((rs) => rs.podTemplateHash === stableHash);
  if (stable !== undefined) facts.stable = stable;
  const weights = weightsOf(rollout, object, state === 'healthy');
  if (weights !== undefined) facts.weights = weights;
  if (pause !== undefined) facts.pause = pause;
  const failure = verdictsOf(runs, ['Failed', 'Error']);
  if (failure !== undefined) facts.failure = failure;
  const inconclusive = verdictsOf(runs, ['Inconclusive']);
  if (inconclusive !== undefined) facts.inconclusive = inconclusive;
  const experiment = state === 'healthy' ? undefined : experimentOf(input, steps[stepIndex], state === 'aborted');
  if (experiment !== undefined) facts.experiment = experiment;
  return facts;
}
