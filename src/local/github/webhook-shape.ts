/**
 * How a delivery differs in shape from one of GitHub's published example
 * payloads: each key of the example (recursively; an array's items compared
 * with its first item) must be present with the same JSON type. `null` on
 * either side matches anything, since GitHub's examples and deliveries both
 * carry nulls where a value is optional. Extra keys in the delivery are not
 * differences: the examples are older than some fields. A `permissions`
 * object is a map (permission name → level) of the example's own app, so only
 * its values' types are compared, not which permissions it names.
 */
export function shapeDifferences(example: unknown, actual: unknown, path = '$'): string[] {
  if (example === null || actual === null || example === undefined) return [];
  const kind = (value: unknown): string => (Array.isArray(value) ? 'array' : typeof value);
  if (kind(example) !== kind(actual)) return [`${path}: ${kind(actual)} where the example has ${kind(example)}`];
  if (Array.isArray(example) && Array.isArray(actual)) {
    return example.length === 0 || actual.length === 0 ? [] : shapeDifferences(example[0], actual[0], `${path}[0]`);
  }
  if (kind(example) !== 'object') return [];
  const have = actual as Record<string, unknown>;
  if (path.endsWith('.permissions'))
    return Object.entries(have).flatMap(([key, value]) =>
      typeof value === 'string' ? [] : [`${path}.${key}: ${kind(value)} where a permission level (string) belongs`],
    );
  return Object.entries(example as Record<string, unknown>).flatMap(([key, value]) =>
    key in have ? shapeDifferences(value, have[key], `${path}.${key}`) : [`${path}.${key}: missing`],
  );
}
