import { parseGoDuration } from '../../api/index.js';
import type { Value } from '../../condition/index.js';
import type { ProviderAnswer } from '../provider.js';
import { resolveDeep } from '../resolve-args.js';
import { outboundPolicy, outboundRequest, type OutboundPolicy } from '../outbound/outbound-request.js';
import type { MeasurementContext, MetricProvider } from '../provider.js';
import { jsonNestingDepth, maxJsonDepth } from '../web/web-provider.js';

/*
 * The skywalking provider (Argo's metricproviders/skywalking): the metric's GraphQL query,
 * posted to <address>/graphql as machinebox/graphql posts it, with one variable, `duration`:
 * the last `interval` up to now, by the minute, in SkyWalking's "2006-01-02 1504" form. The
 * answer's `data` is the result, stored as JSON; a GraphQL error is "graphql: <message>".
 */

const TIMEOUT_MS = 30_000;

/** Go's "2006-01-02 1504" in UTC (the controller's clock zone). */
export function skywalkingMinute(time: Date): string {
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${String(time.getUTCFullYear())}-${pad(time.getUTCMonth() + 1)}-${pad(time.getUTCDate())} ${pad(time.getUTCHours())}${pad(time.getUTCMinutes())}`;
}

export function skywalkingRequestBody(query: string, now: Date, intervalSeconds: number): string {
  return JSON.stringify({
    query,
    variables: {
      duration: { start: skywalkingMinute(new Date(now.getTime() - intervalSeconds * 1000)), end: skywalkingMinute(now), step: 'MINUTE' },
    },
  });
}

/** The GraphQL answer as Argo maps it. Pure. */
export function mapSkywalkingResponse(status: number, body: string): ProviderAnswer {
  if (jsonNestingDepth(body) > maxJsonDepth)
    return { kind: 'error', message: `decoding response: the answer nests deeper than ${String(maxJsonDepth)} levels` };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { kind: 'error', message: `decoding response: the answer (HTTP ${String(status)}) is not JSON` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return { kind: 'error', message: `decoding response: the answer (HTTP ${String(status)}) is not a GraphQL response` };
  const { data, errors } = json as { data?: unknown; errors?: unknown };
  if (Array.isArray(errors) && errors.length > 0) {
    const first: unknown = errors[0];
    const message = typeof first === 'object' && first !== null ? (first as { message?: unknown }).message : undefined;
    return { kind: 'error', message: `graphql: ${typeof message === 'string' ? message : ''}` };
  }
  if (data === undefined || data === null) return { kind: 'error', message: 'no results returned from SkyWalking query' };
  return { kind: 'value', value: data as Value, text: JSON.stringify(data) };
}

export function skywalkingProvider(policy: OutboundPolicy = outboundPolicy()): MetricProvider {
  return {
    type: 'skywalking',
    async run(context: MeasurementContext): Promise<ProviderAnswer> {
      const settings = context.metric.provider.skywalking;
      if (settings === undefined) return { kind: 'error', message: 'metric has no skywalking provider' };
      const resolved = resolveDeep(settings, context.args);
      if (!resolved.ok) return { kind: 'error', message: resolved.message };
      const interval = resolved.value.interval ?? '';
      const seconds = parseGoDuration(interval);
      if (seconds === undefined) return { kind: 'error', message: `time: invalid duration ${JSON.stringify(interval)}` };
      const result = await outboundRequest(
        `${resolved.value.address ?? ''}/graphql`,
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json; charset=utf-8', Accept: 'application/json; charset=utf-8' },
          body: skywalkingRequestBody(resolved.value.query ?? '', context.now, seconds),
        },
        TIMEOUT_MS,
        policy,
      );
      if (!result.ok) return { kind: 'error', message: result.message };
      return mapSkywalkingResponse(result.status, result.body);
    },
  };
}
