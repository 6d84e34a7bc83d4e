import type { ErrorObject } from 'ajv';

/**
 * Turns ajv's errors for a request into the lines GitHub writes after
 * "Invalid request.", e.g. `"name" wasn't supplied.` or
 * `For 'properties/head_sha', 1 is not a string.` Only the body is described
 * this way; path and query problems are reported by name.
 */
export function describeValidationErrors(errors: readonly ErrorObject[], data: unknown): string[] {
  const lines = new Set<string>();
  for (const error of errors) {
    if (error.keyword === 'oneOf' || error.keyword === 'anyOf' || error.keyword === 'if') continue;
    const line = describe(error, data);
    if (line !== undefined) lines.add(line);
  }
  return [...lines];
}

function describe(error: ErrorObject, data: unknown): string | undefined {
  const [section = '', ...rest] = error.instancePath
    .split('/')
    .filter((part) => part !== '')
    .map(unescapePointer);
  const where = rest.length === 0 ? '' : `properties/${rest.join('/')}`;
  const value = valueAt(data, [section, ...rest]);
  const params = error.params as Record<string, unknown>;
  if (section === 'path' || section === 'query' || section === 'headers') {
    return `${JSON.stringify(rest.join('.'))} ${error.message ?? 'is invalid'}.`;
  }
  switch (error.keyword) {
    case 'required':
      return `${JSON.stringify(params['missingProperty'])} wasn't supplied.`;
    case 'type':
      return `For '${where || 'links/0/schema'}', ${show(value)} is not ${article(String(params['type']))}.`;
    case 'enum':
      return `For '${where}', ${show(value)} is not a member of ${JSON.stringify(params['allowedValues'])}.`;
    case 'maxLength':
      return `For '${where}', ${show(value)} is too long (maximum is ${String(params['limit'])} characters).`;
    case 'maxItems':
      return `For '${where}', ${show(value)} is too long (maximum is ${String(params['limit'])} items).`;
    case 'additionalProperties':
      return `${JSON.stringify(params['additionalProperty'])} is not a permitted key.`;
    default:
      return `For '${where}', ${show(value)} ${error.message ?? 'is invalid'}.`;
  }
}

function article(type: string): string {
  const name = type.split(',')[0] ?? type;
  return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`;
}

/** Long values are shortened so a 65,536-character body does not come back in the message. */
function show(value: unknown): string {
  const text = value === null ? 'nil' : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function unescapePointer(part: string): string {
  return part.replaceAll('~1', '/').replaceAll('~0', '~');
}

function valueAt(data: unknown, path: readonly string[]): unknown {
  let current = data;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
