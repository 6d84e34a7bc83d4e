// The commands area's surface: the comment command parser and the replies' markdown. The
// Probot handlers check permissions and carry the commands out.
export { MAX_COMMANDS_PER_COMMENT, parseCommands } from './parse-commands.js';
export { renderBeyondLimit } from './render-beyond-limit.js';
export { suggestCommand } from './suggest-command.js';
export { commandSyntax } from './command-syntax.js';
export { renderHelp } from './render-help.js';
export { renderRefusal } from './render-refusal.js';
export { renderUnknownCommand } from './render-unknown-command.js';
export { renderStatusReply } from './render-status-reply.js';
export type * from './types.js';
