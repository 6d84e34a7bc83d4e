import type { V1ReplicaSet } from '@kubernetes/client-node';
import {
  pauseDurationSeconds,
  type AnalysisRun,
  type CanaryStrategyWithDefaults,
  type Experiment,
  type Rollout,
  type RolloutSpecWithDefaults,
  type RolloutStatus,
  type TrafficWeights,
} from '../api/index.js';
import { basicCanaryDesiredWeight, basicCanaryReplicaCounts, nextBasicCanaryScaling } from './canary-replica-counts.js';
import {
  countsOf,
  nameOf,
  olderCountsOf,
  removeScaleDownDeadlines,
  revisionHistoryDeletions,
  scaleReplicaSet,
  specReplicas,
} from './canary-replica-sets.js';
import { baseCanaryStatus, persistCanaryStatus, type PersistInput } from './canary-status.js';
import { isAborted, noPauseDecisions, revisionOfRollout, type PauseDecisions } from './rollout-status.js';
import { reconcileCanaryServices } from './canary-services.js';
import { atDesiredTrafficReplicaCounts, decideTrafficRouting, type TrafficContext } from './canary-traffic.js';
import { reconcileTrafficReplicaSets } from './traffic-replica-sets.js';
import { analysisInputOf, analysisRunStatusEntry, reconcileRolloutAnalysis } from './rollout-analysis.js';
import { experimentWeightDestinations, reconcileCanaryExperiment } from './canary-experiment.js';
import { canaryStepString, computeStepHash, currentCanaryStep } from './canary-steps.js';
import { MESSAGES, REASONS } from './conditions.js';
import { replicaProgressThresholdMet } from './replica-progress-threshold.js';
import { pingPongServices } from '../api/ping-pong.js';
import type { ReconcilePlan } from './reconcile-types.js';
import { isActiveReplicaSet, isRollbackWithinWindow } from './rollback-window.js';
import { planWithPreamble } from './rollout-preamble.js';
import { planReplicaSetTemplateSync } from './replica-set-template-sync.js';
import { podTemplateHashOf, type ReplicaSetClassification } from './replica-set-classification.js';
import type { ReconcileContext } from './reconcile-context.js';
import { newPlanCollector, type PlanCollector } from './plan-collector.js';

/**
 * The basic canary (no traffic router) as Argo's controller runs it: newRolloutContext,
 * reconcile and rolloutCanary (rollout/controller.go, context.go, canary.go, sync.go). Like
 * Argo, one reconcile takes one step and returns; the order of the early returns below is
 * Argo's: create the new ReplicaSet; record a pause/resume/retry in the conditions; sync the
 * new ReplicaSet's revision; reset the status on a template or steps change; then scale one
 * ReplicaSet, or pause, and move the steps on.
 */
export function planCanary(context: ReconcileContext): ReconcilePlan {
  const canary = context.spec.strategy.canary;
  if (canary === undefined) return { actions: [], status: context.rollout.status ?? {}, events: [] };
  return planWithPreamble(context, (found, newRS) => planCanaryReconcile(found, canary, newRS));
}

function planCanaryReconcile(context: ReconcileContext, canary: CanaryStrategyWithDefaults, newRS: V1ReplicaSet): ReconcilePlan {
  const { observation, spec, replicaSets, rollout, now } = context;
  const observed = rollout.status ?? {};
  const plan = newPlanCollector();
  const { actions, events } = plan;
  const decisions = noPauseDecisions();
  const stepHash = computeStepHash(rollout);
  const persist: PersistInput = { rollout, spec, replicaSets, decisions, now };
  const stepCount = canary.steps.length;
  const newHash = podTemplateHashOf(newRS);
  // A fully promoted rollout cannot be aborted (newRolloutContext drops the abort).
  if ((observed.stableRS ?? '') === (observed.currentPodHash ?? '') && observed.abort === true) decisions.removeAbort = true;

  const templateOrStepsChanged =
    (observed.currentStepHash ?? '') === '' ||
    observed.currentStepHash !== stepHash ||
    ((observed.currentPodHash ?? '') !== '' && observed.currentPodHash !== newHash);
  const draft = baseCanaryStatus(rollout, observed, replicaSets, stepHash);
  const withinWindow = isRollbackWithinWindow(spec, replicaSets.all, newRS, replicaSets.stableRS);
  if (templateOrStepsChanged) {
    // A new update starts from the first step, without pauses, abort or full promotion.
    decisions.clearPause = true;
    decisions.removeAbort = true;
    draft.promoteFull = false;
    if (stepCount > 0) draft.currentStepIndex = 0;
    if (stepCount > 0 && observed.stableRS === newHash) {
      events.push({ type: 'Normal', reason: REASONS.skipSteps, message: MESSAGES.rollbackToStable });
      draft.currentStepIndex = stepCount;
    } else if (stepCount > 0 && withinWindow && isActiveReplicaSet(newRS)) {
      events.push({ type: 'Normal', reason: REASONS.skipSteps, message: MESSAGES.rollbackWithinWindow });
      draft.currentStepIndex = stepCount;
    }
    return finish(persist, draft, plan, undefined);
  }
  // Argo's reconcileEphemeralMetadata comes next (after pod restarts, before revision history and scaling).
  const templateSync = planReplicaSetTemplateSync(observation, replicaSets, newRS);
  if (templateSync !== undefined) return templateSync;

  actions.push(...revisionHistoryDeletions(replicaSets.others, spec.revisionHistoryLimit));
  const aborted = isAborted(decisions, observed);
  const traffic: TrafficContext | undefined =
    canary.trafficRouting === undefined
      ? undefined
      : {
          rollout,
          spec,
          canary,
          replicaSets,
          newRS,
          aborted,
          // Argo's currentEx is the Experiment as the reconcile started, before reconcileExperiments acts on it.
          experimentDestinations: experimentWeightDestinations(rollout, observation.experiments ?? []),
        };
  const trafficDecision = traffic === undefined ? undefined : decideTrafficRouting(traffic);
  reconcileCanaryServices(
    {
      rolloutName: rollout.metadata?.name ?? '',
      canary,
      services: observation.services,
      newRS,
      stableRS: replicaSets.stableRS,
      // With a router the canary Service goes back to the stable pods only once the abort's weight allows it.
      aborted: trafficDecision === undefined ? aborted : trafficDecision.canaryServiceToStable,
      checkAvailabilityOnAbort: trafficDecision === undefined,
      pingPongCanary: pingPongServices(canary, observed)?.canary,
      fullyPromoted: (observed.stableRS ?? '') === newHash,
    },
    plan,
  );
  if (trafficDecision !== undefined) {
    // After the Services and before any scaling, as Argo's rolloutCanary: on abort the weight leaves the canary before its pods do.
    if (trafficDecision.operations.length > 0) actions.push({ kind: 'routeTraffic', operations: trafficDecision.operations });
    events.push(...trafficDecision.events);
    if (trafficDecision.weights !== undefined) draft.canary = { ...draft.canary, weights: trafficDecision.weights };
  }

  // Argo's reconcileExperiments, between the traffic and the AnalysisRuns: a failed Experiment aborts before the runs are judged.
  const experiment = reconcileCanaryExperiment({
    rollout,
    newRS,
    stableRS: replicaSets.stableRS,
    allReplicaSets: replicaSets.all,
    experiments: observation.experiments ?? [],
    decisions,
  });
  actions.push(...experiment.actions);
  events.push(...experiment.events);
  if (experiment.statusName !== undefined) draft.canary = { ...draft.canary, currentExperiment: experiment.statusName };

  const fastRollback = replicaSets.stableRS !== undefined && (observed.stableRS === newHash || withinWindow);
  const analysis = reconcileRolloutAnalysis(analysisInputOf(observation, replicaSets, newRS, decisions, { fastRollback }));
  actions.push(...analysis.actions);
  events.push(...analysis.events);
  const stepRunStatus = analysisRunStatusEntry(analysis.current.step);
  const backgroundRunStatus = analysisRunStatusEntry(analysis.current.background);
  draft.canary = {
    ...draft.canary,
    ...(stepRunStatus === undefined ? {} : { currentStepAnalysisRunStatus: stepRunStatus }),
    ...(backgroundRunStatus === undefined ? {} : { currentBackgroundAnalysisRunStatus: backgroundRunStatus }),
  };
  // An inconclusive run or Experiment pauses the rollout where it is: no scaling and no step pause this reconcile (Argo's HasAddPause).
  const analysisPaused = decisions.addPause.includes('InconclusiveAnalysisRun') || decisions.addPause.includes('InconclusiveExperiment');

  let pauseRequeue: number | undefined;
  let scaled = false;
  if (!spec.paused && !analysisPaused) {
    if (traffic === undefined) scaled = reconcileReplicaSets(context, canary, newRS, plan);
    else {
      const scaling = reconcileTrafficReplicaSets(
        { context: traffic, newWeights: draft.canary.weights, services: observation.services, now },
        plan,
      );
      scaled = scaling.scaled;
      pauseRequeue = scaling.wakeUpMs;
    }
  }
  if (!scaled && !analysisPaused) pauseRequeue = earliestWakeUp(pauseRequeue, reconcilePause(rollout, spec, canary, decisions, now));

  const { step, index } = currentCanaryStep(rollout);
  let stepIndex = index;
  if (observed.promoteFull === true || withinWindow) {
    decisions.clearPause = true;
    decisions.removeAbort = true;
    if (stepCount > 0) stepIndex = stepCount;
  }
  const promoteReason = fullPromotionReason(rollout, spec, decisions, replicaSets, newRS, withinWindow);
  if (promoteReason !== undefined) {
    decisions.clearPause = true;
    decisions.removeAbort = true;
    draft.promoteFull = false;
    if (stepCount > 0) draft.currentStepIndex = stepCount;
    if ((draft.stableRS ?? '') !== draft.currentPodHash) {
      draft.stableRS = draft.currentPodHash ?? '';
      // Argo's ping-pong: the Service that held the canary becomes the stable one (sync.go promoteStable).
      if (canary.pingPong !== undefined)
        draft.canary = { ...draft.canary, stablePingPong: observed.canary?.stablePingPong === 'ping' ? 'pong' : 'ping' };
      const message = MESSAGES.rolloutCompleted(revisionOfRollout(replicaSets), draft.currentPodHash ?? '', promoteReason);
      events.push({ type: 'Normal', reason: REASONS.rolloutCompleted, message });
    }
    return finish(persist, draft, plan, pauseRequeue);
  }
  if (isAborted(decisions, observed)) {
    if (stepCount > 0) draft.currentStepIndex = draft.stableRS === draft.currentPodHash ? stepCount : 0;
    return finish(persist, draft, plan, pauseRequeue);
  }
  // While a full promotion waits for the canary, the steps no longer move (see the report).
  const stepDone =
    traffic === undefined
      ? completedCurrentStep(rollout, spec, canary, replicaSets, newRS, now, analysis.current.step, experiment.current)
      : completedCurrentTrafficStep(rollout, spec, traffic, draft.canary.weights, now, analysis.current.step, experiment.current);
  if (observed.promoteFull !== true && !withinWindow && step !== undefined && stepIndex !== undefined && stepDone) {
    stepIndex += 1;
    delete draft.canary.currentStepAnalysisRunStatus;
    events.push({
      type: 'Normal',
      reason: REASONS.rolloutStepCompleted,
      message: MESSAGES.rolloutStepCompleted(stepIndex, stepCount, canaryStepString(step)),
    });
    decisions.removePause.push('CanaryPauseStep');
  }
  if (stepIndex !== undefined) draft.currentStepIndex = stepIndex;
  return finish(persist, draft, plan, pauseRequeue);
}

function finish(persist: PersistInput, draft: RolloutStatus, collector: PlanCollector, pauseRequeue: number | undefined): ReconcilePlan {
  const { status, requeueAfterMs } = persistCanaryStatus(persist, draft, collector);
  const wakeUps = [pauseRequeue, requeueAfterMs].filter((ms): ms is number => ms !== undefined);
  const plan: ReconcilePlan = { actions: collector.actions, status, events: collector.events };
  if (wakeUps.length > 0) plan.requeueAfterMs = Math.max(1, Math.min(...wakeUps));
  return plan;
}

function weightInput(rollout: Rollout, canary: CanaryStrategyWithDefaults): number {
  const observed = rollout.status ?? {};
  return basicCanaryDesiredWeight({
    steps: canary.steps,
    currentStepIndex: observed.currentStepIndex,
    aborted: observed.abort === true,
    promoteFull: observed.promoteFull === true,
    stableHash: observed.stableRS,
    currentPodHash: observed.currentPodHash,
  });
}

function scalingInput(
  rollout: Rollout,
  spec: RolloutSpecWithDefaults,
  canary: CanaryStrategyWithDefaults,
  replicaSets: ReplicaSetClassification,
  newRS: V1ReplicaSet,
) {
  return {
    replicas: spec.replicas,
    canaryWeight: weightInput(rollout, canary),
    maxSurge: canary.maxSurge,
    maxUnavailable: canary.maxUnavailable,
    canary: countsOf(newRS),
    stable: replicaSets.stableRS === undefined ? undefined : countsOf(replicaSets.stableRS),
    older: replicaSets.others.map(olderCountsOf),
  };
}

/** Argo's reconcileCanaryReplicaSets: deadlines off the serving ReplicaSets, then one scaling (stable, else canary, else older). */
function reconcileReplicaSets(
  context: ReconcileContext,
  canary: CanaryStrategyWithDefaults,
  newRS: V1ReplicaSet,
  plan: PlanCollector,
): boolean {
  const { rollout, spec, replicaSets } = context;
  removeScaleDownDeadlines([newRS, replicaSets.stableRS], plan);
  const scaling = nextBasicCanaryScaling(scalingInput(rollout, spec, canary, replicaSets, newRS));
  if (scaling === undefined) return false;
  for (const scale of scaling.scales) {
    const rs = replicaSets.all.find((candidate) => nameOf(candidate) === scale.name);
    if (rs !== undefined) scaleReplicaSet(rs, scale.replicas, spec, plan);
  }
  return true;
}

/** Argo's reconcileCanaryPause: at a pause step, pause once; a timed pause wakes the rollout when it ends. */
function reconcilePause(
  rollout: Rollout,
  spec: RolloutSpecWithDefaults,
  canary: CanaryStrategyWithDefaults,
  decisions: PauseDecisions,
  now: Date,
): number | undefined {
  const observed = rollout.status ?? {};
  if (spec.paused || observed.promoteFull === true || canary.steps.length === 0) return undefined;
  const { step } = currentCanaryStep(rollout);
  if (step?.pause === undefined) return undefined;
  const condition = observed.pauseConditions?.find((pause) => pause.reason === 'CanaryPauseStep');
  if (condition === undefined) {
    // No condition and no controllerPause: not paused yet. No condition but controllerPause: promoted.
    if (observed.controllerPause !== true) decisions.addPause.push('CanaryPauseStep');
    return undefined;
  }
  if (step.pause.duration === undefined) return undefined;
  const remaining = Date.parse(condition.startTime) + (pauseDurationSeconds(step.pause.duration) ?? 0) * 1000 - now.getTime();
  return remaining > 0 ? remaining : undefined;
}

function earliestWakeUp(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : Math.min(a, b);
}

/** Argo's completedCurrentCanaryStep with a router: sized for the weight and the weight verified; route steps complete at once. */
function completedCurrentTrafficStep(
  rollout: Rollout,
  spec: RolloutSpecWithDefaults,
  traffic: TrafficContext,
  weights: TrafficWeights | undefined,
  now: Date,
  stepRun: AnalysisRun | undefined,
  stepExperiment: Experiment | undefined,
): boolean {
  if (spec.paused) return false;
  const { step } = currentCanaryStep(rollout);
  if (step === undefined) return false;
  // Argo's switch checks pause first: a step that also sets a scale or a route (Argo's e2e TestAPISIXCanarySetHeaderStep) waits out its pause.
  if (step.pause !== undefined)
    return completedCurrentStep(rollout, spec, traffic.canary, traffic.replicaSets, traffic.newRS, now, stepRun, stepExperiment);
  if (step.setCanaryScale !== undefined) return atDesiredTrafficReplicaCounts(traffic, weights);
  if (step.setWeight !== undefined) return atDesiredTrafficReplicaCounts(traffic, weights) && weights?.verified !== false;
  if (step.setHeaderRoute !== undefined || step.setMirrorRoute !== undefined) return true;
  return completedCurrentStep(rollout, spec, traffic.canary, traffic.replicaSets, traffic.newRS, now, stepRun, stepExperiment);
}

/** Argo's completedCurrentCanaryStep for the step kinds a basic canary has, and analysis and experiment steps. */
function completedCurrentStep(
  rollout: Rollout,
  spec: RolloutSpecWithDefaults,
  canary: CanaryStrategyWithDefaults,
  replicaSets: ReplicaSetClassification,
  newRS: V1ReplicaSet,
  now: Date,
  stepRun: AnalysisRun | undefined,
  stepExperiment: Experiment | undefined,
): boolean {
  if (spec.paused) return false;
  const observed = rollout.status ?? {};
  const { step } = currentCanaryStep(rollout);
  if (step === undefined) return false;
  if (step.pause !== undefined) {
    const condition = observed.pauseConditions?.find((pause) => pause.reason === 'CanaryPauseStep');
    if (observed.controllerPause === true && condition === undefined) return true;
    if (step.pause.duration === undefined || condition === undefined) return false;
    // Argo compares with nanosecond clocks (strictly after); pause start times are whole seconds, so the end itself counts.
    return now.getTime() >= Date.parse(condition.startTime) + (pauseDurationSeconds(step.pause.duration) ?? 0) * 1000;
  }
  if (step.setWeight !== undefined || step.setCanaryScale !== undefined) {
    const desired = basicCanaryReplicaCounts(scalingInput(rollout, spec, canary, replicaSets, newRS));
    const stable = replicaSets.stableRS;
    const canaryReady = replicaProgressThresholdMet(canary.replicaProgressThreshold, newRS, desired.canary);
    const stableCreated =
      stable !== undefined && desired.stable === specReplicas(stable) && desired.stable === (stable.status?.replicas ?? 0);
    const olderGone = replicaSets.others.every((rs) => (rs.status?.availableReplicas ?? 0) === 0);
    return canaryReady && stableCreated && olderGone;
  }
  if (step.analysis !== undefined) return stepRun?.status?.phase === 'Successful';
  if (step.experiment !== undefined) return stepExperiment?.status?.phase === 'Successful';
  return false;
}

/** Argo's shouldFullPromote for the canary: the reason to make the new ReplicaSet stable, if any. */
function fullPromotionReason(
  rollout: Rollout,
  spec: RolloutSpecWithDefaults,
  decisions: PauseDecisions,
  replicaSets: ReplicaSetClassification,
  newRS: V1ReplicaSet,
  withinWindow: boolean,
): string | undefined {
  const observed = rollout.status ?? {};
  if (replicaSets.stableRS === undefined) return 'Initial deploy';
  if (isAborted(decisions, observed)) return undefined;
  const threshold = spec.strategy.canary?.replicaProgressThreshold;
  if ((newRS.status?.availableReplicas ?? 0) < spec.replicas && !replicaProgressThresholdMet(threshold, newRS, spec.replicas))
    return undefined;
  if (observed.promoteFull === true) return 'Full promotion requested';
  if (withinWindow) return 'Rollback within window';
  if (observed.stableRS === podTemplateHashOf(newRS)) return 'Fast rollback';
  const stepCount = spec.strategy.canary?.steps.length ?? 0;
  const { index } = currentCanaryStep(rollout);
  if (stepCount === 0 || index === stepCount) return `Completed all ${String(stepCount)} canary steps`;
  return undefined;
}
