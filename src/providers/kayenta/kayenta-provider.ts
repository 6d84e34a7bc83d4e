import { parseGoDuration } from '../../api/index.js';
import type { ProviderAnswer } from '../provider.js';
import { resolveDeep } from '../resolve-args.js';
import { outboundPolicy, outboundRequest, type OutboundPolicy } from '../outbound/outbound-request.js';
import type { MeasurementContext, MetricProvider } from '../provider.js';

/*
 * The kayenta provider (Argo's metricproviders/kayenta). A measurement is a canary judgement:
 * run looks the canary config's id up by name, POSTs the scopes and thresholds to
 * /canary/{configId} and answers Running with the execution id, to resume 15 seconds later;
 * resume GETs /canary/{executionId} and, once complete, judges the score itself: at or above
 * pass Successful, at or above marginal Inconclusive, else Failed. Nothing here waits: the
 * analysis controller comes back at resumeAt, as Argo's Resume does.
 */

export const CANARY_EXECUTION_ID = 'canaryExecutionId';
/** Argo's resumeDelay and httpConnectionTimeout. */
const RESUME_DELAY_MS = 15_000;
const TIMEOUT_MS = 15_000;

type Settings = NonNullable<MeasurementContext['metric']['provider']['kayenta']>;
type ScopeDetail = Settings['scopes'][number]['controlScope'];

/** Go's time.RFC3339 of a UTC time. */
function rfc3339(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/u, 'Z');
}

interface ScopeTimes {
  runStartedAt: Date;
  now: Date;
  interval: string | undefined;
  lookback: boolean;
}

/** Argo's getScopeRequest: start and end set on both scopes or neither; the defaults are the run's start or one interval back, and now. */
export function scopeRequest(
  scope: Settings['scopes'][number],
  times: ScopeTimes,
): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  const control: ScopeDetail = { ...scope.controlScope };
  const experiment: ScopeDetail = { ...scope.experimentScope };
  const empty = (text: string | undefined): boolean => text === undefined || text === '';
  if (empty(control.start) !== empty(experiment.start))
    return { ok: false, message: 'controlScope.start and experimentScope.start must both be set or be empty' };
  if (empty(control.end) !== empty(experiment.end))
    return { ok: false, message: 'controlScope.end and experimentScope.end must both be set or be empty' };
  if (empty(control.start)) {
    let start: string;
    if (times.lookback) start = rfc3339(times.runStartedAt);
    else {
      const seconds = parseGoDuration(times.interval ?? '');
      if (seconds === undefined)
        return {
          ok: false,
          message: `Invalid duration ${JSON.stringify(times.interval ?? '')}: time: invalid duration ${JSON.stringify(times.interval ?? '')}`,
        };
      start = rfc3339(new Date(times.now.getTime() - seconds * 1000));
    }
    control.start = start;
    experiment.start = start;
  }
  if (empty(control.end)) {
    control.end = rfc3339(times.now);
    experiment.end = rfc3339(times.now);
  }
  const detail = (item: ScopeDetail): Record<string, unknown> => ({
    scope: item.scope,
    location: item.region,
    step: item.step,
    ...(empty(item.start) ? {} : { start: item.start }),
    ...(empty(item.end) ? {} : { end: item.end }),
  });
  return { ok: true, value: { controlScope: detail(control), experimentScope: detail(experiment) } };
}

/** Argo's evaluateResult. Pure. */
export function kayentaPhase(score: number, pass: number, marginal: number): 'Successful' | 'Inconclusive' | 'Failed' {
  if (score >= pass) return 'Successful';
  if (score >= marginal) return 'Inconclusive';
  return 'Failed';
}

function trimAddress(address: string): string {
  return address.replace(/\/+$/u, '');
}

function parseJson(body: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    return { ok: false };
  }
}

/** The judgement's state as Argo's Resume reads it. Pure. */
export function mapJudgement(
  status: number,
  body: string,
  threshold: Settings['threshold'],
  now: Date,
  metadata: Readonly<Record<string, string>>,
): ProviderAnswer {
  if (status !== 200) return { kind: 'error', message: `Invalid Response: HTTP ${String(status)}` };
  const parsed = parseJson(body);
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value))
    return { kind: 'error', message: 'the Kayenta judgement is not a JSON object' };
  const execution = parsed.value as { complete?: unknown; result?: { judgeResult?: { score?: { score?: unknown } } } };
  if (execution.complete === undefined) return { kind: 'error', message: 'Missing Complete Status' };
  if (typeof execution.complete !== 'boolean')
    return {
      kind: 'error',
      message: `.complete accessor error: ${JSON.stringify(execution.complete)} is of the type ${typeof execution.complete}, expected bool`,
    };
  if (!execution.complete)
    return { kind: 'running', resumeAt: rfc3339(new Date(now.getTime() + RESUME_DELAY_MS)), metadata: { ...metadata } };
  const score = execution.result?.judgeResult?.score?.score;
  if (typeof score !== 'number') return { kind: 'error', message: 'Missing Score' };
  const whole = Math.trunc(score);
  return {
    kind: 'verdict',
    phase: kayentaPhase(whole, threshold.pass, threshold.marginal),
    value: String(whole),
    metadata: { ...metadata },
  };
}

export function kayentaProvider(policy: OutboundPolicy = outboundPolicy()): MetricProvider {
  const request = (url: string, method: 'GET' | 'POST', body?: string) =>
    outboundRequest(
      url,
      { method, headers: body === undefined ? {} : { 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body }) },
      TIMEOUT_MS,
      policy,
    );
  const settingsOf = (context: MeasurementContext): { ok: true; value: Settings } | { ok: false; message: string } => {
    const settings = context.metric.provider.kayenta;
    if (settings === undefined) return { ok: false, message: 'metric has no kayenta provider' };
    return resolveDeep(settings, context.args);
  };
  return {
    type: 'kayenta',
    async run(context) {
      const resolved = settingsOf(context);
      if (!resolved.ok) return { kind: 'error', message: resolved.message };
      const settings = resolved.value;
      const address = trimAddress(settings.address);
      // Argo looks the config up with the storage account as configurationAccountName; kept, so the same Kayenta answers the same.
      const lookup = await request(
        `${address}/canaryConfig?${new URLSearchParams({ application: settings.application, configurationAccountName: settings.storageAccountName }).toString()}`,
        'GET',
      );
      if (!lookup.ok) return { kind: 'error', message: lookup.message };
      if (lookup.status !== 200) return { kind: 'error', message: `Invalid Response: HTTP ${String(lookup.status)}` };
      const configs = parseJson(lookup.body);
      if (!configs.ok || !Array.isArray(configs.value))
        return { kind: 'error', message: 'the Kayenta canary config list is not a JSON list' };
      const config = (configs.value as unknown[]).find(
        (item): item is { id: unknown; name: unknown } =>
          typeof item === 'object' && item !== null && (item as { name?: unknown }).name === settings.canaryConfigName,
      );
      if (config === undefined) return { kind: 'error', message: 'Canary config not found' };
      if (typeof config.id !== 'string' || config.id === '') return { kind: 'error', message: 'the canary config has no id' };
      const scopes: Record<string, unknown> = {};
      for (const scope of settings.scopes) {
        const built = scopeRequest(scope, {
          runStartedAt: context.run.startedAt === undefined ? context.now : new Date(context.run.startedAt),
          now: context.now,
          interval: context.metric.interval,
          lookback: settings.lookback === true,
        });
        if (!built.ok) return { kind: 'error', message: built.message };
        scopes[scope.name] = built.value;
      }
      const query = new URLSearchParams({
        application: settings.application,
        metricsAccountName: settings.metricsAccountName,
        configurationAccountName: settings.configurationAccountName,
        storageAccountName: settings.storageAccountName,
      });
      const started = await request(
        `${address}/canary/${encodeURIComponent(config.id)}?${query.toString()}`,
        'POST',
        JSON.stringify({ scopes, thresholds: { pass: settings.threshold.pass, marginal: settings.threshold.marginal } }),
      );
      if (!started.ok) return { kind: 'error', message: started.message };
      if (started.status !== 200) return { kind: 'error', message: 'Invalid Response' };
      const execution = parseJson(started.body);
      const id =
        execution.ok && typeof execution.value === 'object' && execution.value !== null
          ? (execution.value as { canaryExecutionId?: unknown }).canaryExecutionId
          : undefined;
      if (typeof id !== 'string' || id === '') return { kind: 'error', message: 'Invalid canaryExecutionId' };
      return {
        kind: 'running',
        resumeAt: rfc3339(new Date(context.now.getTime() + RESUME_DELAY_MS)),
        metadata: { [CANARY_EXECUTION_ID]: id },
      };
    },
    async resume(context, metadata) {
      const resolved = settingsOf(context);
      if (!resolved.ok) return { kind: 'error', message: resolved.message };
      const id = metadata[CANARY_EXECUTION_ID];
      if (id === undefined || id === '') return { kind: 'error', message: 'Invalid canaryExecutionId' };
      const result = await request(`${trimAddress(resolved.value.address)}/canary/${encodeURIComponent(id)}`, 'GET');
      if (!result.ok) return { kind: 'error', message: result.message };
      return mapJudgement(result.status, result.body, resolved.value.threshold, context.now, metadata);
    },
  };
}
