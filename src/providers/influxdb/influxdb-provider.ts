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

/** The query's answer as Argo maps it (influxdb-client-go's errors for a non-2xx answer). Pure. */
export function mapFluxResponse(status: number, body: string): ProviderAnswer {
  if (status < 200 || status >= 300) {
    // influxdb-client-go's http.Error: "<code>: <message>" from the JSON error body, else the status.
    try {
      const error = JSON.parse(body) as { code?: unknown; message?: unknown };
      if (typeof error.code === 'string' && error.code !== '' && typeof error.message === 'string' && error.message !== '')
        return { kind: 'error', message: `${error.code}: ${error.message}`.slice(0, MAX_ERROR_BODY) };
    } catch {
      // not JSON: the status says it
    }
    return { kind: 'error', message: `Unexpected status code ${String(status)}` };
  }
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
          headers: { Authorization: `Token ${authToken}`, 'Content-Type': 'application/json', Accept: 'application/csv' },
          body: fluxQueryBody(resolved.value.query ?? ''),
        },
        TIMEOUT_MS,
        policy,
      );
      const answer: ProviderAnswer = result.ok ? mapFluxResponse(result.status, result.body) : { kind: 'error', message: result.message };
      // The token is the Secret's, not an argument's: the run's redaction does not know it, so it is masked here.
      if (answer.kind === 'error') return { kind: 'error', message: answer.message.replaceAll(authToken, MASK) };
      if (answer.kind === 'value' && answer.text.includes(authToken))
        return { kind: 'error', message: 'the answer carries the InfluxDB token; not stored' };
      return answer;
    },
  };
}
