import { describe, expect, it } from 'vitest';
import { commandNames } from '../../policies/types.js';
import { MAX_COMMANDS_PER_COMMENT, parseCommands } from './parse-commands.js';
import { renderBeyondLimit } from './render-beyond-limit.js';
import { renderHelp } from './render-help.js';
import { renderRefusal } from './render-refusal.js';
import { renderUnknownCommand } from './render-unknown-command.js';
import { suggestCommand } from './suggest-command.js';

/** The commands of a body as `name target full@line`, for compact tables. */
function found(body: string): string[] {
  return parseCommands(body).commands.map(
    (command) =>
      `${command.name}${command.target === undefined ? '' : ` ${command.target}`}${command.full ? ' --full' : ''}@${String(command.line)}`,
  );
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
    // A tab at the start of a line makes an indented code block (CommonMark 4.4): GitHub shows it as code, so it is
    // text about a command (issue 20: commands only outside code). Three spaces are still the start of a line.
    ['\t/retry', []],
    ['   /retry', ['retry@1']],
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
    // Quote continuations: a line after a quote, without `>`, is still in the quote (a lazy continuation line).
    ['> I will\n/abort web\nlater', []],
    ['> quoted\n\n/abort', ['abort@3']],
    ['> a\n> b\n/promote --full', []],
    // Indented code, and indented lines that only continue a paragraph.
    ['    /abort', []],
    ['text\n\n    /abort', []],
    ['text\n    /abort', ['abort@2']],
    // Inline code, even across lines.
    ['`/abort`', []],
    ['see `x\n/abort` here', []],
    ['`one`\n/abort', ['abort@2']],
    // <pre> blocks and inline <pre>, HTML comments inside a paragraph.
    ['<pre>\n/abort\n</pre>\n\n/status', ['status@5']],
    ['text <pre>\n/abort\n</pre>\n/status', ['status@4']],
    ['text <pre>\n/abort', []],
    ['text <!-- hidden\n/abort\n--> shown\n/status', ['status@4']],
    ['<!-- never closed\n/abort', []],
    ['<details>\n\n/status\n\n</details>', ['status@3']],
    // Other blocks around commands.
    ['/promote web\n---', ['promote web@1']],
    ['- a list\n\n/abort', ['abort@3']],
    ['# /abort', []],
    ['| a |\n| - |\n| /abort |', []],
  ])('%j → %j', (body, expected) => {
    expect(found(body)).toEqual(expected);
  });

  it('keeps the raw line and its number', () => {
    expect(parseCommands('hello\r\n  /promote  prod/web   --full\r\n').commands).toEqual([
      { name: 'promote', target: 'prod/web', full: true, line: 2, text: '  /promote  prod/web   --full' },
    ]);
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

describe('parseCommands: at most MAX_COMMANDS_PER_COMMENT from one comment', () => {
  it.each([
    [1, 1, 0],
    [MAX_COMMANDS_PER_COMMENT, MAX_COMMANDS_PER_COMMENT, 0],
    [MAX_COMMANDS_PER_COMMENT + 1, MAX_COMMANDS_PER_COMMENT, 1],
    [6_500, MAX_COMMANDS_PER_COMMENT, 6_500 - MAX_COMMANDS_PER_COMMENT],
  ])('%i commands: %i run, %i refused', (written, run, refused) => {
    const body = Array.from({ length: written }, (_, index) => `/promote web-${String(index)}`).join('\n');
    const parsed = parseCommands(body);
    expect(parsed.commands.map((command) => command.line)).toEqual(Array.from({ length: run }, (_, index) => index + 1));
    expect(parsed.beyondLimit?.length ?? 0).toBe(refused);
    if (refused > 0)
      expect(parsed.beyondLimit?.[0]).toMatchObject({
        line: MAX_COMMANDS_PER_COMMENT + 1,
        target: `web-${String(MAX_COMMANDS_PER_COMMENT)}`,
      });
  });

  it('counts only commands: hidden ones and unknown lines take no place', () => {
    const body = [
      '```',
      ...Array.from({ length: 20 }, () => '/abort'),
      '```',
      '/promte',
      ...Array.from({ length: 10 }, () => '/status'),
    ].join('\n');
    const parsed = parseCommands(body);
    expect(parsed.commands).toHaveLength(10);
    expect(parsed.beyondLimit).toBeUndefined();
    expect(parsed.unknown).toHaveLength(1);
  });

  it('refuses the rest in one reply that quotes a few and is itself no command', () => {
    const body = Array.from({ length: 15 }, (_, index) => `/abort web-${String(index)}`).join('\n');
    const reply = renderBeyondLimit(parseCommands(body).beyondLimit ?? []);
    expect(reply).toMatchInlineSnapshot(`
      "> \`/abort web-10\` (line 11)
      > \`/abort web-11\` (line 12)
      > \`/abort web-12\` (line 13)
      > … and 2 more

      Not done: these 5 commands were not run. Gradual runs at most 10 commands from one comment (the first 10 were). Comment the others again if you meant them.
      "
    `);
    expect(parseCommands(reply)).toEqual({ commands: [], unknown: [] });
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

      Lines in code blocks, inline code, \`<pre>\`, HTML comments or \`>\` quotes are not commands. At most 10 commands run from one comment; the ones after are not run, and a reply says which.

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
