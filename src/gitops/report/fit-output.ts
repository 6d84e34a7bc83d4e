import type { CheckAction, CheckRunOutput } from '../types.js';

/*
 * GitHub's limits: a check run's summary and text hold at most 65,535 characters each and an
 * issue comment 65,536; a longer one is refused with 422, so the report would be lost. The
 * cut keeps whole lines (a table keeps whole rows), closes a code fence it would leave open
 * (or cuts before the fence when that loses little) and says how much was cut.
 */

export const checkOutputLimit = 65_535;
export const commentLimit = 65_536;
const actionLimits = { count: 3, label: 20, description: 40, identifier: 20 } as const;

const fencePattern = /^ {0,3}(`{3,}|~{3,})(.*)$/u;

interface OpenFence {
  /** Where the fence's opening line starts. */
  start: number;
  marker: string;
}

/** The code fence still open at `end` (a fence whose closing line lies beyond it), if any. */
function openFenceAt(text: string, end: number): OpenFence | undefined {
  let open: OpenFence | undefined;
  let lineStart = 0;
  while (lineStart < end) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 || newline > end ? end : newline;
    const match = fencePattern.exec(text.slice(lineStart, lineEnd).replace(/\r$/u, ''));
    if (match !== null) {
      const marker = match[1] ?? '';
      const rest = match[2] ?? '';
      if (open === undefined) open = { start: lineStart, marker };
      else if (marker[0] === open.marker[0] && marker.length >= open.marker.length && rest.trim() === '') open = undefined;
    }
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  return open;
}

function cutNote(count: number): string {
  return `\n\n… cut: ${count.toLocaleString('en-US')} characters`;
}

/** Never ends between the two halves of a surrogate pair. */
function safeEnd(text: string, end: number): number {
  const code = text.charCodeAt(end - 1);
  return code >= 0xd800 && code <= 0xdbff ? end - 1 : end;
}

/** `text` cut to at most `limit` characters, with a visible note of how many were cut. */
export function cutMarkdown(text: string, limit: number): string {
  if (text.length <= limit) return text;
  // Room for the note (its count has at most as many digits as the text's length) and a closing fence.
  const reserve = cutNote(text.length).length + 1 + 64;
  const budget = Math.max(0, limit - reserve);
  const newline = text.lastIndexOf('\n', budget);
  // A line break far back would lose too much: then a long line is cut where the budget ends.
  let end = newline >= budget / 2 ? newline : safeEnd(text, budget);
  let closing = '';
  const fence = openFenceAt(text, end);
  if (fence !== undefined) {
    if (fence.start >= budget / 2) end = fence.start;
    else closing = `\n${fence.marker.slice(0, 64)}`;
  }
  const kept = text.slice(0, end).trimEnd();
  return `${kept}${closing}${cutNote(text.length - kept.length)}`;
}

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, safeEnd(text, limit - 1))}…`;
}

function fitAction(action: CheckAction): CheckAction {
  return {
    label: clip(action.label, actionLimits.label),
    description: clip(action.description, actionLimits.description),
    identifier: action.identifier.slice(0, actionLimits.identifier),
  };
}

/** A check run output within GitHub's limits: summary and text cut, at most three buttons, their texts clipped. */
export function fitCheckOutput(output: CheckRunOutput): CheckRunOutput {
  const fitted: CheckRunOutput = { ...output, summary: cutMarkdown(output.summary, checkOutputLimit) };
  if (output.text !== undefined) fitted.text = cutMarkdown(output.text, checkOutputLimit);
  if (output.actions !== undefined) fitted.actions = output.actions.slice(0, actionLimits.count).map(fitAction);
  return fitted;
}

/** A comment body within GitHub's limit, with a note when it was cut. */
export function fitComment(body: string): string {
  return cutMarkdown(body, commentLimit);
}
