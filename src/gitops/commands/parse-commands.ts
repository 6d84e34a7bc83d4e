import { commandNames, type CommandName } from '../../policies/types.js';
import { commandSyntax } from './command-syntax.js';
import { suggestCommand } from './suggest-command.js';
import type { ParsedComment, ParsedCommand } from './types.js';

/*
 * Prow's habit: one command per line, at the start of the line (leading spaces allowed). Lines
 * inside code fences, `>` quotes and HTML comments are text about commands, not commands — a
 * reply that quotes `/abort` must not abort anything.
 */

const fencePattern = /^ {0,3}(`{3,}|~{3,})(.*)$/u;
const commandPattern = /^\s*\/([A-Za-z][\w-]*)(?:\s+(.*))?$/u;
/** `name` or `namespace/name`: a DNS label, then a DNS subdomain. */
const targetPattern = /^(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?\/)?[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?$/u;

interface Fence {
  character: string;
  length: number;
}

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
  let fence: Fence | undefined;
  let inHtmlComment = false;
  body.split(/\r\n|\r|\n/u).forEach((text, index) => {
    const line = index + 1;
    if (fence !== undefined) {
      const closing = fencePattern.exec(text);
      const marker = closing?.[1] ?? '';
      if (marker.startsWith(fence.character) && marker.length >= fence.length && (closing?.[2] ?? '').trim() === '') fence = undefined;
      return;
    }
    if (inHtmlComment) {
      if (text.includes('-->')) inHtmlComment = false;
      return;
    }
    const opening = fencePattern.exec(text);
    if (opening !== null) {
      const marker = opening[1] ?? '';
      // A backtick fence's info string cannot hold a backtick (CommonMark): such a line is inline code.
      if (!(marker.startsWith('`') && (opening[2] ?? '').includes('`'))) {
        fence = { character: marker[0] ?? '`', length: marker.length };
        return;
      }
    }
    if (text.lastIndexOf('<!--') > text.lastIndexOf('-->')) {
      inHtmlComment = true;
      return;
    }
    if (/^\s*>/u.test(text)) return;
    const result = parseLine(text, line);
    if (result === undefined) return;
    if ('command' in result) parsed.commands.push(result.command);
    else parsed.unknown.push({ line, text, ...result.unknown });
  });
  return parsed;
}
