/**
 * The process's known secret values (the GitHub App's private key, the
 * webhook secret, provider tokens, Secret arguments once read, the
 * dashboard's token), removed from every log line whatever field, message or
 * error carries them, in the encodings a value takes on its way to a log:
 * as written, percent-encoded, base64 (at any alignment inside a longer
 * base64 text, as in a basic-auth header), base64url, and as JSON escapes it.
 */

/** Shorter values would mangle ordinary words and JSON keys; no real secret is that short. */
export const minimumSecretLength = 8;

/** Bounds the registry of a long-running controller that reads many Secrets; beyond it the oldest value is forgotten. */
const maximumSecretValues = 4_096;

export const redactedText = '[redacted]';

/** Registered value → the encoded forms searched for. */
const known = new Map<string, readonly string[]>();

function base64Forms(bytes: Buffer): string[] {
  const forms: string[] = [];
  // Inside a longer base64 text the value starts at byte offset 0, 1 or 2 of a 3-byte group: keep the characters made of its bits only.
  for (let offset = 0; offset < 3; offset += 1) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const inner = encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6));
    if (inner.length >= minimumSecretLength) forms.push(inner, inner.replace(/\+/gu, '-').replace(/\//gu, '_'));
  }
  return forms;
}

function percentForms(value: string): string[] {
  const component = encodeURIComponent(value);
  const lowerHex = component.replace(/%[0-9A-F]{2}/gu, (escape) => escape.toLowerCase());
  return [component, lowerHex, encodeURI(value), component.replace(/%20/gu, '+')];
}

/** A value as it reads inside a JSON string (log lines are JSON). */
function jsonEscaped(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

function encodedForms(value: string): string[] {
  const forms = new Set<string>();
  for (const form of [value, ...percentForms(value), ...base64Forms(Buffer.from(value, 'utf8'))]) {
    forms.add(form);
    forms.add(jsonEscaped(form));
    // A message that quotes a JSON text (a provider's body in an error) escapes it twice on the line.
    forms.add(jsonEscaped(jsonEscaped(form)));
  }
  return [...forms].filter((form) => form.length >= minimumSecretLength);
}

function remember(value: string): void {
  if (value.length < minimumSecretLength || known.has(value)) return;
  if (known.size >= maximumSecretValues) {
    const oldest = known.keys().next().value;
    if (oldest !== undefined) known.delete(oldest);
  }
  known.set(value, encodedForms(value));
  matcher = undefined;
}

/**
 * Makes a value a secret for every logger of the process. A multi-line value
 * (a PEM key) counts line by line too, so a line quoted alone is caught; a
 * value shorter than {@link minimumSecretLength} is ignored (it returns false).
 */
export function registerSecretValue(value: string | undefined | null): boolean {
  if (typeof value !== 'string') return false;
  const trimmed = value.trim();
  if (trimmed.length < minimumSecretLength) return false;
  remember(trimmed);
  if (trimmed !== value) remember(value);
  const lines = trimmed.split(/\r?\n/u).map((line) => line.trim());
  if (lines.length > 1) {
    for (const line of lines) if (!line.startsWith('-----')) remember(line);
    // The key's body as one base64 text (a PEM read without its line breaks).
    const body = lines.filter((line) => !line.startsWith('-----')).join('');
    remember(body);
  }
  return true;
}

/** Forgets every registered value (tests). */
export function clearSecretValues(): void {
  known.clear();
  matcher = undefined;
}

export function secretValueCount(): number {
  return known.size;
}

/**
 * All forms of all values, found in one pass. Every form is at least
 * {@link minimumSecretLength} characters, so any occurrence covers one of the
 * positions 0, 6, 12, … of the line with a whole 3-character run of it at
 * offset 0–5: only those positions are hashed and looked up (one bit in a
 * bitmap rejects nearly all), and a hit is checked against the forms holding
 * that run at that offset. A regular expression alternating the hundreds of
 * forms (a PEM key's lines in every encoding) cost 200 µs a line.
 */
interface Candidate {
  form: string;
  offset: number;
}
interface Matcher {
  bits: Uint8Array;
  runs: Map<number, Candidate[]>;
}
let matcher: Matcher | undefined;

const hashBits = 20;
const stride = minimumSecretLength - 2;

/** The hash of the three characters at `at`, a small integer (a Map key V8 keeps unboxed). */
function runAt(text: string, at: number): number {
  return ((text.charCodeAt(at) * 961 + text.charCodeAt(at + 1) * 31 + text.charCodeAt(at + 2)) >>> 0) & ((1 << hashBits) - 1);
}

function currentMatcher(): Matcher | undefined {
  if (known.size === 0) return undefined;
  if (matcher === undefined) {
    const runs = new Map<number, Candidate[]>();
    const bits = new Uint8Array(1 << (hashBits - 3));
    const forms = new Set<string>();
    for (const list of known.values()) for (const form of list) forms.add(form);
    for (const form of forms) {
      for (let offset = 0; offset < stride; offset += 1) {
        const key = runAt(form, offset);
        bits[key >>> 3] = (bits[key >>> 3] ?? 0) | (1 << (key & 7));
        const list = runs.get(key) ?? [];
        list.push({ form, offset });
        runs.set(key, list);
      }
    }
    matcher = { bits, runs };
  }
  return matcher;
}

function replaceKnownValues(text: string, found: Matcher): string {
  const spans: [number, number][] = [];
  for (let at = 0; at + 2 < text.length; at += stride) {
    const key = runAt(text, at);
    if (((found.bits[key >>> 3] ?? 0) & (1 << (key & 7))) === 0) continue;
    for (const { form, offset } of found.runs.get(key) ?? []) {
      const start = at - offset;
      if (start >= 0 && text.startsWith(form, start)) spans.push([start, start + form.length]);
    }
  }
  if (spans.length === 0) return text;
  // Overlapping and nested finds (a value inside another, one found from two positions) become one replacement.
  spans.sort((left, right) => left[0] - right[0]);
  let result = '';
  let copiedUpTo = 0;
  for (const [start, end] of spans) {
    if (start >= copiedUpTo) {
      result += `${text.slice(copiedUpTo, start)}${redactedText}`;
      copiedUpTo = end;
    } else if (end > copiedUpTo) copiedUpTo = end;
  }
  return result + text.slice(copiedUpTo);
}

/**
 * Credentials recognisable by their shape alone, whoever registered them:
 * an Authorization value (`Bearer …`, `Basic …`), the password of a URL's
 * user part, GitHub's token formats, a PEM private key's body.
 */
const shapes: readonly [RegExp, string][] = [
  // Schemes as HTTP clients write them (not case-folded: "basic" and "token" are ordinary words in messages).
  [/\b(Bearer|bearer|BEARER|Basic|BASIC)(\s+|%20|\+)[A-Za-z0-9._~+/=%-]{8,}/gu, `$1$2${redactedText}`],
  // Anchored on the literal `://` (a scheme-first pattern cost 10 µs a line).
  [/(:\/\/[^\s/:@"]*):[^\s/@"]+@/gu, `$1:${redactedText}@`],
  [/\b(gh[pousr]_|github_pat_)[A-Za-z0-9_]{16,}/gu, `$1${redactedText}`],
  [/(-----BEGIN [A-Z ]*PRIVATE KEY-----)[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----)/gu, `$1${redactedText}$2`],
];

/** The text with every known secret value and every credential-shaped part replaced by `[redacted]`. */
export function redactSecretValues(text: string): string {
  let result = text;
  const values = currentMatcher();
  if (values !== undefined) result = replaceKnownValues(result, values);
  for (const [shape, replacement] of shapes) {
    shape.lastIndex = 0;
    if (shape.test(result)) {
      shape.lastIndex = 0;
      result = result.replace(shape, replacement);
    }
  }
  return result;
}
