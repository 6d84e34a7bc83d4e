import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Metric } from '../../api/index.js';
import { startGraphiteStandIn } from '../../local/metric-vendors/graphite/graphite-stand-in.js';
import type { StandInServer } from '../../local/metric-vendors/serve-json.js';
import { outboundPolicy } from '../outbound/outbound-request.js';
import type { MeasurementContext } from '../provider.js';
import { graphiteProvider, graphiteRenderUrl, mapGraphiteResponse } from './graphite-provider.js';

function context(graphite: NonNullable<Metric['provider']['graphite']>): MeasurementContext {
  return {
    metric: { name: 'success-rate', provider: { graphite } },
    args: new Map([['service-name', 'checkout']]),
    run: { namespace: 'default', name: 'run', uid: 'u' },
    measurementsTaken: 0,
    now: new Date('2026-12-07T12:00:00Z'),
  };
}

/** Argo's documented query (docs/analysis/graphite.md), shortened, with its whitespace and {{args.x}}. */
const query = `target=summarize(
  asPercent(
    sumSeries(stats.{{args.service-name}}.ok.count),
    sumSeries(stats.{{args.service-name}}.*.count)
  ),
  '5min',
  'avg'
)`;

describe('graphite provider against the render API stand-in', () => {
  let graphite: StandInServer;
  let points: [number | null, number][] = [];
  beforeAll(async () => {
    graphite = await startGraphiteStandIn({ series: (target) => (target.includes('missing') ? [] : [{ target, datapoints: points }]) });
  });
  afterAll(async () => {
    await graphite.close();
  });

  test("the first series' values, nulls left out, stored with six decimals as Argo stores them", async () => {
    points = [
      [99.5, 1796644500],
      [null, 1796644560],
      [100, 1796644620],
    ];
    expect(await graphiteProvider().run(context({ address: graphite.url, query }))).toEqual({
      kind: 'value',
      value: [99.5, 100],
      text: '[99.500000,100.000000]',
    });
    const request = graphite.requests.at(-1);
    expect(request?.url.pathname).toBe('/render');
    expect(request?.url.searchParams.get('format')).toBe('json');
    expect(request?.url.searchParams.get('target')).toBe(
      "summarize(asPercent(sumSeries(stats.checkout.ok.count),sumSeries(stats.checkout.*.count)),'5min','avg')",
    );
  });

  test('no series is Argo\'s "no values found"', async () => {
    expect(await graphiteProvider().run(context({ address: graphite.url, query: 'target=missing' }))).toEqual({
      kind: 'error',
      message: 'no values found',
    });
  });

  test('a refused request is Argo\'s "error response: <body>"', async () => {
    expect(await graphiteProvider().run(context({ address: graphite.url, query: 'target=nosuchFunction(stats.a)' }))).toEqual({
      kind: 'error',
      message:
        'error response: Invalid parameters (Received request for unknown function: nosuchFunction); targets: "nosuchFunction(stats.a)"',
    });
  });

  test('no target is graphite-web\'s 200 [], so Argo\'s "no values found"', async () => {
    expect(await graphiteProvider().run(context({ address: graphite.url, query: 'from=-5min' }))).toEqual({
      kind: 'error',
      message: 'no values found',
    });
  });

  test('an address that is not a URL, and one that does not answer', async () => {
    expect(await graphiteProvider().run(context({ address: 'not a url', query }))).toEqual({
      kind: 'error',
      message: 'Graphite address not a url is not a valid URL',
    });
    const answer = await graphiteProvider().run(context({ address: 'http://127.0.0.1:9', query }));
    expect(answer.kind === 'error' && answer.message).toMatch(/^GET http:\/\/127\.0\.0\.1:9\/render: unreachable: ECONNREFUSED/u);
  });

  test('a metadata address is refused before any socket opens', async () => {
    let connects = 0;
    const policy = outboundPolicy({
      lookup: () => Promise.resolve([{ address: '169.254.169.254', family: 4 }]),
      connect: () => {
        connects += 1;
        throw new Error('no socket');
      },
    });
    const answer = await graphiteProvider(policy).run(context({ address: 'http://graphite.example', query }));
    expect(answer.kind === 'error' && answer.message).toMatch(/refused: graphite\.example resolves to 169\.254\.169\.254/u);
    expect(connects).toBe(0);
  });
});

describe('graphite answers as Argo maps them (pure)', () => {
  test.each([
    ['numeric strings', '[{"target":"a","datapoints":[["1.5",1],[2,2]]}]', { kind: 'value', value: [1.5, 2], text: '[1.500000,2.000000]' }],
    ['only nulls', '[{"target":"a","datapoints":[[null,1]]}]', { kind: 'value', value: [], text: '[]' }],
    ['an empty list', '[]', { kind: 'error', message: 'no values found' }],
    [
      'a datapoint of three',
      '[{"target":"a","datapoints":[[1,2,3]]}]',
      { kind: 'error', message: 'error unmarshaling data point: [1,2,3]' },
    ],
    ['HTML', '<html>', { kind: 'error', message: 'the Graphite response (HTTP 200) is not JSON' }],
  ])('%s', (_name, body, expected) => {
    expect(mapGraphiteResponse(200, body)).toEqual(expected);
  });

  test('the render URL keeps the address path and sorts the parameters', () => {
    expect(graphiteRenderUrl('http://g:8080/graphite/', 'target=a.b&from=-5min')?.toString()).toBe(
      'http://g:8080/graphite/render?format=json&from=-5min&target=a.b',
    );
  });
});
