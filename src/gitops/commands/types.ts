import type { CommandName } from '../../policies/types.js';

/** One command found in a comment. */
export interface ParsedCommand {
  name: CommandName;
  /** The rollout it is for, `name` or `namespace/name`; absent: every rollout of the pull request. */
  target?: string;
  /** `/promote --full`: skip the remaining steps, analyses and pauses. */
  full: boolean;
  /** 1-based line of the comment. */
  line: number;
  /** The line as written (without its line break). */
  text: string;
}

/**
 * A line that looks like a command but is not one the bot obeys: an unknown verb (with the
 * nearest command when one is close), or a known verb used wrongly (with that verb).
 */
export interface UnknownCommand {
  line: number;
  text: string;
  suggestion?: CommandName;
}

export interface ParsedComment {
  /** The commands to run, in order: at most MAX_COMMANDS_PER_COMMENT. */
  commands: ParsedCommand[];
  unknown: UnknownCommand[];
  /** Commands after the first MAX_COMMANDS_PER_COMMENT: not run, refused in one reply (absent when there are none). */
  beyondLimit?: ParsedCommand[];
}

/** How a command is written and what it does, for the parser and the help. */
export interface CommandSyntax {
  /** Takes a rollout name. */
  target: boolean;
  /** Takes `--full`. */
  full: boolean;
  usage: string;
  description: string;
}
