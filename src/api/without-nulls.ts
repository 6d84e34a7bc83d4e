import { MAX_YAML_DEPTH } from './bounded-yaml.js';

/**
 * A parsed YAML document as the API server would read it: a field whose value
 * is null (`labels:` with nothing after it) is dropped, as the API server drops
 * it before it validates a custom resource; null list entries stay, to be
 * reported by the schemas.
 *
 * The syntax tree was depth-checked already (bounded-yaml.ts), but here the
 * aliases are followed: one naming a node that contains it is a cycle
 * (`metadata: &m { self: *m }`), and aliases of deep nodes nest deeper than the
 * text shows. Either would overflow the stack of every recursive step after
 * this one, so both are answered as a message for the document, never thrown.
 * Found by the manifests fuzzer.
 */
export function withoutNulls(value: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: copyWithoutNulls(value, new Set(), 0) };
  } catch (cause) {
    if (cause instanceof AliasShapeError) return { ok: false, message: `YAML: ${cause.message}` };
    throw cause;
  }
}

class AliasShapeError extends Error {}

function copyWithoutNulls(value: unknown, ancestors: Set<object>, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (ancestors.has(value)) throw new AliasShapeError('an alias refers to a node that contains it (a cycle)');
  if (depth > MAX_YAML_DEPTH) throw new AliasShapeError(`nested deeper than ${String(MAX_YAML_DEPTH)} levels once aliases are followed`);
  ancestors.add(value);
  const copy = Array.isArray(value)
    ? value.map((child: unknown) => copyWithoutNulls(child, ancestors, depth + 1))
    : Object.fromEntries(
        Object.entries(value)
          .filter(([, child]) => child !== null)
          .map(([key, child]) => [key, copyWithoutNulls(child, ancestors, depth + 1)]),
      );
  ancestors.delete(value);
  return copy;
}
