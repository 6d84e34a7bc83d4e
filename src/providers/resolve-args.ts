import type { AnalysisArgument, Metric } from '../api/index.js';

/*
 * `{{args.name}}` in a metric's provider fields, as Argo's ResolveArgs fills them in. Values
 * come from the run's args (a Secret's value already read into them by the shell); a
 * reference to an argument that is missing or has no value is an error naming it, never
 * an empty string sent to a provider.
 */

export type ResolvedArgs = ReadonlyMap<string, string>;

export type ArgsResult<T> = { ok: true; value: T } | { ok: false; message: string };

const REFERENCE = /\{\{\s*args\.([^}\s]+)\s*\}\}/gu;

export function argumentValues(
  args: readonly AnalysisArgument[] | undefined,
  secretValues: ReadonlyMap<string, string> = new Map(),
): ResolvedArgs {
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

/** Argo's stand-in for a secretKeyRef argument while it resolves a run's settings (getResolvedMetricsWithoutSecrets): the secret itself is read only to measure. */
export const SECRET_PLACEHOLDER = 'temp-for-secret';

/** A metric's fields in Argo's JSON order (v1alpha1.Metric): Argo's error names the last tag it could not resolve in that text. */
const METRIC_FIELDS = [
  'name',
  'interval',
  'initialDelay',
  'count',
  'successCondition',
  'failureCondition',
  'failureLimit',
  'inconclusiveLimit',
  'consecutiveErrorLimit',
  'provider',
  'consecutiveSuccessLimit',
] as const;

/**
 * Every `{{…}}` in one text, as fasttemplate reads it in Argo's ResolveArgs: the tag, trimmed,
 * must be `args.<name>` of an argument given; anything else leaves an error naming the tag as
 * written (the last one wins, as in Argo). An opening `{{` never closed is an error too.
 */
function resolveTags(text: string, values: ReadonlyMap<string, string>, errors: { last?: string }): string {
  let out = '';
  let rest = text;
  for (;;) {
    const open = rest.indexOf('{{');
    if (open === -1) return out + rest;
    const close = rest.indexOf('}}', open + 2);
    if (close === -1) {
      errors.last = `cannot find end tag "}}" in ${JSON.stringify(text)}`;
      return out + rest;
    }
    const tag = rest.slice(open + 2, close);
    const value = values.get(tag.trim());
    if (value === undefined) errors.last = `failed to resolve {{${tag}}}`;
    out += rest.slice(0, open) + (value ?? '');
    rest = rest.slice(close + 2);
  }
}

function resolveValue(value: unknown, values: ReadonlyMap<string, string>, errors: { last?: string }): unknown {
  if (typeof value === 'string') return resolveTags(value, values, errors);
  if (Array.isArray(value)) return value.map((item) => resolveValue(item, values, errors));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [resolveTags(key, values, errors), resolveValue(item, values, errors)]),
    );
  }
  return value;
}

/**
 * Argo's ResolveMetricArgs over a run's args, as its reconcile does before anything else
 * (getResolvedMetricsWithoutSecrets): every string in the metric — count, interval, initialDelay,
 * the limits, the conditions, the name, the provider — has its `{{args.*}}` filled in; a
 * secretKeyRef argument stands as a placeholder. An argument without a value, or a tag that
 * names no argument, is an error (the run's Error), never a default.
 */
export function resolveMetricArgs(metric: Metric, args: readonly AnalysisArgument[] | undefined): ArgsResult<Metric> {
  const values = new Map<string, string>();
  for (const arg of args ?? []) {
    const value = arg.valueFrom?.secretKeyRef === undefined ? arg.value : SECRET_PLACEHOLDER;
    if (value === undefined) return { ok: false, message: `argument "${arg.name}" was not supplied` };
    values.set(`args.${arg.name}`, value);
  }
  const errors: { last?: string } = {};
  const resolved: Record<string, unknown> = {};
  const fields = metric as unknown as Record<string, unknown>;
  for (const field of [...METRIC_FIELDS, ...Object.keys(metric).filter((key) => !(METRIC_FIELDS as readonly string[]).includes(key))]) {
    if (fields[field] !== undefined) resolved[field] = resolveValue(fields[field], values, errors);
  }
  if (errors.last !== undefined) return { ok: false, message: errors.last };
  return { ok: true, value: resolved as unknown as Metric };
}
