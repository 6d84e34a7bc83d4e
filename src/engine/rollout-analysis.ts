import type { V1ReplicaSet } from '@kubernetes/client-node';
import type { AnalysisRun, Rollout, RolloutAnalysis, RolloutStatus } from '../api/index.js';
import { isCompleted } from '../analysis/assess-analysis-run.js';
import { analysisRunBaseName, newAnalysisRun, rolloutArgumentValues, type AnalysisRunRequest } from './analysis-run-factory.js';
import { analysisRunsToDelete } from './analysis-run-history.js';
import { EMPTY_TEMPLATE_CATALOG, flattenRolloutAnalysis, type AnalysisTemplateCatalog } from './analysis-templates.js';
import { ROLLOUT_TYPES, type RolloutType } from '../api/argo-labels.js';
import { isAborted, type PauseDecisions } from './rollout-status.js';
import { canonicalJson } from '../api/canonical-json.js';
import type { KubeAction, RolloutEvent, RolloutObservation } from './reconcile-types.js';

/*
 * Argo's reconcileAnalysisRuns (rollout/analysis.go, v1.9.1), pure: which AnalysisRuns the
 * Rollout should have now, which to create, terminate or delete, and what their phases mean
 * for the Rollout (Failed or Error aborts, Inconclusive pauses). The runs the status names
 * are the current ones; every other run owned by the Rollout is terminated and, beyond the
 * history limits, deleted.
 */

export interface CurrentAnalysisRuns {
  step?: AnalysisRun | undefined;
  background?: AnalysisRun | undefined;
  prePromotion?: AnalysisRun | undefined;
  postPromotion?: AnalysisRun | undefined;
}

export interface RolloutAnalysisInput {
  rollout: Rollout;
  newRS: V1ReplicaSet;
  stableRS: V1ReplicaSet | undefined;
  allReplicaSets: readonly V1ReplicaSet[];
  runs: readonly AnalysisRun[];
  catalog: AnalysisTemplateCatalog;
  decisions: PauseDecisions;
  /** Argo's isFastRollback: back to the stable ReplicaSet, within the rollback window, or (blue-green) within the scale-down delay. */
  fastRollback: boolean;
  /** Blue-green: whether post-promotion analysis may start (the active Service selects the new ReplicaSet, saturated). */
  startPostPromotion?: boolean;
  /** Blue-green: whether pre-promotion analysis may start (a saturated preview, not yet active). */
  startPrePromotion?: boolean;
}

export interface RolloutAnalysisResult {
  current: CurrentAnalysisRuns;
  actions: KubeAction[];
  events: RolloutEvent[];
}

/** Where the status records each kind of current run. */
const STATUS_FIELDS = {
  step: (status: RolloutStatus) => status.canary?.currentStepAnalysisRunStatus,
  background: (status: RolloutStatus) => status.canary?.currentBackgroundAnalysisRunStatus,
  prePromotion: (status: RolloutStatus) => status.blueGreen?.prePromotionAnalysisRunStatus,
  postPromotion: (status: RolloutStatus) => status.blueGreen?.postPromotionAnalysisRunStatus,
} as const;

type RunSlot = keyof typeof STATUS_FIELDS;
const SLOTS = Object.keys(STATUS_FIELDS) as RunSlot[];

/** Argo's FilterCurrentRolloutAnalysisRuns: the runs the status names, and the others. */
export function currentAnalysisRuns(
  status: RolloutStatus,
  runs: readonly AnalysisRun[],
): { current: CurrentAnalysisRuns; others: AnalysisRun[] } {
  const current: CurrentAnalysisRuns = {};
  const others: AnalysisRun[] = [];
  for (const run of runs) {
    const slot = SLOTS.find((candidate) => STATUS_FIELDS[candidate](status)?.name === run.metadata?.name);
    if (slot === undefined || current[slot] !== undefined) others.push(run);
    else current[slot] = run;
  }
  return { current, others };
}

class AnalysisPlanner {
  readonly actions: KubeAction[] = [];
  readonly events: RolloutEvent[] = [];
  private readonly terminated = new Set<string>();
  private readonly claimedNames = new Set<string>();

  constructor(readonly input: RolloutAnalysisInput) {}

  get status(): RolloutStatus {
    return this.input.rollout.status ?? {};
  }

  /** Argo's cancelAnalysisRuns: terminate each run that is still running and not already told to stop. */
  cancel(runs: readonly (AnalysisRun | undefined)[]): void {
    for (const run of runs) {
      const name = run?.metadata?.name;
      if (
        run === undefined ||
        name === undefined ||
        run.spec.terminate === true ||
        isCompleted(run.status?.phase) ||
        this.terminated.has(name)
      )
        continue;
      this.terminated.add(name);
      this.actions.push({ kind: 'terminateAnalysisRun', name });
    }
  }

  /** Argo's needsNewAnalysisRun. */
  needsNewRun(current: AnalysisRun | undefined): boolean {
    if (current === undefined) return true;
    const status = this.status;
    const paused = (reason: string) => (status.pauseConditions ?? []).some((condition) => condition.reason === reason);
    if (status.controllerPause === true && !paused('CanaryPauseStep') && !paused('BlueGreenPause'))
      return current.status?.phase === 'Inconclusive';
    return status.abortedAt !== undefined;
  }

  /**
   * Argo's createAnalysisRun with CreateWithCollisionCounter decided on the cache: a run of the
   * same name that is ours, unfinished and equal is adopted; otherwise the name gets `.1`, `.2`….
   */
  create(analysis: RolloutAnalysis, type: RolloutType, path: readonly (string | number)[], stepIndex?: number): AnalysisRun | undefined {
    const { rollout, newRS, stableRS, catalog } = this.input;
    const values = rolloutArgumentValues(analysis.args, rollout, newRS, stableRS);
    const flattened = flattenRolloutAnalysis(analysis, path, catalog, values);
    // planRollout refuses a Rollout whose analysis cannot be built (InvalidSpec) before any planner runs.
    if (!flattened.ok) return undefined;
    const request: AnalysisRunRequest = {
      rollout,
      analysis,
      flattened: flattened.analysis,
      newRS,
      type,
      ...(stepIndex === undefined ? {} : { stepIndex }),
    };
    const base = analysisRunBaseName(request);
    const wanted = newAnalysisRun(request, base);
    for (let collision = 0; ; collision += 1) {
      const name = collision === 0 ? base : `${base}.${String(collision)}`;
      if (this.claimedNames.has(name)) continue;
      const existing = this.input.runs.find((run) => run.metadata?.name === name);
      if (existing === undefined) {
        this.claimedNames.add(name);
        const run = { ...wanted, metadata: { ...wanted.metadata, name } };
        this.actions.push({ kind: 'createAnalysisRun', run });
        return run;
      }
      if (!isCompleted(existing.status?.phase) && ownedByRollout(existing, rollout) && semanticallyEqual(existing, wanted)) {
        this.claimedNames.add(name);
        return existing;
      }
    }
  }

  /** Failed or Error aborts with the run's message; Inconclusive pauses. */
  judge(run: AnalysisRun | undefined, prefix: string): void {
    const { decisions } = this.input;
    switch (run?.status?.phase) {
      case 'Inconclusive':
        if (!decisions.addPause.includes('InconclusiveAnalysisRun')) decisions.addPause.push('InconclusiveAnalysisRun');
        break;
      case 'Error':
      case 'Failed': {
        decisions.addAbort = true;
        const message = [run.status.message ?? '', failedMeasurementDetail(run)].filter((part) => part !== '').join(' ');
        decisions.abortMessage = message === '' ? prefix : `${prefix}: ${message}`;
        break;
      }
      default:
    }
  }
}

/**
 * What Argo's run message leaves out and an operator reading the aborted Rollout wants: the
 * value the failing metric last measured and the condition it was held to, e.g.
 * `(success-rate measured [0.35]; successCondition: result[0] >= 0.90)`.
 */
export function failedMeasurementDetail(run: AnalysisRun): string {
  const result =
    (run.status?.metricResults ?? []).find((candidate) => candidate.phase === 'Failed') ??
    (run.status?.metricResults ?? []).find((candidate) => candidate.phase === 'Inconclusive');
  if (result === undefined) return '';
  const measured = [...(result.measurements ?? [])]
    .reverse()
    .find((measurement) => measurement.phase === result.phase && measurement.value !== undefined);
  const metric = run.spec.metrics.find((candidate) => candidate.name === result.name);
  const conditions = [
    metric?.successCondition === undefined ? undefined : `successCondition: ${metric.successCondition}`,
    metric?.failureCondition === undefined ? undefined : `failureCondition: ${metric.failureCondition}`,
  ].filter((part) => part !== undefined);
  if (measured === undefined && conditions.length === 0) return '';
  return `(${[measured === undefined ? undefined : `${result.name} measured ${measured.value ?? ''}`, ...conditions].filter((part) => part !== undefined).join('; ')})`;
}

function ownedByRollout(run: AnalysisRun, rollout: Rollout): boolean {
  return (run.metadata?.ownerReferences ?? []).some((ref) => ref.controller === true && ref.uid === rollout.metadata?.uid);
}

/** Argo's IsSemanticallyEqual: metrics, dry-run, retention and args only. */
function semanticallyEqual(left: AnalysisRun, right: AnalysisRun): boolean {
  const pick = (run: AnalysisRun) => ({
    metrics: run.spec.metrics,
    dryRun: run.spec.dryRun,
    measurementRetention: run.spec.measurementRetention,
    args: run.spec.args,
  });
  return canonicalJson(pick(left)) === canonicalJson(pick(right));
}

/** The input from a planner's observation: the runs and templates the informers hold, and this reconcile's ReplicaSets and decisions. */
export function analysisInputOf(
  observation: RolloutObservation,
  replicaSets: { stableRS: V1ReplicaSet | undefined; all: readonly V1ReplicaSet[] },
  newRS: V1ReplicaSet,
  decisions: PauseDecisions,
  strategy: Pick<RolloutAnalysisInput, 'fastRollback' | 'startPrePromotion' | 'startPostPromotion'>,
): RolloutAnalysisInput {
  return {
    rollout: observation.rollout,
    newRS,
    stableRS: replicaSets.stableRS,
    allReplicaSets: replicaSets.all,
    runs: observation.analysisRuns ?? [],
    catalog: observation.analysisTemplates ?? EMPTY_TEMPLATE_CATALOG,
    decisions,
    ...strategy,
  };
}

export function reconcileRolloutAnalysis(input: RolloutAnalysisInput): RolloutAnalysisResult {
  const { rollout, decisions } = input;
  const planner = new AnalysisPlanner(input);
  const status = rollout.status ?? {};
  const { current, others } = currentAnalysisRuns(status, input.runs);
  const aborted = isAborted(decisions, status);
  const initialDeploy = (status.stableRS ?? '') === '';
  const fullyPromoted = (status.stableRS ?? '') === (status.currentPodHash ?? '');
  const next: CurrentAnalysisRuns = {};
  if (fullyPromoted || aborted || status.promoteFull === true || input.fastRollback || initialDeploy) {
    planner.cancel(SLOTS.map((slot) => current[slot]));
    // Blue-green keeps its runs in the status once stable; the canary drops them.
    next.prePromotion = current.prePromotion;
    next.postPromotion = current.postPromotion;
  } else if (rollout.spec.strategy?.canary !== undefined) {
    next.step = reconcileStepRun(planner, current.step);
    next.background = reconcileBackgroundRun(planner, current.background);
  } else if (rollout.spec.strategy?.blueGreen !== undefined) {
    next.prePromotion = reconcilePromotionRun(planner, current.prePromotion, 'PrePromotion');
    planner.judge(next.prePromotion, 'Blue/green pre-promotion analysis phase error/failed');
    next.postPromotion = reconcilePromotionRun(planner, current.postPromotion, 'PostPromotion');
    planner.judge(next.postPromotion, 'Blue/green post-promotion analysis phase error/failed');
  }
  const keptNames = new Set(SLOTS.map((slot) => next[slot]?.metadata?.name));
  const otherRuns = others.filter((run) => !keptNames.has(run.metadata?.name));
  planner.cancel(otherRuns);
  for (const name of analysisRunsToDelete(otherRuns, input.allReplicaSets, rollout.spec.analysis))
    planner.actions.push({ kind: 'deleteAnalysisRun', name });
  planner.events.push(...statusChangeEvents(status, next));
  return { current: next, actions: planner.actions, events: planner.events };
}

function reconcileStepRun(planner: AnalysisPlanner, current: AnalysisRun | undefined): AnalysisRun | undefined {
  const { rollout } = planner.input;
  const status = planner.status;
  if ((status.pauseConditions ?? []).length > 0 || status.abort === true) return current;
  const steps = rollout.spec.strategy?.canary?.steps ?? [];
  const index = steps.length === 0 ? undefined : (status.currentStepIndex ?? 0);
  const step = index === undefined ? undefined : steps[index];
  const fromPreviousStep =
    step?.analysis !== undefined && current !== undefined && current.metadata?.labels?.['step-index'] !== String(index);
  if (step?.analysis === undefined || (step.analysis.templates ?? []).length === 0 || index === undefined || fromPreviousStep) {
    planner.cancel([current]);
    return undefined;
  }
  if (planner.needsNewRun(current))
    return planner.create(step.analysis, ROLLOUT_TYPES.step, ['spec', 'strategy', 'canary', 'steps', index, 'analysis'], index);
  planner.judge(current, 'Step-based analysis phase error/failed');
  return current;
}

function reconcileBackgroundRun(planner: AnalysisPlanner, current: AnalysisRun | undefined): AnalysisRun | undefined {
  const { rollout } = planner.input;
  const status = planner.status;
  const background = rollout.spec.strategy?.canary?.analysis;
  if (background === undefined || (background.templates ?? []).length === 0) {
    planner.cancel([current]);
    return undefined;
  }
  const steps = rollout.spec.strategy?.canary?.steps ?? [];
  const stepIndex = steps.length === 0 ? undefined : (status.currentStepIndex ?? 0);
  const beforeStartingStep = background.startingStep !== undefined && stepIndex !== undefined && stepIndex < background.startingStep;
  if (
    (status.stableRS ?? '') === (status.currentPodHash ?? '') ||
    (status.stableRS ?? '') === '' ||
    (status.currentPodHash ?? '') === '' ||
    beforeStartingStep
  )
    return undefined;
  if ((status.pauseConditions ?? []).some((condition) => condition.reason === 'InconclusiveAnalysisRun')) return current;
  if (planner.needsNewRun(current)) return planner.create(background, ROLLOUT_TYPES.background, ['spec', 'strategy', 'canary', 'analysis']);
  planner.judge(current, 'Background analysis phase error/failed');
  return current;
}

function reconcilePromotionRun(
  planner: AnalysisPlanner,
  current: AnalysisRun | undefined,
  type: 'PrePromotion' | 'PostPromotion',
): AnalysisRun | undefined {
  const input = planner.input;
  const blueGreen = input.rollout.spec.strategy?.blueGreen;
  const analysis = type === 'PrePromotion' ? blueGreen?.prePromotionAnalysis : blueGreen?.postPromotionAnalysis;
  if (analysis === undefined || (analysis.templates ?? []).length === 0) {
    planner.cancel([current]);
    return undefined;
  }
  const mayStart = type === 'PrePromotion' ? input.startPrePromotion === true : input.startPostPromotion === true;
  if (!mayStart) {
    planner.cancel([current]);
    return current;
  }
  if ((planner.status.pauseConditions ?? []).some((condition) => condition.reason === 'InconclusiveAnalysisRun')) return current;
  const field = type === 'PrePromotion' ? 'prePromotionAnalysis' : 'postPromotionAnalysis';
  if (planner.needsNewRun(current)) return planner.create(analysis, type, ['spec', 'strategy', 'blueGreen', field]);
  return current;
}

const EVENT_LABELS: Record<RunSlot, RolloutType> = {
  step: 'Step',
  background: 'Background',
  prePromotion: 'PrePromotion',
  postPromotion: 'PostPromotion',
};

/** Argo's reconcileAnalysisRunStatusChanges: an event when a current run's phase is new or changed (post, pre, step, background). */
function statusChangeEvents(status: RolloutStatus, next: CurrentAnalysisRuns): RolloutEvent[] {
  const events: RolloutEvent[] = [];
  for (const slot of ['postPromotion', 'prePromotion', 'step', 'background'] as const) {
    const run = next[slot];
    const phase = run?.status?.phase ?? '';
    if (run === undefined || phase === '') continue;
    const before = STATUS_FIELDS[slot](status);
    if (before !== undefined && !(before.name === run.metadata?.name && before.status !== phase)) continue;
    const type = phase === 'Failed' || phase === 'Error' ? 'Warning' : 'Normal';
    const message = `${EVENT_LABELS[slot]} Analysis Run '${run.metadata?.name ?? ''}' Status New: '${phase}' Previous: '${before?.status ?? 'NoPreviousStatus'}'`;
    events.push({ type, reason: `AnalysisRun${phase}`, message });
  }
  return events;
}

/** The status entries for the current runs (Argo's SetCurrentAnalysisRuns). */
export function analysisRunStatusEntry(run: AnalysisRun | undefined): { name: string; status: string; message?: string } | undefined {
  if (run === undefined) return undefined;
  const message = run.status?.message ?? '';
  return { name: run.metadata?.name ?? '', status: run.status?.phase ?? '', ...(message === '' ? {} : { message }) };
}
