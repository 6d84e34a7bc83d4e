import { STATUS_CODES } from 'node:http';
import { formatFloat2 } from '../go-float.js';
import { outboundPolicy, outboundRequest, type OutboundPolicy } from '../outbound/outbound-request.js';
import { maskSecrets, noProviderSecrets, type ProviderSecrets } from '../provider-secrets.js';
import type { MeasurementContext, MetricProvider, ProviderAnswer } from '../provider.js';
import { resolveDeep } from '../resolve-args.js';

/*
 * The wavefront provider (Argo's metricproviders/wavefront over go-wavefront): a GET of
 * https://<address>/api/v2/chart/api at the measurement's instant (start = end, one point per
 * series, series outside the window included), with the token that the Secret
 * `wavefront-api-tokens` holds under the key named like the address. One series is a number
 * (`%.2f`), several a list; the point nearest the instant is taken and its timestamp and drift
 * kept in the metadata. No series is an Error measurement with Argo's message.
 */

export const wavefrontSecretName = 'wavefront-api-tokens';
/** go-wavefront sets no timeout; Gradual bounds every request. */
const timeoutMs = 30_000;

type DataPoint = readonly number[];

/** Argo's findDataPointValue: the point nearest the instant, its timestamp and drift in seconds. */
export function nearestPoint(points: readonly DataPoint[], instantSeconds: number): { value: number; epoch: number; drift: number } {
  let value = 0;
  let time = 0;
  let delta = Number.POSITIVE_INFINITY;
  for (const point of points) {
    const candidate = (point[0] ?? 0) - instantSeconds;
    if (Math.abs(candidate) < Math.abs(delta)) {
      value = point[1] ?? 0;
      time = point[0] ?? 0;
      delta = candidate;
    }
  }
  return { value, epoch: Math.trunc(time), drift: Number.isFinite(delta) ? Math.trunc(delta) : 0 };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The chart answer as go-wavefront and Argo's processResponse read it. Pure. */
export function mapWavefrontResponse(status: number, body: string, instantSeconds: number): ProviderAnswer {
  if (status !== 200) return { kind: 'error', message: `server returned ${String(status)} ${STATUS_CODES[status] ?? ''}\n${body}\n` };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (cause) {
    return { kind: 'error', message: (cause as Error).message };
  }
  if (!isRecord(json)) return { kind: 'error', message: 'json: cannot unmarshal the chart response: not an object' };
  const metadata: Record<string, string> = {};
  if (typeof json.warnings === 'string' && json.warnings !== '') metadata.warnings = json.warnings;
  const timeseries = json.timeseries ?? [];
  if (!Array.isArray(timeseries)) return { kind: 'error', message: 'json: cannot unmarshal timeseries: not a list' };
  const points: DataPoint[][] = [];
  for (const series of timeseries) {
    const data: unknown = isRecord(series) ? (series.data ?? []) : undefined;
    if (!Array.isArray(data) || !data.every((point) => Array.isArray(point) && point.every((item) => typeof item === 'number')))
      return { kind: 'error', message: 'json: cannot unmarshal timeseries data: not a list of [timestamp, value]' };
    points.push(data);
  }
  if (points.length === 0) return { kind: 'error', message: 'No TimeSeries found in response from Wavefront' };
  const nearest = points.map((series) => nearestPoint(series, instantSeconds));
  if (nearest.length === 1) {
    const [only] = nearest;
    if (only === undefined) return { kind: 'error', message: 'No TimeSeries found in response from Wavefront' };
    return {
      kind: 'value',
      value: only.value,
      text: formatFloat2(only.value),
      metadata: { ...metadata, timestamps: String(only.epoch), drift: String(only.drift) },
    };
  }
  const list = (pick: (item: { value: number; epoch: number; drift: number }) => string): string => `[${nearest.map(pick).join(',')}]`;
  return {
    kind: 'value',
    value: nearest.map((item) => item.value),
    text: list((item) => formatFloat2(item.value)),
    metadata: { ...metadata, timestamps: list((item) => String(item.epoch)), drift: list((item) => String(item.drift)) },
  };
}

export interface WavefrontProviderOptions {
  policy?: OutboundPolicy;
  secrets?: ProviderSecrets;
  /** go-wavefront always speaks https; the loopback stand-in in tests serves plain http. */
  scheme?: 'https' | 'http';
}

export function wavefrontProvider(options: WavefrontProviderOptions = {}): MetricProvider {
  const policy = options.policy ?? outboundPolicy();
  const secrets = options.secrets ?? noProviderSecrets;
  const scheme = options.scheme ?? 'https';
  return {
    type: 'wavefront',
    async run(context: MeasurementContext): Promise<ProviderAnswer> {
      const written = context.metric.provider.wavefront;
      if (written === undefined) return { kind: 'error', message: 'metric has no wavefront provider' };
      const resolved = resolveDeep(written, context.args);
      if (!resolved.ok) return { kind: 'error', message: resolved.message };
      const { address = '', query = '' } = resolved.value;
      const read = await secrets.read(secrets.controllerNamespace, wavefrontSecretName);
      if (!read.ok) return { kind: 'error', message: read.message };
      const token = Object.hasOwn(read.data, address) ? read.data[address] : undefined;
      if (token === undefined) return { kind: 'error', message: 'API token not found' };
      const instant = Math.floor(context.now.getTime() / 1000);
      const params = new URLSearchParams({
        autoEvents: 'false',
        e: String(instant * 1000),
        g: 's',
        i: 'true',
        includeObsoleteMetrics: 'false',
        listmode: 'false',
        p: '1',
        q: query,
        s: String(instant * 1000),
        strict: 'false',
      });
      const url = `${scheme}://${address}/api/v2/chart/api?${params.toString()}`;
      const result = await outboundRequest(
        url,
        { method: 'GET', headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } },
        timeoutMs,
        policy,
      );
      const answer = result.ok
        ? mapWavefrontResponse(result.status, result.body, instant)
        : { kind: 'error' as const, message: result.message };
      return answer.kind === 'error' ? { kind: 'error', message: maskSecrets(answer.message, [token]) } : answer;
    },
  };
}
