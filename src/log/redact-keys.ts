import { redactedText } from './secret-values.js';

/**
 * A key whose value is a credential, whatever its case or separators
 * (`Authorization`, `set-cookie`, `x-api-key`, `client_secret`,
 * `privateKey`, `accessToken`): compared with `-`, `_`, `.` and spaces removed,
 * lower-cased. Names that merely mention one (`tokenFile`, `secretKeyRef`,
 * `tokens`) are kept: they hold a path, a reference or a count.
 */
const secretKey =
  /^(?:.*token|.*secret|.*password|passwd|passphrase|authorization|proxyauthorization|cookie|setcookie|privatekey|clientkey|.*apikey|credentials?|xhubsignature(?:256)?|sessionid)$/u;

export function isSecretKey(key: string): boolean {
  return secretKey.test(key.toLowerCase().replace(/[-_.\s]/gu, ''));
}

/** How deep and how much of a logged object is walked: a logged socket or response must not cost a second. */
const maximumDepth = 10;
const maximumNodes = 5_000;

interface Walk {
  seen: WeakSet<object>;
  nodes: number;
}

function errorFields(error: Error): Record<string, unknown> {
  // pino's err serializer's shape (type, message, stack), then the error's own fields (code, status, request, response, cause...).
  const fields: Record<string, unknown> = { type: error.constructor.name || error.name, message: error.message, stack: error.stack };
  for (const key of Object.keys(error)) fields[key] = (error as unknown as Record<string, unknown>)[key];
  if ('cause' in error && !('cause' in fields)) fields['cause'] = error.cause;
  if (error instanceof AggregateError) fields['errors'] = error.errors;
  return fields;
}

function walk(value: unknown, depth: number, state: Walk): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value;
  state.nodes += 1;
  if (depth > maximumDepth || state.nodes > maximumNodes) return '[truncated]';
  if (state.seen.has(value)) return '[circular]';
  if (value instanceof Date) return value;
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${String(value.byteLength)} bytes]`;
  state.seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item: unknown) => walk(item, depth + 1, state));
    if (!(value instanceof Error) && !(value instanceof Map) && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
      // What JSON.stringify would write (a URL's string, a class's own view), walked in turn.
      const json: unknown = (value as { toJSON: () => unknown }).toJSON();
      return json === value ? '[circular]' : walk(json, depth + 1, state);
    }
    const source: Record<string, unknown> =
      value instanceof Error
        ? errorFields(value)
        : value instanceof Map
          ? Object.fromEntries([...(value as Map<unknown, unknown>).entries()].map(([key, item]) => [String(key), item]))
          : (value as Record<string, unknown>);
    // A header as a name/value pair ({ key: 'Authorization', value: 'Bearer …' }, as web metrics list them).
    const pairName = source['key'] ?? source['name'];
    const pairHidesValue = typeof pairName === 'string' && 'value' in source && isSecretKey(pairName);
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(source)) {
      const item = source[key];
      if (item === undefined || typeof item === 'function') continue;
      result[key] = isSecretKey(key) || (pairHidesValue && key === 'value') ? redactedText : walk(item, depth + 1, state);
    }
    return result;
  } finally {
    state.seen.delete(value);
  }
}

/**
 * A copy of a logged object with every credential-named field replaced, at
 * any depth (an error's cause, request, response, headers, config), errors
 * turned into plain objects on the way. The caller's object is not changed.
 */
export function redactSecretKeys<T extends object>(value: T): T {
  return walk(value, 0, { seen: new WeakSet(), nodes: 0 }) as T;
}
