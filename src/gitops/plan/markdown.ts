import { codeCell } from '../report/markdown.js';

/** GitHub's limit for a check run's summary and text. */
export const checkOutputLimit = 65_535;

/**
 * A code span that survives a table cell: a fence longer than any run of backticks inside, a
 * pipe escaped, a newline flattened (a fixed double fence let a value holding two backticks
 * end the span early).
 */
export function code(text: string): string {
  return codeCell(text.replace(/\r?\n/g, ' '));
}

/** Plain text in a table cell. */
export function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

/**
 * Lines joined and cut to `limit` characters at a line boundary, ending with
 * a note that says how many lines were left out, so a cut table stays a table
 * and a reader knows it was cut.
 */
export function joinWithinLimit(lines: readonly string[], limit = checkOutputLimit): string {
  const whole = lines.join('\n');
  if (whole.length <= limit) return whole;
  const kept: string[] = [];
  let length = 0;
  for (const [index, line] of lines.entries()) {
    const note = cutNote(lines.length - index);
    // +1 for the newline before the line, +2 for the blank line before the note.
    if (length + (kept.length === 0 ? 0 : 1) + line.length + 2 + note.length > limit) {
      return [...kept, '', note].join('\n').slice(0, limit);
    }
    length += (kept.length === 0 ? 0 : 1) + line.length;
    kept.push(line);
  }
  return kept.join('\n');
}

function cutNote(left: number): string {
  return `_Cut to GitHub's limit of ${checkOutputLimit.toLocaleString('en-US')} characters: ${left.toLocaleString('en-US')} more line${left === 1 ? '' : 's'} not shown._`;
}
