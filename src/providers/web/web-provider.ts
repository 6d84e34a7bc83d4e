import type { Value } from '../../condition/index.js';
import type { ProviderAnswer } from '../provider.js';
import { resolveDeep } from '../resolve-args.js';
import { outboundPolicy, outboundRequest, redactUrl, type OutboundPolicy } from '../outbound/outbound-request.js';
import type { MeasurementContext, MetricProvider } from '../provider.js';
import { clientCredentialsAuthorization } from '../oauth2/client-credentials.js';
import { unsupportedWebSigv4 } from '../../api/unsupported-metric-fields.js';

/*
 * The web provider (Argo's metricproviders/webmetric): an HTTP request whose JSON answer, or
 * the part of it at jsonPath, is the result. Argo's jsonPath is the Kubernetes JSONPath
 * syntax in braces (`{$.data.ok}`); Gradual reads the subset metrics use: `$`, `.field`,
 * `['field']` and `[index]`. `insecure` skips TLS verification and authentication.oauth2 gets
 * a client-credentials token first, as Argo's do; authentication.sigv4, which Argo's web
 * provider never reads, is refused by name rather than ignored.
 */

const DEFAULT_TIMEOUT_SECONDS = 10;

type PathStep = string | number;

/** Parses `{$.a.b[0]['c-d']}`; undefined when the path is outside the supported subset. */
export function parseJsonPath(path: string): PathStep[] | undefined {
  let text = path.trim();
  if (text.startsWith('{') && text.endsWith('}')) text = text.slice(1, -1).trim();
  if (text.startsWith('$')) text = text.slice(1);
  else if (text.startsWith('.')) text = text.slice(0);
  const steps: PathStep[] = [];
  const step = /^(?:\.([A-Za-z0-9_-]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\])/u;
  while (text !== '') {
    const match = step.exec(text);
    if (match === null) return undefined;
    const [whole, field, index, quoted, doubleQuoted] = match;
    if (field !== undefined) steps.push(field);
    else if (index !== undefined) steps.push(Number(index));
    else steps.push(quoted ?? doubleQuoted ?? '');
    text = text.slice(whole.length);
  }
  return steps;
}

export function selectJsonPath(document: Value, steps: readonly PathStep[]): { ok: true; value: Value } | { ok: false; message: string } {
  let current: Value = document;
  for (const step of steps) {
    if (typeof step === 'number') {
      if (!Array.isArray(current) || step >= current.length) return { ok: false, message: `jsonPath: index ${String(step)} not found` };
      current = current[step] ?? null;
    } else {
      if (typeof current !== 'object' || current === null || Array.isArray(current) || !Object.hasOwn(current, step))
        return { ok: false, message: `jsonPath: ${step} is not found` };
      current = current[step] ?? null;
    }
  }
  return { ok: true, value: current };
}

/**
 * How deep a JSON answer may nest. JSON.parse takes any depth, but the value is then written
 * back with JSON.stringify and walked by conditions and renderers, which recurse: a body of
 * 100,000 `[` overflowed the stack and threw out of the provider. A metric's answer is a few
 * levels deep.
 */
export const maxJsonDepth = 64;

/** The deepest nesting of arrays and objects in a JSON text, counted in one pass without recursion (strings skipped). */
export function jsonNestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const character = text.charCodeAt(index);
    if (inString) {
      if (character === 0x5c) index += 1;
      else if (character === 0x22) inString = false;
    } else if (character === 0x22) inString = true;
    else if (character === 0x5b || character === 0x7b) {
      depth += 1;
      if (depth > deepest) deepest = depth;
    } else if (character === 0x5d || character === 0x7d) depth -= 1;
  }
  return deepest;
}

/** The response as a measurement answer. Pure. */
export function mapWebResponse(status: number, body: string, jsonPath: string | undefined, url: string): ProviderAnswer {
  if (status < 200 || status >= 300)
    return { kind: 'error', message: `received non 2xx response code: ${String(status)} from ${redactUrl(url)}` };
  if (jsonNestingDepth(body) > maxJsonDepth)
    return { kind: 'error', message: `the response of ${redactUrl(url)} nests deeper than ${String(maxJsonDepth)} levels` };
  let document: Value;
  try {
    document = JSON.parse(body) as Value;
  } catch {
    return { kind: 'error', message: `the response of ${redactUrl(url)} is not JSON` };
  }
  const steps = parseJsonPath(jsonPath ?? '{$}');
  if (steps === undefined)
    return {
      kind: 'error',
      message: `jsonPath ${JSON.stringify(jsonPath)} is not supported by Gradual (use $.field, [index] or ['field'])`,
    };
  const selected = selectJsonPath(document, steps);
  if (!selected.ok) return { kind: 'error', message: selected.message };
  const text = typeof selected.value === 'string' ? selected.value : JSON.stringify(selected.value);
  return { kind: 'value', value: selected.value, text };
}

export function webProvider(policy: OutboundPolicy = outboundPolicy()): MetricProvider {
  return {
    type: 'web',
    async run(context: MeasurementContext): Promise<ProviderAnswer> {
      const settings = context.metric.provider.web;
      if (settings === undefined) return { kind: 'error', message: 'metric has no web provider' };
      const resolved = resolveDeep(settings, context.args);
      if (!resolved.ok) return { kind: 'error', message: resolved.message };
      const { url, method, headers, body, jsonBody, timeoutSeconds, jsonPath, insecure, authentication } = resolved.value;
      if (authentication?.sigv4 !== undefined && Object.keys(authentication.sigv4).length > 0)
        return { kind: 'error', message: unsupportedWebSigv4 };
      const requestHeaders: Record<string, string> = Object.fromEntries((headers ?? []).map((header) => [header.key, header.value]));
      const timeoutMs = (timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
      const token = await clientCredentialsAuthorization(authentication?.oauth2, timeoutMs, policy);
      if (!token.ok) return { kind: 'error', message: token.message };
      if (token.authorization !== undefined) requestHeaders.Authorization = token.authorization;
      let requestBody: string | undefined = body;
      if (jsonBody !== undefined) {
        requestBody = JSON.stringify(jsonBody);
        requestHeaders['Content-Type'] ??= 'application/json';
      }
      const result = await outboundRequest(
        url,
        {
          method: method ?? 'GET',
          headers: requestHeaders,
          insecure,
          ...(requestBody === undefined || (method ?? 'GET') === 'GET' ? {} : { body: requestBody }),
        },
        timeoutMs,
        policy,
      );
      if (!result.ok) return { kind: 'error', message: result.message };
      return mapWebResponse(result.status, result.body, jsonPath, url);
    },
  };
}
