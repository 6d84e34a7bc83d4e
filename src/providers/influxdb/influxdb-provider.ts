import { STATUS_CODES } from 'node:http';
import type { SecretRead } from '../provider-secrets.js';
import type { Value } from '../../condition/index.js';
import type { ProviderAnswer } from '../provider.js';
import { resolveDeep } from '../resolve-args.js';
import { outboundPolicy, outboundRequest, type OutboundPolicy } from '../outbound/outbound-request.js';
import type { MeasurementContext, MetricProvider } from '../provider.js';
import { formatFloat } from '../prometheus/prometheus-provider.js';
import { fluxValues, type FluxValue } from './flux-csv.js';

/*
 * The influxdb provider (Argo's metricproviders/influxdb): a Flux query sent to InfluxDB 2's
 * /api/v2/query as influxdb-client-go sends it, with the address, token and organisation read
 * from a Secret in the controller's namespace (`influxdb`, or the metric's `profile`), keys
 * address, authToken and org as Argo names them. Every record's `_value` is the result, a
 * list stored as Go's fmt.Sprint writes it (`[0.5 1]`). The token goes in the Authorization
 * header only and is masked out of every message.
 */

const DEFAULT_SECRET = 'influxdb';
const TIMEOUT_MS = 30_000;
const MAX_ERROR_BODY = 512;
const MASK = '*****';

/** A Secret's decoded data, or why it could not be read (Kubernetes' words, e.g. `secrets "influxdb" not found`). */

export interface InfluxdbProviderDependencies {
  /** Reads a Secret in the controller's namespace (Argo's defaults.Namespace()). */
  readSecret: (name: string) => Promise<SecretRead>;
  policy?: OutboundPolicy;
}

/** The body influxdb-client-go posts: the query, type flux, the default dialect (all three annotations). */
export function fluxQueryBody(query: string): string {
  return JSON.stringify({
    query,
    type: 'flux',
    dialect: { annotations: ['datatype', 'group', 'default'], delimiter: ',', header: true },
  });
}

/** Go's fmt.Sprint of a []interface{} of these values. */
function sprint(values: readonly FluxValue[]): string {
  const item = (value: FluxValue): string => {
    if (value === null) return '<nil>';
    if (typeof value === 'number') return formatFloat(value);
    return String(value);
  };
  return `[${values.map(item).join(' ')}]`;
}

/** Go's name for a JSON value's type in an UnmarshalTypeError. */
function goJsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value === 'object' ? 'object' : typeof value;
}

/**
 * influxdb-client-go v2.14's parseHTTPError and Error() (api/http/service.go, error.go), which
 * Argo's messages are: a JSON body (by Content-Type) is decoded into Code and Message (keys
 * matched case-insensitively, as encoding/json does); any other body is Message, with the
 * status line as Code. Both still empty: 429 and 503 have fixed words, others the status line
 * and the X-Influxdb-Error header (InfluxDB 1.x puts its error there, its body being
 * `{"error": …}`). Code and Message both set: "code: message"; else "Unexpected status code N".
 */
export function fluxErrorMessage(status: number, body: string, headers: Readonly<Record<string, string>> = {}): string {
  const statusLine = `${String(status)} ${STATUS_CODES[status] ?? ''}`.trimEnd();
  let code = '';
  let message = '';
  const mediaType = (headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase();
  if (mediaType === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (error) {
      return `the InfluxDB error body is not JSON: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      for (const [key, value] of Object.entries(parsed)) {
        const field = key.toLowerCase() === 'code' ? 'Code' : key.toLowerCase() === 'message' ? 'Message' : undefined;
        if (field === undefined || value === null) continue;
        if (typeof value !== 'string')
          return `json: cannot unmarshal ${goJsonType(value)} into Go struct field Error.${field} of type string`;
        if (field === 'Code') code = value;
        else message = value;
      }
    }
  } else {
    code = statusLine;
    message = body;
  }
  if (code === '' && message === '') {
    if (status === 429) [code, message] = ['too many requests', 'exceeded rate limit'];
    else if (status === 503) [code, message] = ['unavailable', 'service temporarily unavailable'];
    else [code, message] = [statusLine, headers['x-influxdb-error'] ?? ''];
  }
  return code !== '' && message !== '' ? `${code}: ${message}` : `Unexpected status code ${String(status)}`;
}

/** The query's answer as Argo maps it (influxdb-client-go's errors for a non-2xx answer). Pure. */
export function mapFluxResponse(status: number, body: string, headers: Readonly<Record<string, string>> = {}): ProviderAnswer {
  if (status < 200 || status >= 300) return { kind: 'error', message: fluxErrorMessage(status, body, headers).slice(0, MAX_ERROR_BODY) };
  const records = fluxValues(body);
  if (!records.ok) return { kind: 'error', message: records.message };
  // Argo reads records until the reader stops and does not look at why; the reason is kept here, after Argo's words.
  if (records.values.length === 0)
    return {
      kind: 'error',
      message: `no results returned from flux query${records.error === undefined ? '' : `: ${records.error.slice(0, MAX_ERROR_BODY)}`}`,
    };
  return { kind: 'value', value: records.values as Value[], text: sprint(records.values) };
}

export function influxdbProvider(dependencies: InfluxdbProviderDependencies): MetricProvider {
  const policy = dependencies.policy ?? outboundPolicy();
  return {
    type: 'influxdb',
    async run(context: MeasurementContext): Promise<ProviderAnswer> {
      const settings = context.metric.provider.influxdb;
      if (settings === undefined) return { kind: 'error', message: 'metric has no influxdb provider' };
      const resolved = resolveDeep(settings, context.args);
      if (!resolved.ok) return { kind: 'error', message: resolved.message };
      const profile = resolved.value.profile === undefined || resolved.value.profile === '' ? DEFAULT_SECRET : resolved.value.profile;
      const secret = await dependencies.readSecret(profile);
      if (!secret.ok) return { kind: 'error', message: secret.message };
      const { authToken = '', address = '', org = '' } = secret.data;
      if (authToken === '' || address === '' || org === '') return { kind: 'error', message: 'authToken, org, or address not found' };
      const url = `${address.replace(/\/+$/u, '')}/api/v2/query?${new URLSearchParams({ org }).toString()}`;
      const result = await outboundRequest(
        url,
        {
          method: 'POST',
          // No Accept: influxdb-client-go sends none, and InfluxDB 1.8 answers an error as CSV to `Accept: application/csv`.
          headers: { Authorization: `Token ${authToken}`, 'Content-Type': 'application/json' },
          body: fluxQueryBody(resolved.value.query ?? ''),
          // The client reads the Content-Type and InfluxDB 1.x's X-Influxdb-Error header for its error message.
          responseHeaders: true,
        },
        TIMEOUT_MS,
        policy,
      );
      const answer: ProviderAnswer = result.ok
        ? mapFluxResponse(result.status, result.body, result.headers)
        : { kind: 'error', message: result.message };
      // The token is the Secret's, not an argument's: the run's redaction does not know it, so it is masked here.
      if (answer.kind === 'error') return { kind: 'error', message: answer.message.replaceAll(authToken, MASK) };
      if (answer.kind === 'value' && answer.text.includes(authToken))
        return { kind: 'error', message: 'the answer carries the InfluxDB token; not stored' };
      return answer;
    },
  };
}
