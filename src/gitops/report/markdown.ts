/*
 * Small markdown helpers shared by the renderers. Text that comes from the cluster (event
 * messages, metric values, image names) is escaped so it cannot break a table or start a
 * link; raw HTML is never produced (the local PR page shows it as text, GitHub strips most
 * of it), except the hidden markers.
 */

/** Escapes the characters that would format text or end a table cell; a line break becomes a space. */
export function escapeText(text: string): string {
  return text.replace(/\r?\n|\r/gu, ' ').replace(/[\\`*_[\]<>|~]/gu, (character) => `\\${character}`);
}

/** An inline code span that holds any text: the fence is longer than any run of backticks inside. */
export function inlineCode(text: string): string {
  const flat = text.replace(/\r?\n|\r/gu, ' ');
  const longest = Math.max(0, ...[...flat.matchAll(/`+/gu)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
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
