// The report area's surface: pure rendering of the rollout check runs, the sticky comment and
// the notices, cut to GitHub's limits. The Probot handlers do the I/O.
export { renderRolloutCheck } from './render-rollout-check.js';
export { rolloutCheckName, parseRolloutCheckName, rolloutCheckPrefix } from './rollout-check-name.js';
export { rolloutCheckState } from './rollout-check-state.js';
export { checkActionIdentifiers, type CheckActionIdentifier } from './check-actions.js';
export { renderStickyComment, STICKY_MARKER, isStickyComment } from './sticky-comment.js';
export { noticeFor, noticeMarker, parseNoticeKey } from './notice.js';
export { fitCheckOutput, fitComment, cutMarkdown, checkOutputLimit, commentLimit } from './fit-output.js';
export { rolloutSummaryLine } from './rollout-summary-line.js';
export { escapeText, inlineCode } from './markdown.js';
export type * from './types.js';
