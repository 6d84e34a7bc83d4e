import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Metric } from '../../api/index.js';
import { startDatadogStandIn, type DatadogStandIn } from '../../local/metric-vendors/datadog/datadog-stand-in.js';
import { startLoopbackServer, type LoopbackServer } from '../../local/metric-vendors/loopback-server.js';
import { formatFloatF } from '../go-float.js';
import { outboundPolicy } from '../outbound/outbound-request.js';
import type { ProviderAnswer } from '../provider.js';
import { measured, measurementContext, secretsWith } from '../testing/measurement.js';
import { datadogProvider, datadogRequest, mapDatadogV1, mapDatadogV2, validateDatadogSettings } from './datadog-provider.js';

const apiKey = 'dd-api-key-0123456789abcdef';
const appKey = 'dd-app-key-fedcba9876543210';
const now = new Date('2026-12-07T12:00:00Z');
const nowSeconds = now.getTime() / 1000;

const context = (metric: Metric) => measurementContext(metric, now, { service: 'checkout' });

/** The stored measurement's phase, value and message (this provider's metadata is checked on the answer). */
function measuredAt(metric: Metric, answer: ProviderAnswer) {
  const { phase, value, message } = measured(metric, answer, now);
  return { phase, value, message };
}

describe('datadog: Argo formatting and validation (pure)', () => {
  test.each([
    [0.5, '0.5'],
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    [-2.5e22, '-25000000000000000000000'],
    [42, '42'],
  ])('formatFloatF(%s) is strconv.FormatFloat(v, f, -1, 64)', (value, text) => {
    expect(formatFloatF(value)).toBe(text);
  });

  test.each([
    [{}, 'Must have either a query or queries. Please review the Analysis Template.'],
    [{ query: 'a', queries: { b: 'b' }, apiVersion: 'v2' }, 'Cannot have both a query and queries. Please review the Analysis Template.'],
    [{ queries: { a: 'a' } }, 'Query is empty. API Version v1 only supports using the query parameter in your Analysis Template.'],
    [{ query: 'a', formula: 'a', apiVersion: 'v2' }, 'Formula are only valid when queries are set. Please review the Analysis Template.'],
    [{ queries: { a: 'a', b: 'b' }, apiVersion: 'v2' }, 'When multiple queries are provided you must include a formula.'],
    [{ query: 'a', aggregator: 'avg' }, 'Aggregator is not supported in v1. Please review the Analysis Template.'],
    [{ queries: { a: 'a', b: 'b' }, formula: 'a/b', apiVersion: 'v2' }, undefined],
  ] as const)('validateDatadogSettings(%j)', (settings, message) => {
    expect(validateDatadogSettings(settings)).toBe(message);
  });

  test('v2 requests carry the window in ms, aggregator last by default, one formula', () => {
    const request = datadogRequest({ apiVersion: 'v2', queries: { a: 'sum:x{*}', b: 'sum:y{*}' }, formula: 'a/b' }, '', 1000, 300);
    expect(request.url).toBe('https://api.datadoghq.com/api/v2/query/scalar');
    expect(JSON.parse(request.body ?? '')).toEqual({
      data: {
        type: 'scalar_request',
        attributes: {
          from: 700_000,
          to: 1_000_000,
          queries: [
            { aggregator: 'last', data_source: 'metrics', name: 'a', query: 'sum:x{*}' },
            { aggregator: 'last', data_source: 'metrics', name: 'b', query: 'sum:y{*}' },
          ],
          formulas: [{ formula: 'a/b' }],
        },
      },
    });
  });

  test.each([
    [
      'v1 last point of the first series',
      mapDatadogV1(200, '{"series":[{"pointlist":[[1,0.1],[2,0.25]]}]}'),
      { kind: 'value', value: 0.25, text: '0.25' },
    ],
    ['v1 no series', mapDatadogV1(200, '{"series":[]}'), { kind: 'value', value: null, text: '[]' }],
    [
      'v1 a point of three',
      mapDatadogV1(200, '{"series":[{"pointlist":[[1,2,3]]}]}'),
      { kind: 'error', message: 'Datapoint does not have 2 values' },
    ],
    [
      'v2 first value',
      mapDatadogV2(200, '{"data":{"attributes":{"columns":[{"values":[0.75]}]}}}'),
      { kind: 'value', value: 0.75, text: '0.75' },
    ],
    ['v2 no values', mapDatadogV2(200, '{"data":{"attributes":{"columns":[{"values":[]}]}}}'), { kind: 'value', value: null, text: '[]' }],
    [
      'v2 a null value',
      mapDatadogV2(200, '{"data":{"attributes":{"columns":[{"values":[null]}]}}}'),
      { kind: 'value', value: null, text: '[null]' },
    ],
    ['v2 no columns', mapDatadogV2(200, '{"data":{"attributes":{}}}'), { kind: 'value', value: null, text: '{"Columns":null}' }],
    [
      'v2 errors',
      mapDatadogV2(200, '{"data":{"errors":"bad formula"}}'),
      { kind: 'error', message: 'There were errors in your query: bad formula' },
    ],
    [
      '401',
      mapDatadogV2(401, '{"errors":["Unauthorized"]}'),
      { kind: 'error', message: 'received authentication error response code: 401 {"errors":["Unauthorized"]}' },
    ],
    ['500', mapDatadogV1(500, 'oops'), { kind: 'error', message: 'received non 2xx response code: 500 oops' }],
  ])('%s', (_name, answer, expected) => {
    expect(answer).toEqual(expected);
  });

  test('a body that is not JSON is Argo\'s "Could not parse JSON body"', () => {
    const answer = mapDatadogV1(200, '<html>');
    expect(answer.kind === 'error' && answer.message.startsWith('Could not parse JSON body: ')).toBe(true);
  });
});

describe('datadog against the local Datadog on 127.0.0.1', () => {
  let datadog: DatadogStandIn;
  let provider: ReturnType<typeof datadogProvider>;

  beforeAll(async () => {
    datadog = await startDatadogStandIn({ apiKey, appKey });
    provider = datadogProvider({
      secrets: secretsWith({ 'argo-rollouts/datadog': { 'api-key': apiKey, 'app-key': appKey, address: datadog.url } }),
    });
  });
  afterAll(async () => {
    await datadog.close();
  });

  const v1Metric = (query: string, fields: Partial<Metric> = {}): Metric => ({
    name: 'error-rate',
    successCondition: 'result < 0.05',
    failureCondition: 'result > 0.10',
    provider: { datadog: { query, interval: '10m' } },
    ...fields,
  });

  test('v1 success: the query with its args, the window of interval, the keys in headers, the last point as the value', async () => {
    datadog.values.set('sum:errors{service:checkout}', 0.01);
    const metric = v1Metric('sum:errors{service:{{args.service}}}');
    const answer = await provider.run(context(metric));
    expect(measuredAt(metric, answer)).toEqual({ phase: 'Successful', value: '0.01', message: undefined });
    const request = datadog.requests.at(-1);
    const url = new URL(request?.url ?? '', datadog.url);
    expect(url.pathname).toBe('/api/v1/query');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      query: 'sum:errors{service:checkout}',
      from: String(nowSeconds - 600),
      to: String(nowSeconds),
    });
    expect(request?.headers['dd-api-key']).toBe(apiKey);
    expect(request?.headers['dd-application-key']).toBe(appKey);
  });

  test('v1 failure and inconclusive', async () => {
    datadog.values.set('sum:bad{*}', 0.5);
    datadog.values.set('sum:middling{*}', 0.07);
    expect(measuredAt(v1Metric('sum:bad{*}'), await provider.run(context(v1Metric('sum:bad{*}'))))).toMatchObject({
      phase: 'Failed',
      value: '0.5',
    });
    expect(measuredAt(v1Metric('sum:middling{*}'), await provider.run(context(v1Metric('sum:middling{*}'))))).toMatchObject({
      phase: 'Inconclusive',
      value: '0.07',
    });
  });

  test('v1 no data: the value is the empty series and result is nil for the conditions (default(result, 0) works)', async () => {
    const metric = v1Metric('sum:nothing{*}', { successCondition: 'default(result, 0) < 0.05', failureCondition: undefined });
    expect(measuredAt(metric, await provider.run(context(metric)))).toEqual({ phase: 'Successful', value: '[]', message: undefined });
  });

  test('v2 queries and formula, the aggregator sent, the formula column as the value', async () => {
    datadog.values.set('a/b', 0.02);
    const metric: Metric = {
      name: 'ratio',
      successCondition: 'result <= 0.03',
      provider: {
        datadog: {
          apiVersion: 'v2',
          queries: { a: 'sum:errors{*}.as_count()', b: 'sum:hits{*}.as_count()' },
          formula: 'a/b',
          aggregator: 'sum',
        },
      },
    };
    expect(measuredAt(metric, await provider.run(context(metric)))).toEqual({ phase: 'Successful', value: '0.02', message: undefined });
    const body = JSON.parse(datadog.requests.at(-1)?.body ?? '{}') as {
      data: { attributes: { from: number; to: number; queries: { aggregator: string }[] } };
    };
    expect(body.data.attributes.to - body.data.attributes.from).toBe(300_000);
    expect(body.data.attributes.queries.map((query) => query.aggregator)).toEqual(['sum', 'sum']);
  });

  test('v2 a single query is sent as the query named "query"', async () => {
    datadog.values.set('avg:latency{*}', 120);
    const metric: Metric = {
      name: 'latency',
      successCondition: 'result < 200',
      provider: { datadog: { apiVersion: 'v2', query: 'avg:latency{*}' } },
    };
    expect(measuredAt(metric, await provider.run(context(metric)))).toMatchObject({ phase: 'Successful', value: '120' });
  });

  test('a query Datadog refuses (400) is an Error with its body', async () => {
    const answer = await provider.run(context(v1Metric('sum:broken{*')));
    expect(answer).toEqual({
      kind: 'error',
      message: 'received non 2xx response code: 400 {"errors":["Error parsing query: unbalanced brackets in \\"sum:broken{*\\""]}',
    });
  });

  test("wrong keys (403) are Argo's authentication error, and the keys appear nowhere in the answer", async () => {
    const wrong = datadogProvider({
      secrets: secretsWith({ 'argo-rollouts/datadog': { 'api-key': 'wrong-api-key-123456', 'app-key': appKey, address: datadog.url } }),
    });
    const answer = await wrong.run(context(v1Metric('sum:errors{*}')));
    expect(answer).toEqual({ kind: 'error', message: 'received authentication error response code: 403 {"errors":["Forbidden"]}' });
  });

  test('a server that echoes the keys back in its error body: the keys are masked', async () => {
    const echo: LoopbackServer = await startLoopbackServer((request, response) => {
      response.statusCode = 401;
      response.end(
        `bad keys ${String(request.headers['dd-api-key'])} ${encodeURIComponent(String(request.headers['dd-application-key']))}`,
      );
    });
    try {
      const echoing = datadogProvider({
        secrets: secretsWith({ 'argo-rollouts/datadog': { 'api-key': apiKey, 'app-key': appKey, address: echo.url } }),
      });
      const answer = await echoing.run(context(v1Metric('sum:errors{*}')));
      expect(answer).toEqual({ kind: 'error', message: 'received authentication error response code: 401 bad keys ***** *****' });
      expect(JSON.stringify(answer)).not.toContain(apiKey);
    } finally {
      await echo.close();
    }
  });

  test('an unreachable Datadog is an Error naming the address, without the keys', async () => {
    const closed = await startLoopbackServer(() => undefined);
    const address = closed.url;
    await closed.close();
    const unreachable = datadogProvider({
      secrets: secretsWith({ 'argo-rollouts/datadog': { 'api-key': apiKey, 'app-key': appKey, address } }),
    });
    const answer = await unreachable.run(context(v1Metric('sum:errors{*}')));
    expect(answer.kind).toBe('error');
    expect(answer.kind === 'error' ? answer.message : '').toMatch(
      new RegExp(`^GET ${address}/api/v1/query: unreachable: ECONNREFUSED`, 'u'),
    );
  });

  test('a malformed answer (not JSON) is an Error', async () => {
    const garbage = await startLoopbackServer((_request, response) => {
      response.end('{"series": [');
    });
    try {
      const provider2 = datadogProvider({
        secrets: secretsWith({ 'argo-rollouts/datadog': { 'api-key': apiKey, 'app-key': appKey, address: garbage.url } }),
      });
      const answer = await provider2.run(context(v1Metric('sum:errors{*}')));
      expect(answer.kind === 'error' && answer.message.startsWith('Could not parse JSON body:')).toBe(true);
    } finally {
      await garbage.close();
    }
  });

  test('no keys anywhere is Argo\'s "failed to find the credentials"; the environment comes first; a namespaced secretRef reads the run\'s namespace', async () => {
    const none = datadogProvider({ secrets: secretsWith({}) });
    expect(await none.run(context(v1Metric('sum:errors{*}')))).toEqual({
      kind: 'error',
      message: 'failed to find the credentials for datadog metrics provider',
    });
    datadog.values.set('sum:env{*}', 0.01);
    const fromEnv = datadogProvider({ secrets: secretsWith({}, { DD_API_KEY: apiKey, DD_APP_KEY: appKey, DD_ADDRESS: datadog.url }) });
    expect(await fromEnv.run(context(v1Metric('sum:env{*}')))).toMatchObject({ kind: 'value', value: 0.01 });
    const namespaced = datadogProvider({
      secrets: secretsWith({ 'shop/dd-shop': { 'api-key': apiKey, 'app-key': appKey, address: datadog.url } }),
    });
    const metric = v1Metric('sum:env{*}', {
      provider: { datadog: { query: 'sum:env{*}', secretRef: { name: 'dd-shop', namespaced: true } } },
    });
    expect(await namespaced.run(context(metric))).toMatchObject({ kind: 'value', value: 0.01 });
    const nameless = v1Metric('x', { provider: { datadog: { query: 'x', secretRef: { namespaced: true } } } });
    expect(await namespaced.run(context(nameless))).toEqual({
      kind: 'error',
      message: 'secret name is required for namespaced credentials',
    });
  });

  test('an address that resolves to a metadata address is refused before any socket opens', async () => {
    let connected = false;
    const policy = outboundPolicy({
      lookup: () => Promise.resolve([{ address: '169.254.169.254', family: 4 }]),
      connect: () => {
        connected = true;
        throw new Error('no socket may open');
      },
    });
    const hostile = datadogProvider({
      policy,
      secrets: secretsWith({ 'argo-rollouts/datadog': { 'api-key': apiKey, 'app-key': appKey, address: 'http://metadata.example' } }),
    });
    const answer = await hostile.run(context(v1Metric('sum:errors{*}')));
    expect(answer.kind === 'error' && answer.message.includes('refused: metadata.example resolves to 169.254.169.254')).toBe(true);
    expect(connected).toBe(false);
  });
});
