import type { Value } from './parser.js';
import { ConditionEvaluationError, formatValue, isMap, typeName } from './values.js';

/*
 * The functions a condition may call: Argo's own (isNaN, isInf, isNil, default, asInt,
 * asFloat — rollout/utils/evaluate) and the expr builtins users reach for. The predicate
 * builtins (all, any, filter, map, …) take a closure and live in the evaluator.
 */

type Builtin = (args: Value[], column: number) => Value;

function fail(message: string, column: number): never {
  throw new ConditionEvaluationError(message, column);
}

function arity(name: string, args: Value[], min: number, max: number, column: number): void {
  if (args.length < min || args.length > max) {
    const wanted = min === max ? String(min) : `${String(min)} to ${String(max)}`;
    fail(`${name}: expected ${wanted} argument${max === 1 ? '' : 's'}, got ${String(args.length)}`, column);
  }
}

function number(name: string, value: Value, column: number): number {
  if (typeof value !== 'number') fail(`${name}: expected a number, got ${typeName(value)} (${formatValue(value)})`, column);
  return value;
}

function text(name: string, value: Value, column: number): string {
  if (typeof value !== 'string') fail(`${name}: expected a string, got ${typeName(value)} (${formatValue(value)})`, column);
  return value;
}

function list(name: string, value: Value, column: number): Value[] {
  if (!Array.isArray(value)) fail(`${name}: expected an array, got ${typeName(value)} (${formatValue(value)})`, column);
  return value;
}

/** Go's strconv.ParseFloat: the whole string, no trailing garbage (JS's parseFloat would accept "1.5abc"). */
function parseGoFloat(name: string, input: string, column: number): number {
  const trimmed = input.trim();
  if (/^[+-]?(?:inf|infinity)$/iu.test(trimmed)) return trimmed.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/iu.test(trimmed)) return Number.NaN;
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/u.test(trimmed))
    fail(`${name}: cannot parse ${JSON.stringify(input)} as a number`, column);
  return Number(trimmed);
}

function numbersOf(name: string, args: Value[], column: number): number[] {
  const values = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
  if (values.length === 0) fail(`${name}: no values`, column);
  return values.map((value) => number(name, value, column));
}

export const BUILTINS: Readonly<Record<string, Builtin>> = {
  len: (args, column) => {
    arity('len', args, 1, 1, column);
    const [value] = args;
    // Go's len of a string counts its UTF-8 bytes.
    if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
    if (Array.isArray(value)) return value.length;
    if (value !== undefined && isMap(value)) return Object.keys(value).length;
    return fail(`invalid argument for len (type ${typeName(value ?? null)})`, column);
  },
  isNaN: (args, column) => {
    arity('isNaN', args, 1, 1, column);
    return Number.isNaN(number('isNaN', args[0] ?? null, column));
  },
  isInf: (args, column) => {
    arity('isInf', args, 1, 2, column);
    const value = number('isInf', args[0] ?? null, column);
    const sign = args[1] === undefined ? 0 : number('isInf', args[1], column);
    if (sign > 0) return value === Infinity;
    if (sign < 0) return value === -Infinity;
    return value === Infinity || value === -Infinity;
  },
  isNil: (args, column) => {
    arity('isNil', args, 1, 1, column);
    return args[0] === null;
  },
  default: (args, column) => {
    arity('default', args, 2, 2, column);
    return args[0] === null ? (args[1] ?? null) : (args[0] ?? null);
  },
  asInt: (args, column) => {
    arity('asInt', args, 1, 1, column);
    const [value] = args;
    if (typeof value === 'number') return Math.trunc(value);
    const input = text('asInt', value ?? null, column).trim();
    if (!/^[+-]?\d+$/u.test(input)) fail(`asInt: cannot parse ${JSON.stringify(input)} as an integer`, column);
    return Number(input);
  },
  asFloat: (args, column) => {
    arity('asFloat', args, 1, 1, column);
    const [value] = args;
    if (typeof value === 'number') return value;
    return parseGoFloat('asFloat', text('asFloat', value ?? null, column), column);
  },
  int: (args, column) => {
    arity('int', args, 1, 1, column);
    const [value] = args;
    if (typeof value === 'string') return Math.trunc(parseGoFloat('int', value, column));
    return Math.trunc(number('int', value ?? null, column));
  },
  float: (args, column) => {
    arity('float', args, 1, 1, column);
    const [value] = args;
    if (typeof value === 'string') return parseGoFloat('float', value, column);
    return number('float', value ?? null, column);
  },
  string: (args, column) => {
    arity('string', args, 1, 1, column);
    return formatValue(args[0] ?? null);
  },
  abs: (args, column) => {
    arity('abs', args, 1, 1, column);
    return Math.abs(number('abs', args[0] ?? null, column));
  },
  round: (args, column) => {
    arity('round', args, 1, 1, column);
    // Go's math.Round: half away from zero (Math.round goes half up).
    const value = number('round', args[0] ?? null, column);
    return Math.sign(value) * Math.round(Math.abs(value));
  },
  floor: (args, column) => {
    arity('floor', args, 1, 1, column);
    return Math.floor(number('floor', args[0] ?? null, column));
  },
  ceil: (args, column) => {
    arity('ceil', args, 1, 1, column);
    return Math.ceil(number('ceil', args[0] ?? null, column));
  },
  max: (args, column) => Math.max(...numbersOf('max', args, column)),
  min: (args, column) => Math.min(...numbersOf('min', args, column)),
  mean: (args, column) => {
    const values = numbersOf('mean', args, column);
    return values.reduce((sum, value) => sum + value, 0) / values.length;
  },
  median: (args, column) => {
    const values = numbersOf('median', args, column).sort((a, b) => a - b);
    const middle = Math.floor(values.length / 2);
    return values.length % 2 === 1 ? (values[middle] ?? 0) : ((values[middle - 1] ?? 0) + (values[middle] ?? 0)) / 2;
  },
  first: (args, column) => {
    arity('first', args, 1, 1, column);
    return list('first', args[0] ?? null, column)[0] ?? null;
  },
  last: (args, column) => {
    arity('last', args, 1, 1, column);
    return list('last', args[0] ?? null, column).at(-1) ?? null;
  },
  upper: (args, column) => {
    arity('upper', args, 1, 1, column);
    return text('upper', args[0] ?? null, column).toUpperCase();
  },
  lower: (args, column) => {
    arity('lower', args, 1, 1, column);
    return text('lower', args[0] ?? null, column).toLowerCase();
  },
  trim: (args, column) => {
    arity('trim', args, 1, 1, column);
    return text('trim', args[0] ?? null, column).trim();
  },
  split: (args, column) => {
    arity('split', args, 2, 2, column);
    return text('split', args[0] ?? null, column).split(text('split', args[1] ?? null, column));
  },
  join: (args, column) => {
    arity('join', args, 1, 2, column);
    const separator = args[1] === undefined ? '' : text('join', args[1], column);
    return list('join', args[0] ?? null, column)
      .map((item) => text('join', item, column))
      .join(separator);
  },
  keys: (args, column) => {
    arity('keys', args, 1, 1, column);
    const [value] = args;
    if (value === undefined || !isMap(value)) return fail(`keys: expected a map, got ${typeName(value ?? null)}`, column);
    return Object.keys(value);
  },
  values: (args, column) => {
    arity('values', args, 1, 1, column);
    const [value] = args;
    if (value === undefined || !isMap(value)) return fail(`values: expected a map, got ${typeName(value ?? null)}`, column);
    return Object.values(value);
  },
};
