import { commandNames } from '../../policies/types.js';
import { fitComment } from '../report/index.js';
import { commandSyntax } from './command-syntax.js';
import { MAX_COMMANDS_PER_COMMENT } from './parse-commands.js';

/** The reply to `/help`. */
export function renderHelp(): string {
  const rows = commandNames.map((name) => `| \`${commandSyntax[name].usage}\` | ${commandSyntax[name].description} |`);
  return fitComment(
    [
      '### Gradual commands',
      '',
      'Comment one command per line, at the start of the line. `name` is a rollout of this pull request (`name` or `namespace/name`); without it the command applies to every rollout. The buttons on a rollout check do the same as the commands, with the same permissions.',
      '',
      `Lines in code blocks, inline code, \`<pre>\`, HTML comments or \`>\` quotes are not commands. At most ${String(MAX_COMMANDS_PER_COMMENT)} commands run from one comment; the ones after are not run, and a reply says which.`,
      '',
      '| Command | What it does |',
      '| --- | --- |',
      ...rows,
      '',
    ].join('\n'),
  );
}
