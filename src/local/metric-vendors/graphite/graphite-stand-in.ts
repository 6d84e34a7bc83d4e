import { json, serveStandIn, type StandInAnswer, type StandInServer } from '../serve-json.js';

/*
 * A local Graphite render API for tests (sources: README.md): GET /render?target=…&format=json
 * answers a JSON list of series, [{target, tags, datapoints: [[value|null, timestamp]…]}]. As
 * graphite-web 1.1.8 does (checked against Debian's, test/integration/graphite-real.test.ts): no
 * target is 200 `[]`, and a function it does not know is 400 with InputParameterError's text.
 * The series are the test's.
 */

export interface GraphiteStandInOptions {
  series: (target: string) => { target: string; datapoints: [number | null, number][] }[];
}

/** The render functions the stand-in knows (a few of graphite-web's); any other is graphite-web's unknown-function 400. */
const knownFunctions = new Set([
  'alias',
  'asPercent',
  'averageSeries',
  'divideSeries',
  'keepLastValue',
  'maxSeries',
  'minSeries',
  'movingAverage',
  'nonNegativeDerivative',
  'perSecond',
  'scale',
  'sumSeries',
  'summarize',
  'transformNull',
]);

export function startGraphiteStandIn(options: GraphiteStandInOptions): Promise<StandInServer> {
  return serveStandIn((request): StandInAnswer => {
    if (request.url.pathname !== '/render') return { status: 404, headers: { 'content-type': 'text/html' }, body: '<h1>Not Found</h1>' };
    const targets = request.url.searchParams.getAll('target');
    for (const target of targets) {
      const unknown = [...target.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\(/gu)]
        .map((match) => match[1])
        .find((name) => !knownFunctions.has(name ?? ''));
      if (unknown !== undefined)
        return {
          status: 400,
          headers: { 'content-type': 'text/html; charset=utf-8' },
          body: `Invalid parameters (Received request for unknown function: ${unknown}); targets: "${targets.join(', ')}"`,
        };
    }
    if (request.url.searchParams.get('format') !== 'json') return { status: 200, headers: { 'content-type': 'image/png' }, body: 'PNG' };
    return json(
      200,
      targets.flatMap((target) => options.series(target).map((series) => ({ ...series, tags: { name: series.target } }))),
    );
  });
}
