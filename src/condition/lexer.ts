import { GradualError } from '../errors/gradual-error.js';
/*
 * Tokens of the condition language Argo Rollouts evaluates with the Go `expr` library
 * (successCondition / failureCondition). Columns are 1-based, for error messages that point
 * at the character.
 */

export type TokenKind = 'number' | 'string' | 'identifier' | 'operator' | 'bracket' | 'eof';

export interface Token {
  kind: TokenKind;
  /** The number's value, the string's decoded text, the identifier's or the operator's spelling. */
  text: string;
  value?: number;
  column: number;
}

export class ConditionSyntaxError extends GradualError {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super('CONDITION_SYNTAX', message);
  }
}

/** Longest first, so `**` wins over `*` and `!=` over `!`. */
const OPERATORS = [
  '??',
  '?.',
  '**',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '..',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
  '<',
  '>',
  '!',
  '?',
  ':',
  ',',
  '.',
  '#',
  '|',
];
const BRACKETS = new Set(['(', ')', '[', ']', '{', '}']);
const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  '"': '"',
  "'": "'",
  '0': '\0',
  b: '\b',
  f: '\f',
  v: '\v',
  a: '\x07',
};

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

function isIdentifierStart(char: string | undefined): boolean {
  return char !== undefined && /[A-Za-z_$]/u.test(char);
}

function isIdentifierPart(char: string | undefined): boolean {
  return char !== undefined && /[A-Za-z0-9_$]/u.test(char);
}

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < source.length) {
    const char = source[at] ?? '';
    const column = at + 1;
    if (/\s/u.test(char)) {
      at += 1;
      continue;
    }
    if (isDigit(char) || (char === '.' && isDigit(source[at + 1]))) {
      const match = /^(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*)?(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?)/u.exec(
        source.slice(at),
      );
      let text = match?.[0] ?? '';
      // `1..3` is a range: the number stops before `..`.
      if (text.endsWith('.') && source[at + text.length] === '.') text = text.slice(0, -1);
      const cleaned = text.replaceAll('_', '');
      const value = /^0[oO]/u.test(cleaned) ? Number.parseInt(cleaned.slice(2), 8) : Number(cleaned);
      if (text === '' || Number.isNaN(value)) throw new ConditionSyntaxError(`invalid number ${JSON.stringify(text || char)}`, column);
      if (isIdentifierStart(source[at + text.length]))
        throw new ConditionSyntaxError(`invalid number ${JSON.stringify(source.slice(at, at + text.length + 1))}`, column);
      tokens.push({ kind: 'number', text, value, column });
      at += text.length;
      continue;
    }
    if (char === '"' || char === "'" || char === '`') {
      let text = '';
      let end = at + 1;
      for (;;) {
        const next = source[end];
        if (next === undefined) throw new ConditionSyntaxError('unterminated string literal', column);
        if (next === char) break;
        if (next === '\\' && char !== '`') {
          const escaped = source[end + 1];
          if (escaped === 'u' || escaped === 'x') {
            const length = escaped === 'u' ? 4 : 2;
            const hex = source.slice(end + 2, end + 2 + length);
            if (!new RegExp(`^[0-9a-fA-F]{${String(length)}}$`, 'u').test(hex))
              throw new ConditionSyntaxError('invalid escape sequence in string literal', end + 1);
            text += String.fromCharCode(Number.parseInt(hex, 16));
            end += 2 + length;
            continue;
          }
          const decoded = escaped === undefined ? undefined : ESCAPES[escaped];
          if (decoded === undefined) throw new ConditionSyntaxError('invalid escape sequence in string literal', end + 1);
          text += decoded;
          end += 2;
          continue;
        }
        text += next;
        end += 1;
      }
      tokens.push({ kind: 'string', text, column });
      at = end + 1;
      continue;
    }
    if (isIdentifierStart(char)) {
      let end = at + 1;
      while (isIdentifierPart(source[end])) end += 1;
      tokens.push({ kind: 'identifier', text: source.slice(at, end), column });
      at = end;
      continue;
    }
    if (BRACKETS.has(char)) {
      tokens.push({ kind: 'bracket', text: char, column });
      at += 1;
      continue;
    }
    const operator = OPERATORS.find((candidate) => source.startsWith(candidate, at));
    if (operator === undefined) throw new ConditionSyntaxError(`unexpected character ${JSON.stringify(char)}`, column);
    tokens.push({ kind: 'operator', text: operator, column });
    at += operator.length;
  }
  tokens.push({ kind: 'eof', text: '', column: source.length + 1 });
  return tokens;
}
