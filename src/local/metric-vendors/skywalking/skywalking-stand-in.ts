import { json, serveStandIn, type StandInAnswer, type StandInServer } from '../serve-json.js';

/*
 * A local SkyWalking OAP GraphQL endpoint for tests (sources: README.md): POST /graphql with
 * {query, variables}. The `duration` variable is checked as the query protocol's Duration input
 * is (start and end in "yyyy-MM-dd HHmm" for step MINUTE); a request that breaks it, or has no
 * query, is a GraphQL error with HTTP 200, as graphql-java answers. The data answered is the
 * test's.
 */

export interface SkywalkingStandInOptions {
  data: (query: string, variables: Record<string, unknown>) => unknown;
}

const minute = /^\d{4}-\d{2}-\d{2} \d{4}$/u;

export function startSkywalkingStandIn(options: SkywalkingStandInOptions): Promise<StandInServer> {
  return serveStandIn((request): StandInAnswer => {
    if (request.url.pathname !== '/graphql') return { status: 404, body: '' };
    if (request.method !== 'POST') return { status: 405, body: '' };
    let body: { query?: unknown; variables?: Record<string, unknown> };
    try {
      body = JSON.parse(request.body) as typeof body;
    } catch {
      return json(400, { errors: [{ message: 'Invalid JSON payload' }] });
    }
    if (typeof body.query !== 'string' || body.query.trim() === '')
      return json(200, { errors: [{ message: "Invalid Syntax : offending token '<EOF>'" }] });
    const duration = body.variables?.duration as { start?: unknown; end?: unknown; step?: unknown } | undefined;
    if (body.query.includes('$duration')) {
      if (duration === undefined) return json(200, { errors: [{ message: "Variable 'duration' has an invalid value: null" }] });
      if (
        duration.step !== 'MINUTE' ||
        typeof duration.start !== 'string' ||
        !minute.test(duration.start) ||
        typeof duration.end !== 'string' ||
        !minute.test(duration.end)
      )
        return json(200, { errors: [{ message: `Variable 'duration' has an invalid value: ${JSON.stringify(duration)}` }] });
    }
    return json(200, { data: options.data(body.query, body.variables ?? {}) });
  });
}
