import { sendJson, startLoopbackServer, type LoopbackServer } from '../loopback-server.js';

/*
 * A local New Relic NerdGraph: POST /graphql with a GraphQL document and variables, as
 * newrelic-client-go sends Argo's NRQL query (README.md beside this file names the sources).
 * The personal API key travels in `API-Key`; a missing or wrong one is 401 with a
 * BAD_API_KEY error. An account the key cannot read, or an NRQL query that does not parse
 * (the stand-in's reading: it must start with SELECT or FROM), is HTTP 200 with GraphQL
 * `errors`, as NerdGraph answers query-level errors. What a query returns is the test's:
 * `results` maps an NRQL text to its result rows.
 */

export interface NewRelicStandIn extends LoopbackServer {
  results: Map<string, Record<string, unknown>[]>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export async function startNewRelicStandIn(account: { apiKey: string; accountId: number }): Promise<NewRelicStandIn> {
  const results = new Map<string, Record<string, unknown>[]>();
  const server = await startLoopbackServer((request, response) => {
    if (request.method !== 'POST' || new URL(request.url, 'http://stand-in').pathname !== '/graphql') {
      sendJson(response, 404, { errors: [{ message: 'Not Found' }] });
      return;
    }
    if (request.headers['api-key'] !== account.apiKey) {
      sendJson(response, 401, {
        errors: [{ message: 'Invalid API key', extensions: { errorClass: 'UNAUTHORIZED', errorCode: 'BAD_API_KEY' } }],
      });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      sendJson(response, 400, { errors: [{ message: 'Unexpected token in JSON body', extensions: { errorClass: 'BAD_REQUEST' } }] });
      return;
    }
    const query = isRecord(body) ? body.query : undefined;
    const variables = isRecord(body) && isRecord(body.variables) ? body.variables : {};
    if (
      typeof query !== 'string' ||
      !/nrql\(query: \$query, timeout: \$timeout\)/u.test(query) ||
      !/account\(id: \$accountId\)/u.test(query)
    ) {
      sendJson(response, 200, {
        errors: [
          {
            message: 'Cannot query: the document is not the NRQL query this stand-in serves',
            extensions: { errorClass: 'BAD_USER_INPUT' },
          },
        ],
      });
      return;
    }
    const { accountId, query: nrql, timeout } = variables;
    if (!Number.isInteger(accountId) || typeof nrql !== 'string' || !Number.isInteger(timeout)) {
      sendJson(response, 200, {
        errors: [
          {
            message: 'Variable types do not match $accountId: Int!, $query: Nrql!, $timeout: Seconds!',
            extensions: { errorClass: 'BAD_USER_INPUT' },
          },
        ],
      });
      return;
    }
    if (accountId !== account.accountId) {
      sendJson(response, 200, {
        data: { actor: { account: null } },
        errors: [{ message: 'Account not authorized', path: ['actor', 'account'], extensions: { errorClass: 'FORBIDDEN' } }],
      });
      return;
    }
    if (!/^\s*(SELECT|FROM)\b/iu.test(nrql)) {
      sendJson(response, 200, {
        data: { actor: { account: { nrql: null } } },
        errors: [
          {
            message: `NRQL Syntax Error: Error at line 1 position 0, unexpected '${nrql.split(/\s/u)[0] ?? ''}'`,
            path: ['actor', 'account', 'nrql'],
            extensions: { errorClass: 'INVALID_INPUT' },
          },
        ],
      });
      return;
    }
    sendJson(response, 200, { data: { actor: { account: { nrql: { results: results.get(nrql) ?? [] } } } } });
  });
  return Object.assign(server, { results });
}
