import { formatPath, validateRollout, type RolloutIssue, type RolloutStatus } from '../api/index.js';
import { planBlueGreen } from './blue-green-planner.js';
import { planCanary } from './canary-planner.js';
import { CONDITION_TYPES, MESSAGES, REASONS, getCondition, newCondition, removeCondition, setCondition } from './conditions.js';
import type { ReconcilePlan, RolloutObservation } from './reconcile-types.js';
import { classifyReplicaSets } from './replica-set-classification.js';
import { calculateRolloutPhase } from './rollout-phase.js';
import { resolveWorkloadRef, withWorkload } from './workload-ref.js';

/** Argo requeues an invalid Rollout every 20 s: the cause may be timing (a Service applied after the Rollout). */
const INVALID_SPEC_REQUEUE_MS = 20_000;

/**
 * One reconcile of one Rollout: refuse an invalid spec (only the InvalidSpec condition, as
 * Argo's createInvalidRolloutCondition), else resolve its workloadRef (the referenced
 * Deployment's template stands in for its own) and run its strategy's planner on the result.
 */
export function planRollout(observation: RolloutObservation): ReconcilePlan {
  const validation = validateRollout(observation.rollout);
  if (!validation.ok) return planInvalidSpec(observation, validation.issues);
  const resolved = resolveWorkloadRef(observation.rollout, observation.workload);
  if (!resolved.ok) return planInvalidSpec(observation, resolved.issues);
  const effective: RolloutObservation = { ...observation, rollout: resolved.rollout };
  const missing = missingServices(effective);
  if (missing.length > 0) return planInvalidSpec(observation, missing);
  const plan = resolved.rollout.spec.strategy?.canary !== undefined ? planCanary(effective) : planBlueGreen(effective);
  return withWorkload(plan, resolved, classifyReplicaSets(resolved.rollout, effective.replicaSets).newRS);
}

/**
 * A Service the strategy names that does not exist (Argo's ValidateRolloutReferencedResources):
 * refused with InvalidSpec and retried, since it may simply be applied after the Rollout. Fields
 * the engine does not act on yet are refused earlier, by validateRollout's not-yet-supported list,
 * which lint shares.
 */
function missingServices(observation: RolloutObservation): RolloutIssue[] {
  const { strategy } = observation.rollout.spec;
  const named: [path: string[], name: string | undefined][] = [
    [['spec', 'strategy', 'canary', 'canaryService'], strategy?.canary?.canaryService],
    [['spec', 'strategy', 'canary', 'stableService'], strategy?.canary?.stableService],
    // Argo's getReferencedServices: the active Service first, then the preview one.
    [['spec', 'strategy', 'blueGreen', 'activeService'], strategy?.blueGreen?.activeService],
    [['spec', 'strategy', 'blueGreen', 'previewService'], strategy?.blueGreen?.previewService],
  ];
  return named
    .filter(([, name]) => name !== undefined && name !== '' && observation.services[name] === undefined)
    .map(([path, name]) => ({ path, message: `service "${name ?? ''}" not found` }));
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
