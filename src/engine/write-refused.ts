import type { RolloutStatus } from '../api/index.js';
import { CONDITION_TYPES, MESSAGES, REASONS, getCondition, newCondition, removeCondition, setCondition } from './conditions.js';
import type { KubeAction, ReconcilePlan, RolloutObservation } from './reconcile-types.js';
import { calculateRolloutPhase } from './rollout-phase.js';

/**
 * A write the API server refused for what the Rollout's content made of it (400 Bad Request,
 * 422 Invalid: a pod template it will not take, a label it finds malformed). Retrying the same
 * write gets the same answer, so the refusal ends on the Rollout, where its owner sees it.
 */
export interface WriteRefusal {
  action: KubeAction;
  /** The object written, as `Kind "name"`. */
  object: string;
  name: string;
  status: number;
  /** The API server's own message (its Status.message). */
  message: string;
  /** Status.details.causes: each field the API server's validation refused, with its message. */
  causes?: { field: string; message: string }[];
}

/** Longest API server message a condition carries. */
const MAX_MESSAGE = 1_000;

/**
 * The status and Events for a refused write. A ReplicaSet create is Argo's case (rollout/sync.go
 * getNewReplicaSet): the Progressing condition False with reason ReplicaSetCreateError, the
 * Warning Event of the same reason, both "Failed to create new replica set %q: %v" — unless the
 * API server refused the pod template, which Argo refuses before it writes (InvalidSpec). Argo has no
 * condition for a refused update (it returns the error and retries); Gradual reports those as
 * InvalidSpec, naming the object, the status and the API server's message, since it is the spec
 * that produced an object the API server will not take.
 */
export function planWriteRefused(observation: RolloutObservation, refusal: WriteRefusal): ReconcilePlan {
  const { rollout, now } = observation;
  const observed: RolloutStatus = rollout.status ?? {};
  const said = refusal.message.length > MAX_MESSAGE ? `${refusal.message.slice(0, MAX_MESSAGE)}…` : refusal.message;
  // Argo validates the pod template itself (ValidatePodTemplateSpecForReplicaSet, the API server's own check of a
  // ReplicaSet's template) and refuses it as InvalidSpec with the first error, `<field>: <message>`; the API server's
  // first cause under spec.template is that error, at the same path in the Rollout.
  const templateCause = refusal.causes?.find((cause) => cause.field.startsWith('spec.template'));
  const create = refusal.action.kind === 'createReplicaSet' && templateCause === undefined;
  let message: string;
  if (templateCause !== undefined)
    message = MESSAGES.invalidSpec(rollout.metadata?.name ?? '', `${templateCause.field}: ${templateCause.message}`);
  else if (create) message = MESSAGES.failedReplicaSetCreate(refusal.name, said);
  else
    message = MESSAGES.invalidSpec(
      rollout.metadata?.name ?? '',
      `the API server refused the write of ${refusal.object} (HTTP ${String(refusal.status)}): ${said}`,
    );
  const type = create ? CONDITION_TYPES.progressing : CONDITION_TYPES.invalidSpec;
  const previous = getCondition(observed.conditions, type);
  // A new message replaces the condition even with the same status and reason.
  const base = previous !== undefined && previous.message !== message ? removeCondition(observed.conditions, type) : observed.conditions;
  const condition = create
    ? newCondition(type, 'False', REASONS.failedReplicaSetCreate, message, now)
    : newCondition(type, 'True', REASONS.invalidSpec, message, now);
  const conditions = setCondition(base, condition, now).conditions;
  const status: RolloutStatus = { ...observed, conditions, observedGeneration: String(rollout.metadata?.generation ?? 0) };
  const { phase, message: phaseMessage } = calculateRolloutPhase(rollout.spec, status);
  const withPhase: RolloutStatus = { ...status, phase };
  if (phaseMessage === '') delete withPhase.message;
  else withPhase.message = phaseMessage;
  const events = create ? [{ type: 'Warning' as const, reason: REASONS.failedReplicaSetCreate, message }] : [];
  return { actions: [], status: withPhase, events };
}
