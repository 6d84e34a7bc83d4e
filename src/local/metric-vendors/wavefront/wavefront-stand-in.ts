import { sendJson, startLoopbackServer, type LoopbackServer } from '../loopback-server.js';

/*
 * A local Wavefront (VMware Aria Operations for Applications): GET /api/v2/chart/api as
 * go-wavefront sends Argo's query (README.md beside this file names the sources). The API
 * token travels as `Authorization: Bearer`; a missing or wrong one is 401. `q` and `s` are
 * required and a query must parse (the stand-in's reading: a ts(...) expression with balanced
 * brackets), else 400. What a query returns is the test's: `series` maps a query to its
 * series of [epoch seconds, value] points.
 */

export interface WavefrontStandIn extends LoopbackServer {
  series: Map<string, { label: string; data: [number, number][] }[]>;
}

function balanced(text: string): boolean {
  let depth = 0;
  for (const character of text) {
    if (character === '(') depth += 1;
    if (character === ')') depth -= 1;
    if (depth < 0) return false;
  }
  return depth === 0;
}

export async function startWavefrontStandIn(token: string): Promise<WavefrontStandIn> {
  const series = new Map<string, { label: string; data: [number, number][] }[]>();
  const server = await startLoopbackServer((request, response) => {
    const url = new URL(request.url, 'http://stand-in');
    if (request.method !== 'GET' || url.pathname !== '/api/v2/chart/api') {
      sendJson(response, 404, { status: { result: 'ERROR', message: 'Not Found', code: 404 } });
      return;
    }
    if (request.headers.authorization !== `Bearer ${token}`) {
      sendJson(response, 401, { status: { result: 'ERROR', message: 'Unauthorized', code: 401 } });
      return;
    }
    const query = url.searchParams.get('q');
    const start = url.searchParams.get('s');
    if (query === null || query === '' || start === null) {
      sendJson(response, 400, { status: { result: 'ERROR', message: 'q and s are required', code: 400 } });
      return;
    }
    if (!/^\s*[a-z]+\(/u.test(query) || !balanced(query)) {
      sendJson(response, 400, { status: { result: 'ERROR', message: `Syntax error in query: ${query}`, code: 400 } });
      return;
    }
    const found = series.get(query) ?? [];
    sendJson(response, 200, {
      name: url.searchParams.get('n') ?? query,
      query,
      granularity: 1,
      timeseries: found.map((item) => ({ label: item.label, host: 'stand-in', tags: {}, data: item.data })),
      stats: { keys: found.length, points: found.reduce((sum, item) => sum + item.data.length, 0) },
    });
  });
  return Object.assign(server, { series });
}
