import type { V1ReplicaSet } from '@kubernetes/client-node';
import { type BlueGreenStrategyWithDefaults, type Rollout, type RolloutSpecWithDefaults } from '../api/index.js';
import { POD_TEMPLATE_HASH_LABEL, SCALE_DOWN_DEADLINE_ANNOTATION } from '../api/argo-labels.js';
import { parseRfc3339 } from './blue-green-replica-counts.js';
import { blueGreenStatusView, isSaturated, readyForPause, reconcileBlueGreenReplicaSets } from './blue-green-replica-sets.js';
import { serviceView, switchServiceSelector, type BlueGreenServiceView } from './blue-green-services.js';
import { syncBlueGreenStatus } from './blue-green-status.js';
import { isAborted, noPauseDecisions, type PauseDecisions } from './rollout-status.js';
import type { ReconcilePlan, RolloutObservation } from './reconcile-types.js';
import type { PlanCollector } from './plan-collector.js';
import { podTemplateHashOf, type ReplicaSetClassification } from './replica-set-classification.js';
import type { ReconcileContext } from './reconcile-context.js';
import { isRollbackWithinWindow } from './rollback-window.js';
import {
  analysisInputOf,
  analysisRunStatusEntry,
  currentAnalysisRuns,
  reconcileRolloutAnalysis,
  type CurrentAnalysisRuns,
} from './rollout-analysis.js';
import { planWithPreamble } from './rollout-preamble.js';
import { planReplicaSetTemplateSync } from './replica-set-template-sync.js';

const BLUE_GREEN_PAUSE = 'BlueGreenPause';

/**
 * The blue-green strategy as Argo's controller runs it (rollout/bluegreen.go, service.go,
 * pause.go, v1.9.1). The preamble is the canary's: create the new ReplicaSet (empty), record a
 * pause/resume/retry in the conditions, sync the new ReplicaSet's revision. Then, in Argo's
 * order within one reconcile: point the preview Service at the new ReplicaSet; on a template
 * change only reset the status; else size the ReplicaSets, pause (or resume) for promotion,
 * switch the active Service, and write the status — promoting the new ReplicaSet to stable
 * once the active Service selects it.
 */
export function planBlueGreen(context: ReconcileContext): ReconcilePlan {
  const blueGreen = context.spec.strategy.blueGreen;
  if (blueGreen === undefined) return { actions: [], status: context.rollout.status ?? {}, events: [] };
  return planWithPreamble(context, (found, newRS) =>
    planBlueGreenReconcile(found.observation, found.spec, blueGreen, found.replicaSets, newRS),
  );
}

/** The blue-green reconcile's context; it is also the plan its steps add to. */
interface BlueGreenContext extends PlanCollector {
  observation: RolloutObservation;
  spec: RolloutSpecWithDefaults;
  blueGreen: BlueGreenStrategyWithDefaults;
  replicaSets: ReplicaSetClassification;
  newRS: V1ReplicaSet;
  decisions: PauseDecisions;
  active: BlueGreenServiceView | undefined;
  preview: BlueGreenServiceView | undefined;
  /** The runs the observed status names (Argo's currentArs, read before this reconcile's changes). */
  observedRuns: CurrentAnalysisRuns;
  /** Argo's completedPrePromotionAnalysis: none configured, or the current one Successful. */
  completedPrePromotion: boolean;
}

function planBlueGreenReconcile(
  observation: RolloutObservation,
  spec: RolloutSpecWithDefaults,
  blueGreen: BlueGreenStrategyWithDefaults,
  replicaSets: ReplicaSetClassification,
  newRS: V1ReplicaSet,
): ReconcilePlan {
  const { rollout, now } = observation;
  const observed = rollout.status ?? {};
  const observedRuns = currentAnalysisRuns(observed, observation.analysisRuns ?? []).current;
  const context: BlueGreenContext = {
    observation,
    spec,
    blueGreen,
    replicaSets,
    newRS,
    decisions: noPauseDecisions(),
    active: serviceView(blueGreen.activeService, observation.services),
    preview: serviceView(blueGreen.previewService, observation.services),
    observedRuns,
    completedPrePromotion: blueGreen.prePromotionAnalysis === undefined || observedRuns.prePromotion?.status?.phase === 'Successful',
    actions: [],
    events: [],
  };
  const { decisions, actions, events } = context;
  // A fully promoted rollout cannot be aborted (newRolloutContext drops the abort).
  if ((observed.stableRS ?? '') === (observed.currentPodHash ?? '') && observed.abort === true) decisions.removeAbort = true;
  const rolloutName = rollout.metadata?.name ?? '';
  const newHash = podTemplateHashOf(newRS);
  const halted = haltProgress(rollout, spec);

  // Argo's reconcilePreviewService, right after the new ReplicaSet exists (even before it has pods).
  if (context.preview !== undefined && !halted) switchServiceSelector(context.preview, newHash, rolloutName, context);

  const podSpecChanged = (observed.currentPodHash ?? '') !== '' && observed.currentPodHash !== newHash;
  const wakeUps: number[] = [];
  let completedPause = completedBlueGreenPause(context);
  let analysisRuns: CurrentAnalysisRuns = {};
  if (!podSpecChanged) {
    // Argo syncs the ephemeral metadata late in the same reconcile; one step per reconcile, it is its own step here, before any scaling.
    const templateSync = planReplicaSetTemplateSync(observation, replicaSets, newRS);
    if (templateSync !== undefined) return { ...templateSync, actions: [...actions, ...templateSync.actions], events };
    const aborted = isAborted(decisions, observed);
    const statusView = blueGreenStatusView(spec, observed, replicaSets, aborted);
    const scaleDownWake = reconcileBlueGreenReplicaSets(
      {
        spec,
        blueGreen,
        replicaSets,
        newRS,
        status: statusView,
        delayScaleDownOnAbort: aborted && replicaSets.stableRS !== undefined && blueGreen.abortScaleDownDelaySeconds !== 0,
        referencedHashes: referencedHashes(context),
        holdOlder: holdOlderReplicaSets(context),
        now: now.getTime(),
      },
      context,
    );
    if (scaleDownWake !== undefined) wakeUps.push(scaleDownWake);
    const ready = readyForPause(spec, blueGreen, newRS, statusView);
    const pauseWake = reconcileBlueGreenPause(context, ready, halted);
    if (pauseWake !== undefined) wakeUps.push(pauseWake);
    completedPause = completedBlueGreenPause(context);
    if (!halted && ready && isSaturated(spec, newRS) && context.active !== undefined)
      reconcileActiveService(context, completedPause, rolloutName);
    const analysis = reconcileRolloutAnalysis(
      analysisInputOf(observation, replicaSets, newRS, decisions, {
        fastRollback: fastRollback(context),
        startPrePromotion: !skipPrePromotionAnalysis(context),
        startPostPromotion: !skipPostPromotionAnalysis(context),
      }),
    );
    actions.push(...analysis.actions);
    events.push(...analysis.events);
    analysisRuns = analysis.current;
  }

  const { status, requeueAfterMs } = syncBlueGreenStatus(
    {
      rollout,
      spec,
      blueGreen,
      replicaSets,
      newRS,
      decisions,
      now,
      previewSelector: context.preview?.selector ?? '',
      activeSelector: context.active?.selector ?? '',
      podSpecChanged,
      completedPause,
      completedPrePromotion: context.completedPrePromotion,
      postPromotionSucceeded:
        blueGreen.postPromotionAnalysis === undefined ? undefined : analysisRuns.postPromotion?.status?.phase === 'Successful',
      prePromotionRun: analysisRunStatusEntry(analysisRuns.prePromotion),
      postPromotionRun: analysisRunStatusEntry(analysisRuns.postPromotion),
      rollbackWithinWindow: isRollbackWithinWindow(spec, replicaSets.all, newRS, replicaSets.stableRS),
    },
    context,
  );
  if (requeueAfterMs !== undefined) wakeUps.push(now.getTime() + requeueAfterMs);
  const plan: ReconcilePlan = { actions, status, events };
  if (wakeUps.length > 0) plan.requeueAfterMs = Math.max(1, Math.min(...wakeUps) - now.getTime());
  return plan;
}

/** Argo's haltProgress: a manual pause (or an inconclusive analysis) stops the Services and the promotion pause. */
function haltProgress(rollout: Rollout, spec: RolloutSpecWithDefaults): boolean {
  return spec.paused || (rollout.status?.pauseConditions ?? []).some((condition) => condition.reason === 'InconclusiveAnalysisRun');
}

/** Argo's isReplicaSetReferenced: hashes the status records and the hashes the live Services select. */
function referencedHashes(context: BlueGreenContext): Set<string> {
  const observed = context.observation.rollout.status ?? {};
  const hashes = [observed.stableRS, observed.currentPodHash, observed.blueGreen?.activeSelector, observed.blueGreen?.previewSelector];
  for (const view of [context.active, context.preview]) {
    if (view !== undefined) hashes.push(view.service.spec?.selector?.[POD_TEMPLATE_HASH_LABEL]);
  }
  return new Set(hashes.filter((hash): hash is string => hash !== undefined && hash !== ''));
}

/** Argo's isBlueGreenFastTracked: no pause when the new ReplicaSet is a rollback within its scale-down delay, a full promotion, a first deploy, or already active. */
function fastTracked(context: BlueGreenContext): boolean {
  const observed = context.observation.rollout.status ?? {};
  if ((context.newRS.metadata?.annotations?.[SCALE_DOWN_DEADLINE_ANNOTATION] ?? '') !== '') return true;
  if (observed.promoteFull === true) return true;
  const selector = context.active?.selector ?? '';
  return selector === '' || selector === podTemplateHashOf(context.newRS);
}

/** Argo's reconcileBlueGreenPause; returns when an auto-promotion delay ends (epoch ms). */
function reconcileBlueGreenPause(context: BlueGreenContext, ready: boolean, halted: boolean): number | undefined {
  const { observation, blueGreen, decisions } = context;
  const observed = observation.rollout.status ?? {};
  if (observed.abort === true || !ready || halted) return undefined;
  const needsControllerPause = !blueGreen.autoPromotionEnabled || blueGreen.autoPromotionSeconds > 0;
  if (fastTracked(context) || observed.blueGreen?.scaleUpPreviewCheckPoint === true || !needsControllerPause) {
    decisions.removePause.push(BLUE_GREEN_PAUSE);
    return undefined;
  }
  // The promotion pause starts only once pre-promotion analysis has succeeded.
  if (!context.completedPrePromotion) return undefined;
  const pause = observed.pauseConditions?.find((condition) => condition.reason === BLUE_GREEN_PAUSE);
  if (pause === undefined) {
    // No pause condition but controllerPause: a person promoted (the plugin removed the condition).
    if (observed.controllerPause !== true) decisions.addPause.push(BLUE_GREEN_PAUSE);
    return undefined;
  }
  if (completedBlueGreenPause(context)) {
    decisions.removePause.push(BLUE_GREEN_PAUSE);
    return undefined;
  }
  const start = parseRfc3339(pause.startTime);
  if (blueGreen.autoPromotionSeconds > 0 && start !== undefined) return start + blueGreen.autoPromotionSeconds * 1000;
  return undefined;
}

/** Argo's CompletedBlueGreenPause: a person resumed, or autoPromotionSeconds passed since the pause began. */
function completedBlueGreenPause(context: BlueGreenContext): boolean {
  const { observation, blueGreen, decisions } = context;
  const observed = observation.rollout.status ?? {};
  const pause = observed.pauseConditions?.find((condition) => condition.reason === BLUE_GREEN_PAUSE);
  if (decisions.addPause.length > 0) return false;
  if (observed.blueGreen?.scaleUpPreviewCheckPoint === true) return true;
  if (blueGreen.autoPromotionEnabled) {
    if (blueGreen.autoPromotionSeconds === 0) return true;
    if (pause === undefined) return false;
    const start = parseRfc3339(pause.startTime);
    return start !== undefined && observation.now.getTime() >= start + blueGreen.autoPromotionSeconds * 1000;
  }
  return observed.controllerPause === true && pause === undefined;
}

/** Argo's reconcileActiveService: once the new ReplicaSet is saturated, switch when fast-tracked or promoted; after an abort, select the stable one. */
function reconcileActiveService(context: BlueGreenContext, completedPause: boolean, rolloutName: string): void {
  const { active, newRS, observation } = context;
  if (active === undefined) return;
  const observed = observation.rollout.status ?? {};
  let hash = active.selector;
  if (fastTracked(context) || (completedPause && context.completedPrePromotion)) hash = podTemplateHashOf(newRS);
  if (observed.abort === true) hash = observed.stableRS ?? '';
  if (hash === '') return;
  switchServiceSelector(active, hash, rolloutName, context);
}

/** Argo's isFastRollback for blue-green: back to the stable ReplicaSet, within the rollback window, or to one still within its scale-down delay. */
function fastRollback(context: BlueGreenContext): boolean {
  const { replicaSets, newRS, observation, spec } = context;
  if (replicaSets.stableRS === undefined) return false;
  const newHash = podTemplateHashOf(newRS);
  if (observation.rollout.status?.stableRS === newHash) return true;
  const olderThanStable =
    Date.parse(newRS.metadata?.creationTimestamp?.toString() ?? '') <
    Date.parse(replicaSets.stableRS.metadata?.creationTimestamp?.toString() ?? '');
  if (!olderThanStable) return false;
  return (
    isRollbackWithinWindow(spec, replicaSets.all, newRS, replicaSets.stableRS) ||
    (newRS.metadata?.annotations?.[SCALE_DOWN_DEADLINE_ANNOTATION] ?? '') !== ''
  );
}

/** Argo's skipPrePromotionAnalysisRun: only for a saturated preview that is not yet active (a run once started keeps going). */
function skipPrePromotionAnalysis(context: BlueGreenContext): boolean {
  const { observation, newRS, spec, blueGreen } = context;
  const observed = observation.rollout.status ?? {};
  const hash = podTemplateHashOf(newRS);
  const activeSelector = observed.blueGreen?.activeSelector ?? '';
  if (observed.stableRS === hash || activeSelector === '' || activeSelector === hash || hash === '') return true;
  if (context.observedRuns.prePromotion !== undefined) return false;
  if (blueGreen.previewReplicaCount !== undefined) {
    return (
      (newRS.spec?.replicas ?? 0) !== blueGreen.previewReplicaCount ||
      (newRS.status?.availableReplicas ?? 0) !== blueGreen.previewReplicaCount
    );
  }
  return !isSaturated(spec, newRS);
}

/** Argo's skipPostPromotionAnalysisRun: only once the active Service selects the new, saturated ReplicaSet and it is not stable yet. */
function skipPostPromotionAnalysis(context: BlueGreenContext): boolean {
  const { observation, newRS, spec } = context;
  const observed = observation.rollout.status ?? {};
  const hash = podTemplateHashOf(newRS);
  if (observed.stableRS === hash || (observed.blueGreen?.activeSelector ?? '') !== hash || hash === '') return true;
  if (context.observedRuns.postPromotion !== undefined) return false;
  return !isSaturated(spec, newRS);
}

/**
 * Argo's scaleDownOldReplicaSetsForBlueGreen holds the old ReplicaSets while an inconclusive
 * analysis pauses the rollout, and — without an explicit scaleDownDelaySeconds — while
 * post-promotion analysis has not succeeded, so a failure can switch back to them.
 */
function holdOlderReplicaSets(context: BlueGreenContext): boolean {
  const { observation, blueGreen } = context;
  const observed = observation.rollout.status ?? {};
  if ((observed.pauseConditions ?? []).some((condition) => condition.reason === 'InconclusiveAnalysisRun')) return true;
  const explicitDelay = observation.rollout.spec.strategy?.blueGreen?.scaleDownDelaySeconds !== undefined;
  if (blueGreen.postPromotionAnalysis === undefined || explicitDelay || skipPostPromotionAnalysis(context)) return false;
  return context.observedRuns.postPromotion?.status?.phase !== 'Successful';
}
