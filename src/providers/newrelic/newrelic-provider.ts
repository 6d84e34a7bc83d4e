import type { Value } from '../../condition/index.js';
import { outboundPolicy, outboundRequest, type OutboundPolicy } from '../outbound/outbound-request.js';
import { maskSecrets, noProviderSecrets, type ProviderSecrets } from '../provider-secrets.js';
import type { MeasurementContext, MetricProvider, ProviderAnswer } from '../provider.js';
import { resolveDeep } from '../resolve-args.js';

/*
 * The newRelic provider (Argo's metricproviders/newrelic, through newrelic-client-go's
 * NerdGraph client): the NRQL query is POSTed as Argo's GraphQL document to NerdGraph
 * (https://api.newrelic.com/graphql, or api.eu.newrelic.com for region eu, or the profile's
 * base-url-nerdgraph) with the profile Secret's personal API key. One result row is the
 * value (an object: `result.count`); several are a list; none is an Error measurement with
 * Argo's "no results returned from NRQL query". The key never reaches a message.
 */

export const newRelicSecretName = 'newrelic';
const defaultNrqlTimeoutSeconds = 5;
/** newrelic-client-go's HTTP timeout. */
const timeoutMs = 60_000;

/** Argo's query document, byte for byte (the variables carry the NRQL, the account and the timeout). */
export const nrqlQueryDocument = `query (
  $query: Nrql!, 
  $accountId: Int!,
  $timeout: Seconds!
)
{
  actor {
    account(id: $accountId) {
      nrql(query: $query, timeout: $timeout) {
        results
      }
    }
  }
}
`;

/** newrelic-client-go's region table (pkg/region/region_constants.go). */
const nerdGraphUrls: Readonly<Record<string, string>> = {
  us: 'https://api.newrelic.com/graphql',
  eu: 'https://api.eu.newrelic.com/graphql',
  staging: 'https://staging-api.newrelic.com/graphql',
  local: 'http://localhost:3000/graphql',
};

export function nerdGraphUrl(data: Readonly<Record<string, string>>): string | { error: string } {
  const explicit = data['base-url-nerdgraph'];
  if (explicit !== undefined) return explicit;
  const region = (data.region ?? 'us').toLowerCase();
  const url = nerdGraphUrls[region];
  // newrelic-client-go's region.Parse error.
  return url ?? { error: `invalid region: ${data.region ?? ''}` };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface GraphQlError {
  message?: unknown;
  extensions?: { errorCode?: unknown; errorClass?: unknown };
}

/** The NerdGraph answer as newrelic-client-go and Argo's processResponse read it. Pure. */
export function mapNerdGraphResponse(status: number, body: string): ProviderAnswer {
  if (status === 404) return { kind: 'error', message: '404 response returned: resource not found' };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  const errors = isRecord(json) && Array.isArray(json.errors) ? (json.errors as GraphQlError[]) : [];
  const errorText = errors
    .map((error) => (typeof error.message === 'string' ? error.message : ''))
    .filter((message) => message !== '')
    .join(', ');
  if (status < 200 || status > 299) {
    if (errors.length > 0 && (status === 401 || errors.some((error) => error.extensions?.errorCode === 'BAD_API_KEY')))
      return {
        kind: 'error',
        message: '401 response returned: Invalid credentials provided. Missing API key or an invalid API key was provided.',
      };
    if (status === 402) return { kind: 'error', message: '402 response returned: Payment Required' };
    return { kind: 'error', message: `${String(status)} response returned${errorText === '' ? '' : `: ${errorText}`}` };
  }
  if (errorText !== '' && !errorText.startsWith('This field is deprecated!')) return { kind: 'error', message: errorText };
  if (json === undefined) return { kind: 'error', message: 'invalid character in the NerdGraph response: it is not JSON' };
  const results = resultsOf(json);
  if (results === undefined)
    return { kind: 'error', message: 'json: cannot unmarshal the NerdGraph response: actor.account.nrql.results is not a list of objects' };
  if (results.length === 0 || (results.length === 1 && Object.keys(results[0] ?? {}).length === 0))
    // Argo's processResponse answers Failed with an error, and its Run marks any error an Error measurement.
    return { kind: 'error', message: 'no results returned from NRQL query' };
  const value: Value = results.length === 1 ? (results[0] ?? {}) : results;
  return { kind: 'value', value, text: JSON.stringify(value) };
}

function resultsOf(json: unknown): { [key: string]: Value }[] | undefined {
  if (!isRecord(json)) return undefined;
  const data = json.data;
  if (data === undefined || data === null) return [];
  const actor = isRecord(data) ? data.actor : undefined;
  const account = isRecord(actor) ? actor.account : undefined;
  const nrql = isRecord(account) ? account.nrql : undefined;
  if (!isRecord(nrql)) return actor === undefined || account === undefined || nrql === undefined || nrql === null ? [] : undefined;
  const results = nrql.results;
  if (results === undefined || results === null) return [];
  if (!Array.isArray(results) || !results.every(isRecord)) return undefined;
  return results as { [key: string]: Value }[];
}

export interface NewRelicProviderOptions {
  policy?: OutboundPolicy;
  secrets?: ProviderSecrets;
}

export function newRelicProvider(options: NewRelicProviderOptions = {}): MetricProvider {
  const policy = options.policy ?? outboundPolicy();
  const secrets = options.secrets ?? noProviderSecrets;
  return {
    type: 'newRelic',
    async run(context: MeasurementContext): Promise<ProviderAnswer> {
      const written = context.metric.provider.newRelic;
      if (written === undefined) return { kind: 'error', message: 'metric has no newRelic provider' };
      const resolved = resolveDeep(written, context.args);
      if (!resolved.ok) return { kind: 'error', message: resolved.message };
      const settings = resolved.value;
      const profile = settings.profile === undefined || settings.profile === '' ? newRelicSecretName : settings.profile;
      const read = await secrets.read(secrets.controllerNamespace, profile);
      if (!read.ok) return { kind: 'error', message: read.message };
      const apiKey = read.data['personal-api-key'] ?? '';
      const accountText = read.data['account-id'] ?? '';
      if (apiKey === '' || accountText === '') return { kind: 'error', message: 'account ID or personal API key not found' };
      const keys = [apiKey];
      const url = nerdGraphUrl(read.data);
      if (typeof url !== 'string') return { kind: 'error', message: url.error };
      if (!/^[+-]?\d+$/u.test(accountText) || !Number.isSafeInteger(Number(accountText)))
        return {
          kind: 'error',
          message: `could not parse account ID: strconv.Atoi: parsing ${JSON.stringify(accountText)}: invalid syntax`,
        };
      const timeout = settings.timeout ?? defaultNrqlTimeoutSeconds;
      if (timeout < 0) return { kind: 'error', message: 'timeout value needs to be a positive value' };
      const body = JSON.stringify({
        query: nrqlQueryDocument,
        variables: { accountId: Number(accountText), query: settings.query, timeout },
      });
      const result = await outboundRequest(
        url,
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Api-Key': apiKey, 'User-Agent': 'argo-rollouts (gradual)' },
          body,
        },
        timeoutMs,
        policy,
      );
      const answer = result.ok ? mapNerdGraphResponse(result.status, result.body) : { kind: 'error' as const, message: result.message };
      if (answer.kind === 'error') return { kind: 'error', message: maskSecrets(answer.message, keys) };
      // Argo's GetMetadata: the query as resolved.
      return { ...answer, metadata: { ResolvedNewRelicQuery: settings.query } };
    },
  };
}
