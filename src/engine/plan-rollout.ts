import { formatPath, validateRollout, type RolloutIssue, type RolloutStatus } from '../api/index.js';
import { planBlueGreen } from './blue-green-planner.js';
import { planCanary } from './canary-planner.js';
import { CONDITION_TYPES, MESSAGES, REASONS, getCondition, newCondition, removeCondition, setCondition } from './conditions.js';
import type { ReconcilePlan, RolloutObservation } from './reconcile-types.js';
import { calculateRolloutPhase } from './rollout-phase.js';

/** Argo requeues an invalid Rollout every 20 s: the cause may be timing (a Service applied after the Rollout). */
const INVALID_SPEC_REQUEUE_MS = 20_000;

/**
 * One reconcile of one Rollout: refuse an invalid spec (only the InvalidSpec condition, as
 * Argo's createInvalidRolloutCondition), else run its strategy's planner.
 */
export function planRollout(observation: RolloutObservation): ReconcilePlan {
  const { rollout } = observation;
  const validation = validateRollout(rollout);
  if (!validation.ok) return planInvalidSpec(observation, validation.issues);
  const unsupported = engineUnsupported(observation);
  if (unsupported.length > 0) return planInvalidSpec(observation, unsupported);
  if (rollout.spec.strategy?.canary !== undefined) return planCanary(observation);
  return planBlueGreen(observation);
}

/**
 * Fields the schema accepts that this engine does not act on yet, and a Service the strategy
 * names that does not exist (Argo's ValidateRolloutReferencedResources). Each is refused with
 * InvalidSpec rather than ignored; they belong in src/api's not-yet-supported list so lint says
 * so too (see the report).
 */
function engineUnsupported(observation: RolloutObservation): RolloutIssue[] {
  const { spec } = observation.rollout;
  const issues: RolloutIssue[] = [];
  const unsupported = (path: (string | number)[]): void => {
    issues.push({ path, message: `not yet supported by Gradual: ${String(path.at(-1))}` });
  };
  if (spec.restartAt !== undefined) unsupported(['spec', 'restartAt']);
  if (spec.workloadRef !== undefined) unsupported(['spec', 'workloadRef']);
  if (spec.rollbackWindow !== undefined) unsupported(['spec', 'rollbackWindow']);
  const canary = spec.strategy?.canary;
  if (canary?.antiAffinity !== undefined) unsupported(['spec', 'strategy', 'canary', 'antiAffinity']);
  for (const field of ['canaryService', 'stableService'] as const) {
    const name = canary?.[field];
    if (name !== undefined && name !== '' && observation.services[name] === undefined) {
      issues.push({ path: ['spec', 'strategy', 'canary', field], message: `service "${name}" not found` });
    }
  }
  const blueGreen = spec.strategy?.blueGreen;
  // Injected pod metadata would have to be swapped on promotion (Argo's reconcileEphemeralMetadata): refused until it is.
  for (const field of ['antiAffinity', 'previewMetadata', 'activeMetadata'] as const) {
    if (blueGreen?.[field] !== undefined) unsupported(['spec', 'strategy', 'blueGreen', field]);
  }
  // Argo's getReferencedServices: the active Service first, then the preview one.
  for (const field of ['activeService', 'previewService'] as const) {
    const name = blueGreen?.[field];
    if (name !== undefined && name !== '' && observation.services[name] === undefined) {
      issues.push({ path: ['spec', 'strategy', 'blueGreen', field], message: `service "${name}" not found` });
    }
  }
  return issues;
}

function planInvalidSpec(observation: RolloutObservation, issues: readonly RolloutIssue[]): ReconcilePlan {
  const { rollout, now } = observation;
  const observed: RolloutStatus = rollout.status ?? {};
  const first = issues[0];
  const detail = first === undefined ? 'invalid' : `${formatPath(first.path)}: ${first.message}`;
  const message = MESSAGES.invalidSpec(rollout.metadata?.name ?? '', detail);
  const previous = getCondition(observed.conditions, CONDITION_TYPES.invalidSpec);
  // The message says why; a new reason to be invalid replaces the condition even with the same status and reason.
  const base = previous !== undefined && previous.message !== message ? removeCondition(observed.conditions, CONDITION_TYPES.invalidSpec) : observed.conditions;
  const conditions = setCondition(base, newCondition(CONDITION_TYPES.invalidSpec, 'True', REASONS.invalidSpec, message, now), now).conditions;
  const status: RolloutStatus = { ...observed, conditions, observedGeneration: String(rollout.metadata?.generation ?? 0) };
  const { phase, message: phaseMessage } = calculateRolloutPhase(rollout.spec, status);
  const withPhase: RolloutStatus = { ...status, phase };
  if (phaseMessage === '') delete withPhase.message;
  else withPhase.message = phaseMessage;
  return { actions: [], status: withPhase, events: [], requeueAfterMs: INVALID_SPEC_REQUEUE_MS };
}
