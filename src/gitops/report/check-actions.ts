import type { CheckAction } from '../types.js';
import type { RolloutFacts } from './rollout-facts.js';

/*
 * The check run's buttons. GitHub allows three, with a label of at most 20 characters, a
 * description of at most 40 and an identifier of at most 20; the identifiers are the command
 * names, and the check's name says which rollout a click is for.
 */

export const checkActionIdentifiers = ['promote', 'abort', 'retry'] as const;
export type CheckActionIdentifier = (typeof checkActionIdentifiers)[number];

function promote(facts: RolloutFacts): CheckAction {
  if (facts.strategy === 'blueGreen')
    return { label: 'Promote', description: 'Switch the active Service to preview', identifier: 'promote' };
  return { label: 'Promote', description: 'Go on to the next step', identifier: 'promote' };
}

const abort: CheckAction = { label: 'Abort', description: 'Send all traffic back to stable', identifier: 'abort' };
const retry: CheckAction = { label: 'Retry', description: 'Start the aborted rollout again', identifier: 'retry' };

export function checkActions(facts: RolloutFacts): CheckAction[] {
  switch (facts.state) {
    case 'progressing':
    case 'degraded':
      return [abort];
    case 'paused':
    case 'inconclusive':
      return [promote(facts), abort];
    case 'aborted':
      return [retry];
    case 'healthy':
      return [];
  }
}
