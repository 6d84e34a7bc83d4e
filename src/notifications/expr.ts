/*
 * A subset of expr-lang/expr, the language of notification triggers' `when` and `oncePer`
 * (notifications-engine compiles them with expr.Compile and runs them over the template
 * variables: `rollout`, `time`, `secrets`). Supported: literals (strings in ' or ", numbers,
 * true/false/nil), identifiers, member access (a.b, a?.b, a['b'], a[0], negative indexes),
 * ! / not, unary -, arithmetic (+ - * / %), comparisons, == / !=, && / and, || / or, in / not in,
 * contains/startsWith/endsWith/matches are refused, the ternary ?:, ?? and the builtins in
 * BUILTINS with a predicate closure ({.field == 'x'} / {# > 1}). Anything else is refused when the
 * expression is compiled, naming what is not supported.
 */

export class ExprError extends Error {
  constructor(source: string, message: string) {
    super(`${message} (in expression ${JSON.stringify(source)})`);
    this.name = 'ExprError';
  }
}

type ExprValue = unknown;

type Node =
  | { kind: 'literal'; value: ExprValue }
  | { kind: 'identifier'; name: string }
  | { kind: 'pointer'; field: string | undefined }
  | { kind: 'member'; object: Node; property: Node; optional: boolean }
  | { kind: 'unary'; operator: '!' | '-' | '+'; operand: Node }
  | { kind: 'binary'; operator: string; left: Node; right: Node }
  | { kind: 'conditional'; test: Node; consequent: Node; alternate: Node }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'closure'; body: Node }
  | { kind: 'array'; items: Node[] };

type Token =
  { kind: 'number'; value: number } | { kind: 'string'; value: string } | { kind: 'name'; value: string } | { kind: 'op'; value: string };

const OPERATORS = [
  '?.',
  '??',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '..',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '!',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  '.',
  '?',
  ':',
  '#',
];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const char = source[i] ?? '';
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    if (char === "'" || char === '"') {
      let j = i + 1;
      let value = '';
      while (j < source.length && source[j] !== char) {
        if (source[j] === '\\') {
          const escaped = source[j + 1] ?? '';
          value += escaped === 'n' ? '\n' : escaped === 't' ? '\t' : escaped === 'r' ? '\r' : escaped;
          j += 2;
        } else {
          value += source[j] ?? '';
          j++;
        }
      }
      if (j >= source.length) throw new ExprError(source, 'unterminated string literal');
      tokens.push({ kind: 'string', value });
      i = j + 1;
      continue;
    }
    const number = /^(?:\d[\d_]*(?:\.\d+)?(?:[eE][-+]?\d+)?)/.exec(source.slice(i));
    if (number !== null) {
      tokens.push({ kind: 'number', value: Number(number[0].replace(/_/g, '')) });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(source.slice(i));
    if (name !== null) {
      tokens.push({ kind: 'name', value: name[0] });
      i += name[0].length;
      continue;
    }
    const operator = OPERATORS.find((candidate) => source.startsWith(candidate, i));
    if (operator === undefined) throw new ExprError(source, `unexpected character ${JSON.stringify(char)}`);
    tokens.push({ kind: 'op', value: operator });
    i += operator.length;
  }
  return tokens;
}

/** The builtins supported; each is expr-lang's of the same name. */
const BUILTINS = new Set(['any', 'all', 'none', 'one', 'filter', 'map', 'count', 'len', 'lower', 'upper', 'trim', 'first', 'last']);
const PREDICATE_BUILTINS = new Set(['any', 'all', 'none', 'one', 'filter', 'map', 'count']);

/** Binding powers: expr-lang's precedence, lowest first. */
const BINARY: Record<string, number> = {
  '??': 1,
  '||': 2,
  or: 2,
  '&&': 3,
  and: 3,
  '==': 4,
  '!=': 4,
  '<': 4,
  '>': 4,
  '<=': 4,
  '>=': 4,
  in: 4,
  matches: 4,
  contains: 4,
  startsWith: 4,
  endsWith: 4,
  '+': 6,
  '-': 6,
  '*': 7,
  '/': 7,
  '%': 7,
};
const REFUSED_BINARY = new Set(['matches', 'contains', 'startsWith', 'endsWith']);

class Parser {
  private i = 0;
  private inClosure = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
  ) {}

  private fail(message: string): never {
    throw new ExprError(this.source, message);
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private isOp(value: string): boolean {
    const token = this.peek();
    return token?.kind === 'op' && token.value === value;
  }

  private expect(value: string): void {
    if (!this.isOp(value)) this.fail(`expected ${JSON.stringify(value)}`);
    this.i++;
  }

  parse(): Node {
    const node = this.expression(0);
    if (this.i < this.tokens.length) this.fail(`unexpected token ${JSON.stringify(this.tokens[this.i])}`);
    return node;
  }

  private binaryOperator(): string | undefined {
    const token = this.peek();
    if (token === undefined) return undefined;
    if (token.kind === 'op' && BINARY[token.value] !== undefined) return token.value;
    if (token.kind === 'name') {
      if (
        token.value === 'not' &&
        this.tokens[this.i + 1]?.kind === 'name' &&
        (this.tokens[this.i + 1] as { value: string }).value === 'in'
      )
        return 'not in';
      if (BINARY[token.value] !== undefined) return token.value;
    }
    return undefined;
  }

  private expression(minPower: number): Node {
    let left = this.unary();
    for (;;) {
      const operator = this.binaryOperator();
      if (operator === undefined) break;
      const power = BINARY[operator === 'not in' ? 'in' : operator] ?? 0;
      if (power <= minPower) break;
      if (REFUSED_BINARY.has(operator)) this.fail(`the operator ${operator} is not supported by Gradual's trigger conditions`);
      this.i += operator === 'not in' ? 2 : 1;
      const right = this.expression(power);
      const normalized = operator === 'and' ? '&&' : operator === 'or' ? '||' : operator;
      left =
        normalized === 'not in'
          ? { kind: 'unary', operator: '!', operand: { kind: 'binary', operator: 'in', left, right } }
          : { kind: 'binary', operator: normalized, left, right };
    }
    if (minPower === 0 && this.isOp('?')) {
      this.i++;
      const consequent = this.expression(0);
      this.expect(':');
      const alternate = this.expression(0);
      return { kind: 'conditional', test: left, consequent, alternate };
    }
    return left;
  }

  private unary(): Node {
    const token = this.peek();
    if (token?.kind === 'op' && (token.value === '!' || token.value === '-' || token.value === '+')) {
      this.i++;
      return { kind: 'unary', operator: token.value, operand: this.unary() };
    }
    if (token?.kind === 'name' && token.value === 'not') {
      this.i++;
      return { kind: 'unary', operator: '!', operand: this.expression(4) };
    }
    return this.postfix(this.primary());
  }

  private primary(): Node {
    const token = this.tokens[this.i++];
    if (token === undefined) return this.fail('unexpected end of expression');
    if (token.kind === 'number' || token.kind === 'string') return { kind: 'literal', value: token.value };
    if (token.kind === 'name') {
      if (token.value === 'true' || token.value === 'false') return { kind: 'literal', value: token.value === 'true' };
      if (token.value === 'nil') return { kind: 'literal', value: null };
      if (this.isOp('(')) {
        if (!BUILTINS.has(token.value))
          this.fail(
            `the function ${token.value}() is not supported by Gradual's trigger conditions (supported: ${[...BUILTINS].sort().join(', ')})`,
          );
        this.i++;
        const args: Node[] = [];
        while (!this.isOp(')')) {
          if (this.isOp('{')) {
            if (!PREDICATE_BUILTINS.has(token.value)) this.fail(`${token.value}() takes no predicate`);
            this.i++;
            this.inClosure++;
            const body = this.expression(0);
            this.inClosure--;
            this.expect('}');
            args.push({ kind: 'closure', body });
          } else {
            args.push(this.expression(0));
          }
          if (!this.isOp(')')) this.expect(',');
        }
        this.i++;
        return { kind: 'call', name: token.value, args };
      }
      return { kind: 'identifier', name: token.value };
    }
    if (token.value === '(') {
      const inner = this.expression(0);
      this.expect(')');
      return inner;
    }
    if (token.value === '[') {
      const items: Node[] = [];
      while (!this.isOp(']')) {
        items.push(this.expression(0));
        if (!this.isOp(']')) this.expect(',');
      }
      this.i++;
      return { kind: 'array', items };
    }
    if (token.value === '#' || token.value === '.') {
      if (this.inClosure === 0) this.fail(`${token.value} outside a predicate`);
      // {.field} is {#.field}; a bare # is the element.
      if (token.value === '.') {
        const name = this.tokens[this.i++];
        if (name?.kind !== 'name') this.fail('expected a field name after "."');
        return { kind: 'pointer', field: name.value };
      }
      return { kind: 'pointer', field: undefined };
    }
    return this.fail(`unexpected ${JSON.stringify(token.value)}`);
  }

  private postfix(start: Node): Node {
    let node = start;
    for (;;) {
      if (this.isOp('.') || this.isOp('?.')) {
        const optional = this.isOp('?.');
        this.i++;
        const name = this.tokens[this.i++];
        if (name?.kind !== 'name') this.fail('expected a field name after "."');
        if (this.isOp('(')) this.fail(`method calls (${name.value}()) are not supported by Gradual's trigger conditions`);
        node = { kind: 'member', object: node, property: { kind: 'literal', value: name.value }, optional };
        continue;
      }
      if (this.isOp('[')) {
        this.i++;
        const property = this.expression(0);
        if (this.isOp(':')) this.fail("slices (a[x:y]) are not supported by Gradual's trigger conditions");
        this.expect(']');
        node = { kind: 'member', object: node, property, optional: false };
        continue;
      }
      return node;
    }
  }
}

function typeName(value: ExprValue): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return '[]interface {}';
  if (typeof value === 'object') return 'map[string]interface {}';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float64';
  return typeof value === 'boolean' ? 'bool' : 'string';
}

function isRecord(value: ExprValue): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function equal(left: ExprValue, right: ExprValue): boolean {
  if ((left === null || left === undefined) && (right === null || right === undefined)) return true;
  if (Array.isArray(left) && Array.isArray(right)) return left.length === right.length && left.every((item, i) => equal(item, right[i]));
  if (isRecord(left) && isRecord(right)) {
    const keys = Object.keys(left);
    return keys.length === Object.keys(right).length && keys.every((key) => equal(left[key], right[key]));
  }
  return left === right;
}

export interface CompiledExpr {
  readonly source: string;
  evaluate(variables: Record<string, unknown>): unknown;
}

export function compileExpr(source: string): CompiledExpr {
  const ast = new Parser(source, tokenize(source)).parse();
  const fail = (message: string): never => {
    throw new ExprError(source, message);
  };

  function fetch(object: ExprValue, property: ExprValue, optional: boolean): ExprValue {
    if (object === null || object === undefined) {
      if (optional) return null;
      return fail(`cannot fetch ${String(property)} from <nil>`);
    }
    if (Array.isArray(object)) {
      if (typeof property !== 'number' || !Number.isInteger(property))
        return fail(`cannot fetch ${String(property)} from ${typeName(object)}`);
      const index = property < 0 ? object.length + property : property;
      if (index < 0 || index >= object.length)
        return fail(`index out of range: ${String(property)} (array length is ${String(object.length)})`);
      return object[index] as ExprValue;
    }
    if (isRecord(object)) {
      // A missing key of a map is nil, as expr's runtime.Fetch returns for map[string]any.
      return Object.hasOwn(object, String(property)) ? object[String(property)] : null;
    }
    return fail(`cannot fetch ${String(property)} from ${typeName(object)}`);
  }

  function run(node: Node, scope: Record<string, unknown>, element: ExprValue): ExprValue {
    switch (node.kind) {
      case 'literal':
        return node.value;
      case 'identifier':
        if (!Object.hasOwn(scope, node.name)) return fail(`unknown name ${node.name}`);
        return scope[node.name];
      case 'pointer':
        return node.field === undefined ? element : fetch(element, node.field, false);
      case 'array':
        return node.items.map((item) => run(item, scope, element));
      case 'member': {
        const object = run(node.object, scope, element);
        if (node.optional && (object === null || object === undefined)) return null;
        return fetch(object, run(node.property, scope, element), node.optional);
      }
      case 'unary': {
        const value = run(node.operand, scope, element);
        if (node.operator === '!') {
          if (typeof value !== 'boolean') return fail(`invalid operation: ! ${typeName(value)}`);
          return !value;
        }
        if (typeof value !== 'number') return fail(`invalid operation: ${node.operator} ${typeName(value)}`);
        return node.operator === '-' ? -value : value;
      }
      case 'conditional': {
        const test = run(node.test, scope, element);
        if (typeof test !== 'boolean') return fail(`non-bool expression (type ${typeName(test)}) used as condition`);
        return run(test ? node.consequent : node.alternate, scope, element);
      }
      case 'closure':
        return fail('a predicate is only an argument of a builtin');
      case 'call':
        return call(node, scope, element);
      case 'binary':
        return binary(node, scope, element);
    }
  }

  function binary(node: Extract<Node, { kind: 'binary' }>, scope: Record<string, unknown>, element: ExprValue): ExprValue {
    const { operator } = node;
    if (operator === '&&' || operator === '||') {
      const left = run(node.left, scope, element);
      if (typeof left !== 'boolean') return fail(`invalid operation: ${operator} on ${typeName(left)}`);
      if (operator === '&&' ? !left : left) return left;
      const right = run(node.right, scope, element);
      if (typeof right !== 'boolean') return fail(`invalid operation: ${operator} on ${typeName(right)}`);
      return right;
    }
    if (operator === '??') {
      const left = run(node.left, scope, element);
      return left === null || left === undefined ? run(node.right, scope, element) : left;
    }
    const left = run(node.left, scope, element);
    const right = run(node.right, scope, element);
    switch (operator) {
      case '==':
        return equal(left, right);
      case '!=':
        return !equal(left, right);
      case 'in':
        if (Array.isArray(right)) return right.some((item) => equal(item, left));
        if (isRecord(right)) return Object.hasOwn(right, String(left));
        if (right === null || right === undefined) return false;
        return fail(`invalid operation: in ${typeName(right)}`);
    }
    if (typeof left === 'string' && typeof right === 'string') {
      if (operator === '+') return left + right;
      if (operator === '<') return left < right;
      if (operator === '>') return left > right;
      if (operator === '<=') return left <= right;
      if (operator === '>=') return left >= right;
    }
    if (typeof left !== 'number' || typeof right !== 'number')
      return fail(`invalid operation: ${typeName(left)} ${operator} ${typeName(right)}`);
    switch (operator) {
      case '<':
        return left < right;
      case '>':
        return left > right;
      case '<=':
        return left <= right;
      case '>=':
        return left >= right;
      case '+':
        return left + right;
      case '-':
        return left - right;
      case '*':
        return left * right;
      case '/':
        return left / right;
      case '%':
        if (!Number.isInteger(left) || !Number.isInteger(right)) return fail(`invalid operation: ${typeName(left)} % ${typeName(right)}`);
        if (right === 0) return fail('integer divide by zero');
        return left % right;
    }
    return fail(`the operator ${operator} is not supported`);
  }

  function call(node: Extract<Node, { kind: 'call' }>, scope: Record<string, unknown>, element: ExprValue): ExprValue {
    const [first, second] = node.args;
    if (PREDICATE_BUILTINS.has(node.name)) {
      if (node.args.length !== 2 || second?.kind !== 'closure' || first === undefined)
        return fail(`${node.name}() takes an array and a predicate`);
      const collection = run(first, scope, element);
      const items: ExprValue[] =
        collection === null || collection === undefined
          ? []
          : Array.isArray(collection)
            ? collection
            : fail(`${node.name}() needs an array, got ${typeName(collection)}`);
      const predicate = (item: ExprValue): ExprValue => run(second.body, scope, item);
      const test = (item: ExprValue): boolean => {
        const value = predicate(item);
        if (typeof value !== 'boolean') return fail(`predicate should return boolean (got ${typeName(value)})`);
        return value;
      };
      switch (node.name) {
        case 'any':
          return items.some(test);
        case 'all':
          return items.every(test);
        case 'none':
          return !items.some(test);
        case 'one':
          return items.filter(test).length === 1;
        case 'filter':
          return items.filter(test);
        case 'count':
          return items.filter(test).length;
        case 'map':
          return items.map(predicate);
      }
    }
    if (node.args.length !== 1 || first === undefined || first.kind === 'closure') return fail(`${node.name}() takes one argument`);
    const value = run(first, scope, element);
    switch (node.name) {
      case 'len':
        // expr's len of a string is Go's: its bytes.
        if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
        if (Array.isArray(value)) return value.length;
        if (isRecord(value)) return Object.keys(value).length;
        return fail(`invalid argument for len (type ${typeName(value)})`);
      case 'first':
      case 'last':
        if (!Array.isArray(value)) return fail(`cannot get ${node.name} from ${typeName(value)}`);
        return (node.name === 'first' ? value[0] : value.at(-1)) ?? null;
    }
    if (typeof value !== 'string') return fail(`${node.name}() needs a string, got ${typeName(value)}`);
    return node.name === 'lower' ? value.toLowerCase() : node.name === 'upper' ? value.toUpperCase() : value.trim();
  }

  return {
    source,
    evaluate(variables) {
      return run(ast, variables, null);
    },
  };
}

/** fmt's %v of an oncePer result, as notifications-engine keys the notified annotation with it. */
export function formatOncePer(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
