import { formatTime } from './go-time.js';
import {
  GoDuration,
  GoFunc,
  GoInt,
  GoTime,
  NO_VALUE,
  formatValue,
  goJson,
  goQuote,
  goTypeName,
  indentJson,
  isMap,
  truth,
  type GoValue,
} from './go-values.js';

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

function requireInt(name: string, value: GoValue, index: number): number {
  if (value instanceof GoInt) return value.value;
  throw new Error(`error calling ${name}: wrong type for value; expected int; got ${goTypeName(value)} (argument ${String(index + 1)})`);
}

function sliceBytes(bytes: Buffer, from: number, to: number): string {
  if (from < 0 || to > bytes.length || from > to)
    throw new Error(`error calling substr: runtime error: slice bounds out of range [${String(from)}:${String(to)}]`);
  return bytes.subarray(from, to).toString();
}

/** strings.Replace(s, old, new, -1): an empty old inserts new around every character. */
function goReplaceAll(text: string, old: string, replacement: string): string {
  if (old === '') return [replacement, ...Array.from(text).map((char) => char + replacement)].join('');
  return text.split(old).join(replacement);
}

function indent(spaces: number, text: string): string {
  const pad = ' '.repeat(Math.max(0, spaces));
  return pad + text.split('\n').join(`\n${pad}`);
}

function jsonOrEmpty(value: GoValue, pretty: boolean): string {
  try {
    const compact = goJson(value);
    return pretty ? indentJson(compact) : compact;
  } catch {
    return '';
  }
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
  // sprig drops Marshal's error: an unencodable value (a func, NaN) gives "".
  toJson: ([value = NO_VALUE]) => jsonOrEmpty(value, false),
  toPrettyJson: ([value = NO_VALUE]) => jsonOrEmpty(value, true),
  squote: (args) =>
    args
      .filter((arg) => arg !== null && arg !== NO_VALUE)
      .map((arg) => `'${strval(arg)}'`)
      .join(' '),
  toString: ([value = NO_VALUE]: GoValue[]) => strval(value),
  cat: (args) =>
    args
      .filter((arg) => arg !== null && arg !== NO_VALUE)
      .map(formatValue)
      .join(' '),
  trunc: ([count = NO_VALUE, text = NO_VALUE]) => {
    const bytes = Buffer.from(requireString('trunc', text, 1));
    const c = requireInt('trunc', count, 0);
    if (c < 0 && bytes.length + c > 0) return bytes.subarray(bytes.length + c).toString();
    if (c >= 0 && bytes.length > c) return bytes.subarray(0, c).toString();
    return bytes.toString();
  },
  substr: ([start = NO_VALUE, end = NO_VALUE, text = NO_VALUE]) => {
    const bytes = Buffer.from(requireString('substr', text, 2));
    const from = requireInt('substr', start, 0);
    const to = requireInt('substr', end, 1);
    if (from < 0) return sliceBytes(bytes, 0, to);
    if (to < 0 || to > bytes.length) return sliceBytes(bytes, from, bytes.length);
    return sliceBytes(bytes, from, to);
  },
  replace: ([old = NO_VALUE, replacement = NO_VALUE, text = NO_VALUE]) =>
    goReplaceAll(requireString('replace', text, 2), requireString('replace', old, 0), requireString('replace', replacement, 1)),
  contains: ([part = NO_VALUE, text = NO_VALUE]) => requireString('contains', text, 1).includes(requireString('contains', part, 0)),
  hasPrefix: ([prefix = NO_VALUE, text = NO_VALUE]) =>
    requireString('hasPrefix', text, 1).startsWith(requireString('hasPrefix', prefix, 0)),
  hasSuffix: ([suffix = NO_VALUE, text = NO_VALUE]) => requireString('hasSuffix', text, 1).endsWith(requireString('hasSuffix', suffix, 0)),
  trimPrefix: ([prefix = NO_VALUE, text = NO_VALUE]) => {
    const value = requireString('trimPrefix', text, 1);
    const cut = requireString('trimPrefix', prefix, 0);
    return value.startsWith(cut) ? value.slice(cut.length) : value;
  },
  trimSuffix: ([suffix = NO_VALUE, text = NO_VALUE]) => {
    const value = requireString('trimSuffix', text, 1);
    const cut = requireString('trimSuffix', suffix, 0);
    return cut !== '' && value.endsWith(cut) ? value.slice(0, value.length - cut.length) : value;
  },
  repeat: ([count = NO_VALUE, text = NO_VALUE]) => {
    const c = requireInt('repeat', count, 0);
    const value = requireString('repeat', text, 1);
    if (c < 0) throw new Error('error calling repeat: strings: negative Repeat count');
    // A bound of our own: Go would build the string; a template must not make the controller allocate gigabytes.
    if (c * Buffer.byteLength(value) > 1_000_000) throw new Error('error calling repeat: result longer than 1000000 bytes');
    return value.repeat(c);
  },
  nospace: ([text = NO_VALUE]) => requireString('nospace', text, 0).replace(/\s/gu, ''),
  indent: ([spaces = NO_VALUE, text = NO_VALUE]) => indent(requireInt('indent', spaces, 0), requireString('indent', text, 1)),
  nindent: ([spaces = NO_VALUE, text = NO_VALUE]) => `\n${indent(requireInt('nindent', spaces, 0), requireString('nindent', text, 1))}`,
  b64enc: ([text = NO_VALUE]) => Buffer.from(requireString('b64enc', text, 0)).toString('base64'),
  b64dec: ([text = NO_VALUE]) => {
    const value = requireString('b64dec', text, 0);
    // sprig returns the decoder's error text in place of the value.
    if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(value)) return 'illegal base64 data at input byte 0';
    return Buffer.from(value, 'base64').toString('utf8');
  },
  list: (args) => args.map((arg) => (arg === NO_VALUE ? null : arg)),
  join: ([separator = NO_VALUE, values = NO_VALUE]) => {
    const sep = requireString('join', separator, 0);
    if (values === null || values === NO_VALUE) return '';
    if (!Array.isArray(values)) return strval(values);
    return values
      .filter((item) => item !== null && item !== NO_VALUE)
      .map(strval)
      .join(sep);
  },
  mul: ([first = NO_VALUE, ...rest]) => new GoInt(rest.reduce<number>((product, arg) => product * toInt64(arg), toInt64(first))),
  div: ([a = NO_VALUE, b = NO_VALUE]) => {
    const divisor = toInt64(b);
    if (divisor === 0) throw new Error('error calling div: runtime error: integer divide by zero');
    return new GoInt(Math.trunc(toInt64(a) / divisor));
  },
  mod: ([a = NO_VALUE, b = NO_VALUE]) => {
    const divisor = toInt64(b);
    if (divisor === 0) throw new Error('error calling mod: runtime error: integer divide by zero');
    return new GoInt(toInt64(a) % divisor);
  },
  max: ([first = NO_VALUE, ...rest]) => new GoInt(rest.reduce<number>((best, arg) => Math.max(best, toInt64(arg)), toInt64(first))),
  min: ([first = NO_VALUE, ...rest]) => new GoInt(rest.reduce<number>((best, arg) => Math.min(best, toInt64(arg)), toInt64(first))),
  // Go's builtin call, for the func values in the data (Argo's .time.Now and .time.Parse).
  call: ([fn = NO_VALUE, ...args]) => {
    if (fn === NO_VALUE || fn === null) throw new Error('error calling call: call of nil');
    if (!(fn instanceof GoFunc)) throw new Error(`error calling call: non-function of type ${goTypeName(fn)}`);
    if (args.length !== fn.arity)
      throw new Error(`error calling call: wrong number of args for ${fn.name}: got ${String(args.length)} want ${String(fn.arity)}`);
    try {
      return fn.run(args);
    } catch (cause) {
      throw new Error(`error calling call: ${cause instanceof Error ? cause.message : String(cause)}`);
    }
  },
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
          if (Object.hasOwn(FUNCTIONS, token.name) || SHORT_CIRCUIT.has(token.name)) return { kind: 'function', name: token.name };
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
      if (first !== undefined && !invocable(first) && command.operands.length > 1)
        fail(line, `can't give argument to non-function ${describe(first)}`);
      if (position > 0 && (first === undefined || !invocable(first)))
        fail(line, `non executable command in pipeline stage ${String(position + 1)}`);
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

/** A function, or a field chain whose last name may be a method (Go's FieldNode, ChainNode, VariableNode with fields). */
function invocable(operand: Operand): boolean {
  if (operand.kind === 'function' || operand.kind === 'field') return true;
  return (operand.kind === 'variable' || operand.kind === 'pipe') && operand.names.length > 0;
}

function argTime(name: string, args: GoValue[]): GoTime {
  const [value = NO_VALUE] = args;
  if (value instanceof GoTime) return value;
  throw new Error(`wrong type for value; expected time.Time; got ${goTypeName(value)}`);
}

function argDuration(args: GoValue[]): bigint {
  const [value = NO_VALUE] = args;
  if (value instanceof GoDuration) return value.nanos;
  if (value instanceof GoInt) return BigInt(value.value);
  throw new Error(`wrong type for value; expected time.Duration; got ${goTypeName(value)}`);
}

function argString(args: GoValue[]): string {
  const [value = NO_VALUE] = args;
  if (typeof value === 'string') return value;
  throw new Error(`wrong type for value; expected string; got ${goTypeName(value)}`);
}

/** The methods of time.Time templates use, with Go's parameter counts. */
const TIME_METHODS: Record<string, [number, (time: GoTime, args: GoValue[]) => GoValue]> = {
  Format: [1, (time, args) => formatTime(time, argString(args))],
  String: [0, (time) => time.toString()],
  Unix: [0, (time) => new GoInt(Number(time.seconds))],
  UnixMilli: [0, (time) => new GoInt(Number(time.totalNanos() / 1_000_000n))],
  UTC: [0, (time) => time.inUtc()],
  // Local is UTC in the controller's container (no time zone data), as it is for Argo's.
  Local: [0, (time) => time.inUtc()],
  Sub: [1, (time, args) => new GoDuration(time.totalNanos() - argTime('Sub', args).totalNanos())],
  Add: [
    1,
    (time, args) => {
      const total = time.totalNanos() + argDuration(args);
      const seconds = total >= 0n ? total / 1_000_000_000n : -((-total + 999_999_999n) / 1_000_000_000n);
      return new GoTime(seconds, Number(total - seconds * 1_000_000_000n), time.offsetSeconds, time.zoneName);
    },
  ],
  Before: [1, (time, args) => time.totalNanos() < argTime('Before', args).totalNanos()],
  After: [1, (time, args) => time.totalNanos() > argTime('After', args).totalNanos()],
  Equal: [1, (time, args) => time.totalNanos() === argTime('Equal', args).totalNanos()],
  IsZero: [0, (time) => time.totalNanos() === -62_135_596_800n * 1_000_000_000n],
  Year: [0, (time) => new GoInt(time.fields().year)],
  Day: [0, (time) => new GoInt(time.fields().day)],
  Hour: [0, (time) => new GoInt(time.fields().hour)],
  Minute: [0, (time) => new GoInt(time.fields().minute)],
  Second: [0, (time) => new GoInt(time.fields().second)],
  YearDay: [0, (time) => new GoInt(time.fields().yearDay)],
};

/** float64(d / unit) + float64(d % unit) / float64(unit), as Go's Seconds/Minutes/Hours compute it. */
/** The bound method `name` of a time.Time or time.Duration, undefined if it has none, or 'not a receiver'. */
function methodOf(receiver: GoValue, name: string): [number, (args: GoValue[]) => GoValue] | undefined | 'not a receiver' {
  if (receiver instanceof GoTime) {
    const method = Object.hasOwn(TIME_METHODS, name) ? TIME_METHODS[name] : undefined;
    return method === undefined ? undefined : [method[0], (args) => method[1](receiver, args)];
  }
  if (receiver instanceof GoDuration) {
    const method = Object.hasOwn(DURATION_METHODS, name) ? DURATION_METHODS[name] : undefined;
    return method === undefined ? undefined : [method[0], (args) => method[1](receiver, args)];
  }
  return 'not a receiver';
}

function durationIn(nanos: bigint, unit: bigint): number {
  return Number(nanos / unit) + Number(nanos % unit) / Number(unit);
}

const DURATION_METHODS: Record<string, [number, (duration: GoDuration, args: GoValue[]) => GoValue]> = {
  String: [0, (duration) => duration.toString()],
  Seconds: [0, (duration) => durationIn(duration.nanos, 1_000_000_000n)],
  Minutes: [0, (duration) => durationIn(duration.nanos, 60_000_000_000n)],
  Hours: [0, (duration) => durationIn(duration.nanos, 3_600_000_000_000n)],
  Milliseconds: [0, (duration) => new GoInt(Number(duration.nanos / 1_000_000n))],
  Nanoseconds: [0, (duration) => new GoInt(Number(duration.nanos))],
  Truncate: [
    1,
    (duration, args) => {
      const m = argDuration(args);
      return new GoDuration(m <= 0n ? duration.nanos : duration.nanos - (duration.nanos % m));
    },
  ],
};

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
    if (first.kind !== 'function') {
      if (first.kind === 'dot' || first.kind === 'literal' || (rest.length === 0 && piped === undefined))
        return this.operand(first, dot, line);
      // A method call with arguments: {{ (call .time.Now).Format "15:04" }}, {{ "15:04" | $t.Format }}.
      const names = first.names;
      const last = names.at(-1);
      const receiverOperand = { ...first, names: names.slice(0, -1) } as Operand;
      const receiver = this.operand(receiverOperand, dot, line);
      const args = rest.map((operand) => this.operand(operand, dot, line));
      if (piped !== undefined) args.push(piped);
      if (last === undefined) return this.fail(line, `can't give argument to non-function ${describe(first)}`);
      return this.field(receiver, last, args, line);
    }
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
    const fn = Object.hasOwn(FUNCTIONS, first.name) ? FUNCTIONS[first.name] : undefined;
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
      current = this.field(current, name, [], line);
    }
    return current;
  }

  /** One step of a chain: a method of time.Time or time.Duration (called with args), or a map key. */
  private field(receiver: GoValue, name: string, args: GoValue[], line: number): GoValue {
    const at = `executing "${this.name}" at <.${name}>`;
    const method = methodOf(receiver, name);
    if (method !== 'not a receiver') {
      if (method === undefined) return this.fail(line, `${at}: can't evaluate field ${name} in type ${goTypeName(receiver)}`);
      const [arity, run] = method;
      if (args.length !== arity)
        return this.fail(line, `${at}: wrong number of args for ${name}: want ${String(arity)} got ${String(args.length)}`);
      try {
        return run(args);
      } catch (cause) {
        return this.fail(line, `${at}: error calling ${name}: ${cause instanceof Error ? cause.message : String(cause)}`);
      }
    }
    if (receiver === NO_VALUE || receiver === null) return this.fail(line, `${at}: nil pointer evaluating interface {}.${name}`);
    if (!isMap(receiver)) return this.fail(line, `${at}: can't evaluate field ${name} in type ${goTypeName(receiver)}`);
    if (args.length > 0) return this.fail(line, `${at}: ${name} is not a method but has arguments`);
    return Object.hasOwn(receiver, name) ? (receiver[name] ?? null) : NO_VALUE;
  }
}
