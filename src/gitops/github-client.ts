import { ProbotOctokit } from 'probot';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../log/index.js';

/**
 * How the bot's Octokit lives with GitHub's limits. Probot's Octokit carries
 * @octokit/plugin-throttling and @octokit/plugin-retry, but Probot configures
 * the throttling plugin *not* to retry after a secondary rate limit (its
 * handler only logs), so a 403 "secondary rate limit" would fail the webhook
 * or drop a report. Here both plugins are configured explicitly:
 *
 * - throttling: a secondary rate limit (403/429 with "secondary rate" in the
 *   message) is retried after GitHub's `retry-after` (docs: "About secondary
 *   rate limits": "you should not retry your request until after that many
 *   seconds"), up to `maxRateLimitRetries` times; a primary rate limit waits
 *   for `x-ratelimit-reset`. The plugin also spaces content-creating requests
 *   one second apart per installation, as GitHub's best practices ask.
 * - retry: transient answers (5xx, and anything not a deterministic refusal)
 *   are retried 3 times with quadratic back-off; 405, 409 and 422 are GitHub's
 *   answer, not a hiccup, and are never retried; 403/429 belong to throttling.
 *
 * Each is observable: a log line per absorbed limit or transient answer and
 * the counters below (served at the bot's `/metrics`).
 */
export interface GithubClientMetrics {
  throttled: Counter<'kind' | 'route'>;
  transient: Counter<'status'>;
}

export function githubClientMetrics(registry: Registry): GithubClientMetrics {
  return {
    throttled: new Counter({
      name: 'gradual_github_rate_limited_total',
      help: 'GitHub requests refused by a rate limit (kind: secondary or primary) that the bot waited for and retried',
      labelNames: ['kind', 'route'],
      registers: [registry],
    }),
    transient: new Counter({
      name: 'gradual_github_transient_errors_total',
      help: 'GitHub answers with a 5xx status, which the retry plugin retries (3 times, quadratic back-off)',
      labelNames: ['status'],
      registers: [registry],
    }),
  };
}

export interface GithubClientOptions {
  logger: Logger;
  metrics: GithubClientMetrics;
  /**
   * Milliseconds per second of `retry-after` and of the retry back-off (1000 on GitHub). A test makes it
   * small so an injected `retry-after: 1` costs milliseconds, not seconds; never below 1.
   */
  retryAfterBaseMs?: number;
  /** How many times one request is retried after a rate limit before it fails (5 unless told). */
  maxRateLimitRetries?: number;
}

/** Statuses that are GitHub's decision about the request, so the same request gets the same answer. */
const doNotRetry = [400, 401, 403, 404, 405, 409, 410, 422, 429, 451];

interface RetryRequestOptions {
  method: string;
  url: string;
}

/** Probot's Octokit with the throttling and retry plugins configured for the bot (pass it as Probot's `Octokit`). */
export function gradualOctokit(options: GithubClientOptions): typeof ProbotOctokit {
  const log = options.logger.child({ component: 'github-client' });
  const base = Math.max(1, options.retryAfterBaseMs ?? 1000);
  const maxRetries = options.maxRateLimitRetries ?? 5;
  const onLimit =
    (kind: 'secondary' | 'primary') =>
    (retryAfter: number, request: RetryRequestOptions, _octokit: unknown, retryCount: number): boolean => {
      const retry = retryCount < maxRetries;
      options.metrics.throttled.inc({ kind, route: `${request.method} ${request.url}` });
      const fields = { kind, method: request.method, route: request.url, retryAfterSeconds: retryAfter, retryCount };
      if (retry) log.warn(fields, `GitHub ${kind} rate limit; waiting retry-after and retrying`);
      else log.error(fields, `GitHub ${kind} rate limit; retried ${String(retryCount)} times, giving up`);
      return retry;
    };
  return ProbotOctokit.defaults((instance: { throttle?: Record<string, unknown> } & Record<string, unknown> = {}) => ({
    ...instance,
    throttle: {
      ...instance.throttle,
      enabled: true,
      retryAfterBaseValue: base,
      onSecondaryRateLimit: onLimit('secondary'),
      onRateLimit: onLimit('primary'),
    },
    retry: { enabled: true, retries: 3, doNotRetry, retryAfterBaseValue: base },
  }));
}

/** A fetch that counts and logs GitHub's 5xx answers (what the retry plugin then retries); nothing else changes. */
export function observingFetch(metrics: GithubClientMetrics, logger: Logger, fetchImpl: typeof fetch = fetch): typeof fetch {
  const log = logger.child({ component: 'github-client' });
  return async (input, init) => {
    const response = await fetchImpl(input, init);
    if (response.status >= 500) {
      metrics.transient.inc({ status: String(response.status) });
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      log.warn(
        { method: init?.method ?? 'GET', path: new URL(url).pathname, status: response.status },
        'GitHub answered a transient error; the retry plugin retries it',
      );
    }
    return response;
  };
}
