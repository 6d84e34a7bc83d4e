import { commandNames, type CommandName } from '../../policies/types.js';
import { textLines } from './command-lines.js';
import { commandSyntax } from './command-syntax.js';
import { suggestCommand } from './suggest-command.js';
import type { ParsedComment, ParsedCommand } from './types.js';

/*
 * Prow's habit: one command per line, at the start of the line (leading spaces allowed), on a
 * line GitHub shows as text (textLines: not in code, `<pre>`, HTML comments or quotes). At most
 * MAX_COMMANDS_PER_COMMENT run from one comment; the ones after are returned apart, to be
 * refused in one reply.
 */

/** Commands run from one comment; a comment holding more is almost surely pasted or hostile. */
export const MAX_COMMANDS_PER_COMMENT = 10;

const commandPattern = /^\s*\/([A-Za-z][\w-]*)(?:\s+(.*))?$/u;
/** `name` or `namespace/name`: a DNS label, then a DNS subdomain. */
const targetPattern = /^(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?\/)?[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?$/u;

function isCommandName(word: string): word is CommandName {
  return (commandNames as readonly string[]).includes(word);
}

/** The command of one line, or why it is not one: undefined when the line is not meant as a command at all. */
function parseLine(text: string, line: number): { command: ParsedCommand } | { unknown: { suggestion?: CommandName } } | undefined {
  const match = commandPattern.exec(text);
  if (match === null) return undefined;
  const verb = (match[1] ?? '').toLowerCase();
  const words = (match[2] ?? '').split(/\s+/u).filter((word) => word !== '');
  if (!isCommandName(verb)) {
    const suggestion = suggestCommand(verb);
    return { unknown: suggestion === undefined ? {} : { suggestion } };
  }
  const syntax = commandSyntax[verb];
  const flags = words.filter((word) => word.startsWith('-'));
  const targets = words.filter((word) => !word.startsWith('-'));
  const flagsFit = flags.every((flag) => syntax.full && flag.toLowerCase() === '--full');
  const targetsFit = targets.length === 0 || (syntax.target && targets.length === 1 && targetPattern.test(targets[0] ?? ''));
  if (!flagsFit || !targetsFit) return { unknown: { suggestion: verb } };
  const command: ParsedCommand = { name: verb, full: flags.length > 0, line, text };
  if (targets[0] !== undefined) command.target = targets[0];
  return { command };
}

export function parseCommands(body: string): ParsedComment {
  const parsed: ParsedComment = { commands: [], unknown: [] };
  const beyondLimit: ParsedCommand[] = [];
  for (const { line, text } of textLines(body)) {
    const result = parseLine(text, line);
    if (result === undefined) continue;
    if (!('command' in result)) parsed.unknown.push({ line, text, ...result.unknown });
    else if (parsed.commands.length < MAX_COMMANDS_PER_COMMENT) parsed.commands.push(result.command);
    else beyondLimit.push(result.command);
  }
  if (beyondLimit.length > 0) parsed.beyondLimit = beyondLimit;
  return parsed;
}
