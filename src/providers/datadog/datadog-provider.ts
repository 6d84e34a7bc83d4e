import { parseGoDuration } from '../../api/index.js';
import type { Value } from '../../condition/index.js';
import { formatFloatF } from '../go-float.js';
import { outboundPolicy, outboundRequest, type OutboundPolicy } from '../outbound/outbound-request.js';
import { maskSecrets, noProviderSecrets, type ProviderSecrets } from '../provider-secrets.js';
import type { MeasurementContext, MetricProvider, ProviderAnswer } from '../provider.js';
import { resolveDeep } from '../resolve-args.js';

/*
 * The datadog provider (Argo's metricproviders/datadog): v1 is a GET of /api/v1/query over the
 * last `interval` (the last point of the first series is the value); v2 a POST of a
 * scalar_request to /api/v2/query/scalar with the queries, one formula and the aggregator (the
 * first value of the first column). Keys come from the controller's DD_API_KEY, DD_APP_KEY and
 * DD_ADDRESS, else the Secret `datadog` in the controller's namespace (`api-key`, `app-key`,
 * optional `address`), or the Secret secretRef names (in the run's namespace when namespaced).
 * Argo's messages throughout; the keys never reach one.
 */

export const datadogSecretName = 'datadog';
export const datadogDefaultAddress = 'https://api.datadoghq.com';
/** Argo's datadog client timeout. */
const timeoutMs = 10_000;

export type DatadogSettings = NonNullable<MeasurementContext['metric']['provider']['datadog']>;

interface Credentials {
  address: string;
  apiKey: string;
  appKey: string;
}

/** Argo's validateIncomingProps: the CRD cannot say "one of query/queries", so the provider does. */
export function validateDatadogSettings(settings: DatadogSettings): string | undefined {
  const query = settings.query ?? '';
  const queries = Object.keys(settings.queries ?? {}).length;
  const formula = settings.formula ?? '';
  const apiVersion = settings.apiVersion ?? 'v1';
  if (query === '' && queries === 0) return 'Must have either a query or queries. Please review the Analysis Template.';
  if (query !== '' && queries > 0) return 'Cannot have both a query and queries. Please review the Analysis Template.';
  if (apiVersion === 'v1' && query === '')
    return 'Query is empty. API Version v1 only supports using the query parameter in your Analysis Template.';
  if (formula !== '' && queries === 0) return 'Formula are only valid when queries are set. Please review the Analysis Template.';
  if (formula === '' && queries > 1) return 'When multiple queries are provided you must include a formula.';
  if (apiVersion === 'v1' && settings.aggregator !== undefined)
    return 'Aggregator is not supported in v1. Please review the Analysis Template.';
  return undefined;
}

/** Argo's findCredentials: the environment, then the Secret (or only the Secret secretRef names). */
async function findCredentials(settings: DatadogSettings, runNamespace: string, secrets: ProviderSecrets): Promise<Credentials | string> {
  const name = settings.secretRef?.name ?? '';
  const namespaced = settings.secretRef?.namespaced === true;
  if (namespaced && name === '') return 'secret name is required for namespaced credentials';
  if (name === '') {
    const { DD_API_KEY: apiKey, DD_APP_KEY: appKey, DD_ADDRESS: address } = secrets.env;
    if (apiKey !== undefined && appKey !== undefined && address !== undefined && apiKey !== '' && appKey !== '')
      return { address, apiKey, appKey };
  }
  const read = await secrets.read(namespaced ? runNamespace : secrets.controllerNamespace, name === '' ? datadogSecretName : name);
  if (read.ok) {
    const apiKey = read.data['api-key'] ?? '';
    const appKey = read.data['app-key'] ?? '';
    if (apiKey !== '' && appKey !== '') return { address: read.data.address ?? '', apiKey, appKey };
  }
  return 'failed to find the credentials for datadog metrics provider';
}

/** The request Argo sends for the settings at `nowSeconds`. Pure. */
export function datadogRequest(
  settings: DatadogSettings,
  address: string,
  nowSeconds: number,
  intervalSeconds: number,
): { url: string; method: 'GET' | 'POST'; body?: string } {
  const base = address === '' ? datadogDefaultAddress : address;
  if ((settings.apiVersion ?? 'v1') === 'v1') {
    const query = new URLSearchParams({
      from: String(nowSeconds - intervalSeconds),
      query: settings.query ?? '',
      to: String(nowSeconds),
    });
    return { url: `${base}/api/v1/query?${query.toString()}`, method: 'GET' };
  }
  const queries = settings.query !== undefined && settings.query !== '' ? { query: settings.query } : (settings.queries ?? {});
  const aggregator = settings.aggregator ?? 'last';
  const body = {
    data: {
      attributes: {
        from: (nowSeconds - intervalSeconds) * 1000,
        to: nowSeconds * 1000,
        queries: Object.entries(queries).map(([name, query]) => ({ aggregator, data_source: 'metrics', name, query })),
        formulas: settings.formula === undefined || settings.formula === '' ? [] : [{ formula: settings.formula }],
      },
      type: 'scalar_request',
    },
  };
  return { url: `${base}/api/v2/query/scalar`, method: 'POST', body: JSON.stringify(body) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Go's encoding/json matches field names case-insensitively. */
function field(object: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : object[key];
}

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

function parseJson(body: string): Parsed<unknown> {
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch (cause) {
    return { ok: false, message: `Could not parse JSON body: ${(cause as Error).message}` };
  }
}

function statusError(status: number, body: string): ProviderAnswer | undefined {
  if (status === 401 || status === 403)
    return { kind: 'error', message: `received authentication error response code: ${String(status)} ${body}` };
  if (status !== 200) return { kind: 'error', message: `received non 2xx response code: ${String(status)} ${body}` };
  return undefined;
}

/** Argo's parseResponseV1. Pure. */
export function mapDatadogV1(status: number, body: string): ProviderAnswer {
  const refused = statusError(status, body);
  if (refused !== undefined) return refused;
  const parsed = parseJson(body);
  if (!parsed.ok) return { kind: 'error', message: parsed.message };
  const series = isRecord(parsed.value) ? field(parsed.value, 'series') : undefined;
  if (series !== undefined && series !== null && !Array.isArray(series))
    return { kind: 'error', message: 'Could not parse JSON body: json: cannot unmarshal series into a list' };
  const list = (series ?? []) as unknown[];
  const first = list[0];
  const points = isRecord(first) ? field(first, 'pointlist') : undefined;
  if (list.length === 0 || !Array.isArray(points) || points.length === 0) {
    return { kind: 'value', value: null, text: JSON.stringify(series ?? null) };
  }
  const point: unknown = points.at(-1);
  if (!Array.isArray(point) || !point.every((item) => typeof item === 'number' || item === null))
    return { kind: 'error', message: 'Could not parse JSON body: json: cannot unmarshal a point that is not a list of numbers' };
  if (point.length !== 2) return { kind: 'error', message: 'Datapoint does not have 2 values' };
  const value = typeof point[1] === 'number' ? point[1] : 0;
  return { kind: 'value', value, text: formatFloatF(value) };
}

/** Argo's parseResponseV2. Pure. */
export function mapDatadogV2(status: number, body: string): ProviderAnswer {
  const refused = statusError(status, body);
  if (refused !== undefined) return refused;
  const parsed = parseJson(body);
  if (!parsed.ok) return { kind: 'error', message: parsed.message };
  const data = isRecord(parsed.value) ? field(parsed.value, 'data') : undefined;
  const errors = isRecord(data) ? field(data, 'errors') : undefined;
  if (typeof errors === 'string' && errors !== '') return { kind: 'error', message: `There were errors in your query: ${errors}` };
  const attributes = isRecord(data) ? field(data, 'attributes') : undefined;
  const columnsField = isRecord(attributes) ? field(attributes, 'columns') : undefined;
  if (columnsField !== undefined && columnsField !== null && !Array.isArray(columnsField))
    return { kind: 'error', message: 'Could not parse JSON body: json: cannot unmarshal columns into a list' };
  const columns = ((columnsField ?? null) as unknown[] | null)?.map((column) => {
    const values = isRecord(column) ? field(column, 'values') : undefined;
    return Array.isArray(values) ? values.map((item) => (typeof item === 'number' ? item : null)) : null;
  });
  const firstValue = columns?.[0]?.[0];
  if (columns === undefined || columns.length === 0 || firstValue === undefined || firstValue === null) {
    // Argo marshals the first column's values when there is one, else the attributes as its Go struct names them.
    const text =
      columns?.length === 1
        ? JSON.stringify(columns[0] ?? null)
        : JSON.stringify({ Columns: columns?.map((values) => ({ Values: values })) ?? null });
    return { kind: 'value', value: null, text };
  }
  return { kind: 'value', value: firstValue as Value, text: formatFloatF(firstValue) };
}

export interface DatadogProviderOptions {
  policy?: OutboundPolicy;
  secrets?: ProviderSecrets;
}

export function datadogProvider(options: DatadogProviderOptions = {}): MetricProvider {
  const policy = options.policy ?? outboundPolicy();
  const secrets = options.secrets ?? noProviderSecrets;
  return {
    type: 'datadog',
    async run(context: MeasurementContext): Promise<ProviderAnswer> {
      const written = context.metric.provider.datadog;
      if (written === undefined) return { kind: 'error', message: 'metric has no datadog provider' };
      const resolved = resolveDeep(written, context.args);
      if (!resolved.ok) return { kind: 'error', message: resolved.message };
      const settings = resolved.value;
      const credentials = await findCredentials(settings, context.run.namespace, secrets);
      if (typeof credentials === 'string') return { kind: 'error', message: credentials };
      const keys = [credentials.apiKey, credentials.appKey];
      const problem = validateDatadogSettings(settings);
      if (problem !== undefined) return { kind: 'error', message: problem };
      const base = credentials.address === '' ? datadogDefaultAddress : credentials.address;
      try {
        new URL(base);
      } catch {
        return { kind: 'error', message: `parse ${JSON.stringify(base)}: invalid URL` };
      }
      const interval = settings.interval ?? '5m';
      const intervalSeconds = parseGoDuration(interval);
      if (intervalSeconds === undefined) return { kind: 'error', message: `time: invalid duration ${JSON.stringify(interval)}` };
      const request = datadogRequest(settings, credentials.address, Math.floor(context.now.getTime() / 1000), Math.trunc(intervalSeconds));
      const result = await outboundRequest(
        request.url,
        {
          method: request.method,
          headers: { 'Content-Type': 'application/json', 'DD-API-KEY': credentials.apiKey, 'DD-APPLICATION-KEY': credentials.appKey },
          ...(request.body === undefined ? {} : { body: request.body }),
        },
        timeoutMs,
        policy,
      );
      const answer: ProviderAnswer = !result.ok
        ? { kind: 'error', message: result.message }
        : (settings.apiVersion ?? 'v1') === 'v1'
          ? mapDatadogV1(result.status, result.body)
          : mapDatadogV2(result.status, result.body);
      return answer.kind === 'error' ? { kind: 'error', message: maskSecrets(answer.message, keys) } : answer;
    },
  };
}
