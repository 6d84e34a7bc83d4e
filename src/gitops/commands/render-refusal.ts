import { fitComment } from '../report/index.js';
import { quoteLine } from './quote-line.js';
import type { ParsedCommand } from './types.js';

/** The reply to a command the bot will not carry out: the command quoted, and why (permission, freeze window, no such rollout, nothing to promote). */
export function renderRefusal(command: ParsedCommand, reason: string): string {
  return fitComment(`${quoteLine(command.text)}\n\nNot done: ${reason}\n`);
}
