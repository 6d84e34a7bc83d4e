import { escapeText, inlineCode } from './markdown.js';
import { rolloutCheckName } from './rollout-check-name.js';
import { rolloutFacts, type RolloutFacts } from './rollout-facts.js';
import { rolloutTitle, stateIcons } from './rollout-headline.js';
import { callout } from './rollout-sections.js';
import { fitComment } from './fit-output.js';
import type { Notice, NoticeKind, RolloutReportInput } from './types.js';

/*
 * A new comment only for what a person must see (the sticky comment is edited silently and
 * notifies nobody). The key names the event — rollout, pod template hash, kind, step — and
 * rides in a hidden marker at the start of the body, so after a restart the shell finds the
 * notices it already posted by reading the pull request's comments, not its own memory.
 */

const noticeMarkerPattern = /^<!-- gradual:notice ([^\s>]+) -->/u;

export function noticeMarker(key: string): string {
  return `<!-- gradual:notice ${key} -->`;
}

/** The key of a notice comment, or undefined for any other comment. */
export function parseNoticeKey(body: string): string | undefined {
  return noticeMarkerPattern.exec(body)?.[1];
}

function kindOf(facts: RolloutFacts): NoticeKind | undefined {
  switch (facts.state) {
    // A rollout paused by hand was paused by a person, who knows.
    case 'paused':
      return facts.manualPause ? undefined : 'paused';
    case 'inconclusive':
      return 'inconclusive';
    case 'aborted':
      return 'aborted';
    case 'healthy':
      return 'completed';
    case 'progressing':
    case 'degraded':
      return undefined;
  }
}

function heading(facts: RolloutFacts, kind: NoticeKind): string {
  const rollout = inlineCode(facts.id);
  switch (kind) {
    case 'paused':
      return `${rollout} is waiting for promotion`;
    case 'inconclusive':
      return `${rollout} is paused: the analysis was inconclusive`;
    case 'aborted':
      return `${rollout} was aborted`;
    case 'completed':
      return `${rollout} completed`;
  }
}

export function noticeFor(input: RolloutReportInput): Notice | undefined {
  const facts = rolloutFacts(input);
  const kind = kindOf(facts);
  if (kind === undefined) return undefined;
  const step = kind === 'completed' ? facts.steps.length : facts.stepIndex;
  const key = `${facts.id}@${facts.podHash ?? 'unknown'}:${kind}:${String(step)}`;
  const revision = facts.current === undefined ? 'The new revision' : `Revision ${String(facts.current.revision)}`;
  const lines = [
    noticeMarker(key),
    `### ${stateIcons[facts.state]} ${heading(facts, kind)}`,
    '',
    `${escapeText(rolloutTitle(facts, input.now))} · PR #${String(input.pullRequest.number)} at ${inlineCode(input.pullRequest.headSha.slice(0, 7))}`,
  ];
  const advice = callout(facts);
  if (advice !== undefined) lines.push('', advice);
  if (kind === 'completed')
    lines.push(
      '',
      `${revision} is fully promoted and healthy; the check ${inlineCode(rolloutCheckName(facts.namespace, facts.name))} passed.`,
    );
  return { key, body: fitComment(`${lines.join('\n')}\n`) };
}
