import type { HostValue } from './host-value.js';
import { ConditionSyntaxError, tokenize, type Token } from './lexer.js';

/*
 * A recursive-descent parser for the subset of Go `expr` that Argo's conditions use, with
 * expr's operator precedences (parser/operator/operator.go). Written by hand rather than
 * with jsep or a PEG library: expr's `#` closures, word operators (`and`, `not in`,
 * `contains`), `**` and `..` need a grammar of its own anyway, and the whole parser is
 * smaller than the configuration a general one would take.
 */

/** What a measurement or a Rollout is: JSON's values (the type the rest of Gradual hands conditions). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** What the evaluator handles: JSON's values, and what a host adds (host-value.ts: functions, Go times and durations). */
export type Value = null | boolean | number | string | Value[] | { [key: string]: Value } | HostValue;

export type Node =
  | { type: 'literal'; value: Value; column: number }
  | { type: 'identifier'; name: string; column: number }
  | { type: 'pointer'; column: number }
  | { type: 'member'; object: Node; property: string; optional: boolean; column: number }
  | { type: 'index'; object: Node; index: Node; optional: boolean; column: number }
  | { type: 'slice'; object: Node; from: Node | undefined; to: Node | undefined; column: number }
  | { type: 'call'; callee: string; args: Node[]; column: number }
  /** `object.name(args)`: a function held in a map's field (`time.Now()`) or a host value's method (`t.Sub(u)`). */
  | { type: 'method'; object: Node; name: string; args: Node[]; optional: boolean; column: number }
  | { type: 'closure'; body: Node; column: number }
  | { type: 'unary'; operator: string; operand: Node; column: number }
  | { type: 'binary'; operator: string; left: Node; right: Node; column: number }
  | { type: 'conditional'; test: Node; consequent: Node | undefined; alternate: Node; column: number }
  | { type: 'array'; elements: Node[]; column: number }
  | { type: 'map'; entries: [key: Node, value: Node][]; column: number };

const BINARY: Record<string, { precedence: number; right?: boolean }> = {
  or: { precedence: 10 },
  '||': { precedence: 10 },
  and: { precedence: 15 },
  '&&': { precedence: 15 },
  '==': { precedence: 20 },
  '!=': { precedence: 20 },
  '<': { precedence: 20 },
  '>': { precedence: 20 },
  '>=': { precedence: 20 },
  '<=': { precedence: 20 },
  in: { precedence: 20 },
  matches: { precedence: 20 },
  contains: { precedence: 20 },
  startsWith: { precedence: 20 },
  endsWith: { precedence: 20 },
  '..': { precedence: 25 },
  '+': { precedence: 30 },
  '-': { precedence: 30 },
  '*': { precedence: 60 },
  '/': { precedence: 60 },
  '%': { precedence: 60 },
  '**': { precedence: 100, right: true },
  '^': { precedence: 100, right: true },
  '??': { precedence: 500 },
};

const UNARY: Record<string, number> = { not: 50, '!': 50, '-': 90, '+': 90 };

/** The builtins whose second argument is a predicate evaluated per element (`#`). */
export const PREDICATE_BUILTINS: ReadonlySet<string> = new Set([
  'all',
  'any',
  'none',
  'one',
  'filter',
  'map',
  'count',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'sum',
]);

/** Word operators that `not` can prefix: `x not in list`. */
const NEGATABLE = new Set(['in', 'matches', 'contains', 'startsWith', 'endsWith']);

/** Parses one condition; throws ConditionSyntaxError with the 1-based column of the problem. */
export function parseCondition(source: string): Node {
  const tokens = tokenize(source);
  let at = 0;
  const peek = (offset = 0): Token =>
    tokens[Math.min(at + offset, tokens.length - 1)] ?? { kind: 'eof', text: '', column: source.length + 1 };
  const next = (): Token => {
    const token = peek();
    at += 1;
    return token;
  };
  const is = (text: string, offset = 0): boolean => {
    const token = peek(offset);
    return token.kind !== 'string' && token.kind !== 'eof' && token.text === text;
  };
  const expect = (text: string, what: string): Token => {
    const token = peek();
    if (!is(text)) throw new ConditionSyntaxError(`expected ${what} but found ${describe(token)}`, token.column);
    return next();
  };

  function binaryOperatorAt(): { text: string; negated: boolean; length: number } | undefined {
    const token = peek();
    if (token.kind === 'operator' || token.kind === 'identifier') {
      if (token.kind === 'identifier' && token.text === 'not' && NEGATABLE.has(peek(1).text) && peek(1).kind === 'identifier') {
        return { text: peek(1).text, negated: true, length: 2 };
      }
      if (Object.hasOwn(BINARY, token.text)) return { text: token.text, negated: false, length: 1 };
    }
    return undefined;
  }

  function parseExpression(minPrecedence: number): Node {
    let left = parseUnary();
    for (;;) {
      const operator = binaryOperatorAt();
      const spec = operator === undefined ? undefined : BINARY[operator.text];
      if (operator === undefined || spec === undefined || spec.precedence < minPrecedence) break;
      const column = peek().column;
      at += operator.length;
      const right = parseExpression(spec.right === true ? spec.precedence : spec.precedence + 1);
      left = { type: 'binary', operator: operator.text, left, right, column };
      if (operator.negated) left = { type: 'unary', operator: 'not', operand: left, column };
    }
    return left;
  }

  function parseConditional(): Node {
    const test = parseExpression(0);
    if (!is('?')) return test;
    const column = next().column;
    if (is(':')) {
      next();
      return { type: 'conditional', test, consequent: undefined, alternate: parseConditional(), column };
    }
    const consequent = parseConditional();
    expect(':', '":" of the ternary operator');
    return { type: 'conditional', test, consequent, alternate: parseConditional(), column };
  }

  function parseUnary(): Node {
    const token = peek();
    if (
      (token.kind === 'operator' || token.kind === 'identifier') &&
      Object.hasOwn(UNARY, token.text) &&
      !(token.kind === 'identifier' && token.text !== 'not')
    ) {
      next();
      const operand = parseExpression(UNARY[token.text] ?? 0);
      return { type: 'unary', operator: token.text === '!' ? 'not' : token.text, operand, column: token.column };
    }
    return parsePostfix(parsePrimary());
  }

  function parsePrimary(): Node {
    const token = next();
    switch (token.kind) {
      case 'number':
        return { type: 'literal', value: token.value ?? 0, column: token.column };
      case 'string':
        return { type: 'literal', value: token.text, column: token.column };
      case 'identifier': {
        if (token.text === 'true' || token.text === 'false') return { type: 'literal', value: token.text === 'true', column: token.column };
        if (token.text === 'nil') return { type: 'literal', value: null, column: token.column };
        if (is('(')) return parseCall(token);
        return { type: 'identifier', name: token.text, column: token.column };
      }
      case 'operator':
        if (token.text === '#') return { type: 'pointer', column: token.column };
        if (token.text === '.' && peek().kind === 'identifier') {
          // `.field` inside a closure is `#.field`.
          const property = next();
          return {
            type: 'member',
            object: { type: 'pointer', column: token.column },
            property: property.text,
            optional: false,
            column: property.column,
          };
        }
        break;
      case 'bracket':
        if (token.text === '(') {
          const inner = parseConditional();
          expect(')', '")"');
          return inner;
        }
        if (token.text === '[') return parseArray(token);
        if (token.text === '{') return parseMap(token);
        break;
      case 'eof':
        throw new ConditionSyntaxError('unexpected end of expression', token.column);
    }
    throw new ConditionSyntaxError(`unexpected ${describe(token)}`, token.column);
  }

  function parseCall(name: Token): Node {
    expect('(', '"("');
    const args: Node[] = [];
    while (!is(')')) {
      if (args.length > 0) expect(',', '"," or ")"');
      if (is(')')) break;
      args.push(args.length === 1 && PREDICATE_BUILTINS.has(name.text) ? parseClosure() : parseConditional());
    }
    expect(')', '")"');
    return { type: 'call', callee: name.text, args, column: name.column };
  }

  function parseClosure(): Node {
    const start = peek();
    if (is('{')) {
      next();
      const body = parseConditional();
      expect('}', '"}" closing the predicate');
      return { type: 'closure', body, column: start.column };
    }
    return { type: 'closure', body: parseConditional(), column: start.column };
  }

  function parseArray(open: Token): Node {
    const elements: Node[] = [];
    while (!is(']')) {
      if (elements.length > 0) expect(',', '"," or "]"');
      if (is(']')) break;
      elements.push(parseConditional());
    }
    expect(']', '"]"');
    return { type: 'array', elements, column: open.column };
  }

  function parseMap(open: Token): Node {
    const entries: [Node, Node][] = [];
    while (!is('}')) {
      if (entries.length > 0) expect(',', '"," or "}"');
      if (is('}')) break;
      const keyToken = peek();
      let key: Node;
      if (keyToken.kind === 'identifier' || keyToken.kind === 'string' || keyToken.kind === 'number') {
        next();
        key = { type: 'literal', value: keyToken.kind === 'number' ? (keyToken.value ?? 0) : keyToken.text, column: keyToken.column };
      } else {
        expect('(', 'a map key');
        key = parseConditional();
        expect(')', '")"');
      }
      expect(':', '":" after the map key');
      entries.push([key, parseConditional()]);
    }
    expect('}', '"}"');
    return { type: 'map', entries, column: open.column };
  }

  function parsePostfix(start: Node): Node {
    let node = start;
    for (;;) {
      if (is('.') || is('?.')) {
        const optional = next().text === '?.';
        if (optional && is('[')) {
          node = parseIndex(node, true);
          continue;
        }
        const property = next();
        if (property.kind !== 'identifier')
          throw new ConditionSyntaxError(`expected a field name but found ${describe(property)}`, property.column);
        if (is('(')) {
          node = { type: 'method', object: node, name: property.text, args: parseArguments(), optional, column: property.column };
          continue;
        }
        node = { type: 'member', object: node, property: property.text, optional, column: property.column };
      } else if (is('[')) {
        node = parseIndex(node, false);
      } else {
        return node;
      }
    }
  }

  function parseArguments(): Node[] {
    expect('(', '"("');
    const args: Node[] = [];
    while (!is(')')) {
      if (args.length > 0) expect(',', '"," or ")"');
      if (is(')')) break;
      args.push(parseConditional());
    }
    expect(')', '")"');
    return args;
  }

  function parseIndex(object: Node, optional: boolean): Node {
    const open = expect('[', '"["');
    if (is(':')) {
      next();
      const to = is(']') ? undefined : parseConditional();
      expect(']', '"]"');
      return { type: 'slice', object, from: undefined, to, column: open.column };
    }
    const index = parseConditional();
    if (is(':')) {
      next();
      const to = is(']') ? undefined : parseConditional();
      expect(']', '"]"');
      return { type: 'slice', object, from: index, to, column: open.column };
    }
    expect(']', '"]"');
    return { type: 'index', object, index, optional, column: open.column };
  }

  const tree = parseConditional();
  const trailing = peek();
  if (trailing.kind !== 'eof') throw new ConditionSyntaxError(`unexpected ${describe(trailing)}`, trailing.column);
  return tree;
}

function describe(token: Token): string {
  if (token.kind === 'eof') return 'end of expression';
  if (token.kind === 'string') return `string ${JSON.stringify(token.text)}`;
  return `${token.kind === 'number' ? 'number' : 'token'} ${JSON.stringify(token.text)}`;
}
