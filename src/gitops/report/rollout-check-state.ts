import { rolloutFacts } from './rollout-facts.js';
import type { RolloutCheckState, RolloutReportInput } from './types.js';

/** Where the rollout stands, as the check run's status and conclusion follow from it (see RolloutCheckState). */
export function rolloutCheckState(input: RolloutReportInput): RolloutCheckState {
  return rolloutFacts(input).state;
}
