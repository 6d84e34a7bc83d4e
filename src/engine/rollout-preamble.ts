import type { V1ReplicaSet } from '@kubernetes/client-node';
import type { Rollout, RolloutSpecWithDefaults, RolloutStatus } from '../api/index.js';
import { REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION } from '../api/argo-labels.js';
import { compactStatus } from './rollout-status.js';
import { canonicalJson } from '../api/canonical-json.js';
import { CONDITION_TYPES, MESSAGES, REASONS, getCondition, newCondition, setCondition } from './conditions.js';
import type { KubeAction, ReconcilePlan, RolloutEvent, RolloutObservation } from './reconcile-types.js';
import {
  ANNOTATIONS_NOT_COPIED,
  newReplicaSetFor,
  podTemplateHashOf,
  revisionOf,
  type ReplicaSetClassification,
} from './replica-set-classification.js';
import { replicaSetName } from './replica-set-naming.js';
import { calculateRolloutPhase } from './rollout-phase.js';
import { needsRestart, planPodRestart, restartWakeUpMs } from './pod-restart.js';
import { withRollout, type ReconcileContext } from './reconcile-context.js';

/*
 * The steps every strategy takes before its own reconcile, as Argo's newRolloutContext,
 * checkPausedConditions and syncReplicaSetRevision take them (rollout/controller.go,
 * rollout/sync.go). Each returns a whole plan, or undefined when there is nothing to do and
 * the strategy's reconcile goes on. Both the canary and the blue-green planner start with them.
 */

function nameOf(rs: V1ReplicaSet): string {
  return rs.metadata?.name ?? '';
}

/** Argo's createDesiredReplicaSet; a name taken by another template is a hash collision, answered by bumping collisionCount. */
function planNewReplicaSet(observation: RolloutObservation, replicaSets: ReplicaSetClassification): ReconcilePlan {
  const { rollout, now } = observation;
  const observed = rollout.status ?? {};
  const name = replicaSetName(rollout.metadata?.name ?? '', replicaSets.desiredHash);
  if (replicaSets.all.some((rs) => nameOf(rs) === name)) {
    return { actions: [], status: { ...observed, collisionCount: (observed.collisionCount ?? 0) + 1 }, events: [] };
  }
  const revision = Math.max(0, ...replicaSets.all.map(revisionOf)) + 1;
  const replicaSet = newReplicaSetFor(rollout, replicaSets.desiredHash, revision, {
    hasStableReplicaSet: replicaSets.stableRS !== undefined,
    stableHash: rollout.status?.stableRS,
  });
  const condition = newCondition(CONDITION_TYPES.progressing, 'True', REASONS.newReplicaSetCreated, MESSAGES.newReplicaSet(name), now);
  return {
    actions: [{ kind: 'createReplicaSet', replicaSet }, ...rolloutRevisionWrite(rollout, String(revision))],
    status: { ...observed, conditions: setCondition(observed.conditions, condition, now).conditions },
    events: [
      { type: 'Normal', reason: REASONS.rolloutUpdated, message: MESSAGES.rolloutUpdated(String(revision)) },
      { type: 'Normal', reason: REASONS.newReplicaSetCreated, message: MESSAGES.newReplicaSetDetailed(name, revision) },
    ],
  };
}

/**
 * Argo's setRolloutRevision (rollout/sync.go): the Rollout's own revision annotation follows its new ReplicaSet's.
 * Argo writes it right after creating the ReplicaSet, and on the reconcile after a revision sync (the one that
 * finds the ReplicaSet's annotations already right), before anything else that reconcile writes. Its RolloutUpdated
 * Event goes, here, with the ReplicaSet's revision change (planNewReplicaSet, planRevisionSync), which is where
 * the annotation changes too.
 */
function rolloutRevisionWrite(rollout: Rollout, revision: string | undefined): KubeAction[] {
  if (revision === undefined || rollout.metadata?.annotations?.[REVISION_ANNOTATION] === revision) return [];
  return [{ kind: 'setRolloutRevision', revision, resourceVersion: rollout.metadata?.resourceVersion ?? '' }];
}

function withRolloutRevision(plan: ReconcilePlan, rollout: Rollout, newRS: V1ReplicaSet): ReconcilePlan {
  const write = rolloutRevisionWrite(rollout, newRS.metadata?.annotations?.[REVISION_ANNOTATION]);
  return write.length === 0 ? plan : { ...plan, actions: [...write, ...plan.actions] };
}

/**
 * Argo's checkPausedConditions: a pause, resume or retry recorded in the conditions alone, as its own status write
 * (which the same reconcile's status write may undo: see planWithPreamble).
 */
function planPausedConditions(observation: RolloutObservation, spec: RolloutSpecWithDefaults): ReconcilePlan | undefined {
  const { rollout, now } = observation;
  const observed = rollout.status ?? {};
  if (String(rollout.metadata?.generation ?? 0) !== observed.observedGeneration) return undefined;
  const progressing = getCondition(observed.conditions, CONDITION_TYPES.progressing);
  const progressingPaused = progressing?.reason === REASONS.rolloutPaused;
  const isPaused = (observed.pauseConditions?.length ?? 0) > 0 || spec.paused;
  const abortRecorded = progressing?.reason === REASONS.rolloutAborted;
  const completed = (observed.stableRS ?? '') !== '' && observed.stableRS === observed.currentPodHash;
  const updates = [];
  if (isPaused !== progressingPaused && !abortRecorded && !completed) {
    updates.push(
      isPaused
        ? newCondition(CONDITION_TYPES.progressing, 'Unknown', REASONS.rolloutPaused, MESSAGES.rolloutPaused, now)
        : newCondition(CONDITION_TYPES.progressing, 'Unknown', REASONS.rolloutResumed, MESSAGES.rolloutResumed, now),
    );
  }
  if (observed.abort !== true && abortRecorded) {
    updates.push(newCondition(CONDITION_TYPES.progressing, 'Unknown', REASONS.rolloutRetry, MESSAGES.rolloutRetry, now));
  }
  const pausedTrue = getCondition(observed.conditions, CONDITION_TYPES.paused)?.status === 'True';
  if (isPaused !== pausedTrue && !abortRecorded) {
    updates.push(newCondition(CONDITION_TYPES.paused, isPaused ? 'True' : 'False', REASONS.rolloutPaused, MESSAGES.rolloutPaused, now));
  }
  if (updates.length === 0) return undefined;
  let conditions = observed.conditions ?? [];
  for (const condition of updates) conditions = setCondition(conditions, condition, now).conditions;
  const status: RolloutStatus = { ...observed, conditions };
  const { phase, message } = calculateRolloutPhase(rollout.spec, status);
  return { actions: [], status: compactStatus({ ...status, phase, message }), events: [] };
}

/**
 * Argo's syncReplicaSetRevision: the new ReplicaSet carries the highest revision, the
 * Rollout's annotations and its minReadySeconds (not part of the pod template, so a change
 * to it alone reaches the existing ReplicaSet only this way); RolloutUpdated goes with the
 * write (see canary-planner.ts).
 */
function planRevisionSync(
  rollout: Rollout,
  spec: RolloutSpecWithDefaults,
  newRS: V1ReplicaSet,
  replicaSets: ReplicaSetClassification,
): ReconcilePlan | undefined {
  const current = newRS.metadata?.annotations ?? {};
  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(rollout.metadata?.annotations ?? {})) {
    if (!ANNOTATIONS_NOT_COPIED.has(key) && current[key] !== value) annotations[key] = value;
  }
  const wanted = Math.max(0, ...replicaSets.older.map(revisionOf)) + 1;
  const oldText = current[REVISION_ANNOTATION];
  const events: RolloutEvent[] = [];
  if (revisionOf(newRS) < wanted && (oldText === undefined || /^\d+$/u.test(oldText))) {
    annotations[REVISION_ANNOTATION] = String(wanted);
    events.push({ type: 'Normal', reason: REASONS.rolloutUpdated, message: MESSAGES.rolloutUpdated(String(wanted)) });
  }
  const minReadySecondsChanged = (newRS.spec?.minReadySeconds ?? 0) !== spec.minReadySeconds;
  if (Object.keys(annotations).length === 0 && !minReadySecondsChanged) return undefined;
  if (oldText !== undefined && Object.keys(annotations).length > 0) {
    const history = current[REVISION_HISTORY_ANNOTATION];
    annotations[REVISION_HISTORY_ANNOTATION] = history === undefined || history === '' ? oldText : `${history},${oldText}`;
  }
  const update: KubeAction = {
    kind: 'updateReplicaSet',
    name: nameOf(newRS),
    resourceVersion: newRS.metadata?.resourceVersion ?? '',
    ...(Object.keys(annotations).length === 0 ? {} : { annotations }),
    ...(minReadySecondsChanged ? { minReadySeconds: spec.minReadySeconds } : {}),
  };
  return { actions: [update], status: rollout.status ?? {}, events };
}

/** Argo records FoundNewReplicaSet when an existing new ReplicaSet has no Progressing condition yet, and carries on. */
function withFoundNewReplicaSet(observation: RolloutObservation, newRS: V1ReplicaSet): Rollout {
  const { rollout, now } = observation;
  const observed = rollout.status ?? {};
  if (getCondition(observed.conditions, CONDITION_TYPES.progressing) !== undefined) return rollout;
  const condition = newCondition(
    CONDITION_TYPES.progressing,
    'True',
    REASONS.foundNewReplicaSet,
    MESSAGES.foundNewReplicaSet(nameOf(newRS)),
    now,
  );
  return { ...rollout, status: { ...observed, conditions: setCondition(observed.conditions, condition, now).conditions } };
}

/**
 * Argo's pod-restart stage (restart.go), which runs before the strategy's own scaling. A new
 * template brings up new pods anyway, so it ends a due restart instead (Argo's
 * SetRestartedAt on a template change). Evictions end the reconcile: the availability the
 * strategy would scale by no longer holds until the evicted pods are replaced.
 */
function planRestartStage(
  observation: RolloutObservation,
  spec: RolloutSpecWithDefaults,
  replicaSets: ReplicaSetClassification,
  newRS: V1ReplicaSet,
): { plan: ReconcilePlan } | { observation: RolloutObservation; requeueAfterMs: number | undefined } {
  const { rollout, now } = observation;
  const observed = rollout.status ?? {};
  const withRestartedAt = (restartedAt: string): RolloutObservation => ({
    ...observation,
    rollout: { ...rollout, status: { ...observed, restartedAt } },
  });
  const wakeUp = restartWakeUpMs(spec, now);
  if ((observed.currentPodHash ?? '') !== podTemplateHashOf(newRS)) {
    if (spec.restartAt !== undefined && needsRestart(spec, observed, now))
      return { observation: withRestartedAt(spec.restartAt), requeueAfterMs: wakeUp };
    return { observation, requeueAfterMs: wakeUp };
  }
  const decision = planPodRestart(
    { spec, all: replicaSets.all, stableRS: replicaSets.stableRS, newRS, pods: observation.pods, now },
    observed,
  );
  switch (decision.kind) {
    case 'none':
      return { observation, requeueAfterMs: wakeUp };
    case 'evict':
      return { plan: { actions: decision.actions, status: observed, events: [], requeueAfterMs: decision.requeueAfterMs } };
    case 'waiting':
      return { observation, requeueAfterMs: decision.requeueAfterMs };
    case 'done':
      return { observation: withRestartedAt(decision.restartedAt), requeueAfterMs: undefined };
  }
}

function withEarlierWakeUp(plan: ReconcilePlan, requeueAfterMs: number | undefined): ReconcilePlan {
  if (requeueAfterMs === undefined) return plan;
  const wakeUp = Math.max(1, Math.min(requeueAfterMs, plan.requeueAfterMs ?? Number.POSITIVE_INFINITY));
  return { ...plan, requeueAfterMs: wakeUp };
}

/**
 * The preamble, then the strategy: find or create the new ReplicaSet, record a pause, resume
 * or retry, sync the revision, restart pods older than spec.restartAt, and only when none of
 * those had anything to write, run `reconcile` with the Rollout as it stands once the new
 * ReplicaSet is found (a pause, resume or retry record gives way to a strategy write that
 * changes the conditions, as in Argo; see below). The Rollout's revision annotation, when
 * behind its new ReplicaSet's, is written first in whichever plan follows the revision sync.
 */
export function planWithPreamble(
  context: ReconcileContext,
  reconcile: (context: ReconcileContext, newRS: V1ReplicaSet) => ReconcilePlan,
): ReconcilePlan {
  const { observation, spec, replicaSets } = context;
  const { newRS } = replicaSets;
  if (newRS === undefined) return planNewReplicaSet(observation, replicaSets);
  const pausedWrite = planPausedConditions(observation, spec);
  const plan = planAfterPausedConditions(context, newRS, reconcile);
  if (pausedWrite === undefined) return plan;
  // Argo's checkPausedConditions patches the conditions and the reconcile goes on with the Rollout as it was read;
  // its own status write then sends the conditions it computed from those read, whole (a merge patch replaces a
  // list). When that write changes the conditions, the paused write is lost in the same reconcile (the next one
  // records it again, unless an abort now stands in the way): e.g. a run that errs as a pause step begins aborts
  // without a Paused condition ever staying. Otherwise the paused write stands, and is its own step here.
  return sameConditions(plan.status, observation.rollout.status ?? {}) ? pausedWrite : plan;
}

function sameConditions(a: RolloutStatus, b: RolloutStatus): boolean {
  return canonicalJson(a.conditions ?? []) === canonicalJson(b.conditions ?? []);
}

/** Everything after checkPausedConditions: the revision sync, the restart stage, then the strategy's own reconcile. */
function planAfterPausedConditions(
  context: ReconcileContext,
  newRS: V1ReplicaSet,
  reconcile: (context: ReconcileContext, newRS: V1ReplicaSet) => ReconcilePlan,
): ReconcilePlan {
  const { observation, spec, replicaSets } = context;
  const revisionSync = planRevisionSync(observation.rollout, spec, newRS, replicaSets);
  if (revisionSync !== undefined) return revisionSync;
  const restart = planRestartStage(observation, spec, replicaSets, newRS);
  if ('plan' in restart) return withRolloutRevision(restart.plan, observation.rollout, newRS);
  const found = restart.observation;
  const plan = withEarlierWakeUp(reconcile(withRollout(context, withFoundNewReplicaSet(found, newRS)), newRS), restart.requeueAfterMs);
  return withRolloutRevision(plan, observation.rollout, newRS);
}
