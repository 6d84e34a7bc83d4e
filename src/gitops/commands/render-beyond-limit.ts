import { fitComment } from '../report/index.js';
import { MAX_COMMANDS_PER_COMMENT } from './parse-commands.js';
import { quoteLine } from './quote-line.js';
import type { ParsedCommand } from './types.js';

/** Lines quoted back at most: a comment of thousands of commands gets a short reply. */
const QUOTED = 3;

/** The one reply to a comment holding more commands than are run from one comment. */
export function renderBeyondLimit(beyond: readonly ParsedCommand[]): string {
  const quoted = beyond.slice(0, QUOTED).map((command) => `${quoteLine(command.text)} (line ${String(command.line)})`);
  const more = beyond.length > QUOTED ? [`> … and ${String(beyond.length - QUOTED)} more`] : [];
  const count = beyond.length === 1 ? 'this command was' : `these ${String(beyond.length)} commands were`;
  return fitComment(
    [
      ...quoted,
      ...more,
      '',
      `Not done: ${count} not run. Gradual runs at most ${String(MAX_COMMANDS_PER_COMMENT)} commands from one comment (the first ${String(MAX_COMMANDS_PER_COMMENT)} were). Comment the others again if you meant them.`,
      '',
    ].join('\n'),
  );
}
