/*
 * Zod's JSON Schema (draft 2020-12) to a Kubernetes *structural* OpenAPI v3
 * schema: every node typed, no $ref, no unions but IntOrString, unknown
 * fields preserved only where a schema says so. The CRD carries structure
 * and types only: ranges, patterns, enums and literal values are dropped,
 * because Argo's CRD leaves them to the controller, which reports them as an
 * InvalidSpec condition (and Argo's tests create such Rollouts on purpose).
 * Anything this converter does not understand is an error, never guessed.
 */

export type JsonSchema = Record<string, unknown>;

const scalarTypes = new Set(['string', 'integer', 'number', 'boolean']);
const keptFormats = new Set(['int32', 'int64', 'date-time']);
const unsupported = ['$ref', '$defs', 'definitions', 'anyOf', 'oneOf', 'allOf', 'not', 'if', 'prefixItems'];

export function toStructuralSchema(node: JsonSchema, pointer = '#'): JsonSchema {
  const out: JsonSchema = {};
  if (typeof node['description'] === 'string') out['description'] = node['description'];
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-kubernetes-')) out[key] = value;
  }
  if (node['x-kubernetes-int-or-string'] === true) {
    return { ...out, anyOf: [{ type: 'integer' }, { type: 'string' }] };
  }
  const found = unsupported.find((key) => key in node);
  if (found !== undefined) throw new Error(`${pointer}: ${found} has no structural form; model the field differently`);
  const type = node['type'];
  // Any JSON value at all (z.unknown(), e.g. a web metric's jsonBody): Kubernetes allows an untyped node only when it preserves unknown fields.
  if (type === undefined && node['x-kubernetes-preserve-unknown-fields'] === true) return out;
  if (type === 'object') return { ...out, ...objectSchema(node, pointer), type };
  if (type === 'array') {
    const items = node['items'];
    if (!isSchema(items)) throw new Error(`${pointer}: an array needs one items schema`);
    return { ...out, type, items: toStructuralSchema(items, `${pointer}/items`) };
  }
  if (typeof type === 'string' && scalarTypes.has(type)) {
    const format = node['format'];
    return { ...out, type, ...(typeof format === 'string' && keptFormats.has(format) ? { format } : {}) };
  }
  throw new Error(`${pointer}: a structural schema needs a single type, got ${JSON.stringify(type)}`);
}

function objectSchema(node: JsonSchema, pointer: string): JsonSchema {
  const out: JsonSchema = {};
  const properties = node['properties'];
  const additional = node['additionalProperties'];
  if (node['x-kubernetes-preserve-unknown-fields'] === true && (!isSchema(properties) || Object.keys(properties).length === 0)) {
    // An opaque object: its content is not described at all.
    return out;
  }
  if (isSchema(properties) && Object.keys(properties).length > 0) {
    out['properties'] = Object.fromEntries(
      Object.entries(properties).map(([name, child]) => {
        if (!isSchema(child)) throw new Error(`${pointer}/properties/${name}: not a schema`);
        return [name, toStructuralSchema(child, `${pointer}/properties/${name}`)];
      }),
    );
    const required = node['required'];
    if (Array.isArray(required) && required.length > 0)
      out['required'] = required.filter((name): name is string => typeof name === 'string').sort();
    // A loose object (z.looseObject): the named fields are typed, the rest kept rather than pruned.
    if (isSchema(additional) && Object.keys(additional).length === 0) out['x-kubernetes-preserve-unknown-fields'] = true;
    return out;
  }
  if (isSchema(additional)) {
    // A map (z.record): typed values, or anything at all.
    if (Object.keys(additional).length === 0) out['x-kubernetes-preserve-unknown-fields'] = true;
    else out['additionalProperties'] = toStructuralSchema(additional, `${pointer}/additionalProperties`);
  }
  // What is left: an object with no fields (`{}` strict), which Kubernetes types as a plain object.
  return out;
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
