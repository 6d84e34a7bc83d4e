import { icons } from '../../rollout-view/icons.js';
import { formatTime } from './markdown.js';
import type { MetricVerdict, RolloutFacts } from './rollout-facts.js';
import type { RolloutCheckState } from './types.js';

/*
 * The one line that says where a rollout stands: the check run's title, the sticky comment's
 * row and the status reply all use it, so a person reads the same words everywhere.
 */

const titleLimit = 160;

export const stateIcons: Record<RolloutCheckState, string> = {
  progressing: icons.progressing,
  paused: icons.paused,
  inconclusive: icons.unknown,
  aborted: icons.bad,
  healthy: icons.ok,
  degraded: icons.warning,
};

/** The condition a metric is judged by, in words: `needs …` for success, `fails when …` for failure. */
export function conditionText(verdict: MetricVerdict): string {
  const parts: string[] = [];
  if (verdict.successCondition !== undefined) parts.push(`needs ${verdict.successCondition}`);
  if (verdict.failureCondition !== undefined) parts.push(`fails when ${verdict.failureCondition}`);
  return parts.join(', ');
}

export function verdictLine(verdict: MetricVerdict): string {
  const values = verdict.values.length === 0 ? 'no value' : verdict.values.join(', ');
  const condition = conditionText(verdict);
  return `${verdict.metric} ${verdict.phase.toLowerCase()}: ${values}${condition === '' ? '' : ` (${condition})`}`;
}

function revisionText(facts: RolloutFacts): string {
  return facts.current === undefined ? 'the new revision' : `revision ${String(facts.current.revision)}`;
}

function canaryActivity(facts: RolloutFacts, now: Date): string {
  switch (facts.state) {
    case 'paused':
      return facts.manualPause ? 'paused by hand' : 'paused';
    case 'inconclusive':
      return facts.inconclusive === undefined ? 'inconclusive' : `inconclusive: ${facts.inconclusive.metric}`;
    default:
      break;
  }
  if (facts.pause?.until !== undefined) return `paused until ${formatTime(facts.pause.until, now)}`;
  const step = facts.steps[facts.stepIndex];
  if (step?.analysis !== undefined) return 'analysis running';
  return 'progressing';
}

function canaryTitle(facts: RolloutFacts, now: Date): string {
  const parts: string[] = [];
  const total = facts.steps.length;
  if (total > 0 && facts.stepIndex < total) parts.push(`Step ${String(facts.stepIndex + 1)}/${String(total)}`);
  else if (total > 0) parts.push(`All ${String(total)} steps done`);
  parts.push(canaryActivity(facts, now));
  if (facts.weights !== undefined) parts.push(`canary ${String(facts.weights.canary)}%`);
  return parts.join(' · ');
}

function blueGreenTitle(facts: RolloutFacts, now: Date): string {
  switch (facts.state) {
    case 'paused':
      return facts.manualPause ? 'Paused by hand' : `Preview of ${revisionText(facts)} ready · waiting for promotion`;
    case 'inconclusive':
      return `Inconclusive${facts.inconclusive === undefined ? '' : `: ${facts.inconclusive.metric}`} · waiting for a person`;
    default:
      break;
  }
  if (facts.pause?.until !== undefined)
    return `Preview of ${revisionText(facts)} ready · promotes at ${formatTime(facts.pause.until, now)}`;
  return `Progressing · ${facts.message === '' ? revisionText(facts) : facts.message}`;
}

/** The check run's title: the state first, then what a person needs to know next. */
export function rolloutTitle(facts: RolloutFacts, now: Date): string {
  let title: string;
  if (facts.state === 'aborted')
    title = `Aborted · ${facts.failure === undefined ? facts.message || 'by a person' : verdictLine(facts.failure)}`;
  else if (facts.state === 'degraded') title = `Degraded · ${facts.message}`;
  else if (facts.state === 'healthy') title = `Healthy · ${revisionText(facts)} fully promoted`;
  else title = facts.strategy === 'canary' ? canaryTitle(facts, now) : blueGreenTitle(facts, now);
  return title.length <= titleLimit ? title : `${title.slice(0, titleLimit - 1)}…`;
}
