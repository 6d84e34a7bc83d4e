import type { Threshold } from './types.js';

type Operator = Threshold['operator'];

// The number as the condition language reads it (no hex, no underscores): enough for a chart line.
const number = String.raw`(-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)`;
const operand = String.raw`result(?:\[0\])?`;
const operator = '(>=|<=|==|!=|>|<)';
const resultFirst = new RegExp(String.raw`^\(?\s*${operand}\s*${operator}\s*${number}\s*\)?$`, 'u');
const numberFirst = new RegExp(String.raw`^\(?\s*${number}\s*${operator}\s*${operand}\s*\)?$`, 'u');

/** `0.9 <= result` says `result >= 0.9`. */
const mirrored: Record<Operator, Operator> = { '>=': '<=', '<=': '>=', '>': '<', '<': '>', '==': '==', '!=': '!=' };

function isOperator(text: string | undefined): text is Operator {
  return text !== undefined && text in mirrored;
}

/**
 * The line a condition draws on the measurement chart, when it is a single
 * comparison of the (first) result with a number: `result[0] >= 0.90`,
 * `result < 5`, `0.95 <= result[0]`. Anything richer (`&&`, `len(result)`,
 * `all(...)`) has no single line and gives undefined.
 */
export function parseThreshold(condition: string | undefined, from: Threshold['from']): Threshold | undefined {
  if (condition === undefined) return undefined;
  const text = condition.trim();
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
