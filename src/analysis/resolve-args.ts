import type { AnalysisArgument } from '../api/index.js';

/*
 * `{{args.name}}` in a metric's provider fields, as Argo's ResolveArgs fills them in. Values
 * come from the run's args (a Secret's value already read into them by the shell); a
 * reference to an argument that is missing or has no value is an error naming it, never
 * an empty string sent to a provider.
 */

export type ResolvedArgs = ReadonlyMap<string, string>;

export type ArgsResult<T> = { ok: true; value: T } | { ok: false; message: string };

const REFERENCE = /\{\{\s*args\.([^}\s]+)\s*\}\}/gu;

export function argumentValues(args: readonly AnalysisArgument[] | undefined, secretValues: ReadonlyMap<string, string> = new Map()): ResolvedArgs {
  const values = new Map<string, string>();
  for (const arg of args ?? []) {
    const value = arg.valueFrom?.secretKeyRef === undefined ? arg.value : secretValues.get(arg.name);
    if (value !== undefined) values.set(arg.name, value);
  }
  return values;
}

export function resolveTemplate(text: string, args: ResolvedArgs): ArgsResult<string> {
  let missing: string | undefined;
  const resolved = text.replaceAll(REFERENCE, (whole, name: string) => {
    const value = args.get(name);
    if (value === undefined) {
      missing ??= name;
      return whole;
    }
    return value;
  });
  if (missing !== undefined) return { ok: false, message: `failed to resolve {{args.${missing}}}: no argument "${missing}" with a value` };
  return { ok: true, value: resolved };
}

/** Resolves every string inside a provider's settings (query, url, headers, body). */
export function resolveDeep<T>(value: T, args: ResolvedArgs): ArgsResult<T> {
  if (typeof value === 'string') return resolveTemplate(value, args) as ArgsResult<T>;
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value) {
      const resolved = resolveDeep<unknown>(item, args);
      if (!resolved.ok) return resolved;
      items.push(resolved.value);
    }
    return { ok: true, value: items as T };
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const resolved = resolveDeep<unknown>(item, args);
      if (!resolved.ok) return resolved;
      out[key] = resolved.value;
    }
    return { ok: true, value: out as T };
  }
  return { ok: true, value };
}
