import { rolloutFacts } from './rollout-facts.js';
import { rolloutTitle } from './rollout-headline.js';
import type { RolloutCheckState, RolloutReportInput } from './types.js';

/** One rollout in a line (its id, state and title), for replies that list several rollouts. */
export function rolloutSummaryLine(input: RolloutReportInput): { id: string; state: RolloutCheckState; title: string } {
  const facts = rolloutFacts(input);
  return { id: facts.id, state: facts.state, title: rolloutTitle(facts, input.now) };
}
