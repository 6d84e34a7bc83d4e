import { sendJson, startLoopbackServer, type LoopbackServer } from '../loopback-server.js';

/*
 * A local Datadog: the two query endpoints Argo's datadog provider calls, with the rules and
 * shapes of Datadog's published API description (README.md beside this file names each
 * source). GET /api/v1/query (query, from, to in seconds) answers a series whose pointlist is
 * [[ms, value]]; POST /api/v2/query/scalar (a scalar_request) answers a scalar_response with
 * one column per formula, or per query without one. Both need DD-API-KEY and
 * DD-APPLICATION-KEY: a missing or wrong key is 403 {"errors":["Forbidden"]}. A request Datadog
 * would refuse (no query, unbalanced query, a body that is not a scalar_request) is 400.
 * What a query measures is the test's: `values` maps a query (or, in v2, a formula) to a
 * number, or null for "no data"; a query not in it has no data.
 */

export interface DatadogStandIn extends LoopbackServer {
  values: Map<string, number | null>;
}

/** Datadog's aggregators for scalar queries (ScalarFormulaRequestQueries' MetricsAggregator). */
const aggregators = new Set(['avg', 'min', 'max', 'sum', 'last', 'percentile', 'mean', 'l2norm', 'area']);

/** The stand-in's reading of a metrics query: not empty, brackets balanced. */
export function queryProblem(query: unknown): string | undefined {
  if (typeof query !== 'string' || query.trim() === '') return 'Missing query';
  let depth = 0;
  for (const character of query) {
    if (character === '(' || character === '{') depth += 1;
    if (character === ')' || character === '}') depth -= 1;
    if (depth < 0) break;
  }
  return depth === 0 ? undefined : `Error parsing query: unbalanced brackets in ${JSON.stringify(query)}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export async function startDatadogStandIn(keys: { apiKey: string; appKey: string }): Promise<DatadogStandIn> {
  const values = new Map<string, number | null>();
  const server = await startLoopbackServer((request, response) => {
    const url = new URL(request.url, 'http://stand-in');
    if (request.headers['dd-api-key'] !== keys.apiKey || request.headers['dd-application-key'] !== keys.appKey) {
      sendJson(response, 403, { errors: ['Forbidden'] });
      return;
    }
    if (request.method === 'GET' && url.pathname === '/api/v1/query') {
      const query = url.searchParams.get('query');
      const from = Number(url.searchParams.get('from') ?? 'x');
      const to = Number(url.searchParams.get('to') ?? 'x');
      const problem = queryProblem(query);
      if (problem !== undefined) {
        sendJson(response, 400, { errors: [problem] });
        return;
      }
      if (!Number.isInteger(from) || !Number.isInteger(to) || from > to) {
        sendJson(response, 400, { errors: ['Invalid from/to: integers in seconds, from before to'] });
        return;
      }
      const value = values.get(query ?? '');
      const series =
        value === undefined || value === null
          ? []
          : [{ metric: query, pointlist: [[to * 1000, value]], start: from * 1000, end: to * 1000, interval: to - from, length: 1 }];
      sendJson(response, 200, { status: 'ok', res_type: 'time_series', query, from_date: from * 1000, to_date: to * 1000, series });
      return;
    }
    if (request.method === 'POST' && url.pathname === '/api/v2/query/scalar') {
      let body: unknown;
      try {
        body = JSON.parse(request.body);
      } catch {
        sendJson(response, 400, { errors: ['Malformed JSON'] });
        return;
      }
      const data = isRecord(body) ? body.data : undefined;
      const attributes = isRecord(data) ? data.attributes : undefined;
      if (!isRecord(data) || data.type !== 'scalar_request' || !isRecord(attributes)) {
        sendJson(response, 400, { errors: ['data.type must be scalar_request, with attributes'] });
        return;
      }
      const { from, to, queries, formulas } = attributes;
      if (typeof from !== 'number' || typeof to !== 'number' || from > to) {
        sendJson(response, 400, { errors: ['attributes.from and attributes.to: milliseconds, from before to'] });
        return;
      }
      if (!Array.isArray(queries) || queries.length === 0) {
        sendJson(response, 400, { errors: ['attributes.queries: at least one query'] });
        return;
      }
      for (const query of queries) {
        if (!isRecord(query) || query.data_source !== 'metrics' || typeof query.name !== 'string') {
          sendJson(response, 400, { errors: ['a query needs data_source metrics and a name'] });
          return;
        }
        if (typeof query.aggregator !== 'string' || !aggregators.has(query.aggregator)) {
          sendJson(response, 400, { errors: [`invalid aggregator ${JSON.stringify(query.aggregator)}`] });
          return;
        }
        const problem = queryProblem(query.query);
        if (problem !== undefined) {
          sendJson(response, 400, { errors: [problem] });
          return;
        }
      }
      if (
        formulas !== undefined &&
        (!Array.isArray(formulas) || !formulas.every((formula) => isRecord(formula) && typeof formula.formula === 'string'))
      ) {
        sendJson(response, 400, { errors: ['attributes.formulas: a list of {formula}'] });
        return;
      }
      const named = (formulas as { formula: string }[] | undefined)?.length
        ? (formulas as { formula: string }[]).map((formula) => formula.formula)
        : (queries as { query: string }[]).map((query) => query.query);
      const columns = named.map((key, index) => {
        const value = values.get(key);
        return { name: `column_${String(index)}`, type: 'number', values: value === undefined ? [] : [value], meta: { unit: null } };
      });
      sendJson(response, 200, { data: { type: 'scalar_response', attributes: { columns } } });
      return;
    }
    sendJson(response, 404, { errors: ['Not found'] });
  });
  return Object.assign(server, { values });
}
