import { commandNames } from '../../policies/types.js';
import { fitComment } from '../report/index.js';
import { commandSyntax } from './command-syntax.js';

/** The reply to `/help`. */
export function renderHelp(): string {
  const rows = commandNames.map((name) => `| \`${commandSyntax[name].usage}\` | ${commandSyntax[name].description} |`);
  return fitComment(
    [
      '### Gradual commands',
      '',
      'Comment one command per line, at the start of the line. `name` is a rollout of this pull request (`name` or `namespace/name`); without it the command applies to every rollout. The buttons on a rollout check do the same as the commands, with the same permissions.',
      '',
      '| Command | What it does |',
      '| --- | --- |',
      ...rows,
      '',
    ].join('\n'),
  );
}
