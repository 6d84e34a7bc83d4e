import { json, serveStandIn, type StandInAnswer, type StandInServer } from '../serve-json.js';

/*
 * A local InfluxDB 2 /api/v2/query endpoint for tests (sources: README.md). Debian's InfluxDB
 * is 1.6, which has no Flux; this follows InfluxDB 2's documented query API instead: a
 * `Token` in Authorization (else 401 unauthorized), an org by name (else 400, or 404 when
 * unknown), a JSON body of type flux with a query, and an annotated CSV answer. A Flux error is
 * 400 {"code":"invalid","message":…}. The tables are the test's.
 */

export interface FluxTable {
  /** Column names after the leading annotation column, e.g. ['result','table','_time','_value']. */
  columns: string[];
  datatypes: string[];
  rows: string[][];
}

export interface FluxStandInOptions {
  token: string;
  org: string;
  /** The tables a query answers, or a Flux error's message. */
  tables: (query: string) => FluxTable[] | { error: string };
}

/** Tables as annotated CSV with the datatype, group and default annotations (the client's dialect). */
export function annotatedCsv(tables: readonly FluxTable[]): string {
  const line = (cells: readonly string[]): string =>
    cells.map((cell) => (/[",\n]/u.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)).join(',');
  return tables
    .map((table) =>
      [
        line(['#datatype', ...table.datatypes]),
        line(['#group', ...table.columns.map(() => 'false')]),
        line(['#default', ...table.columns.map((column) => (column === 'result' ? '_result' : ''))]),
        line(['', ...table.columns]),
        ...table.rows.map((row) => line(['', ...row])),
      ].join('\r\n'),
    )
    .join('\r\n\r\n')
    .concat('\r\n\r\n');
}

export function startFluxStandIn(options: FluxStandInOptions): Promise<StandInServer> {
  return serveStandIn((request): StandInAnswer => {
    if (request.url.pathname !== '/api/v2/query') return json(404, { code: 'not found', message: 'path not found' });
    if (request.headers.authorization !== `Token ${options.token}`)
      return json(401, { code: 'unauthorized', message: 'unauthorized access' });
    if (request.method !== 'POST') return json(405, { code: 'method not allowed', message: 'method not allowed' });
    const org = request.url.searchParams.get('org') ?? request.url.searchParams.get('orgID');
    if (org === null || org === '') return json(400, { code: 'invalid', message: 'Please provide either orgID or org' });
    if (org !== options.org) return json(404, { code: 'not found', message: `organization name "${org}" not found` });
    let body: { query?: unknown; type?: unknown };
    try {
      body = JSON.parse(request.body) as typeof body;
    } catch {
      return json(400, { code: 'invalid', message: 'failed to decode request body: invalid character' });
    }
    if (typeof body.query !== 'string' || body.query === '') return json(400, { code: 'invalid', message: 'query cannot be empty' });
    if (body.type !== undefined && body.type !== 'flux')
      return json(400, { code: 'invalid', message: `unknown query type ${JSON.stringify(body.type)}` });
    const tables = options.tables(body.query);
    if ('error' in tables) return json(400, { code: 'invalid', message: `compilation failed: ${tables.error}` });
    return { status: 200, headers: { 'content-type': 'text/csv; charset=utf-8' }, body: annotatedCsv(tables) };
  });
}
