import { z } from 'zod';
import type { Value } from '../../condition/index.js';
import type { ProviderAnswer } from '../provider.js';
import { resolveDeep } from '../resolve-args.js';
import { outboundPolicy, outboundRequest, type OutboundPolicy } from '../outbound/outbound-request.js';
import type { MeasurementContext, MetricProvider } from '../provider.js';
import { clientCredentialsAuthorization } from '../oauth2/client-credentials.js';
import { parseGoDuration } from '../../api/index.js';
import { unsupportedPrometheusSigv4RoleArn } from '../../api/unsupported-metric-fields.js';
import { evaluateTimeExpression, formatSeconds } from './range-query.js';
import { awsDefaultCredentialChain, signSigv4, type AwsCredentialChain } from './sigv4.js';

/*
 * The prometheus provider (Argo's metricproviders/prometheus): an instant query against
 * /api/v1/query, or with rangeQuery a range query against /api/v1/query_range (start and end
 * as now() ± duration("…"), step a Go duration). A scalar result is a number; a vector is a
 * list of numbers, stored as text like `[0.97,0.99]`; a matrix is every sample of every series
 * in one such list, as Argo flattens it; an empty vector is `[]`. headers, timeout, insecure and
 * authentication.oauth2 (client credentials) and authentication.sigv4 (AWS SigV4 for Amazon
 * Managed Prometheus, sigv4.ts; its roleArn is refused by name) are applied. Anything else — an
 * unreachable server, a non-2xx answer, a Prometheus error, a result type Argo does not map — is
 * an Error measurement whose message says so: a 4xx or 5xx answer in the words of Argo's client
 * (client_golang's "client_error: client error: 403").
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
      z.object({
        resultType: z.literal('matrix'),
        result: z.array(z.object({ metric: z.record(z.string(), z.string()), values: z.array(sampleValue) })),
      }),
      z.object({ resultType: z.literal('string'), result: z.unknown() }),
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
  if (data.resultType === 'matrix') {
    const values: Value[] = data.result.flatMap((series) => series.values.map((sample) => sampleNumber(sample[1])));
    return { kind: 'value', value: values, text: `[${values.map((item) => formatFloat(item as number)).join(',')}]` };
  }
  return { kind: 'error', message: `Prometheus metric type not supported: ${data.resultType}` };
}

/** client_golang's error for an answer that is neither 2xx nor one of Prometheus' own error statuses (400, 422). */
export function statusError(status: number): string | undefined {
  if (status >= 200 && status < 300) return undefined;
  if (status === 400 || status === 422) return undefined;
  if (status >= 400 && status < 500) return `client_error: client error: ${String(status)}`;
  if (status >= 500 && status < 600) return `server_error: server error: ${String(status)}`;
  return `bad_response: bad response code ${String(status)}`;
}

export interface PrometheusProviderOptions {
  /** The AWS credential chain sigv4 signs with (the default chain when absent). */
  awsCredentials?: AwsCredentialChain;
  /** Where AWS_REGION is read (process.env when absent). */
  env?: Readonly<Record<string, string | undefined>>;
}

export function prometheusProvider(policy: OutboundPolicy = outboundPolicy(), options: PrometheusProviderOptions = {}): MetricProvider {
  return {
    type: 'prometheus',
    async run(context: MeasurementContext): Promise<ProviderAnswer> {
      const settings = context.metric.provider.prometheus;
      if (settings === undefined) return { kind: 'error', message: 'metric has no prometheus provider' };
      const resolved = resolveDeep(settings, context.args);
      if (!resolved.ok) return { kind: 'error', message: resolved.message };
      const { address, query, headers, timeout, insecure, authentication, rangeQuery } = resolved.value;
      if (address === undefined || address === '') return { kind: 'error', message: 'prometheus provider: address is required' };
      if (query === undefined || query === '') return { kind: 'error', message: 'prometheus provider: query is required' };
      if (timeout !== undefined && timeout < 0) return { kind: 'error', message: 'prometheus timeout should not be negative' };
      const sigv4 = authentication?.sigv4 !== undefined && Object.keys(authentication.sigv4).length > 0 ? authentication.sigv4 : undefined;
      if (sigv4?.roleArn !== undefined && sigv4.roleArn !== '') return { kind: 'error', message: unsupportedPrometheusSigv4RoleArn };
      const timeoutMs = (timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
      let url = `${address.replace(/\/+$/u, '')}/api/v1/query?${new URLSearchParams({ query, time: String(context.now.getTime() / 1000) }).toString()}`;
      if (rangeQuery !== undefined) {
        const nowSeconds = context.now.getTime() / 1000;
        const start = evaluateTimeExpression(rangeQuery.start ?? '', nowSeconds, 'start');
        if (!start.ok) return { kind: 'error', message: start.message };
        const end = evaluateTimeExpression(rangeQuery.end ?? '', nowSeconds, 'end');
        if (!end.ok) return { kind: 'error', message: end.message };
        const step = parseGoDuration(rangeQuery.step ?? '');
        if (step === undefined)
          return {
            kind: 'error',
            message: `failed to parse rangeQuery.step as duration: time: invalid duration ${JSON.stringify(rangeQuery.step ?? '')}`,
          };
        const parameters = { query, start: formatSeconds(start.seconds), end: formatSeconds(end.seconds), step: formatSeconds(step) };
        url = `${address.replace(/\/+$/u, '')}/api/v1/query_range?${new URLSearchParams(parameters).toString()}`;
      }
      const requestHeaders: Record<string, string> = Object.fromEntries((headers ?? []).map((header) => [header.key, header.value]));
      const token = await clientCredentialsAuthorization(authentication?.oauth2, timeoutMs, policy);
      if (!token.ok) return { kind: 'error', message: token.message };
      if (token.authorization !== undefined) requestHeaders.Authorization = token.authorization;
      let sent = requestHeaders;
      if (sigv4 !== undefined) {
        const signed = await signSigv4(url, requestHeaders, sigv4, context.now, {
          chain: options.awsCredentials ?? awsDefaultCredentialChain,
          env: options.env ?? process.env,
        });
        if (!signed.ok) return { kind: 'error', message: signed.message };
        sent = signed.headers;
      }
      const result = await outboundRequest(url, { method: 'GET', headers: sent, insecure }, timeoutMs, policy);
      if (!result.ok) return { kind: 'error', message: result.message };
      const refused = statusError(result.status);
      if (refused !== undefined) return { kind: 'error', message: refused };
      return mapQueryResponse(result.status, result.body);
    },
  };
}
