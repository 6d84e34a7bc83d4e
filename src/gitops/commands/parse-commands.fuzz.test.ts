import { describe, expect, it } from 'vitest';
import { markdownLinkMarks } from '../testing/markdown-marks.js';
import { createSeededRandom } from '../../demo/seeded-random.js';
import { MAX_COMMANDS_PER_COMMENT, parseCommands } from './parse-commands.js';

/*
 * The command parser under generated comments, seeded and bounded in time (issue 20's fuzzers):
 * no exception, no comment taking over a second, every command a line of the comment as written,
 * never more than the cap; and a command wrapped in code, <pre>, an HTML comment or a quote is
 * never run, whatever plain text surrounds it.
 */

const SEED = 20_2006;
const BUDGET_MS = 2_000;
const HANG_MS = 1_000;

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const int = (random: Random, max: number): number => Math.floor(random() * max);

/** Text with no Markdown block syntax: it cannot open or close what wraps a hidden command. */
function plain(random: Random): string {
  const words = ['LGTM', 'please', 'promote', 'web', 'the canary', 'looks fine', 'abort?', 'v2', 'thanks', '/', '=', 'and'];
  return Array.from({ length: 1 + int(random, 8) }, () => pick(random, words)).join(' ');
}

const visibleCommands = ['/promote web', '/abort', '/status', '/retry api', '/promote --full', '/pause', '/resume web'];

/** A command the reader sees as code, a quote, a comment: each must stay text. */
const hidden: ((command: string, random: Random) => string)[] = [
  (command) => `\`\`\`\n${command}\n\`\`\``,
  (command) => `~~~~ sh\n${command}\n~~~~`,
  (command) => `    ${command}`,
  (command) => `\t${command}`,
  (command) => `> ${command}`,
  (command, random) => `> ${plain(random)}\n${command}`,
  (command) => `<pre>\n${command}\n</pre>`,
  (command, random) => `${plain(random)} <pre>\n${command}\n</pre>`,
  (command) => `<!--\n${command}\n-->`,
  (command, random) => `${plain(random)} <!-- note\n${command}\n-->`,
  (command, random) => `${plain(random)} \`x\n${command}\``,
  (command) => `\`${command}\``,
];

/** Characters that build Markdown structure, for the comments that only have to be survived. */
const chaos = [
  '`',
  '```',
  '~~~',
  '>',
  '<!--',
  '-->',
  '<pre>',
  '</pre>',
  '\n',
  '\n\n',
  '    ',
  '\t',
  '/promote',
  '/abort x',
  '*',
  '-',
  '|',
  ...markdownLinkMarks,
  '<',
  '&amp;',
  '\r\n',
  ' ',
  'a',
];

function structured(random: Random): { body: string; hiddenCount: number } {
  const segments: string[] = [];
  let hiddenCount = 0;
  for (let index = 0; index < 1 + int(random, 12); index++) {
    const roll = random();
    if (roll < 0.35) segments.push(plain(random));
    else if (roll < 0.6) segments.push(pick(random, visibleCommands));
    else {
      hiddenCount += 1;
      segments.push(pick(random, hidden)(`/abort hidden-${String(hiddenCount)}`, random));
    }
  }
  // Blank lines between segments: a segment is its own block, as a person writes it.
  return { body: segments.join('\n\n'), hiddenCount };
}

function chaotic(random: Random): string {
  const roll = random();
  // Now and then a large one: thousands of commands, deep quotes, long backtick runs.
  if (roll < 0.02) return Array.from({ length: 6_500 }, (_, index) => `/promote web-${String(index)}`).join('\n');
  if (roll < 0.04) return `${'>'.repeat(2_000)} /abort\n`.repeat(10);
  if (roll < 0.06) return `${'`'.repeat(3_000)}\n/abort\n${'`'.repeat(2_999)}`;
  if (roll < 0.08) return '<!--'.repeat(5_000) + '\n/abort';
  return Array.from({ length: 1 + int(random, 200) }, () => pick(random, chaos)).join('');
}

function timed<T>(run: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = run();
  return { value, ms: performance.now() - started };
}

describe('parseCommands fuzzer', () => {
  it(`seed ${String(SEED)}, ${String(BUDGET_MS)} ms: no crash, no hang, hidden commands never run`, () => {
    const random = createSeededRandom(SEED);
    const started = performance.now();
    const figures = { comments: 0, crashes: 0, hangs: 0, slowestMs: 0, commands: 0, hiddenWrapped: 0, hiddenRun: 0, capped: 0 };
    const failures: string[] = [];
    while (performance.now() - started < BUDGET_MS) {
      const isStructured = random() < 0.5;
      const { body, hiddenCount } = isStructured ? structured(random) : { body: chaotic(random), hiddenCount: 0 };
      figures.comments += 1;
      figures.hiddenWrapped += hiddenCount;
      let outcome;
      try {
        outcome = timed(() => parseCommands(body));
      } catch (cause) {
        figures.crashes += 1;
        failures.push(`crash on ${JSON.stringify(body.slice(0, 200))}: ${String(cause)}`);
        continue;
      }
      figures.slowestMs = Math.max(figures.slowestMs, outcome.ms);
      if (outcome.ms > HANG_MS) {
        figures.hangs += 1;
        failures.push(`${outcome.ms.toFixed(0)} ms on ${JSON.stringify(body.slice(0, 200))}`);
      }
      const { commands, beyondLimit = [] } = outcome.value;
      figures.commands += commands.length;
      if (beyondLimit.length > 0) figures.capped += 1;
      if (commands.length > MAX_COMMANDS_PER_COMMENT) failures.push(`${String(commands.length)} commands run from one comment`);
      const lines = body.split(/\r\n|\r|\n/u);
      for (const command of [...commands, ...beyondLimit]) {
        if (lines[command.line - 1] !== command.text) failures.push(`line ${String(command.line)} is not ${JSON.stringify(command.text)}`);
        if (command.target?.startsWith('hidden-') === true) {
          figures.hiddenRun += 1;
          failures.push(`hidden command run from ${JSON.stringify(body)}`);
        }
      }
    }
    console.log(
      `parseCommands fuzzer: seed ${String(SEED)}, ${JSON.stringify({ ...figures, slowestMs: Number(figures.slowestMs.toFixed(1)), elapsedMs: Math.round(performance.now() - started) })}`,
    );
    expect(failures.slice(0, 5)).toEqual([]);
    expect(figures.comments).toBeGreaterThan(50);
    expect(figures.hiddenWrapped).toBeGreaterThan(30);
  });
});
