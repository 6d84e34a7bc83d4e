import { escapeText, fitComment, rolloutSummaryLine, type RolloutReportInput } from '../report/index.js';

const stateWords = {
  progressing: '◌ progressing',
  paused: '॥ waiting for a person',
  inconclusive: '? inconclusive, waiting for a person',
  aborted: '✖ aborted',
  healthy: '✔ healthy',
  degraded: '⚠ degraded',
} as const;

/** The reply to `/status`: one row per rollout of the pull request. */
export function renderStatusReply(rollouts: RolloutReportInput[]): string {
  if (rollouts.length === 0) return 'No rollout of this pull request is deployed yet.\n';
  const rows = rollouts.map((rollout) => {
    const line = rolloutSummaryLine(rollout);
    return `| \`${line.id}\` | ${stateWords[line.state]} | ${escapeText(line.title)} |`;
  });
  return fitComment(['| Rollout | State | Where it stands |', '| --- | --- | --- |', ...rows, ''].join('\n'));
}
