import type { CheckRunOutput } from '../types.js';
import { checkActions } from './check-actions.js';
import { fitCheckOutput } from './fit-output.js';
import { rolloutCheckName } from './rollout-check-name.js';
import { rolloutFacts } from './rollout-facts.js';
import { rolloutTitle } from './rollout-headline.js';
import {
  analysisSection,
  callout,
  experimentSection,
  identityLine,
  replicasSection,
  stepsSection,
  timelineSection,
  trafficSection,
} from './rollout-sections.js';
import type { RolloutCheckState, RolloutReportInput } from './types.js';

/**
 * The contract: in progress while the rollout moves by itself; completed and waiting
 * for a person while paused for one; success only when the new revision is fully promoted
 * and Healthy; failure on abort (or when the rollout is Degraded).
 */
const verdicts: Record<RolloutCheckState, Pick<CheckRunOutput, 'status' | 'conclusion'>> = {
  progressing: { status: 'in_progress' },
  paused: { status: 'completed', conclusion: 'action_required' },
  inconclusive: { status: 'completed', conclusion: 'action_required' },
  aborted: { status: 'completed', conclusion: 'failure' },
  degraded: { status: 'completed', conclusion: 'failure' },
  healthy: { status: 'completed', conclusion: 'success' },
};

export function renderRolloutCheck(input: RolloutReportInput): CheckRunOutput {
  const facts = rolloutFacts(input);
  const sections = [
    identityLine(facts, input.pullRequest),
    callout(facts),
    stepsSection(facts, input.now),
    trafficSection(facts, input.rollout),
    experimentSection(facts, input.now),
    replicasSection(facts, input.rollout, input.replicaSets),
    analysisSection(facts),
    timelineSection(input.timeline, input.now),
  ].filter((section): section is string => section !== undefined);
  const actions = checkActions(facts);
  return fitCheckOutput({
    name: rolloutCheckName(facts.namespace, facts.name),
    ...verdicts[facts.state],
    title: rolloutTitle(facts, input.now),
    summary: `${sections.join('\n\n')}\n`,
    ...(actions.length === 0 ? {} : { actions }),
  });
}
