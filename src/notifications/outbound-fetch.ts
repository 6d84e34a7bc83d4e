import { outboundRequest, type OutboundPolicy } from '../providers/outbound/outbound-request.js';

/*
 * A fetch for Octokit that sends every request through the controller's outbound rules
 * (src/providers/outbound): the host's addresses checked before any socket, the socket to the
 * checked address, redirects only within the origin, the response capped, one timeout for the
 * whole exchange. The GitHub notification service's base URL is the ConfigMap's
 * (enterpriseBaseURL), so it obeys the same policy as a webhook's URL.
 */

/** What the outbound request refused or could not do; its message names the method and URL without the query. */
export class OutboundFetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundFetchError';
  }
}

/** Statuses whose response has no body (the Response constructor refuses one). */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

export function outboundFetch(policy: OutboundPolicy, timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => {
      headers[name] = value;
    });
    const body = init?.body;
    if (body !== undefined && body !== null && typeof body !== 'string')
      throw new OutboundFetchError(`${init?.method ?? 'GET'}: only string request bodies are sent`);
    const result = await outboundRequest(
      url,
      { method: init?.method ?? 'GET', headers, body: body ?? undefined, responseHeaders: true },
      timeoutMs,
      policy,
    );
    if (!result.ok) throw new OutboundFetchError(result.message);
    return new Response(NULL_BODY_STATUSES.has(result.status) ? null : result.body, {
      status: result.status,
      headers: result.headers ?? {},
    });
  };
}
