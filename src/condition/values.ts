import type { Value } from './parser.js';
import { GradualError } from '../errors/gradual-error.js';
import { HostValue } from './host-value.js';

/** A failure while evaluating: a wrong type, a missing field, an index out of range. */
export class ConditionEvaluationError extends GradualError {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super('CONDITION_EVALUATION', message);
  }
}

export function isMap(value: Value): value is { [key: string]: Value } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof HostValue);
}

/** The type names expr's messages use, so an Argo user recognises them. */
export function typeName(value: Value): string {
  if (value === null) return 'nil';
  if (value instanceof HostValue) return value.typeName;
  if (Array.isArray(value)) return '[]interface {}';
  if (isMap(value)) return 'map[string]interface {}';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float64';
  if (typeof value === 'boolean') return 'bool';
  return 'string';
}

/** expr's runtime.Equal: numbers by value whatever their Go type, collections deeply, other types never equal. */
export function valuesEqual(left: Value, right: Value): boolean {
  if (left === null || right === null) return left === right;
  if (left instanceof HostValue) return left.equals(right);
  if (right instanceof HostValue) return right.equals(left);
  if (Array.isArray(left) || Array.isArray(right)) {
    return (
      Array.isArray(left) &&
      Array.isArray(right) &&
      left.length === right.length &&
      left.every((item, index) => valuesEqual(item, right[index] ?? null))
    );
  }
  if (isMap(left) || isMap(right)) {
    if (!isMap(left) || !isMap(right)) return false;
    const keys = Object.keys(left);
    return (
      keys.length === Object.keys(right).length &&
      keys.every((key) => Object.hasOwn(right, key) && valuesEqual(left[key] ?? null, right[key] ?? null))
    );
  }
  return left === right;
}

/** Go's %v for the values a condition can produce, for messages. */
export function formatValue(value: Value): string {
  if (value === null) return '<nil>';
  if (value instanceof HostValue) return value.format();
  if (Array.isArray(value)) return `[${value.map(formatValue).join(' ')}]`;
  if (isMap(value)) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${key}:${formatValue(value[key] ?? null)}`);
    return `map[${entries.join(' ')}]`;
  }
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  }
  return String(value);
}
