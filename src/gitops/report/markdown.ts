/*
 * Small markdown helpers shared by the renderers. Text that comes from the cluster (event
 * messages, metric values, image names) is escaped so it cannot break a table or start a
 * link; raw HTML is never produced (the local PR page shows it as text, GitHub strips most
 * of it), except the hidden markers.
 */

/**
 * The most characters of one value a report shows. Values and messages come from metric
 * servers and are up to the provider's response cap (1 MiB): escaped whole they made a
 * report slow to render, only to be cut to GitHub's 65,535 characters after.
 */
export const maxShownLength = 2000;

/** Text cut to maxShownLength, with an ellipsis saying so (never half a surrogate pair). */
export function shorten(text: string, limit = maxShownLength): string {
  if (text.length <= limit) return text;
  const cut = text.slice(0, limit);
  return `${/[\ud800-\udbff]$/u.test(cut) ? cut.slice(0, -1) : cut}…`;
}

/** Escapes the characters that would format text or end a table cell; a line break becomes a space. */
export function escapeText(text: string): string {
  return shorten(text)
    .replace(/\r?\n|\r/gu, ' ')
    .replace(/[\\`*_[\]<>|~]/gu, (character) => `\\${character}`);
}

/** An inline code span that holds any text: the fence is longer than any run of backticks inside. */
export function inlineCode(text: string): string {
  const flat = shorten(text).replace(/\r?\n|\r/gu, ' ');
  const fence = '`'.repeat(longestBacktickRun(flat) + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** The longest run of backticks, counted in one pass: a spread of one entry per run into Math.max overflowed the stack on a value with ~100,000 runs. */
function longestBacktickRun(text: string): number {
  let longest = 0;
  let run = 0;
  for (let index = 0; index < text.length; index += 1) {
    run = text.charCodeAt(index) === 0x60 ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  return longest;
}

/** An inline code span inside a table row: GitHub ends the cell at a bare `|`, even in code. */
export function codeCell(text: string): string {
  return inlineCode(text).replace(/\|/gu, '\\|');
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A UTC time: the clock time on the day of `now`, the date as well otherwise. */
export function formatTime(time: Date, now: Date): string {
  const iso = time.toISOString().replace(/\.\d{3}Z$/u, 'Z');
  return iso.slice(0, 10) === now.toISOString().slice(0, 10) ? iso.slice(11) : iso.replace('T', ' ');
}

export function percent(value: number): string {
  return `${String(value)}%`;
}

/**
 * Text from the cluster or a pull request as escapeText makes it, and an `@name` or `@org/team` in it no longer a
 * mention (a zero-width space after the `@`): an Experiment's message, say, must not notify anyone.
 */
export function escapeUntrusted(text: string): string {
  return escapeText(text).replace(/@(?=[\p{L}\p{N}_-])/gu, '@\u200b');
}
