import { describe, expect, test } from 'vitest';
import { compileCondition, evaluateCondition, type Value } from './index.js';
import { MAX_PATTERN_LENGTH } from './regexp.js';

/*
 * `matches` with Go's regexp semantics (what Argo's expr uses): Go-valid patterns that
 * JavaScript refuses or reads differently work, Go-invalid ones that JavaScript accepts are
 * refused at the column of the offending fragment, and no pattern backtracks.
 */

describe('Go-valid patterns match as in Go', () => {
  test.each<[pattern: string, value: string, expected: boolean]>([
    // Go's syntax that JavaScript refuses.
    ['(?i)abc', 'xABCx', true],
    ['(?i)abc', 'xabdx', false],
    ['^abc\\z', 'abc', true],
    ['^abc\\z', 'abc\n', false],
    ['^[[:alpha:]]+$', 'Hello', true],
    ['^[[:alpha:]]+$', 'Hello1', false],
    ['^[[:digit:]]{3}$', '204', true],
    ['(?P<code>5[0-9]{2})', 'status 503', true],
    ['(?s)a.b', 'a\nb', true],
    ['a.b', 'a\nb', false],
    ['(?m)^ok$', 'x\nok\ny', true],
    ['^ok$', 'x\nok\ny', false],
    ['\\Qa.b\\E', 'a.b', true],
    ['\\Qa.b\\E', 'axb', false],
    ['^\\pL+$', 'Grüße', true],
    ['^\\p{Greek}+$', 'αβγ', true],
    ['\\x{41}', 'A', true],
    ['(?U)a+', 'aaa', true],
    ['a{,3}', 'a{,3}', true],
    // Unanchored search, as Go's MatchString.
    ['2[0-9]{2}', 'HTTP 204 No Content', true],
    ['^2[0-9]{2}$', 'HTTP 204', false],
    // Catastrophic for a backtracking engine, linear here.
    ['^(a+)+$', `${'a'.repeat(100_000)}b`, false],
    ['^(a|aa)+$', `${'a'.repeat(10_000)}!`, false],
    ['^(\\w+\\s?)+$', `${'word '.repeat(5_000)}!`, false],
    ['^(a+)+$', 'a'.repeat(10_000), true],
  ])('%s on %j → %s', (pattern, value, expected) => {
    const compiled = compileCondition(`result matches ${JSON.stringify(pattern)}`);
    if (!compiled.ok) throw new Error(`does not compile: ${compiled.error.message}`);
    expect(evaluateCondition(compiled.condition, { result: value })).toEqual({ ok: true, value: expected });
  });
});

describe('Go-invalid patterns are refused when the condition compiles, at the column of the offending fragment', () => {
  // `result matches "` is 16 characters: the pattern's first character is column 17.
  test.each<[pattern: string, message: RegExp, column: number]>([
    ['(a)\\1', /invalid escape sequence: `\\1`/u, 20],
    ['x(?=y)', /invalid or unsupported Perl syntax: `\(\?=`/u, 18],
    ['x(?!y)', /invalid or unsupported Perl syntax: `\(\?!`/u, 18],
    ['(?<=x)y', /invalid named capture/u, 17],
    ['a++', /invalid nested repetition operator: `\+\+`/u, 18],
    ['ab*+', /invalid nested repetition operator: `\*\+`/u, 19],
    ['a{2}+', /invalid nested repetition operator/u, 18],
    ['a{1001}', /invalid repeat count: `\{1001\}`/u, 18],
    // Go names the fragment, not its place: the column is the fragment's first occurrence.
    ['(a{1000}){1000}', /invalid repeat count/u, 19],
    ['\\Z', /invalid escape sequence: `\\Z`/u, 17],
    ['\\u0041', /invalid escape sequence: `\\u`/u, 17],
    ['\\k<n>', /invalid escape sequence: `\\k`/u, 17],
    ['\\cA', /invalid escape sequence: `\\c`/u, 17],
    ['[z-a]', /invalid character class range: `z-a`/u, 18],
    ['(ab', /missing closing \)/u, 17],
    ['ab)', /unexpected \)/u, 17],
  ])('%s', (pattern, message, column) => {
    const source = `result matches ${JSON.stringify(pattern)}`;
    const compiled = compileCondition(source);
    expect(compiled.ok).toBe(false);
    if (!compiled.ok) {
      expect(compiled.error.message).toMatch(/^invalid regular expression .*: error parsing regexp: /u);
      expect(compiled.error.message).toMatch(message);
      expect(compiled.error.column).toBe(column);
    }
  });

  test('the column counts escapes in the literal as written', () => {
    // In the source, `\\` is one backslash of the pattern: `(a)\1` starts at column 17, `\1` at 21.
    const compiled = compileCondition('result matches "(a)\\\\1"');
    expect(compiled).toMatchObject({ ok: false, error: { column: 20 } });
    const backticks = compileCondition('result matches `(a)\\1`');
    expect(backticks).toMatchObject({ ok: false, error: { column: 20 } });
  });

  test('a pattern computed at evaluation time is checked then, as an error naming the operator', () => {
    const compiled = compileCondition('"x" matches result');
    if (!compiled.ok) throw new Error(compiled.error.message);
    expect(evaluateCondition(compiled.condition, { result: '(a)\\1' })).toEqual({
      ok: false,
      error: {
        message: 'invalid regular expression "(a)\\\\1" at offset 3: error parsing regexp: invalid escape sequence: `\\1`',
        column: 5,
      },
    });
    expect(evaluateCondition(compiled.condition, { result: 'x|y' })).toEqual({ ok: true, value: true });
  });

  test(`a pattern longer than ${String(MAX_PATTERN_LENGTH)} characters is refused`, () => {
    const compiled = compileCondition(`result matches "${'a'.repeat(MAX_PATTERN_LENGTH + 1)}"`);
    expect(compiled).toMatchObject({ ok: false, error: { message: /longer than 1000 characters/u } });
  });
});

describe('matching spends from the step budget', () => {
  const run = (source: string, result: Value): ReturnType<typeof evaluateCondition> => {
    const compiled = compileCondition(source);
    if (!compiled.ok) throw new Error(compiled.error.message);
    return evaluateCondition(compiled.condition, { result });
  };

  test('a big program against a long value is refused before it runs, quickly', () => {
    // `\pL{999}` compiles to ~1,000 instructions; against 100,000 characters the NFA would take seconds.
    const started = performance.now();
    const verdict = run('result matches "(?:a?){999}a{999}"', 'a'.repeat(998) + 'b'.repeat(100_000));
    const elapsed = performance.now() - started;
    expect(verdict).toEqual({ ok: false, error: { message: 'condition too expensive to evaluate', column: 8 } });
    console.log(`refused (?:a?){999}a{999} on 101 kB in ${elapsed.toFixed(1)} ms`);
    expect(elapsed).toBeLessThan(1_000);
  });

  test('a small pattern against a 200 kB value runs', () => {
    expect(run('result matches "^(a+)+$"', `${'a'.repeat(200_000)}b`)).toEqual({ ok: true, value: false });
  });

  test('compiling big patterns over and over is paid for: patterns taken from values cannot stall the evaluator', () => {
    // Each pattern is ~110,000 instructions (tens of milliseconds to compile); at most a few fit in the budget.
    const patterns = Array.from({ length: 50 }, (_, index) => `${'\\pL{999}'.repeat(110)}${String(index)}`);
    const started = performance.now();
    const verdict = run('any(result, {"x" matches #})', patterns);
    const elapsed = performance.now() - started;
    console.log(`50 distinct patterns of ${String(patterns[0]?.length)} characters from the value: refused after ${elapsed.toFixed(0)} ms`);
    expect(verdict).toMatchObject({ ok: false, error: { message: 'condition too expensive to evaluate' } });
  });

  test('many matches in one condition share the budget', () => {
    const value = Array.from({ length: 2_000 }, () => 'x'.repeat(1_000));
    expect(run('all(result, {not (# matches "^(x+)+y$")})', value)).toMatchObject({
      ok: false,
      error: { message: 'condition too expensive to evaluate' },
    });
    expect(run('any(result, {# matches "^x"})', value)).toEqual({ ok: true, value: true });
  });
});
