import { fitComment } from './fit-output.js';
import { escapeText, inlineCode, table } from './markdown.js';
import { rolloutFacts } from './rollout-facts.js';
import { rolloutTitle, stateIcons } from './rollout-headline.js';
import { callout } from './rollout-sections.js';
import type { LockReport, PlanReport, StickyCommentInput } from './types.js';

/*
 * The one comment the bot keeps on a pull request, edited in place. It carries no relative
 * time ("3 minutes ago"), so rendering it again from the same state gives the same text and
 * the shell can skip an edit that changes nothing.
 */

/** The hidden marker the sticky comment starts with; the shell finds the comment by it. */
export const STICKY_MARKER = '<!-- gradual:sticky -->';

export function isStickyComment(body: string): boolean {
  return body.startsWith(STICKY_MARKER);
}

function planLine(plan: PlanReport): string {
  const counts = `${String(plan.created)} created · ${String(plan.changed)} changed · ${String(plan.unchanged)} unchanged · ${String(plan.errors)} ${plan.errors === 1 ? 'error' : 'errors'}`;
  return `**Plan:** ${counts}${plan.checkUrl === undefined ? '' : ` — [details](${plan.checkUrl})`}`;
}

function lockLine(lock: LockReport, pullRequest: number): string {
  const environment = inlineCode(lock.environment);
  if (lock.heldBy === undefined) return `**Lock:** environment ${environment} is free.`;
  if (lock.heldBy === pullRequest) return `**Lock:** this pull request holds environment ${environment}.`;
  return `**Lock:** environment ${environment} is held by #${String(lock.heldBy)}; this pull request deploys when it is released.`;
}

export function renderStickyComment(input: StickyCommentInput): string {
  const { pullRequest } = input;
  const parts = [`${STICKY_MARKER}\n### Gradual · PR #${String(pullRequest.number)} at ${inlineCode(pullRequest.headSha.slice(0, 7))}`];
  const facts = input.rollouts.map((rollout) => ({ facts: rolloutFacts(rollout), now: rollout.now }));
  const header: string[] = [];
  if (input.plan !== undefined) header.push(planLine(input.plan));
  if (input.lock !== undefined) header.push(lockLine(input.lock, pullRequest.number));
  if (header.length > 0) parts.push(header.join('\\\n'));
  if (facts.length === 0) parts.push('No rollout deployed yet.');
  else {
    const rows = facts.map(({ facts: rollout, now }) => [
      inlineCode(rollout.id),
      `${stateIcons[rollout.state]} ${rollout.state}`,
      escapeText(rolloutTitle(rollout, now)),
    ]);
    parts.push(table(['Rollout', 'State', 'Where it stands'], rows));
    const callouts = facts.map(({ facts: rollout }) => callout(rollout)).filter((text): text is string => text !== undefined);
    parts.push(...callouts);
  }
  parts.push(
    `Commands: ${inlineCode('/promote [name] [--full]')} · ${inlineCode('/abort [name]')} · ${inlineCode('/retry [name]')} · ${inlineCode('/status')} · ${inlineCode('/help')} for all.`,
  );
  return fitComment(`${parts.join('\n\n')}\n`);
}
