import { BUILTINS } from './builtins.js';
import { HostValue } from './host-value.js';
import { PREDICATE_BUILTINS, type Node, type Value } from './parser.js';
import { compilePattern, matchCost } from './regexp.js';
import { ConditionEvaluationError, formatValue, isMap, typeName, valuesEqual } from './values.js';

/*
 * A small tree-walking interpreter with expr's semantics where Argo's users meet them:
 * `and`/`or`/`not` want booleans, comparisons want matching types, `/` always divides as
 * floats, a missing map field is nil, indexing past the end is an error. Every step costs
 * from a budget so that no condition, however written, can keep the controller busy; a
 * `matches` spends in proportion to its pattern's program size times the input's length
 * (regexp.ts), charged before the match runs.
 */

/** Evaluation steps one condition may take: far above any real condition, far below a stall. */
export const STEP_BUDGET = 1_000_000;

interface Scope {
  variables: Readonly<Record<string, Value>>;
  /** `#` in a predicate: the element being tested. */
  pointer: Value | undefined;
  budget: { remaining: number };
}

function fail(message: string, column: number): never {
  throw new ConditionEvaluationError(message, column);
}

function spend(scope: Scope, steps: number, column: number): void {
  scope.budget.remaining -= steps;
  if (scope.budget.remaining < 0) fail('condition too expensive to evaluate', column);
}

function bool(value: Value, what: string, column: number): boolean {
  if (typeof value !== 'boolean') fail(`invalid operation: ${what} (expected bool, got ${typeName(value)} ${formatValue(value)})`, column);
  return value;
}

function mismatched(operator: string, left: Value, right: Value, column: number): never {
  return fail(`invalid operation: ${operator} (mismatched types ${typeName(left)} and ${typeName(right)})`, column);
}

function compare(operator: string, left: Value, right: Value, column: number): boolean {
  if (left instanceof HostValue || right instanceof HostValue) {
    const order = left instanceof HostValue ? left.compare?.(right) : negate((right as HostValue).compare?.(left));
    if (order === undefined) return mismatched(operator, left, right, column);
    return operator === '<' ? order < 0 : operator === '>' ? order > 0 : operator === '<=' ? order <= 0 : order >= 0;
  }
  if (!((typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string')))
    mismatched(operator, left, right, column);
  switch (operator) {
    case '<':
      return left < right;
    case '>':
      return left > right;
    case '<=':
      return left <= right;
    default:
      return left >= right;
  }
}

function negate(order: number | undefined): number | undefined {
  return order === undefined ? undefined : -order;
}

function arithmetic(operator: string, left: Value, right: Value, column: number, scope: Scope): Value {
  if (left instanceof HostValue) return left.arithmetic?.(operator, right) ?? mismatched(operator, left, right, column);
  if (operator === '+') {
    if (typeof left === 'string' && typeof right === 'string') return left + right;
    if (Array.isArray(left) && Array.isArray(right)) {
      spend(scope, left.length + right.length, column);
      return [...left, ...right];
    }
  }
  if (typeof left !== 'number' || typeof right !== 'number') return mismatched(operator, left, right, column);
  switch (operator) {
    case '+':
      return left + right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/':
      return left / right;
    case '%':
      if (!Number.isInteger(left) || !Number.isInteger(right)) return mismatched(operator, left, right, column);
      if (right === 0) return fail('integer divide by zero', column);
      return left % right;
    default:
      return left ** right;
  }
}

function membership(operator: string, left: Value, right: Value, column: number, scope: Scope): boolean {
  switch (operator) {
    case 'in':
      if (Array.isArray(right)) return right.some((item) => valuesEqual(item, left));
      if (isMap(right)) {
        if (typeof left !== 'string') return mismatched(operator, left, right, column);
        return Object.hasOwn(right, left);
      }
      if (right === null) return false;
      return mismatched(operator, left, right, column);
    case 'matches': {
      if (typeof left !== 'string' || typeof right !== 'string') return mismatched(operator, left, right, column);
      // A pattern written in the condition was checked when it compiled; one computed from the value is checked here.
      const pattern = compilePattern(right);
      if (!pattern.ok)
        return fail(`invalid regular expression ${JSON.stringify(right)} at offset ${String(pattern.offset)}: ${pattern.message}`, column);
      spend(scope, matchCost(pattern.regexp, left), column);
      return pattern.regexp.test(left);
    }
    default: {
      if (typeof left !== 'string' || typeof right !== 'string') return mismatched(operator, left, right, column);
      if (operator === 'contains') return left.includes(right);
      if (operator === 'startsWith') return left.startsWith(right);
      return left.endsWith(right);
    }
  }
}

function binary(node: Extract<Node, { type: 'binary' }>, scope: Scope): Value {
  const { operator, column } = node;
  if (operator === 'and' || operator === '&&') {
    return bool(evaluate(node.left, scope), operator, column) && bool(evaluate(node.right, scope), operator, column);
  }
  if (operator === 'or' || operator === '||') {
    return bool(evaluate(node.left, scope), operator, column) || bool(evaluate(node.right, scope), operator, column);
  }
  if (operator === '??') {
    const left = evaluate(node.left, scope);
    return left === null ? evaluate(node.right, scope) : left;
  }
  const left = evaluate(node.left, scope);
  const right = evaluate(node.right, scope);
  switch (operator) {
    case '==':
      return valuesEqual(left, right);
    case '!=':
      return !valuesEqual(left, right);
    case '<':
    case '>':
    case '<=':
    case '>=':
      return compare(operator, left, right, column);
    case 'in':
    case 'matches':
    case 'contains':
    case 'startsWith':
    case 'endsWith':
      return membership(operator, left, right, column, scope);
    case '..': {
      if (typeof left !== 'number' || typeof right !== 'number' || !Number.isInteger(left) || !Number.isInteger(right))
        return mismatched(operator, left, right, column);
      const size = Math.max(0, right - left + 1);
      spend(scope, size, column);
      return Array.from({ length: size }, (_, index) => left + index);
    }
    default:
      return arithmetic(operator === '^' ? '**' : operator, left, right, column, scope);
  }
}

function member(object: Value, key: Value, optional: boolean, column: number): Value {
  if (object === null) {
    if (optional) return null;
    // expr's runtime.Fetch: "cannot fetch %v from %T", and %T of nil is <nil>.
    return fail(`cannot fetch ${formatValue(key)} from <nil>`, column);
  }
  if (Array.isArray(object) || typeof object === 'string') {
    if (typeof key !== 'number' || !Number.isInteger(key))
      return fail(`cannot use ${typeName(key)} as an index to ${typeName(object)}`, column);
    const items = Array.isArray(object) ? object : Array.from(object);
    const index = key < 0 ? items.length + key : key;
    if (index < 0 || index >= items.length)
      return fail(`index out of range: ${String(key)} (array length is ${String(items.length)})`, column);
    return items[index] ?? null;
  }
  if (isMap(object)) {
    if (typeof key !== 'string') return fail(`cannot use ${typeName(key)} as a key of ${typeName(object)}`, column);
    return Object.hasOwn(object, key) ? (object[key] ?? null) : null;
  }
  return fail(`cannot fetch ${formatValue(key)} from ${typeName(object)}`, column);
}

/** `object.name(args)`: a host function in a map's field, or a host value's method; what they throw is placed at the column. */
function method(node: Extract<Node, { type: 'method' }>, scope: Scope): Value {
  const object = evaluate(node.object, scope);
  if (object === null && node.optional) return null;
  const target = isMap(object) ? (Object.hasOwn(object, node.name) ? (object[node.name] ?? null) : null) : object;
  if (!(target instanceof HostValue)) {
    if (isMap(object)) return fail(`${node.name} is not a function (${typeName(target)})`, node.column);
    return fail(`type ${typeName(object)} has no method ${node.name}`, node.column);
  }
  const args = node.args.map((arg) => evaluate(arg, scope));
  try {
    if (isMap(object)) {
      if (target.call === undefined) return fail(`cannot call ${target.typeName}`, node.column);
      return target.call(args);
    }
    if (target.method === undefined) return fail(`type ${target.typeName} has no method ${node.name}`, node.column);
    return target.method(node.name, args);
  } catch (cause) {
    if (cause instanceof ConditionEvaluationError) throw cause;
    return fail(cause instanceof Error ? cause.message : String(cause), node.column);
  }
}

function slice(node: Extract<Node, { type: 'slice' }>, scope: Scope): Value {
  const object = evaluate(node.object, scope);
  if (!Array.isArray(object) && typeof object !== 'string') return fail(`cannot slice ${typeName(object)}`, node.column);
  const length = Array.isArray(object) ? object.length : Array.from(object).length;
  const bound = (value: Node | undefined, otherwise: number): number => {
    if (value === undefined) return otherwise;
    const result = evaluate(value, scope);
    if (typeof result !== 'number' || !Number.isInteger(result))
      return fail(`cannot use ${typeName(result)} as a slice bound`, node.column);
    const index = result < 0 ? length + result : result;
    return Math.min(Math.max(index, 0), length);
  };
  const from = bound(node.from, 0);
  const to = bound(node.to, length);
  if (Array.isArray(object)) return object.slice(from, Math.max(from, to));
  return Array.from(object).slice(from, Math.max(from, to)).join('');
}

function predicate(node: Extract<Node, { type: 'call' }>, scope: Scope): Value {
  const [collectionNode, closure] = node.args;
  if (collectionNode === undefined) return fail(`${node.callee}: expected an array argument`, node.column);
  const collection = evaluate(collectionNode, scope);
  if (!Array.isArray(collection)) return fail(`${node.callee}: cannot iterate over ${typeName(collection)}`, node.column);
  if (closure === undefined) {
    if (node.callee === 'sum')
      return collection.reduce<number>(
        (sum, item) => sum + (typeof item === 'number' ? item : fail(`sum: expected numbers, got ${typeName(item)}`, node.column)),
        0,
      );
    if (node.callee === 'count') return collection.filter((item) => item === true).length;
    return fail(`${node.callee}: expected a predicate as the second argument`, node.column);
  }
  if (node.args.length > 2) return fail(`${node.callee}: too many arguments`, node.column);
  const apply = (item: Value): Value => {
    spend(scope, 1, node.column);
    return evaluate(closure.type === 'closure' ? closure.body : closure, { ...scope, pointer: item });
  };
  const test = (item: Value): boolean => bool(apply(item), `${node.callee} predicate`, closure.column);
  switch (node.callee) {
    case 'all':
      return collection.every(test);
    case 'any':
      return collection.some(test);
    case 'none':
      return !collection.some(test);
    case 'one':
      return collection.filter(test).length === 1;
    case 'filter':
      return collection.filter(test);
    case 'map':
      return collection.map(apply);
    case 'count':
      return collection.filter(test).length;
    case 'find':
      return collection.find(test) ?? null;
    case 'findIndex':
      return collection.findIndex(test);
    case 'findLast':
      return collection.findLast(test) ?? null;
    case 'findLastIndex':
      return collection.findLastIndex(test);
    default:
      return collection.reduce<number>((sum, item) => {
        const value = apply(item);
        return sum + (typeof value === 'number' ? value : fail(`sum: expected numbers, got ${typeName(value)}`, node.column));
      }, 0);
  }
}

export function evaluate(node: Node, scope: Scope): Value {
  spend(scope, 1, node.column);
  switch (node.type) {
    case 'literal':
      return node.value;
    case 'identifier':
      return Object.hasOwn(scope.variables, node.name)
        ? (scope.variables[node.name] ?? null)
        : fail(`unknown name ${node.name}`, node.column);
    case 'pointer':
      return scope.pointer === undefined ? fail('# is only defined inside a predicate', node.column) : scope.pointer;
    case 'member':
      return member(evaluate(node.object, scope), node.property, node.optional, node.column);
    case 'index':
      return member(evaluate(node.object, scope), evaluate(node.index, scope), node.optional, node.column);
    case 'slice':
      return slice(node, scope);
    case 'method':
      return method(node, scope);
    case 'call': {
      if (PREDICATE_BUILTINS.has(node.callee)) return predicate(node, scope);
      const builtin = BUILTINS[node.callee];
      if (builtin === undefined) return fail(`unknown function ${node.callee}`, node.column);
      return builtin(
        node.args.map((arg) => evaluate(arg, scope)),
        node.column,
      );
    }
    case 'closure':
      return fail(
        'a predicate is only allowed as the second argument of all, any, none, one, filter, map, count, find and sum',
        node.column,
      );
    case 'unary': {
      const operand = evaluate(node.operand, scope);
      if (node.operator === 'not') return !bool(operand, 'not', node.column);
      if (typeof operand !== 'number')
        return fail(`invalid operation: ${node.operator} (mismatched type ${typeName(operand)})`, node.column);
      return node.operator === '-' ? -operand : operand;
    }
    case 'binary':
      return binary(node, scope);
    case 'conditional': {
      const test = evaluate(node.test, scope);
      if (node.consequent === undefined) return test !== null && test !== false ? test : evaluate(node.alternate, scope);
      return bool(test, 'ternary', node.column) ? evaluate(node.consequent, scope) : evaluate(node.alternate, scope);
    }
    case 'array': {
      return node.elements.map((element) => evaluate(element, scope));
    }
    case 'map': {
      const result: Record<string, Value> = {};
      for (const [keyNode, valueNode] of node.entries) {
        const key = evaluate(keyNode, scope);
        result[typeof key === 'string' ? key : formatValue(key)] = evaluate(valueNode, scope);
      }
      return result;
    }
  }
}

export function newScope(variables: Readonly<Record<string, Value>>): Scope {
  return { variables, pointer: undefined, budget: { remaining: STEP_BUDGET } };
}
