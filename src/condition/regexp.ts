import { RE2JS, RE2JSException, RE2JSSyntaxException } from 're2js';

/*
 * `matches` as Argo evaluates it: expr compiles the pattern with Go's regexp package (RE2
 * syntax, leftmost-first, unanchored search, linear time in the input). JavaScript's RegExp
 * backtracks — `^(a+)+$` on 28 characters blocked the event loop for seconds — and reads
 * a different syntax: it refuses `(?i)`, `\z`, `[[:alpha:]]`, `(?P<name>…)` and accepts
 * backreferences and lookarounds that Go refuses. re2js is a port of RE2/Go's parser and
 * matcher, with Go's error texts ("error parsing regexp: invalid escape sequence: `\1`").
 *
 * Matching is linear in the input, but the factor is the compiled program's size, and
 * compiling is linear in that size, which Go lets grow to ~1.4 million instructions from a
 * pattern of a few thousand characters (`\pL{1000}` repeated). Two bounds keep a hostile
 * pattern from stalling the controller: a pattern is at most MAX_PATTERN_LENGTH characters
 * (compiling the worst one takes tens of milliseconds), and a match spends from the
 * condition's step budget in proportion to program size × input length before it runs.
 */

/** Longer patterns are refused (Go has no such limit; real patterns are a line). */
export const MAX_PATTERN_LENGTH = 1_000;

/**
 * Program instructions × input characters per budget step. Measured on a shared core, a
 * match costs at most ~8 ns per instruction × character (the NFA fallback on `(?:a?){999}a{999}`),
 * so the 1,000,000-step budget bounds a match near 80 ms.
 */
const INSTRUCTION_CHARACTERS_PER_STEP = 10;

export type CompiledPattern = { ok: true; regexp: RE2JS } | { ok: false; message: string; /** 0-based, in the pattern */ offset: number };

/** Compiled patterns by source: conditions are evaluated once per measurement, often with the same pattern. */
const cache = new Map<string, CompiledPattern>();
const CACHE_SIZE = 256;
/**
 * Bigger programs are not kept: a 1,000-character pattern can compile to ~110,000
 * instructions (megabytes), and patterns taken from measured values could fill the cache
 * with them. Real patterns compile to tens of instructions.
 */
const CACHED_PROGRAM_SIZE = 5_000;

/**
 * Budget steps per program instruction, for compiling it (~0.6 µs an instruction measured,
 * several evaluation steps), charged on every match so the cost does not depend on the cache.
 */
const STEPS_PER_INSTRUCTION = 5;

function compileUncached(pattern: string): CompiledPattern {
  if (pattern.length > MAX_PATTERN_LENGTH)
    return { ok: false, message: `regular expression longer than ${String(MAX_PATTERN_LENGTH)} characters`, offset: MAX_PATTERN_LENGTH };
  try {
    return { ok: true, regexp: RE2JS.compile(pattern) };
  } catch (cause) {
    if (cause instanceof RE2JSSyntaxException) {
      // Go names the offending fragment, not its place; the first occurrence is where the parser stopped.
      const fragment = cause.input ?? '';
      const found = fragment === '' ? -1 : pattern.indexOf(fragment);
      return { ok: false, message: cause.message, offset: Math.max(found, 0) };
    }
    if (cause instanceof RE2JSException) return { ok: false, message: cause.message, offset: 0 };
    // Only an exhausted stack gets here (re2js recurses over the parsed tree).
    if (cause instanceof RangeError) return { ok: false, message: 'regular expression nested too deeply', offset: 0 };
    throw cause;
  }
}

export function compilePattern(pattern: string): CompiledPattern {
  const cached = cache.get(pattern);
  if (cached !== undefined) {
    // Map keeps insertion order: re-inserting makes this the most recently used.
    cache.delete(pattern);
    cache.set(pattern, cached);
    return cached;
  }
  const compiled = compileUncached(pattern);
  if (compiled.ok && compiled.regexp.programSize() > CACHED_PROGRAM_SIZE) return compiled;
  cache.set(pattern, compiled);
  if (cache.size > CACHE_SIZE) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  return compiled;
}

/** Budget steps a match of this pattern against this input costs; the same whether or not the pattern was cached. */
export function matchCost(regexp: RE2JS, input: string): number {
  const size = regexp.programSize();
  return size * STEPS_PER_INSTRUCTION + Math.ceil((size * (input.length + 1)) / INSTRUCTION_CHARACTERS_PER_STEP);
}
