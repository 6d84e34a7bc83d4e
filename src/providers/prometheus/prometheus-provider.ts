import { z } from 'zod';
import type { Value } from '../../condition/index.js';
import type { ProviderAnswer } from '../provider.js';
import { resolveDeep } from '../resolve-args.js';
import { outboundPolicy, outboundRequest, redactUrl, type OutboundPolicy } from '../outbound/outbound-request.js';
import type { MeasurementContext, MetricProvider } from '../provider.js';

/*
 * The prometheus provider (Argo's metricproviders/prometheus): an instant query against
 * /api/v1/query. A scalar result is a number; a vector is a list of numbers, stored as text
 * like `[0.97,0.99]`; an empty vector is `[]`. Anything else — an unreachable server, a
 * non-2xx answer, a Prometheus error, a result type Argo does not map — is an Error
 * measurement whose message says so.
 */

const DEFAULT_TIMEOUT_SECONDS = 30;

const sampleValue = z.tuple([z.number(), z.string()]);
const queryResponseSchema = z.union([
  z.object({
    status: z.literal('success'),
    data: z.union([
      z.object({ resultType: z.literal('scalar'), result: sampleValue }),
      z.object({
        resultType: z.literal('vector'),
        result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: sampleValue })),
      }),
      z.object({ resultType: z.enum(['matrix', 'string']), result: z.unknown() }),
    ]),
    warnings: z.array(z.string()).optional(),
  }),
  z.object({ status: z.literal('error'), errorType: z.string().optional(), error: z.string().optional() }),
]);

/** Go's strconv.ParseFloat on Prometheus' sample text ("NaN", "+Inf" included). */
function sampleNumber(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/** Go's %v of a float64, as Argo writes measurement values. */
export function formatFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return String(value);
}

/** The query response as Argo's processResponse maps it. Pure. */
export function mapQueryResponse(status: number, body: string): ProviderAnswer {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { kind: 'error', message: `Prometheus answered ${String(status)} with a body that is not JSON` };
  }
  const parsed = queryResponseSchema.safeParse(json);
  if (!parsed.success) return { kind: 'error', message: `Prometheus answered ${String(status)} with an unexpected body` };
  const response = parsed.data;
  if (response.status === 'error')
    return {
      kind: 'error',
      message: `Prometheus query failed (${String(status)}): ${response.errorType ?? 'error'}: ${response.error ?? ''}`.trim(),
    };
  const { data } = response;
  if (data.resultType === 'scalar') {
    const value = sampleNumber(data.result[1]);
    return { kind: 'value', value, text: formatFloat(value) };
  }
  if (data.resultType === 'vector') {
    const values: Value[] = data.result.map((sample) => sampleNumber(sample.value[1]));
    return { kind: 'value', value: values, text: `[${values.map((item) => formatFloat(item as number)).join(',')}]` };
  }
  return { kind: 'error', message: `Prometheus metric type not supported: ${data.resultType}` };
}

export function prometheusProvider(policy: OutboundPolicy = outboundPolicy()): MetricProvider {
  return {
    type: 'prometheus',
    async run(context: MeasurementContext): Promise<ProviderAnswer> {
      const settings = context.metric.provider.prometheus;
      if (settings === undefined) return { kind: 'error', message: 'metric has no prometheus provider' };
      const resolved = resolveDeep(settings, context.args);
      if (!resolved.ok) return { kind: 'error', message: resolved.message };
      const { address, query, headers, timeout, insecure } = resolved.value;
      if (address === undefined || address === '') return { kind: 'error', message: 'prometheus provider: address is required' };
      if (query === undefined || query === '') return { kind: 'error', message: 'prometheus provider: query is required' };
      const url = `${address.replace(/\/+$/u, '')}/api/v1/query?${new URLSearchParams({ query, time: String(context.now.getTime() / 1000) }).toString()}`;
      const result = await outboundRequest(
        url,
        { method: 'GET', headers: Object.fromEntries((headers ?? []).map((header) => [header.key, header.value])), insecure },
        (timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
        policy,
      );
      if (!result.ok) return { kind: 'error', message: result.message };
      if (result.status >= 500 || result.status === 401 || result.status === 403 || result.status === 404) {
        return { kind: 'error', message: `GET ${redactUrl(url)}: HTTP ${String(result.status)}` };
      }
      return mapQueryResponse(result.status, result.body);
    },
  };
}
