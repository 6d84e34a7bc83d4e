import type { Metric } from '../api/index.js';
import type { ProviderAnswer } from '../analysis/reconcile-analysis-run.js';
import type { ResolvedArgs } from '../analysis/resolve-args.js';

/*
 * Argo's metric provider model (metricproviders/provider.go): run a measurement, resume one
 * still in flight, terminate it, collect what old measurements left behind. A provider never
 * throws: whatever goes wrong is an `error` answer, an Error measurement counted against
 * consecutiveErrorLimit.
 */

export interface MeasurementContext {
  metric: Metric;
  args: ResolvedArgs;
  /** The run's namespace and name, for providers that create objects (Job). */
  run: { namespace: string; name: string; uid: string };
  /** Measurements the metric has finished so far (counted and errored): a provider that names objects after the measurement uses it. */
  measurementsTaken: number;
  now: Date;
}

export interface MetricProvider {
  readonly type: string;
  run(context: MeasurementContext): Promise<ProviderAnswer>;
  resume?(context: MeasurementContext, metadata: Readonly<Record<string, string>>): Promise<ProviderAnswer>;
  terminate?(context: MeasurementContext, metadata: Readonly<Record<string, string>>): Promise<ProviderAnswer>;
  garbageCollect?(context: Omit<MeasurementContext, 'args' | 'now'>, keep: number): Promise<void>;
}

/** The provider a metric names: exactly one key of metric.provider. */
export function providerTypeOf(metric: Metric): string | undefined {
  const types = Object.entries(metric.provider).filter(([, settings]) => settings !== undefined).map(([type]) => type);
  return types.length === 1 ? types[0] : undefined;
}

/** fetch with a deadline; the answer's error names the URL and the cause, never the headers (they may carry tokens). */
export async function fetchWithTimeout(url: string, init: RequestInit, timeoutMs: number): Promise<{ ok: true; response: Response; body: string } | { ok: false; message: string }> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    return { ok: true, response, body };
  } catch (cause) {
    const reason = cause instanceof Error ? (cause.name === 'TimeoutError' ? `timed out after ${String(timeoutMs / 1000)}s` : describeFetchError(cause)) : String(cause);
    return { ok: false, message: `${init.method ?? 'GET'} ${redactUrl(url)}: ${reason}` };
  }
}

/** Codes that mean the provider could not be reached at all (as opposed to answering badly). */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

function describeFetchError(error: Error): string {
  const cause: unknown = error.cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    // "unreachable" is the word an operator looks for in an aborted rollout's message.
    const prefix = typeof code === 'string' && UNREACHABLE_CODES.has(code) ? 'unreachable' : error.message;
    return `${prefix}: ${typeof code === 'string' ? `${code} ` : ''}${cause.message}`.trim();
  }
  return error.message;
}

/** Query strings may carry credentials; a stored message keeps the path only. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '<invalid url>';
  }
}
