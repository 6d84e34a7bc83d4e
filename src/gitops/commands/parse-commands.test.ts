import { describe, expect, it } from 'vitest';
import { commandNames } from '../../policies/types.js';
import { parseCommands } from './parse-commands.js';
import { renderHelp } from './render-help.js';
import { renderRefusal } from './render-refusal.js';
import { renderUnknownCommand } from './render-unknown-command.js';
import { suggestCommand } from './suggest-command.js';

/** The commands of a body as `name target full@line`, for compact tables. */
function found(body: string): string[] {
  return parseCommands(body).commands.map((command) => `${command.name}${command.target === undefined ? '' : ` ${command.target}`}${command.full ? ' --full' : ''}@${String(command.line)}`);
}

describe('parseCommands: what is a command', () => {
  it.each([
    ['/promote', ['promote@1']],
    ['/promote web', ['promote web@1']],
    ['/promote prod/web', ['promote prod/web@1']],
    ['/promote --full', ['promote --full@1']],
    ['/promote --full prod/web', ['promote prod/web --full@1']],
    ['/promote prod/web --full', ['promote prod/web --full@1']],
    ['/PROMOTE Web', []],
    ['/Promote web', ['promote web@1']],
    ['   /abort web   ', ['abort web@1']],
    ['\t/retry', ['retry@1']],
    ['/pause api.v2', ['pause api.v2@1']],
    ['/resume', ['resume@1']],
    ['/status', ['status@1']],
    ['/deploy', ['deploy@1']],
    ['/unlock', ['unlock@1']],
    ['/help', ['help@1']],
    ['LGTM\n/promote web\nthanks', ['promote web@2']],
    ['/promote web\r\n/abort api\r\n/status', ['promote web@1', 'abort api@2', 'status@3']],
    ['/promote web\r/abort api', ['promote web@1', 'abort api@2']],
    ['please /promote web', []],
    ['/usr/local/bin/gradual is the path', []],
    ['> /promote web', []],
    ['  > /abort', []],
    ['>> /abort', []],
    ['```\n/promote web\n```\n/abort', ['abort@4']],
    ['~~~sh\n/promote web\n~~~\n/abort', ['abort@4']],
    ['````\n```\n/promote web\n```\n````\n/abort', ['abort@6']],
    ['```\n/promote web\n~~~\n/abort', []],
    ['``` not a fence ` here\n/abort', ['abort@2']],
    ['```\nnever closed\n/promote web', []],
    ['<!-- template\n/promote web\n-->\n/abort', ['abort@4']],
    ['<!-- one line --> \n/abort', ['abort@2']],
  ])('%j → %j', (body, expected) => {
    expect(found(body)).toEqual(expected);
  });

  it('keeps the raw line and its number', () => {
    expect(parseCommands('hello\r\n  /promote  prod/web   --full\r\n').commands).toEqual([{ name: 'promote', target: 'prod/web', full: true, line: 2, text: '  /promote  prod/web   --full' }]);
  });
});

describe('parseCommands: what is not quite a command', () => {
  it.each([
    ['/promte web', 'promote'],
    ['/prmoote', 'promote'],
    ['/abrot', 'abort'],
    ['/stauts', 'status'],
    ['/unlcok', 'unlock'],
    ['/hlep', 'help'],
    ['/hop', undefined],
    ['/halp', 'help'],
    ['/prom', 'promote'],
    ['/cc @someone', undefined],
    ['/approve', undefined],
    ['/status web', 'status'],
    ['/abort --full', 'abort'],
    ['/promote --force', 'promote'],
    ['/promote web api', 'promote'],
    ['/promote Web', 'promote'],
    ['/promote web.', 'promote'],
    ['/promote prod/web/extra', 'promote'],
  ])('%j → suggestion %s', (body, suggestion) => {
    const parsed = parseCommands(body);
    expect(parsed.commands).toEqual([]);
    expect(parsed.unknown).toEqual([{ line: 1, text: body, ...(suggestion === undefined ? {} : { suggestion }) }]);
  });

  it('reports unknown lines beside the commands, each with its line', () => {
    const parsed = parseCommands('/promte web\n/abort api\n/stauts');
    expect(parsed.commands.map((command) => command.name)).toEqual(['abort']);
    expect(parsed.unknown.map((unknown) => [unknown.line, unknown.suggestion])).toEqual([
      [1, 'promote'],
      [3, 'status'],
    ]);
  });
});

describe('suggestCommand', () => {
  it('suggests every command for itself', () => {
    for (const name of commandNames) expect(suggestCommand(name)).toBe(name);
  });

  it('suggests nothing for a word far from every command', () => {
    expect(suggestCommand('lgtm')).toBeUndefined();
    expect(suggestCommand('assign')).toBeUndefined();
  });
});

describe('replies', () => {
  it('lists every command in the help, and the help holds no command', () => {
    const help = renderHelp();
    for (const name of commandNames) expect(help).toContain(`\`/${name}`);
    expect(parseCommands(help)).toEqual({ commands: [], unknown: [] });
    expect(help).toMatchInlineSnapshot(`
      "### Gradual commands

      Comment one command per line, at the start of the line. \`name\` is a rollout of this pull request (\`name\` or \`namespace/name\`); without it the command applies to every rollout. The buttons on a rollout check do the same as the commands, with the same permissions.

      | Command | What it does |
      | --- | --- |
      | \`/promote [name] [--full]\` | go on past the current pause or inconclusive analysis; \`--full\` skips every remaining step |
      | \`/abort [name]\` | stop the rollout and send all traffic back to the stable version |
      | \`/retry [name]\` | start an aborted rollout again from its first step |
      | \`/pause [name]\` | hold the rollout where it is |
      | \`/resume [name]\` | let a rollout paused with \`/pause\` go on |
      | \`/status\` | reply with where every rollout of this pull request stands |
      | \`/deploy\` | deploy this pull request (when the policy deploys on command) |
      | \`/unlock\` | release the environment's lock held by this pull request |
      | \`/help\` | reply with this list |
      "
    `);
  });

  it('quotes the refused command so the refusal is not itself a command', () => {
    const [command] = parseCommands('/promote web --full').commands;
    if (command === undefined) throw new Error('no command parsed');
    const reply = renderRefusal(command, 'promoting needs write permission; @octocat has read.');
    expect(reply).toMatchInlineSnapshot(`
      "> \`/promote web --full\`

      Not done: promoting needs write permission; @octocat has read.
      "
    `);
    expect(parseCommands(reply)).toEqual({ commands: [], unknown: [] });
  });

  it('quotes a line with backticks whole', () => {
    const [command] = parseCommands('/abort `web`').commands;
    expect(command).toBeUndefined();
    expect(renderUnknownCommand({ line: 1, text: '/promte `web`', suggestion: 'promote' })).toMatchInlineSnapshot(`
      "> \`\` /promte \`web\` \`\`

      Not a command Gradual knows. Did you mean \`/promote [name] [--full]\`? Comment \`/help\` for the list.
      "
    `);
  });
});
