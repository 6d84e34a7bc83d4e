import { GoInt, NO_VALUE, formatValue, goJson, goQuote, goTypeName, isMap, truth, type GoValue } from './go-values.js';

/*
 * A subset of Go's text/template, the language of Argo's notification templates (notifications-engine
 * parses every template field with text/template and sprig's TxtFuncMap). Supported: text, trim
 * markers, comments, pipelines, variables ($, $x, $i, $c :=, =), field chains, parenthesised
 * pipelines, if/else if/else, range (with else, over lists and maps), with/else, and the functions
 * in FUNCTIONS. Anything else (define, template, block, break, continue, an unknown function) is
 * refused when the template is parsed, naming it, so a template that would render differently
 * here than in Argo is an error at configuration time, not a different message at send time.
 */

export class TemplateError extends Error {
  constructor(templateName: string, line: number, message: string) {
    super(`template: ${templateName}:${String(line)}: ${message}`);
    this.name = 'TemplateError';
  }
}

type Token =
  | { kind: 'field'; names: string[] }
  | { kind: 'variable'; name: string; names: string[] }
  | { kind: 'identifier'; name: string }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: GoValue }
  | { kind: 'chain'; names: string[] }
  | { kind: 'punct'; value: '(' | ')' | '|' | ':=' | '=' | ',' };

type Operand =
  | { kind: 'field'; names: string[] }
  | { kind: 'variable'; name: string; names: string[] }
  | { kind: 'function'; name: string }
  | { kind: 'literal'; value: GoValue }
  | { kind: 'dot' }
  | { kind: 'pipe'; pipe: Pipeline; names: string[] };

interface Command {
  operands: Operand[];
}

interface Pipeline {
  declarations: string[];
  assign: boolean;
  commands: Command[];
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipeline; line: number }
  | { kind: 'if' | 'with'; pipe: Pipeline; body: Node[]; otherwise: Node[]; line: number }
  | { kind: 'range'; pipe: Pipeline; body: Node[]; otherwise: Node[]; line: number };

type Fn = (args: GoValue[]) => GoValue;

function requireString(name: string, value: GoValue, index: number): string {
  if (typeof value !== 'string')
    throw new Error(
      `error calling ${name}: wrong type for value; expected string; got ${goTypeName(value)} (argument ${String(index + 1)})`,
    );
  return value;
}

/** sprig's cast.ToInt64 as add uses it: floats truncate, strings parse, anything else is 0. */
function toInt64(value: GoValue): number {
  if (value instanceof GoInt) return value.value;
  if (typeof value === 'number') return Math.trunc(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const parsed = Number.parseInt(value, 10);
    return /^[-+]?\d+$/.test(value.trim()) && Number.isFinite(parsed) ? parsed : 0;
  }
  return 0;
}

/** sprig's empty(): what default replaces. */
function empty(value: GoValue): boolean {
  return !truth(value);
}

/** sprig's strval, as quote applies it. */
function strval(value: GoValue): string {
  return typeof value === 'string' ? value : formatValue(value);
}

function numberKind(value: GoValue): 'int' | 'float' | undefined {
  if (value instanceof GoInt) return 'int';
  if (typeof value === 'number') return 'float';
  return undefined;
}

function basicCompare(name: string, left: GoValue, right: GoValue): number {
  const leftKind = numberKind(left);
  const rightKind = numberKind(right);
  if (leftKind !== undefined && rightKind !== undefined) {
    if (leftKind !== rightKind) throw new Error(`error calling ${name}: incompatible types for comparison`);
    const a = left instanceof GoInt ? left.value : (left as number);
    const b = right instanceof GoInt ? right.value : (right as number);
    return a === b ? 0 : a < b ? -1 : 1;
  }
  if (typeof left === 'string' && typeof right === 'string') return left === right ? 0 : left < right ? -1 : 1;
  if (typeof left === 'boolean' && typeof right === 'boolean') {
    if (name !== 'eq' && name !== 'ne') throw new Error(`error calling ${name}: invalid type for comparison`);
    return left === right ? 0 : 1;
  }
  if (left === NO_VALUE || right === NO_VALUE) throw new Error(`error calling ${name}: invalid type for comparison`);
  if (left === null && right === null && (name === 'eq' || name === 'ne')) return 0;
  if (typeof left !== typeof right || leftKind !== undefined || rightKind !== undefined)
    throw new Error(`error calling ${name}: incompatible types for comparison`);
  throw new Error(`error calling ${name}: invalid type for comparison`);
}

/** fmt.Sprintf for the verbs templates use: %s %v %d %q %%, with Go's %!verb(type=value) for a mismatch. */
function sprintf(format: string, args: GoValue[]): string {
  let next = 0;
  const out = format.replace(/%([-+# 0]*\d*(?:\.\d+)?)([a-zA-Z%])/g, (whole, flags: string, verb: string) => {
    if (verb === '%') return '%';
    if (flags !== '') throw new Error(`error calling printf: the format flag in ${whole} is not supported here`);
    if (next >= args.length) return `%!${verb}(MISSING)`;
    const arg = args[next++] ?? null;
    switch (verb) {
      case 'v':
        return formatValue(arg);
      case 's':
        return typeof arg === 'string'
          ? arg
          : arg === null
            ? '%!s(<nil>)'
            : typeof arg === 'object'
              ? formatValue(arg)
              : `%!s(${goTypeName(arg)}=${formatValue(arg)})`;
      case 'd':
        return arg instanceof GoInt ? String(arg.value) : `%!d(${goTypeName(arg)}=${formatValue(arg)})`;
      case 'q':
        return typeof arg === 'string' ? goQuote(arg) : `%!q(${goTypeName(arg)}=${formatValue(arg)})`;
      default:
        throw new Error(`error calling printf: the verb %${verb} is not supported here`);
    }
  });
  if (next < args.length)
    return `${out}%!(EXTRA ${args
      .slice(next)
      .map((arg) => `${goTypeName(arg)}=${formatValue(arg)}`)
      .join(', ')})`;
  return out;
}

function lengthOf(value: GoValue): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (Array.isArray(value)) return value.length;
  if (isMap(value)) return Object.keys(value).length;
  throw new Error(`error calling len: len of type ${goTypeName(value)}`);
}

function indexOf(value: GoValue, keys: GoValue[]): GoValue {
  let current = value;
  for (const key of keys) {
    if (Array.isArray(current)) {
      if (!(key instanceof GoInt)) throw new Error(`error calling index: cannot index slice/array with type ${goTypeName(key)}`);
      if (key.value < 0 || key.value >= current.length) throw new Error(`error calling index: index out of range: ${String(key.value)}`);
      current = current[key.value] ?? null;
    } else if (isMap(current)) {
      if (typeof key !== 'string') throw new Error(`error calling index: value has type ${goTypeName(key)}; should be string`);
      // A missing key gives the map's zero value (nil), not "no value", through index.
      current = Object.hasOwn(current, key) ? (current[key] ?? null) : null;
    } else if (current === null || current === NO_VALUE) {
      throw new Error('error calling index: index of untyped nil');
    } else {
      throw new Error(`error calling index: can't index item of type ${goTypeName(current)}`);
    }
  }
  return current;
}

const FUNCTIONS: Record<string, Fn> = {
  // Go's builtins.
  not: ([value = NO_VALUE]) => !truth(value),
  len: ([value = NO_VALUE]) => new GoInt(lengthOf(value)),
  index: ([value = NO_VALUE, ...keys]) => indexOf(value, keys),
  printf: ([format = NO_VALUE, ...args]) => sprintf(requireString('printf', format, 0), args),
  print: (args) =>
    args.map((arg, i) => (i > 0 && typeof arg !== 'string' && typeof args[i - 1] !== 'string' ? ' ' : '') + formatValue(arg)).join(''),
  eq: ([left = NO_VALUE, ...rights]) => rights.some((right) => basicCompare('eq', left, right) === 0),
  ne: ([left = NO_VALUE, right = NO_VALUE]) => basicCompare('ne', left, right) !== 0,
  lt: ([left = NO_VALUE, right = NO_VALUE]) => basicCompare('lt', left, right) < 0,
  le: ([left = NO_VALUE, right = NO_VALUE]) => basicCompare('le', left, right) <= 0,
  gt: ([left = NO_VALUE, right = NO_VALUE]) => basicCompare('gt', left, right) > 0,
  ge: ([left = NO_VALUE, right = NO_VALUE]) => basicCompare('ge', left, right) >= 0,
  // sprig's, as notifications-engine registers them (TxtFuncMap).
  default: ([fallback = NO_VALUE, given = NO_VALUE]) => (empty(given) ? fallback : given),
  upper: ([text = NO_VALUE]) => requireString('upper', text, 0).toUpperCase(),
  lower: ([text = NO_VALUE]) => requireString('lower', text, 0).toLowerCase(),
  trim: ([text = NO_VALUE]) => requireString('trim', text, 0).trim(),
  quote: (args) =>
    args
      .filter((arg) => arg !== null && arg !== NO_VALUE)
      .map((arg) => goQuote(strval(arg)))
      .join(' '),
  toJson: ([value = NO_VALUE]) => goJson(value),
  add: (args) => new GoInt(args.reduce<number>((sum, arg) => sum + toInt64(arg), 0)),
  sub: ([a = NO_VALUE, b = NO_VALUE]) => new GoInt(toInt64(a) - toInt64(b)),
};

/** Go's and/or are special forms: they stop at the first argument that decides. */
const SHORT_CIRCUIT = new Set(['and', 'or']);

/** The function names a template may call, for messages and the linter. */
export const TEMPLATE_FUNCTIONS: readonly string[] = [...Object.keys(FUNCTIONS), ...SHORT_CIRCUIT].sort();

/** Go's and sprig's functions refused here (they exist in Argo, so refusing is honest, not a typo report). */
const KNOWN_ELSEWHERE = /^(html|js|urlquery|slice|call|println|define|template|block|break|continue)$/;

class Lexer {
  private pos = 0;
  constructor(
    private readonly source: string,
    private readonly fail: (message: string) => never,
  ) {}

  tokens(): Token[] {
    const out: Token[] = [];
    const s = this.source;
    while (this.pos < s.length) {
      const char = s[this.pos] ?? '';
      if (/\s/.test(char)) {
        this.pos++;
        continue;
      }
      if (char === '(' || char === ')' || char === '|' || char === ',') {
        out.push({ kind: 'punct', value: char });
        this.pos++;
        continue;
      }
      if (s.startsWith(':=', this.pos)) {
        out.push({ kind: 'punct', value: ':=' });
        this.pos += 2;
        continue;
      }
      if (char === '=') {
        out.push({ kind: 'punct', value: '=' });
        this.pos++;
        continue;
      }
      if (char === '"') {
        const match = /^"(?:[^"\\\n]|\\.)*"/.exec(s.slice(this.pos));
        if (match === null) this.fail('unterminated quoted string');
        out.push({
          kind: 'string',
          value: JSON.parse(
            match[0]
              .replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1')
              .replace(/\\a/g, '\\u0007')
              .replace(/\\v/g, '\\u000b'),
          ) as string,
        });
        this.pos += match[0].length;
        continue;
      }
      if (char === '`') {
        const end = s.indexOf('`', this.pos + 1);
        if (end < 0) this.fail('unterminated raw quoted string');
        out.push({ kind: 'string', value: s.slice(this.pos + 1, end) });
        this.pos = end + 1;
        continue;
      }
      const name = /^[A-Za-z_][A-Za-z0-9_]*/;
      if (char === '.') {
        const match = /^(?:\.[A-Za-z_][A-Za-z0-9_]*)+/.exec(s.slice(this.pos));
        if (match === null) {
          out.push({ kind: 'field', names: [] });
          this.pos++;
          continue;
        }
        const names = match[0].slice(1).split('.');
        const previous = out.at(-1);
        // A chain right after a closing parenthesis applies to the parenthesised value.
        if (previous?.kind === 'punct' && previous.value === ')' && !/\s/.test(s[this.pos - 1] ?? ' ')) out.push({ kind: 'chain', names });
        else out.push({ kind: 'field', names });
        this.pos += match[0].length;
        continue;
      }
      if (char === '$') {
        const match = /^\$([A-Za-z_][A-Za-z0-9_]*)?((?:\.[A-Za-z_][A-Za-z0-9_]*)*)/.exec(s.slice(this.pos));
        if (match === null) this.fail('bad variable');
        out.push({
          kind: 'variable',
          name: `$${match[1] ?? ''}`,
          names: match[2] === undefined || match[2] === '' ? [] : match[2].slice(1).split('.'),
        });
        this.pos += match[0].length;
        continue;
      }
      const number = /^[-+]?(?:0[xX][0-9a-fA-F_]+|\d[\d_]*(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)/.exec(s.slice(this.pos));
      if (number !== null && /[-+\d.]/.test(char)) {
        const text = number[0].replace(/_/g, '');
        const isFloat = /[.eE]/.test(text) && !/^[-+]?0[xX]/.test(text);
        out.push({ kind: 'number', value: isFloat ? Number(text) : new GoInt(Number(text)) });
        this.pos += number[0].length;
        continue;
      }
      const identifier = name.exec(s.slice(this.pos));
      if (identifier !== null) {
        out.push({ kind: 'identifier', name: identifier[0] });
        this.pos += identifier[0].length;
        continue;
      }
      this.fail(`unexpected ${JSON.stringify(char)} in command`);
    }
    return out;
  }
}

interface RawAction {
  kind: 'text' | 'action';
  text: string;
  line: number;
}

/** Splits the source into text and action bodies, applying the {{- and -}} trim markers. */
function split(source: string, fail: (line: number, message: string) => never): RawAction[] {
  const out: RawAction[] = [];
  let pos = 0;
  let trimNext = false;
  while (pos <= source.length) {
    const open = source.indexOf('{{', pos);
    let text = open < 0 ? source.slice(pos) : source.slice(pos, open);
    if (trimNext) text = text.replace(/^\s+/, '');
    trimNext = false;
    if (open < 0) {
      if (text !== '') out.push({ kind: 'text', text, line: 0 });
      break;
    }
    const line = source.slice(0, open).split('\n').length;
    let bodyStart = open + 2;
    if (
      source.startsWith('- ', bodyStart) ||
      source.startsWith('-\t', bodyStart) ||
      source.startsWith('-\n', bodyStart) ||
      source.startsWith('-\r', bodyStart)
    ) {
      text = text.replace(/\s+$/, '');
      bodyStart += 1;
    }
    if (text !== '') out.push({ kind: 'text', text, line });
    // A comment may hold "}}" ; it ends at "*/" followed by the close.
    const afterSpace = source.slice(bodyStart).match(/^\s*/)?.[0].length ?? 0;
    let close: number;
    if (source.startsWith('/*', bodyStart + afterSpace)) {
      const commentEnd = source.indexOf('*/', bodyStart + afterSpace + 2);
      if (commentEnd < 0) fail(line, 'unclosed comment');
      close = source.indexOf('}}', commentEnd + 2);
    } else {
      close = findClose(source, bodyStart);
    }
    if (close < 0) fail(line, 'unclosed action');
    let body = source.slice(bodyStart, close);
    if (/\s-$/.test(body)) {
      body = body.slice(0, -1);
      trimNext = true;
    }
    if (!/^\s*\/\*[\s\S]*\*\/\s*$/.test(body)) out.push({ kind: 'action', text: body, line });
    pos = close + 2;
  }
  return out;
}

/** The "}}" closing an action, skipping over quoted strings (a string may hold "}}"). */
function findClose(source: string, from: number): number {
  let i = from;
  while (i < source.length) {
    const char = source[i];
    if (char === '"') {
      i++;
      while (i < source.length && source[i] !== '"') i += source[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (char === '`') {
      const end = source.indexOf('`', i + 1);
      if (end < 0) return -1;
      i = end + 1;
      continue;
    }
    if (source.startsWith('}}', i)) return i;
    i++;
  }
  return -1;
}

export interface GoTemplate {
  readonly name: string;
  execute(data: GoValue): string;
}

/** Parses a template; throws TemplateError (naming the template and line) for anything outside the subset. */
export function parseGoTemplate(name: string, source: string): GoTemplate {
  const fail = (line: number, message: string): never => {
    throw new TemplateError(name, line, message);
  };
  const pieces = split(source, fail);
  let index = 0;

  function parsePipeline(tokens: Token[], line: number, allowDeclarations: boolean, allowTwo: boolean): Pipeline {
    const declarations: string[] = [];
    let assign = false;
    let start = 0;
    const declarationEnd = tokens.findIndex((token) => token.kind === 'punct' && (token.value === ':=' || token.value === '='));
    if (declarationEnd > 0) {
      const names = tokens.slice(0, declarationEnd);
      const variables = names.filter((token) => token.kind === 'variable');
      const commas = names.filter((token) => token.kind === 'punct' && token.value === ',');
      const valid =
        variables.every((v) => v.names.length === 0) &&
        variables.length === commas.length + 1 &&
        names.length === variables.length + commas.length;
      if (valid) {
        if (!allowDeclarations && variables.length > 1) fail(line, 'too many declarations in command');
        if (variables.length > (allowTwo ? 2 : 1)) fail(line, 'too many declarations in command');
        for (const variable of variables) declarations.push(variable.name);
        const operator = tokens[declarationEnd];
        assign = operator?.kind === 'punct' && operator.value === '=';
        start = declarationEnd + 1;
      }
    }
    const commands: Command[] = [];
    let current: Operand[] = [];
    let i = start;
    const parseOperand = (): Operand => {
      const token = tokens[i++];
      if (token === undefined) return fail(line, 'missing value for command');
      switch (token.kind) {
        case 'field':
          return token.names.length === 0 ? { kind: 'dot' } : { kind: 'field', names: token.names };
        case 'variable':
          if (!assign && !declarations.includes(token.name) && !scopes.some((scope) => scope.has(token.name)))
            fail(line, `undefined variable "${token.name}"`);
          return { kind: 'variable', name: token.name, names: token.names };
        case 'string':
          return { kind: 'literal', value: token.value };
        case 'number':
          return { kind: 'literal', value: token.value };
        case 'identifier':
          if (token.name === 'true' || token.name === 'false') return { kind: 'literal', value: token.name === 'true' };
          if (token.name === 'nil') return fail(line, 'nil is not a command');
          if (FUNCTIONS[token.name] !== undefined || SHORT_CIRCUIT.has(token.name)) return { kind: 'function', name: token.name };
          if (KNOWN_ELSEWHERE.test(token.name))
            return fail(
              line,
              `function "${token.name}" is not supported by Gradual's template renderer (supported: ${TEMPLATE_FUNCTIONS.join(', ')})`,
            );
          return fail(line, `function "${token.name}" not defined`);
        case 'punct': {
          if (token.value !== '(') return fail(line, `unexpected "${token.value}" in operand`);
          let depth = 1;
          const inner: Token[] = [];
          while (i < tokens.length) {
            const next = tokens[i++];
            if (next === undefined) break;
            if (next.kind === 'punct' && next.value === '(') depth++;
            if (next.kind === 'punct' && next.value === ')') depth--;
            if (depth === 0) break;
            inner.push(next);
          }
          if (depth !== 0) fail(line, 'unclosed left paren');
          const pipe = parsePipeline(inner, line, false, false);
          const chain = tokens[i];
          if (chain?.kind === 'chain') {
            i++;
            return { kind: 'pipe', pipe, names: chain.names };
          }
          return { kind: 'pipe', pipe, names: [] };
        }
        case 'chain':
          return fail(line, 'unexpected field chain');
      }
    };
    while (i < tokens.length) {
      const token = tokens[i];
      if (token?.kind === 'punct' && token.value === '|') {
        if (current.length === 0) fail(line, 'missing command');
        commands.push({ operands: current });
        current = [];
        i++;
        continue;
      }
      current.push(parseOperand());
    }
    if (current.length > 0) commands.push({ operands: current });
    if (commands.length === 0) fail(line, 'missing value for command');
    for (const [position, command] of commands.entries()) {
      const first = command.operands[0];
      if (first !== undefined && first.kind !== 'function' && command.operands.length > 1)
        fail(line, `can't give argument to non-function ${describe(first)}`);
      if (position > 0 && first?.kind !== 'function') fail(line, `non executable command in pipeline stage ${String(position + 1)}`);
    }
    return { declarations, assign, commands };
  }

  const scopes: Set<string>[] = [new Set(['$'])];

  function parseList(terminators: string[]): { nodes: Node[]; terminator: string; rest: string } {
    const nodes: Node[] = [];
    while (index < pieces.length) {
      const piece = pieces[index++];
      if (piece === undefined) break;
      if (piece.kind === 'text') {
        nodes.push({ kind: 'text', text: piece.text });
        continue;
      }
      const lexer = new Lexer(piece.text, (message) => fail(piece.line, message));
      const tokens = lexer.tokens();
      const head = tokens[0];
      const keyword = head?.kind === 'identifier' ? head.name : undefined;
      if (keyword === 'end' || keyword === 'else') {
        if (!terminators.includes(keyword)) fail(piece.line, `unexpected {{${keyword}}}`);
        return { nodes, terminator: keyword, rest: piece.text.trim().slice(keyword.length).trim() };
      }
      if (keyword === 'if' || keyword === 'with' || keyword === 'range') {
        nodes.push(parseControl(keyword, tokens.slice(1), piece.line));
        continue;
      }
      if (keyword !== undefined && /^(define|template|block|break|continue)$/.test(keyword)) {
        fail(piece.line, `{{${keyword}}} is not supported by Gradual's template renderer`);
      }
      const pipe = parsePipeline(tokens, piece.line, true, false);
      for (const declaration of pipe.declarations) if (!pipe.assign) scopes.at(-1)?.add(declaration);
      nodes.push({ kind: 'action', pipe, line: piece.line });
    }
    if (terminators.length > 0) fail(0, 'unexpected EOF');
    return { nodes, terminator: '', rest: '' };
  }

  function parseControl(keyword: 'if' | 'with' | 'range', tokens: Token[], line: number): Node {
    scopes.push(new Set());
    const pipe = parsePipeline(tokens, line, true, keyword === 'range');
    if (tokens.length === 0) fail(line, `missing value for ${keyword}`);
    for (const declaration of pipe.declarations) scopes.at(-1)?.add(declaration);
    const body = parseList(['end', 'else']);
    let otherwise: Node[] = [];
    if (body.terminator === 'else') {
      if (body.rest !== '') {
        // {{else if ...}} / {{else with ...}}: the rest is a nested control closed by the same {{end}}.
        const lexer = new Lexer(body.rest, (message) => fail(line, message));
        const restTokens = lexer.tokens();
        const nested = restTokens[0];
        if (nested?.kind !== 'identifier' || (nested.name !== 'if' && nested.name !== 'with'))
          return fail(line, 'unexpected tokens after else');
        scopes.pop();
        otherwise = [parseControl(nested.name, restTokens.slice(1), line)];
        return { kind: keyword, pipe, body: body.nodes, otherwise, line };
      }
      otherwise = parseList(['end']).nodes;
    }
    scopes.pop();
    return { kind: keyword, pipe, body: body.nodes, otherwise, line };
  }

  const nodes = parseList([]).nodes;
  return {
    name,
    execute(data: GoValue): string {
      return new Executor(name, data).run(nodes);
    },
  };
}

function describe(operand: Operand): string {
  if (operand.kind === 'field') return `.${operand.names.join('.')}`;
  if (operand.kind === 'variable') return operand.name;
  if (operand.kind === 'literal') return formatValue(operand.value);
  return operand.kind;
}

class Executor {
  private readonly variables: { name: string; value: GoValue }[] = [];

  constructor(
    private readonly name: string,
    private readonly root: GoValue,
  ) {
    this.variables.push({ name: '$', value: root });
  }

  run(nodes: Node[]): string {
    return this.walk(nodes, this.root);
  }

  private fail(line: number, message: string): never {
    throw new TemplateError(this.name, line, message);
  }

  private walk(nodes: Node[], dot: GoValue): string {
    let out = '';
    for (const node of nodes) {
      switch (node.kind) {
        case 'text':
          out += node.text;
          break;
        case 'action': {
          const value = this.pipeline(node.pipe, dot, node.line);
          if (node.pipe.declarations.length === 0) out += formatValue(value);
          break;
        }
        case 'if':
        case 'with': {
          const mark = this.variables.length;
          const value = this.pipeline(node.pipe, dot, node.line);
          if (truth(value)) out += this.walk(node.body, node.kind === 'with' ? value : dot);
          else out += this.walk(node.otherwise, dot);
          this.variables.length = mark;
          break;
        }
        case 'range':
          out += this.range(node, dot);
          break;
      }
    }
    return out;
  }

  private range(node: Extract<Node, { kind: 'range' }>, dot: GoValue): string {
    const mark = this.variables.length;
    const value = this.evaluate(node.pipe, dot, node.line);
    const [first, second] = node.pipe.declarations;
    const entries: [GoValue, GoValue][] = Array.isArray(value)
      ? value.map((item, i) => [new GoInt(i), item])
      : isMap(value)
        ? Object.keys(value)
            .sort()
            .map((key) => [key, value[key] ?? null])
        : value === NO_VALUE || value === null
          ? []
          : this.fail(node.line, `range can't iterate over ${formatValue(value)}`);
    let out = '';
    for (const [key, item] of entries) {
      if (second !== undefined && first !== undefined) {
        this.variables.push({ name: first, value: key }, { name: second, value: item });
      } else if (first !== undefined) {
        this.variables.push({ name: first, value: item });
      }
      out += this.walk(node.body, item);
      this.variables.length = mark;
    }
    if (entries.length === 0) out += this.walk(node.otherwise, dot);
    return out;
  }

  /** A pipeline whose declarations bind (if/with/action); range binds per element itself. */
  private pipeline(pipe: Pipeline, dot: GoValue, line: number): GoValue {
    const value = this.evaluate(pipe, dot, line);
    for (const declaration of pipe.declarations) {
      if (pipe.assign) {
        const existing = [...this.variables].reverse().find((variable) => variable.name === declaration);
        if (existing === undefined) this.fail(line, `undefined variable "${declaration}"`);
        existing.value = value;
      } else {
        this.variables.push({ name: declaration, value });
      }
    }
    return value;
  }

  private evaluate(pipe: Pipeline, dot: GoValue, line: number): GoValue {
    let piped: GoValue | undefined;
    for (const command of pipe.commands) piped = this.command(command, dot, piped, line);
    return piped ?? NO_VALUE;
  }

  private command(command: Command, dot: GoValue, piped: GoValue | undefined, line: number): GoValue {
    const [first, ...rest] = command.operands;
    if (first === undefined) return this.fail(line, 'empty command');
    if (first.kind !== 'function') return this.operand(first, dot, line);
    if (SHORT_CIRCUIT.has(first.name)) {
      const operands = rest.map((operand) => () => this.operand(operand, dot, line));
      if (piped !== undefined) operands.push(() => piped);
      if (operands.length === 0) this.fail(line, `wrong number of args for ${first.name}: want at least 1 got 0`);
      let value: GoValue = NO_VALUE;
      for (const next of operands) {
        value = next();
        if (first.name === 'and' ? !truth(value) : truth(value)) return value;
      }
      return value;
    }
    const args = rest.map((operand) => this.operand(operand, dot, line));
    if (piped !== undefined) args.push(piped);
    const fn = FUNCTIONS[first.name];
    if (fn === undefined) return this.fail(line, `function "${first.name}" not defined`);
    try {
      return fn(args);
    } catch (cause) {
      return this.fail(line, `executing "${this.name}" at <${first.name}>: ${cause instanceof Error ? cause.message : String(cause)}`);
    }
  }

  private operand(operand: Operand, dot: GoValue, line: number): GoValue {
    switch (operand.kind) {
      case 'dot':
        return dot;
      case 'literal':
        return operand.value;
      case 'field':
        return this.fields(dot, operand.names, line);
      case 'variable': {
        const found = [...this.variables].reverse().find((variable) => variable.name === operand.name);
        if (found === undefined) return this.fail(line, `undefined variable "${operand.name}"`);
        return this.fields(found.value, operand.names, line);
      }
      case 'pipe':
        return this.fields(this.evaluate(operand.pipe, dot, line), operand.names, line);
      case 'function':
        return this.fail(line, `can't use function ${operand.name} as a value`);
    }
  }

  /** Go's evalField on map[string]any: a missing key is "no value", a field of nil is an error. */
  private fields(start: GoValue, names: string[], line: number): GoValue {
    let current = start;
    for (const name of names) {
      if (current === NO_VALUE) return NO_VALUE;
      if (current === null) this.fail(line, `executing "${this.name}" at <.${name}>: nil pointer evaluating interface {}.${name}`);
      if (!isMap(current))
        this.fail(line, `executing "${this.name}" at <.${name}>: can't evaluate field ${name} in type ${goTypeName(current)}`);
      current = Object.hasOwn(current, name) ? (current[name] ?? null) : NO_VALUE;
    }
    return current;
  }
}
