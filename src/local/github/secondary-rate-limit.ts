/**
 * GitHub's secondary rate limits, injected by a test: GitHub refuses content-creating
 * requests (POST, PATCH, PUT, DELETE) made too fast with a 403 or 429, GitHub's message
 * and a `retry-after` header, and stores nothing ("About secondary rate limits",
 * docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api). Its real
 * thresholds (80 content requests a minute, 500 an hour, concurrency, CPU time) are not
 * modelled: a test says how many requests are refused and for how long.
 */
export interface SecondaryRateLimit {
  /** How many content-creating requests are refused from now on. */
  refuse: number;
  retryAfterSeconds: number;
  /** GitHub answers either; 403 unless told. */
  status?: 403 | 429;
}

export interface SecondaryRefusal {
  status: 403 | 429;
  headers: Record<string, string>;
  body: { message: string; documentation_url: string };
}

const contentMethods = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

/** A counter of refusals left; `refusal` consumes one for a content-creating request. */
export function createSecondaryRateLimiter(): {
  set: (limit: SecondaryRateLimit | undefined) => void;
  refusal: (method: string) => SecondaryRefusal | undefined;
  refused: () => number;
} {
  let current: SecondaryRateLimit | undefined;
  let left = 0;
  let refused = 0;
  return {
    set(limit) {
      current = limit;
      left = limit?.refuse ?? 0;
    },
    refusal(method) {
      if (current === undefined || left <= 0 || !contentMethods.has(method.toUpperCase())) return undefined;
      left -= 1;
      refused += 1;
      return {
        status: current.status ?? 403,
        headers: { 'retry-after': String(current.retryAfterSeconds) },
        body: {
          message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          documentation_url: 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        },
      };
    },
    refused: () => refused,
  };
}
