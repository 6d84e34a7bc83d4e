import { Readable } from 'node:stream';
import type {
  CloudWatchClient,
  CloudWatchClientConfig,
  GetMetricDataCommandOutput,
  MetricDataQuery,
  MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { parseGoDuration } from '../../api/index.js';
import type { Value } from '../../condition/index.js';
import type { ProviderAnswer } from '../provider.js';
import { resolveDeep } from '../resolve-args.js';
import { outboundPolicy, outboundRequest, type OutboundPolicy } from '../outbound/outbound-request.js';
import type { MeasurementContext, MetricProvider } from '../provider.js';
import { formatFloat } from '../prometheus/prometheus-provider.js';

/*
 * The cloudWatch provider (Argo's metricproviders/cloudwatch): GetMetricData over the last
 * `interval` (default 5m) with the metric's metricDataQueries, through the official AWS SDK,
 * whose region and credentials come from the controller's usual AWS chain (environment, shared
 * config, web identity, container or instance role). The SDK's HTTP goes through the outbound
 * request rules like every provider's: its requests are handed to outboundRequest, so the
 * address checks and the response cap hold. The result the conditions see is Argo's: the
 * list of MetricDataResults with their Go field names (`result[0].Values`); the stored value
 * is Go's %+v of the values (`[[0.1 0.2] [0.3]]`).
 */

const DEFAULT_INTERVAL_SECONDS = 300;
const TIMEOUT_MS = 30_000;

type Settings = NonNullable<MeasurementContext['metric']['provider']['cloudWatch']>;

/** Kubernetes' IntOrString.IntValue(): an int, a string that is an int, else 0. */
function intValue(value: number | string | undefined): number {
  if (typeof value === 'number') return value;
  if (value !== undefined && /^[+-]?\d+$/u.test(value)) return Number(value);
  return 0;
}

/** Argo's convertType: the metric's queries as the SDK's MetricDataQuery. Pure. */
export function metricDataQueries(queries: Settings['metricDataQueries']): MetricDataQuery[] {
  return queries.map((query) => {
    const stat = query.metricStat;
    return {
      Id: query.id ?? '',
      ...(query.expression === undefined ? {} : { Expression: query.expression }),
      ...(query.label === undefined ? {} : { Label: query.label }),
      ...(stat === undefined
        ? {}
        : {
            MetricStat: {
              Metric: {
                MetricName: stat.metric?.metricName ?? '',
                ...(stat.metric?.namespace === undefined ? {} : { Namespace: stat.metric.namespace }),
                ...(stat.metric?.dimensions === undefined
                  ? {}
                  : {
                      Dimensions: stat.metric.dimensions.map((dimension) => ({ Name: dimension.name ?? '', Value: dimension.value ?? '' })),
                    }),
              },
              Period: intValue(stat.period),
              Stat: stat.stat ?? '',
              ...(stat.unit === undefined || stat.unit === ''
                ? {}
                : { Unit: stat.unit as NonNullable<MetricDataQuery['MetricStat']>['Unit'] }),
            },
          }),
      ...(query.period === undefined ? {} : { Period: intValue(query.period) }),
      ...(query.returnData === undefined ? {} : { ReturnData: query.returnData }),
    };
  });
}

function rfc3339(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/u, 'Z');
}

/** A MetricDataResult as Argo's expr sees the Go struct: its field names, times as RFC 3339. */
function resultValue(result: MetricDataResult): Value {
  return {
    Id: result.Id ?? null,
    Label: result.Label ?? null,
    Messages: (result.Messages ?? []).map((message) => ({ Code: message.Code ?? null, Value: message.Value ?? null })),
    StatusCode: result.StatusCode ?? '',
    Timestamps: (result.Timestamps ?? []).map(rfc3339),
    Values: result.Values ?? [],
  };
}

/** The GetMetricData answer as Argo's provider maps it. Pure. */
export function mapMetricData(output: Pick<GetMetricDataCommandOutput, 'MetricDataResults' | 'Messages'>): ProviderAnswer {
  const results = output.MetricDataResults ?? [];
  const text = `[${results.map((result) => `[${(result.Values ?? []).map(formatFloat).join(' ')}]`).join(' ')}]`;
  const messages = output.Messages ?? [];
  return {
    kind: 'value',
    value: results.map(resultValue),
    text,
    ...(messages.length === 0
      ? {}
      : {
          metadata: { messages: `[${messages.map((message) => `{Code:${message.Code ?? ''} Value:${message.Value ?? ''}}`).join(' ')}]` },
        }),
  };
}

type RequestHandler = NonNullable<CloudWatchClientConfig['requestHandler']>;
interface SdkRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

/** The SDK's HTTP handler, sending through the outbound request rules; a refused or failed exchange is thrown for the SDK to report. */
export function outboundRequestHandler(policy: OutboundPolicy): RequestHandler {
  return {
    async handle(request: SdkRequest) {
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(request.query ?? {})) {
        for (const item of Array.isArray(value) ? value : [value ?? '']) query.append(key, item);
      }
      const search = query.toString();
      const url = `${request.protocol}//${request.hostname}${request.port === undefined ? '' : `:${String(request.port)}`}${request.path}${search === '' ? '' : `?${search}`}`;
      const body =
        typeof request.body === 'string'
          ? request.body
          : request.body instanceof Uint8Array
            ? Buffer.from(request.body).toString('utf8')
            : undefined;
      const result = await outboundRequest(
        url,
        { method: request.method, headers: request.headers, body, responseHeaders: true },
        TIMEOUT_MS,
        policy,
      );
      if (!result.ok) throw new Error(result.message);
      return {
        response: { statusCode: result.status, headers: result.headers ?? {}, body: Readable.from([Buffer.from(result.body, 'utf8')]) },
      };
    },
    updateHttpClientConfig() {
      // Nothing to configure: the outbound policy decides.
    },
    httpHandlerConfigs() {
      return {};
    },
  };
}

/** The SDK's error as Argo's Go SDK words it: the operation, the status, the API error's code and message. */
function describeSdkError(cause: unknown): string {
  if (!(cause instanceof Error)) return `operation error CloudWatch: GetMetricData, ${String(cause)}`;
  const details = cause as Error & { $metadata?: { httpStatusCode?: number }; Code?: unknown };
  const status = details.$metadata?.httpStatusCode;
  if (status === undefined) return `operation error CloudWatch: GetMetricData, ${cause.message}`;
  // The query-compatible code (x-amzn-query-error), as the Go SDK names the error, when the service sent one.
  const code = typeof details.Code === 'string' && details.Code !== '' ? details.Code : cause.name;
  return `operation error CloudWatch: GetMetricData, https response error StatusCode: ${String(status)}, api error ${code}: ${cause.message}`;
}

export interface CloudWatchProviderOptions {
  policy?: OutboundPolicy;
  /** The SDK client's settings (tests set endpoint, region and credentials to a loopback stand-in); the AWS chain when absent. */
  client?: Omit<CloudWatchClientConfig, 'requestHandler'>;
}

export function cloudWatchProvider(options: CloudWatchProviderOptions = {}): MetricProvider {
  const policy = options.policy ?? outboundPolicy();
  let client: CloudWatchClient | undefined;
  return {
    type: 'cloudWatch',
    async run(context: MeasurementContext): Promise<ProviderAnswer> {
      const settings = context.metric.provider.cloudWatch;
      if (settings === undefined) return { kind: 'error', message: 'metric has no cloudWatch provider' };
      const resolved = resolveDeep(settings, context.args);
      if (!resolved.ok) return { kind: 'error', message: resolved.message };
      let seconds = DEFAULT_INTERVAL_SECONDS;
      if (resolved.value.interval !== undefined && resolved.value.interval !== '') {
        const parsed = parseGoDuration(resolved.value.interval);
        if (parsed === undefined) return { kind: 'error', message: `time: invalid duration ${JSON.stringify(resolved.value.interval)}` };
        seconds = parsed;
      }
      // One attempt per measurement: the analysis' consecutiveErrorLimit is the retry.
      try {
        // The SDK is loaded on the first CloudWatch measurement: importing it costs about a second, which every process that
        // loads the registry (the controller, the CLI) would otherwise pay at start.
        const sdk = await import('@aws-sdk/client-cloudwatch');
        client ??= new sdk.CloudWatchClient({ maxAttempts: 1, ...options.client, requestHandler: outboundRequestHandler(policy) });
        const output = await client.send(
          new sdk.GetMetricDataCommand({
            StartTime: new Date(context.now.getTime() - seconds * 1000),
            EndTime: context.now,
            MetricDataQueries: metricDataQueries(resolved.value.metricDataQueries),
          }),
        );
        return mapMetricData(output);
      } catch (cause) {
        return { kind: 'error', message: describeSdkError(cause) };
      }
    },
  };
}
