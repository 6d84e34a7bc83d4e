/*
 * Go's view of the values a notification template sees. Argo marshals the Rollout to JSON and
 * unmarshals it into map[string]any, so every number in it is a float64; ints appear only from
 * template literals and functions (len, add). The difference shows in printing (printf "%d" of a
 * float64 is "%!d(float64=3)") and in eq (int and float64 are incomparable), so ints are boxed.
 */

import { GoDuration, GoTime, formatTime } from './go-time.js';

export { GoDuration, GoTime };

/** A Go int (a template literal, len's or sprig add's result). */
export class GoInt {
  constructor(readonly value: number) {}
}

/** Go's zero reflect.Value: a missing map key, printed "<no value>". */
export const NO_VALUE: unique symbol = Symbol('no value');

export type GoValue =
  typeof NO_VALUE | null | boolean | number | string | GoInt | GoTime | GoDuration | GoFunc | GoValue[] | { [key: string]: GoValue };

/** A Go func value in the template's data (Argo's .time.Now and .time.Parse), run by `call`. */
export class GoFunc {
  constructor(
    readonly name: string,
    /** The parameter count; `call` checks it as reflect does. */
    readonly arity: number,
    readonly run: (args: GoValue[]) => GoValue,
  ) {}
}

/** A map[string]any from JSON or built by the variables: a plain object, never one of the boxed Go types. */
export function isMap(value: GoValue): value is { [key: string]: GoValue } {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

export function goTypeName(value: GoValue): string {
  if (value === NO_VALUE) return 'invalid';
  if (value === null) return '<nil>';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return 'float64';
  if (typeof value === 'string') return 'string';
  if (value instanceof GoInt) return 'int';
  if (value instanceof GoTime) return 'time.Time';
  if (value instanceof GoDuration) return 'time.Duration';
  if (value instanceof GoFunc) return 'func';
  if (Array.isArray(value)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** text/template's truth: the zero value of its type is false. */
export function truth(value: GoValue): boolean {
  if (value === NO_VALUE || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value.length > 0;
  if (value instanceof GoInt) return value.value !== 0;
  if (value instanceof GoDuration) return value.nanos !== 0n;
  // A struct is always true; a non-nil func too.
  if (value instanceof GoTime || value instanceof GoFunc) return true;
  if (Array.isArray(value)) return value.length > 0;
  return Object.keys(value).length > 0;
}

/** strconv.FormatFloat(f, 'g', -1, 64) as fmt's %v prints it: exponent form below 1e-4 and from 1e21. */
export function formatFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  if (exponent < -4 || exponent >= 21) {
    const [mantissa = '', power = '0'] = value.toExponential().split('e');
    const sign = power.startsWith('-') ? '-' : '+';
    const digits = power.replace(/^[-+]/, '');
    return `${mantissa}e${sign}${digits.length < 2 ? `0${digits}` : digits}`;
  }
  return String(value);
}

/** fmt's %v of a value. */
export function formatValue(value: GoValue): string {
  if (value === NO_VALUE) return '<no value>';
  if (value === null) return '<nil>';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return formatFloat(value);
  if (typeof value === 'string') return value;
  if (value instanceof GoInt) return String(value.value);
  if (value instanceof GoTime || value instanceof GoDuration) return value.toString();
  if (value instanceof GoFunc) return '0x0';
  if (Array.isArray(value)) return `[${value.map((item) => formatValue(item)).join(' ')}]`;
  return `map[${Object.keys(value)
    .sort()
    .map((key) => `${key}:${formatValue(value[key] ?? null)}`)
    .join(' ')}]`;
}

/** strconv.Quote: Go's escapes (\a \b \f \n \r \t \v, \x for other control bytes, \u for other non-printables). */
export function goQuote(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (char === '\n') out += '\\n';
    else if (char === '\t') out += '\\t';
    else if (char === '\r') out += '\\r';
    else if (code === 7) out += '\\a';
    else if (code === 8) out += '\\b';
    else if (code === 12) out += '\\f';
    else if (code === 11) out += '\\v';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if ((code >= 0x80 && code < 0xa0) || code === 0xad || code === 0x2028 || code === 0x2029 || code === 0xfeff)
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

/** encoding/json's Marshal: sorted map keys, HTML-safe escapes (<, >, & as \u003c…), U+2028/2029 escaped. */
export function goJson(value: GoValue): string {
  if (value === NO_VALUE || value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`json: unsupported value: ${formatFloat(value)}`);
    const abs = Math.abs(value);
    if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
      // Go writes e-07, not e-7 (it trims only "e-0X" to "e-X" for two-digit exponents' leading zero).
      return value.toExponential().replace(/e([-+])(\d)$/, 'e$10$2');
    }
    return String(value);
  }
  if (value instanceof GoInt) return String(value.value);
  if (value instanceof GoDuration) return String(value.nanos);
  if (value instanceof GoTime) return `"${formatTime(value, '2006-01-02T15:04:05.999999999Z07:00')}"`;
  if (value instanceof GoFunc) throw new Error('json: unsupported type: func');
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (char) => `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
  }
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  return `{${Object.keys(value)
    .sort()
    .map((key) => `${goJson(key)}:${goJson(value[key] ?? null)}`)
    .join(',')}}`;
}

/** JSON data as Go's json.Unmarshal into map[string]any leaves it. */
export function fromJson(value: unknown): GoValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(fromJson);
  if (typeof value === 'object') {
    const out: { [key: string]: GoValue } = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = fromJson(item);
    return out;
  }
  return null;
}

/** encoding/json's MarshalIndent(v, "", "  ") from compact JSON: empty objects and arrays stay "{}" and "[]". */
export function indentJson(compact: string): string {
  let out = '';
  let depth = 0;
  let inString = false;
  for (let i = 0; i < compact.length; i++) {
    const char = compact[i] ?? '';
    if (inString) {
      out += char;
      if (char === '\\') {
        out += compact[i + 1] ?? '';
        i++;
      } else if (char === '"') inString = false;
      continue;
    }
    const newline = (): string => `\n${'  '.repeat(depth)}`;
    if (char === '"') {
      inString = true;
      out += char;
    } else if (char === '{' || char === '[') {
      const next = compact[i + 1];
      if (next === (char === '{' ? '}' : ']')) {
        out += char + next;
        i++;
      } else {
        depth++;
        out += char + newline();
      }
    } else if (char === '}' || char === ']') {
      depth--;
      out += newline() + char;
    } else if (char === ',') out += `,${newline()}`;
    else if (char === ':') out += ': ';
    else out += char;
  }
  return out;
}
