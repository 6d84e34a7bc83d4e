import { describe, expect, test } from 'vitest';
import { compileCondition, describeConditionError, evaluateCondition, type Value } from './index.js';

type Expected = boolean | { error: RegExp } | { syntax: RegExp; column: number };

/*
 * Conditions of the kinds Argo users write (Argo's docs and examples: Prometheus scalars and
 * vectors, web JSON results, NaN and empty-result guards, string results), with the value
 * Go expr gives, or the error it reports.
 */
const CORPUS: [source: string, result: Value, expected: Expected][] = [
  // Prometheus scalar and vector results.
  ['result >= 0.95', 0.97, true],
  ['result >= 0.95', 0.9, false],
  ['result[0] >= 0.95', [0.99], true],
  ['result[0] >= 0.95', [0.5, 0.99], false],
  ['result[0] < 0.90', [0.65], true],
  ['result[-1] > 0.5', [0.1, 0.7], true],
  ['len(result) == 0 || result[0] >= 0.95', [], true],
  ['len(result) == 0 || result[0] >= 0.95', [0.5], false],
  ['len(result) > 0 && result[0] <= 0.01', [0.001], true],
  ['isNaN(result) || result >= 0.95', Number.NaN, true],
  ['!isNaN(result) && result >= 0.95', Number.NaN, false],
  ['isNaN(result[0]) || result[0] < 5', [Number.NaN], true],
  ['isInf(result)', Number.POSITIVE_INFINITY, true],
  ['isInf(result, -1)', Number.POSITIVE_INFINITY, false],
  ['isNil(result)', null, true],
  ['isNil(result)', 0, false],
  ['default(result, 0) >= 0.9', null, false],
  ['default(result, 1) >= 0.9', null, true],
  ['default(result[0], 0) < 100', [42], true],
  ['result == 1', 1, true],
  ['result == 1.0', 1, true],
  ['result != 0', 0, false],
  ['result > 1 and result < 10', 5, true],
  ['result < 1 or result > 10', 5, false],
  ['not (result > 1)', 0, true],
  ['!(result > 1)', 5, false],
  // Arithmetic.
  ['result / 2 == 2.5', 5, true],
  ['result * 100 >= 95', 0.96, true],
  ['(result - 1) * 2 == 8', 5, true],
  ['result % 2 == 1', 5, true],
  ['result ** 2 == 25', 5, true],
  ['-result < 0', 3, true],
  ['1 - result[0] / result[1] < 0.1', [95, 100], true],
  ['result[0] + result[1] > 10', [4, 7], true],
  // Collections and predicates.
  ['all(result, {# > 0.9})', [0.95, 0.99], true],
  ['all(result, {# > 0.9})', [0.95, 0.5], false],
  ['all(result, # > 0.9)', [], true],
  ['any(result, {# < 0.1})', [0.5, 0.05], true],
  ['none(result, {# > 100})', [1, 2], true],
  ['one(result, {# == 2})', [1, 2, 3], true],
  ['len(filter(result, {# > 0.5})) == 2', [0.1, 0.6, 0.9], true],
  ['map(result, {# * 2})[1] == 4', [1, 2], true],
  ['count(result, {# >= 1}) >= 2', [0, 1, 2], true],
  ['sum(result) > 2', [1, 1.5], true],
  ['max(result) < 10', [1, 9, 3], true],
  ['min(result) >= 1', [1, 9, 3], true],
  ['mean(result) == 2', [1, 2, 3], true],
  ['2 in result', [1, 2, 3], true],
  ['5 not in result', [1, 2, 3], true],
  ['result[1:] == [2, 3]', [1, 2, 3], true],
  ['first(result) == 1 && last(result) == 3', [1, 2, 3], true],
  ['len(1..5) == 5', 0, true],
  // Web provider JSON results.
  ['result.successful == true', { successful: true }, true],
  ['result.data.ratio > 0.9', { data: { ratio: 0.95 } }, true],
  ['result.missing == nil', { present: 1 }, true],
  ['result?.data?.ratio ?? 0 > 0.5', { other: 1 }, false],
  ['result["error-rate"] < 0.01', { 'error-rate': 0.001 }, true],
  ['"ok" in keys(result)', { ok: 1 }, true],
  ['len(result.items) == 3', { items: [1, 2, 3] }, true],
  ['all(result.items, {.ready})', { items: [{ ready: true }, { ready: true }] }, true],
  ['asInt(result.count) > 5', { count: '7' }, true],
  ['asFloat(result) < 0.5', '0.25', true],
  ['asFloat(result) < 0.5', '0.75', false],
  // Strings.
  ['result == "healthy"', 'healthy', true],
  ["result == 'healthy'", 'degraded', false],
  ['result in ["ok", "healthy"]', 'ok', true],
  ['result contains "ok"', 'all ok', true],
  ['result startsWith "2"', '200', true],
  ['result endsWith "OK"', '200 OK', true],
  ['result matches "^2[0-9]{2}$"', '204', true],
  ['upper(result) == "OK"', 'ok', true],
  ['result + "!" == "ok!"', 'ok', true],
  // Ternary and nil handling.
  ['(result > 0 ? result : 1) >= 0.5', 0, true],
  ['(result ?: 1) == 1', null, true],
  ['result == nil', null, true],
  // Evaluation errors (Error measurements in Argo).
  ['result > "a"', 1, { error: /mismatched types int and string/u }],
  ['result[3] > 1', [1], { error: /index out of range: 3/u }],
  ['result.foo > 1', 5, { error: /cannot fetch foo from int/u }],
  ['result.foo > 1', null, { error: /cannot fetch foo from <nil>/u }],
  ['result and true', 1, { error: /expected bool, got int/u }],
  ['result', 1, { error: /expected bool, but got int \(1\)/u }],
  ['result * 2', 0.5, { error: /expected bool, but got int \(1\)/u }],
  ['asInt(result) > 1', 'seven', { error: /asInt: cannot parse "seven" as an integer/u }],
  ['asFloat(result) > 1', '1.5abc', { error: /asFloat: cannot parse "1.5abc"/u }],
  ['result % 0 == 1', 4, { error: /integer divide by zero/u }],
  ['all(result, {# > 1})', 5, { error: /all: cannot iterate over int/u }],
  ['len(result) > 0', 5, { error: /invalid argument for len/u }],
  // Syntax and name errors (InvalidSpec in Argo), with the column.
  ['result >', 1, { syntax: /unexpected end of expression/u, column: 9 }],
  ['reslt > 0.9', 1, { syntax: /unknown name reslt/u, column: 1 }],
  ['result >= 0.9 &&', 1, { syntax: /unexpected end of expression/u, column: 17 }],
  ['result[0 >= 1', [1], { syntax: /expected "\]"/u, column: 14 }],
  ['avg(result) > 1', [1], { syntax: /unknown function avg/u, column: 1 }],
  ['result == "open', 'x', { syntax: /unterminated string literal/u, column: 11 }],
  ['result @ 1', 1, { syntax: /unexpected character "@"/u, column: 8 }],
  ['result > 1 result', 1, { syntax: /unexpected token "result"/u, column: 12 }],
];

describe('the condition language: a corpus of what Argo users write', () => {
  test('has at least 60 conditions', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(60);
  });

  test.each(CORPUS)('%s  (result = %j)', (source, result, expected) => {
    const compiled = compileCondition(source);
    if (typeof expected === 'object' && 'syntax' in expected) {
      expect(compiled.ok).toBe(false);
      if (!compiled.ok) {
        expect(compiled.error.message).toMatch(expected.syntax);
        expect(compiled.error.column).toBe(expected.column);
      }
      return;
    }
    if (!compiled.ok) throw new Error(`does not compile: ${compiled.error.message} at column ${String(compiled.error.column)}`);
    const evaluated = evaluateCondition(compiled.condition, { result });
    if (typeof expected === 'boolean') {
      expect(evaluated).toEqual({ ok: true, value: expected });
    } else {
      expect(evaluated.ok).toBe(false);
      if (!evaluated.ok) expect(evaluated.error.message).toMatch(expected.error);
    }
  });
});

describe('operator precedence as in expr', () => {
  test.each([
    ['1 + 2 * 3 == 7', true],
    ['2 ** 3 ** 2 == 512', true],
    ['-2 ** 2 == -4', true],
    ['not true == false', true],
    ['true or false and false', true],
    ['1 < 2 == true', true],
    ['1 + 2 in [3]', true],
  ])('%s', (source, expected) => {
    const compiled = compileCondition(source);
    expect(compiled.ok && evaluateCondition(compiled.condition, { result: null })).toEqual({ ok: true, value: expected });
  });
});

describe('errors carry their place', () => {
  test('describeConditionError names the metric, the field, the expression and the column', () => {
    const compiled = compileCondition('result[0] >= 0.9 &&& true');
    expect(compiled.ok).toBe(false);
    if (!compiled.ok) {
      expect(
        describeConditionError(compiled.error, { metric: 'success-rate', field: 'successCondition', source: 'result[0] >= 0.9 &&& true' }),
      ).toBe('metric "success-rate": successCondition "result[0] >= 0.9 &&& true": column 20: unexpected character "&"');
    }
  });
});

describe('no input crashes or stalls the evaluator', () => {
  // A deterministic pseudo-random generator: the fuzz corpus is the same on every run.
  function generator(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
      return state / 2_147_483_648;
    };
  }
  const alphabet = [
    'result',
    '[',
    ']',
    '(',
    ')',
    '{',
    '}',
    '#',
    '.',
    '0',
    '1',
    '0.5',
    '"a"',
    ' ',
    '+',
    '-',
    '*',
    '/',
    '%',
    '**',
    '==',
    '<',
    '>=',
    '&&',
    '||',
    'and',
    'not',
    'in',
    '?',
    ':',
    ',',
    'len',
    'all',
    'map',
    'default',
    'isNaN',
    'nil',
    '..',
    '??',
    '?.',
    'matches',
    "'",
    '\\',
  ];

  test('10,000 random token strings compile or fail with a column, and evaluate or fail with a message', () => {
    const random = generator(42);
    const results: Value[] = [null, 1, 0.5, [0.1, 0.9], { a: [1] }, 'x'];
    for (let i = 0; i < 10_000; i++) {
      const length = 1 + Math.floor(random() * 12);
      const source = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)] ?? '').join('');
      const compiled = compileCondition(source);
      if (!compiled.ok) {
        expect(compiled.error.column).toBeGreaterThanOrEqual(1);
        continue;
      }
      const evaluated = evaluateCondition(compiled.condition, { result: results[i % results.length] ?? null });
      expect(typeof evaluated.ok).toBe('boolean');
    }
  });

  test('deep nesting is refused, not a stack overflow', () => {
    expect(compileCondition(`${'('.repeat(50_000)}1${')'.repeat(50_000)}`).ok).toBe(false);
    const nested = compileCondition(`${'('.repeat(200)}result${')'.repeat(200)} > 1`);
    expect(nested.ok && evaluateCondition(nested.condition, { result: 2 })).toEqual({ ok: true, value: true });
  });

  test('an expensive condition stops at the step budget', () => {
    const compiled = compileCondition('len(map(1..100000, {map(1..100000, {#})})) > 0');
    expect(compiled.ok).toBe(true);
    if (compiled.ok)
      expect(evaluateCondition(compiled.condition, { result: null })).toMatchObject({
        ok: false,
        error: { message: 'condition too expensive to evaluate' },
      });
  });
});
