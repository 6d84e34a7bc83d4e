import { json, serveStandIn, type StandInAnswer, type StandInServer } from '../serve-json.js';

/*
 * A local Graphite render API for tests (sources: README.md): GET /render?target=…&format=json
 * answers a JSON list of series, [{target, tags, datapoints: [[value|null, timestamp]…]}]; a
 * request without a target is graphite-web's 400. The series are the test's.
 */

export interface GraphiteStandInOptions {
  series: (target: string) => { target: string; datapoints: [number | null, number][] }[];
}

export function startGraphiteStandIn(options: GraphiteStandInOptions): Promise<StandInServer> {
  return serveStandIn((request): StandInAnswer => {
    if (request.url.pathname !== '/render') return { status: 404, headers: { 'content-type': 'text/html' }, body: '<h1>Not Found</h1>' };
    const targets = request.url.searchParams.getAll('target');
    if (targets.length === 0)
      return { status: 400, headers: { 'content-type': 'text/plain' }, body: "Missing required parameter 'target'" };
    if (request.url.searchParams.get('format') !== 'json') return { status: 200, headers: { 'content-type': 'image/png' }, body: 'PNG' };
    return json(
      200,
      targets.flatMap((target) => options.series(target).map((series) => ({ ...series, tags: { name: series.target } }))),
    );
  });
}
