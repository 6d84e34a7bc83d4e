import type { Threshold } from './types.js';

type Operator = Threshold['operator'];

// The number as the condition language reads it (no hex, no underscores): enough for a chart line.
const number = String.raw`(-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)`;
const operand = String.raw`result(?:\[0\])?`;
const operator = '(>=|<=|==|!=|>|<)';
const resultFirst = new RegExp(String.raw`^\(?\s*${operand}\s*${operator}\s*${number}\s*\)?$`, 'u');
const numberFirst = new RegExp(String.raw`^\(?\s*${number}\s*${operator}\s*${operand}\s*\)?$`, 'u');

// Disjuncts that only decide a measurement with no number in it (an empty vector, NaN, nil). The chart draws
// numbers only, and for every number the condition is the comparison that remains.
const noValueGuard = /^\(?\s*(?:len\(result\)\s*==\s*0|isNaN\(result(?:\[0\])?\)|isNil\(result(?:\[0\])?\))\s*\)?$/u;

function withoutNoValueGuards(condition: string): string {
  const disjuncts = condition.split('||').map((part) => part.trim());
  if (disjuncts.length < 2) return condition;
  const rest = disjuncts.filter((part) => !noValueGuard.test(part));
  // Only guards removed, and exactly one comparison left: anything else stays unparsed (no line).
  return rest.length === 1 && rest.length < disjuncts.length ? (rest[0] ?? '') : condition;
}

/** `0.9 <= result` says `result >= 0.9`. */
const mirrored: Record<Operator, Operator> = { '>=': '<=', '<=': '>=', '>': '<', '<': '>', '==': '==', '!=': '!=' };

function isOperator(text: string | undefined): text is Operator {
  return text !== undefined && text in mirrored;
}

/**
 * The line a condition draws on the measurement chart, when it is a single
 * comparison of the (first) result with a number: `result[0] >= 0.90`,
 * `result < 5`, `0.95 <= result[0]`, also behind a guard for a measurement
 * without a number (`len(result) == 0 || result[0] >= 0.90`, the seed's). Anything
 * richer (`&&`, `all(...)`) has no single line and gives undefined.
 */
export function parseThreshold(condition: string | undefined, from: Threshold['from']): Threshold | undefined {
  if (condition === undefined) return undefined;
  const text = withoutNoValueGuards(condition.trim());
  const direct = resultFirst.exec(text);
  if (direct !== null && isOperator(direct[1])) return { operator: direct[1], value: Number(direct[2]), from };
  const reversed = numberFirst.exec(text);
  if (reversed !== null && isOperator(reversed[2])) return { operator: mirrored[reversed[2]], value: Number(reversed[1]), from };
  return undefined;
}

/** The success condition's line, else the failure condition's. */
export function metricThreshold(successCondition: string | undefined, failureCondition: string | undefined): Threshold | undefined {
  return parseThreshold(successCondition, 'success') ?? parseThreshold(failureCondition, 'failure');
}
