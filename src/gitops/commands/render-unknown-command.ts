import { fitComment } from '../report/index.js';
import { commandSyntax } from './command-syntax.js';
import { quoteLine } from './quote-line.js';
import type { UnknownCommand } from './types.js';

/** The reply to a line that looks like a command but is not one the bot obeys. */
export function renderUnknownCommand(unknown: UnknownCommand): string {
  const hint = unknown.suggestion === undefined ? '' : ` Did you mean \`${commandSyntax[unknown.suggestion].usage}\`?`;
  return fitComment(`${quoteLine(unknown.text)}\n\nNot a command Gradual knows.${hint} Comment \`/help\` for the list.\n`);
}
