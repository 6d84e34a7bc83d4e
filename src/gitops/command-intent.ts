import { z } from 'zod';
import type { RolloutObject } from '../rollout-view/types.js';
import { actionRefusal, type RolloutAction } from './rollout-actions.js';

/**
 * A person's command (a comment's `/promote`, a check-run button) is recorded
 * on the Rollout it moves BEFORE it moves it, with what the bot saw then
 * ("promote from step 3 of revision abc"): an annotation written with the
 * resourceVersion it was decided on. The effect is then sent with the
 * resourceVersion of that write, so it lands only on the state the record
 * describes. A replay of the same command (a redelivery, a restart between the
 * effect and the 🚀, the reconcile after a lost webhook) finds its record and
 * sees whether the effect happened: it never acts twice and, since it acts
 * only from the recorded state, never skips a step.
 */
export const commandsAnnotation = 'gradual.dev/commands';

/** How many records a Rollout keeps (the newest): far more than the commands one revision takes. */
export const recordsKept = 20;

/** What the Rollout looked like when the command was recorded. */
const seenSchema = z.object({
  /** status.currentPodHash: the revision. */
  podHash: z.string(),
  /** status.currentStepIndex (0 without steps). */
  step: z.number().int().nonnegative(),
  /** A pause was holding it (a pause condition, controllerPause or spec.paused). */
  paused: z.boolean(),
  aborted: z.boolean(),
});

const recordSchema = z.object({
  /** `comment:<id>#<n>` for the n-th command of a comment, `button:<delivery id>` for a check-run button. */
  id: z.string().min(1).max(200),
  action: z.enum(['promote', 'promote-full', 'abort', 'retry', 'pause', 'resume']),
  from: seenSchema,
  /** When it was recorded (ISO); for people reading the annotation. */
  at: z.string(),
});

export type CommandRecord = z.infer<typeof recordSchema>;
export type SeenState = z.infer<typeof seenSchema>;

/** The records on a Rollout; a hand-edited or foreign value reads as none (it grants nothing: at worst a command acts once more from what is live). */
export function readCommandRecords(rollout: RolloutObject): CommandRecord[] {
  const raw = rollout.metadata.annotations?.[commandsAnnotation];
  if (raw === undefined) return [];
  try {
    const parsed = z.array(recordSchema).safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

export function actionName(action: RolloutAction): CommandRecord['action'] {
  return action.kind === 'promote' ? (action.full ? 'promote-full' : 'promote') : action.kind;
}

/** Pure: what the bot sees of a Rollout, for the record. */
export function seenState(rollout: RolloutObject): SeenState {
  const status = rollout.status;
  const paused = (status?.pauseConditions ?? []).length > 0 || status?.controllerPause === true || rollout.spec?.paused === true;
  return { podHash: status?.currentPodHash ?? '', step: status?.currentStepIndex ?? 0, paused, aborted: status?.abort === true };
}

/** Pure: whether the recorded command's effect is visible on the Rollout now (its revision unchanged). */
export function effectSeen(record: CommandRecord, rollout: RolloutObject): boolean {
  const now = seenState(rollout);
  const status = rollout.status;
  switch (record.action) {
    case 'promote':
      // Moved past the recorded step, or the pause it was recorded at is lifted.
      return now.step > record.from.step || (record.from.paused && !now.paused) || fullyPromoted(rollout);
    case 'promote-full':
      return status?.promoteFull === true || fullyPromoted(rollout);
    case 'abort':
      return now.aborted;
    case 'retry':
      return !now.aborted;
    case 'pause':
      return rollout.spec?.paused === true;
    case 'resume':
      return rollout.spec?.paused !== true;
  }
}

function fullyPromoted(rollout: RolloutObject): boolean {
  const status = rollout.status;
  return status?.currentPodHash !== undefined && status.currentPodHash === status.stableRS;
}

/**
 * What to do with a command on a Rollout as read now:
 * - `record`: new; write the record (from what is seen now), then act;
 * - `act`: recorded, its effect not seen and the Rollout still where the record saw it: act (the bot
 *   stopped between record and effect);
 * - `done`: recorded and its effect seen: nothing (a replay);
 * - `superseded`: recorded, but the Rollout has moved on otherwise (a new revision, another step): nothing,
 *   since acting now would act on a state the person never saw and could skip a step;
 * - `refused`: new, and the action does nothing on this state (the reason for the reply).
 */
export type CommandDecision =
  | { kind: 'record'; record: CommandRecord }
  | { kind: 'act'; record: CommandRecord }
  | { kind: 'done' }
  | { kind: 'superseded'; reason: string }
  | { kind: 'refused'; reason: string };

export function decideCommand(rollout: RolloutObject, action: RolloutAction, id: string, now: Date): CommandDecision {
  const recorded = readCommandRecords(rollout).find((record) => record.id === id);
  if (recorded !== undefined) {
    const seen = seenState(rollout);
    if (seen.podHash !== recorded.from.podHash)
      return { kind: 'superseded', reason: `revision ${recorded.from.podHash} it was given for is no longer current (${seen.podHash})` };
    if (effectSeen(recorded, rollout)) return { kind: 'done' };
    if (seen.step !== recorded.from.step)
      return {
        kind: 'superseded',
        reason: `it was given at step ${String(recorded.from.step)}; the Rollout is at step ${String(seen.step)}`,
      };
    return { kind: 'act', record: recorded };
  }
  const refusal = actionRefusal(rollout, action);
  if (refusal !== undefined) return { kind: 'refused', reason: refusal };
  return { kind: 'record', record: { id, action: actionName(action), from: seenState(rollout), at: now.toISOString() } };
}

/** Pure: the annotation value with `record` added (the newest `recordsKept`). */
export function withRecord(rollout: RolloutObject, record: CommandRecord): string {
  const kept = readCommandRecords(rollout).filter((existing) => existing.id !== record.id);
  return JSON.stringify([...kept, record].slice(-recordsKept));
}
