import { describe, expect, test } from 'vitest';
import { createSeededRandom } from '../demo/seeded-random.js';
import { compileCondition, evaluateCondition, type Value } from './index.js';

/*
 * A grammar fuzzer for conditions, which come from pull requests: random expressions (with
 * `matches` on random Go/JavaScript/hostile pattern fragments, ranges, predicates, deep
 * nesting), mutated character by character, evaluated against random values. Seeded, so a
 * failure replays; bounded by a time budget; it prints what it covered.
 *
 * What must hold: compileCondition and evaluateCondition never throw, every error names a
 * column inside the source (or just past it), and no single case takes a second.
 */

const SEED = 20;
const BUDGET_MS = 3_000;
const HANG_MS = 1_000;

const PATTERN_FRAGMENTS = [
  'a',
  'b',
  'x',
  '.',
  '^',
  '$',
  '|',
  '(',
  ')',
  '(?:',
  '+',
  '*',
  '?',
  '+?',
  '{2}',
  '{2,}',
  '{1000}',
  '{1001}',
  '{,3}',
  '[a-z]',
  '[^0-9]',
  '[z-a]',
  '\\d',
  '\\w',
  '\\s',
  '\\b',
  '\\z',
  '\\Z',
  '\\A',
  '\\1',
  '\\k<n>',
  '\\u0041',
  '\\x{41}',
  '\\pL',
  '\\p{Greek}',
  '\\Q',
  '\\E',
  '(?i)',
  '(?s)',
  '(?m)',
  '(?U)',
  '(?=',
  '(?!',
  '(?<=',
  '(?P<n>',
  '(?<n>',
  '[[:alpha:]]',
  '[[:foo:]]',
  '++',
  '*+',
  '\\',
  '(a+)+',
  '(a|aa)+',
  'é',
  '😀',
];

const VALUE_STRINGS = [
  '',
  'a',
  'ok',
  'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab',
  '204',
  'HTTP 503',
  'Grüße',
  '😀',
  '\n',
  'a'.repeat(5_000) + 'b',
];

function fuzz(random: () => number): { expression: () => string; value: (depth?: number) => Value; mutate: (source: string) => string } {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const integer = (max: number): number => Math.floor(random() * max);

  const pattern = (): string => Array.from({ length: 1 + integer(8) }, () => pick(PATTERN_FRAGMENTS)).join('');
  const literal = (): string =>
    pick([
      () => String(integer(100)),
      () => (random() * 10).toFixed(2),
      () => pick(['true', 'false', 'nil']),
      () => JSON.stringify(pick(VALUE_STRINGS.slice(0, 9))),
      () => `'${pick(['a', 'ok', '\\n', '\\u00e9', '\\x41'])}'`,
      () => pick(['1e308', '-0', '0x1F', '1_000', '9007199254740993']),
    ])();

  const expression = (depth = 0): string => {
    if (depth > 4 || random() < 0.25)
      return random() < 0.5
        ? literal()
        : pick(['result', 'result[0]', 'result[-1]', 'result.a', 'result?.a', 'result["b"]', 'result[1:]', '#']);
    const sub = (): string => expression(depth + 1);
    return pick([
      () =>
        `${sub()} ${pick(['+', '-', '*', '/', '%', '**', '==', '!=', '<', '>=', 'and', 'or', '&&', '||', '??', 'in', 'not in', 'contains', 'startsWith', 'endsWith', '..'])} ${sub()}`,
      () => `${sub()} ${pick(['matches', 'not matches'])} ${JSON.stringify(pattern())}`,
      () => `${sub()} matches ${sub()}`,
      () => `${pick(['not ', '!', '-', '+'])}${sub()}`,
      () => `(${sub()})`,
      () => `${sub()} ? ${sub()} : ${sub()}`,
      () =>
        `${pick(['len', 'abs', 'isNaN', 'isNil', 'asInt', 'asFloat', 'string', 'upper', 'first', 'last', 'keys', 'int', 'float', 'max', 'mean'])}(${sub()})`,
      () => `${pick(['default', 'split', 'join', 'isInf'])}(${sub()}, ${sub()})`,
      () => `${pick(['all', 'any', 'none', 'one', 'filter', 'map', 'count', 'find', 'sum'])}(${sub()}, {${sub()}})`,
      () => `[${sub()}, ${sub()}]`,
      () => `{a: ${sub()}, "b": ${sub()}}`,
      () => `${String(integer(3))}..${pick(['5', '50', '1000', '1e9'])}`,
      () => `${'('.repeat(integer(300))}${sub()}${')'.repeat(integer(300))}`,
    ])();
  };

  const value = (depth = 0): Value => {
    const kind = depth > 3 ? integer(5) : integer(7);
    switch (kind) {
      case 0:
        return null;
      case 1:
        return pick([0, 1, -1, 0.5, 1e308, Number.NaN, Number.POSITIVE_INFINITY, -0, 2 ** 53 + 2]);
      case 2:
        return pick([true, false]);
      case 3:
      case 4:
        return pick(VALUE_STRINGS);
      case 5:
        return Array.from({ length: integer(5) }, () => value(depth + 1));
      default:
        return Object.fromEntries(
          Array.from({ length: integer(4) }, () => [pick(['a', 'b', '__proto__', 'constructor', '']), value(depth + 1)]),
        );
    }
  };

  const mutate = (source: string): string => {
    let result = source;
    for (let edits = 1 + integer(3); edits > 0; edits--) {
      const at = integer(result.length + 1);
      const action = integer(3);
      if (action === 0) result = result.slice(0, at) + result.slice(at + 1);
      else if (action === 1)
        result =
          result.slice(0, at) +
          pick(['"', "'", '`', '\\', '(', ')', '[', '{', '}', '#', '.', '?', ':', ' ', '|', 'matches ', '\0', '\u{10FFFF}']) +
          result.slice(at);
      else result = result.slice(0, at) + result.slice(at, at + integer(20)).repeat(2) + result.slice(at + 20);
    }
    return result;
  };

  return { expression: () => expression(), value: (depth = 0) => value(depth), mutate };
}

describe('conditions fuzzer', () => {
  test(`random and mutated expressions against random values for ${String(BUDGET_MS)} ms (seed ${String(SEED)}): no throw, every error positioned, no case over ${String(HANG_MS)} ms`, () => {
    const random = createSeededRandom(SEED);
    const { expression, value, mutate } = fuzz(random);
    const figures = {
      cases: 0,
      compiled: 0,
      compileErrors: 0,
      evaluated: 0,
      evaluationErrors: 0,
      regexpErrors: 0,
      budgetErrors: 0,
      slowestMs: 0,
      slowest: '',
    };
    const started = performance.now();
    while (performance.now() - started < BUDGET_MS) {
      const generated = expression();
      const source = random() < 0.3 ? mutate(generated) : generated;
      const caseStarted = performance.now();
      const compiled = compileCondition(source);
      figures.cases += 1;
      if (!compiled.ok) {
        figures.compileErrors += 1;
        if (compiled.error.message.startsWith('invalid regular expression')) figures.regexpErrors += 1;
        expect(compiled.error.column, `${source}: ${compiled.error.message}`).toBeGreaterThanOrEqual(1);
        expect(compiled.error.column, `${source}: ${compiled.error.message}`).toBeLessThanOrEqual(Math.max(source.length, 10_000) + 1);
      } else {
        figures.compiled += 1;
        for (let i = 0; i < 3; i++) {
          const evaluated = evaluateCondition(compiled.condition, { result: value() });
          figures.evaluated += 1;
          if (!evaluated.ok) {
            figures.evaluationErrors += 1;
            if (evaluated.error.message === 'condition too expensive to evaluate') figures.budgetErrors += 1;
            expect(evaluated.error.column, `${source}: ${evaluated.error.message}`).toBeGreaterThanOrEqual(1);
            expect(evaluated.error.column, `${source}: ${evaluated.error.message}`).toBeLessThanOrEqual(source.length + 1);
            expect(evaluated.error.message.length).toBeGreaterThan(0);
          }
        }
      }
      const elapsed = performance.now() - caseStarted;
      if (elapsed > figures.slowestMs) {
        figures.slowestMs = elapsed;
        figures.slowest = source.slice(0, 120);
      }
    }
    console.log(
      `conditions fuzzer (seed ${String(SEED)}): ${JSON.stringify({ ...figures, slowestMs: Number(figures.slowestMs.toFixed(1)) })}`,
    );
    expect(figures.cases).toBeGreaterThan(100);
    expect(figures.regexpErrors).toBeGreaterThan(0);
    expect(figures.slowestMs).toBeLessThan(HANG_MS);
  });
});
