import type { ProviderAnswer } from '../provider.js';
import { resolveDeep } from '../resolve-args.js';
import { outboundPolicy, outboundRequest, type OutboundPolicy } from '../outbound/outbound-request.js';
import type { MeasurementContext, MetricProvider } from '../provider.js';

/*
 * The graphite provider (Argo's metricproviders/graphite): the query, its whitespace removed,
 * is the query string of <address>/render with format=json. The first series' non-null
 * datapoints are the result, a list of numbers stored as Go's %f writes them
 * (`[12.000000,3.500000]`); no series or no values is Argo's "no values found" Error.
 */

/** Argo's graphite client waits 10 seconds. */
const TIMEOUT_MS = 10_000;

/** The longest part of an error body kept in a message: Argo keeps it whole, but a body is the server's, not ours to store. */
const MAX_ERROR_BODY = 512;

/** The render URL as Argo's APIClient.Query builds it: the query's parameters, format=json, keys sorted (Go's Values.Encode). */
export function graphiteRenderUrl(address: string, query: string): URL | undefined {
  let base: URL;
  try {
    base = new URL(address);
  } catch {
    return undefined;
  }
  const params = new URLSearchParams(query.replace(/\s+/gu, ''));
  params.set('format', 'json');
  params.sort();
  const url = new URL(base);
  url.pathname = `${base.pathname.replace(/\/+$/u, '')}/render`;
  url.search = params.toString();
  return url;
}

/** One datapoint as Argo's dataPoint.UnmarshalJSON reads it: [value, timestamp], a value null, a number or a numeric string. */
function datapointValue(point: unknown): { ok: true; value: number | undefined } | { ok: false; message: string } {
  if (!Array.isArray(point) || point.length !== 2) return { ok: false, message: `error unmarshaling data point: ${JSON.stringify(point)}` };
  const [value] = point as unknown[];
  if (value === null) return { ok: true, value: undefined };
  if (typeof value === 'number') return { ok: true, value };
  if (typeof value === 'string') {
    const parsed = Number(value);
    if (value.trim() === '' || Number.isNaN(parsed))
      return { ok: false, message: `strconv.ParseFloat: parsing ${JSON.stringify(value)}: invalid syntax` };
    return { ok: true, value: parsed };
  }
  return { ok: false, message: `error unmarshaling value: ${JSON.stringify(value)}` };
}

/** Go's %f: six decimals. */
function formatFixed(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return value.toFixed(6);
}

/** The render answer as Argo's provider maps it. Pure. */
export function mapGraphiteResponse(status: number, body: string): ProviderAnswer {
  if (status >= 400) return { kind: 'error', message: `error response: ${body.slice(0, MAX_ERROR_BODY)}` };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { kind: 'error', message: `the Graphite response (HTTP ${String(status)}) is not JSON` };
  }
  if (!Array.isArray(json)) return { kind: 'error', message: 'the Graphite response is not a list of series' };
  const first: unknown = json[0];
  if (first === undefined) return { kind: 'error', message: 'no values found' };
  const datapoints = typeof first === 'object' && first !== null ? (first as { datapoints?: unknown }).datapoints : undefined;
  if (datapoints !== undefined && datapoints !== null && !Array.isArray(datapoints))
    return { kind: 'error', message: 'the Graphite series has datapoints that are not a list' };
  const points = (datapoints ?? []) as unknown[];
  if (points.length === 0) return { kind: 'error', message: 'no values found' };
  const values: number[] = [];
  for (const point of points) {
    const read = datapointValue(point);
    if (!read.ok) return { kind: 'error', message: read.message };
    if (read.value !== undefined) values.push(read.value);
  }
  return { kind: 'value', value: values, text: `[${values.map(formatFixed).join(',')}]` };
}

export function graphiteProvider(policy: OutboundPolicy = outboundPolicy()): MetricProvider {
  return {
    type: 'graphite',
    async run(context: MeasurementContext): Promise<ProviderAnswer> {
      const settings = context.metric.provider.graphite;
      if (settings === undefined) return { kind: 'error', message: 'metric has no graphite provider' };
      const resolved = resolveDeep(settings, context.args);
      if (!resolved.ok) return { kind: 'error', message: resolved.message };
      const address = resolved.value.address ?? '';
      const url = address === '' ? undefined : graphiteRenderUrl(address, resolved.value.query ?? '');
      if (url === undefined) return { kind: 'error', message: `Graphite address ${address} is not a valid URL` };
      const result = await outboundRequest(url.toString(), { method: 'GET', headers: {} }, TIMEOUT_MS, policy);
      if (!result.ok) return { kind: 'error', message: result.message };
      return mapGraphiteResponse(result.status, result.body);
    },
  };
}
