import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Metric } from '../../api/index.js';
import { startLoopbackServer } from '../../local/metric-vendors/loopback-server.js';
import { startWavefrontStandIn, type WavefrontStandIn } from '../../local/metric-vendors/wavefront/wavefront-stand-in.js';
import type { ProviderSecrets } from '../provider-secrets.js';
import type { ProviderAnswer } from '../provider.js';
import { measured, measurementContext } from '../testing/measurement.js';
import { mapWavefrontResponse, nearestPoint, wavefrontProvider } from './wavefront-provider.js';

const token = 'wf-token-0123456789abcdef';
const now = new Date('2026-12-07T12:00:00Z');
const instant = now.getTime() / 1000;

function secretsWith(data: Record<string, string> | undefined): ProviderSecrets {
  return {
    controllerNamespace: 'argo-rollouts',
    env: {},
    read: (_namespace, name) =>
      Promise.resolve(data === undefined ? { ok: false, message: `secrets "${name}" not found` } : { ok: true, data }),
  };
}

const context = (metric: Metric) => measurementContext(metric, now);

const measuredAt = (metric: Metric, answer: ProviderAnswer) => measured(metric, answer, now);

describe('wavefront (pure)', () => {
  test('the point nearest the instant, with its timestamp and drift', () => {
    expect(
      nearestPoint(
        [
          [instant - 30, 1],
          [instant + 5, 2],
          [instant + 60, 3],
        ],
        instant,
      ),
    ).toEqual({ value: 2, epoch: instant + 5, drift: 5 });
  });

  test.each([
    [
      'one series: %.2f',
      200,
      JSON.stringify({ timeseries: [{ data: [[instant, 0.955]] }] }),
      { kind: 'value', value: 0.955, text: '0.95' },
    ],
    ['no series', 200, JSON.stringify({ timeseries: [] }), { kind: 'error', message: 'No TimeSeries found in response from Wavefront' }],
    ['401', 401, 'no', { kind: 'error', message: 'server returned 401 Unauthorized\nno\n' }],
  ])('%s', (_name, status, body, expected) => {
    expect(mapWavefrontResponse(status, body, instant)).toMatchObject(expected);
  });
});

describe('wavefront against the local Wavefront on 127.0.0.1', () => {
  let wavefront: WavefrontStandIn;
  let provider: ReturnType<typeof wavefrontProvider>;

  beforeAll(async () => {
    wavefront = await startWavefrontStandIn(token);
    provider = wavefrontProvider({
      scheme: 'http',
      secrets: secretsWith({ [wavefront.host]: token, 'other.wavefront.com': 'x-other-token' }),
    });
  });
  afterAll(async () => {
    await wavefront.close();
  });

  const metric = (query: string, fields: Partial<Metric> = {}): Metric => ({
    name: 'cpu',
    successCondition: 'result < 0.8',
    failureCondition: 'result > 0.9',
    provider: { wavefront: { address: wavefront.host, query } },
    ...fields,
  });

  test("success: the token of the address, Argo's query parameters, the value and its metadata", async () => {
    wavefront.series.set('ts(cpu.usage)', [{ label: 'cpu', data: [[instant - 1, 0.5]] }]);
    const answer = await provider.run(context(metric('ts(cpu.usage)')));
    expect(measuredAt(metric('ts(cpu.usage)'), answer)).toEqual({
      phase: 'Successful',
      value: '0.50',
      message: undefined,
      metadata: { timestamps: String(instant - 1), drift: '-1' },
    });
    const request = wavefront.requests.at(-1);
    expect(request?.headers.authorization).toBe(`Bearer ${token}`);
    const params = Object.fromEntries(new URL(request?.url ?? '', wavefront.url).searchParams);
    expect(params).toEqual({
      q: 'ts(cpu.usage)',
      s: String(instant * 1000),
      e: String(instant * 1000),
      p: '1',
      g: 's',
      i: 'true',
      autoEvents: 'false',
      listmode: 'false',
      strict: 'false',
      includeObsoleteMetrics: 'false',
    });
  });

  test('failure, inconclusive, and several series as a list', async () => {
    wavefront.series.set('ts(hot)', [{ label: 'a', data: [[instant, 0.95]] }]);
    wavefront.series.set('ts(warm)', [{ label: 'a', data: [[instant, 0.85]] }]);
    wavefront.series.set('ts(many)', [
      { label: 'a', data: [[instant, 0.1]] },
      { label: 'b', data: [[instant - 2, 0.2]] },
    ]);
    expect(measuredAt(metric('ts(hot)'), await provider.run(context(metric('ts(hot)'))))).toMatchObject({ phase: 'Failed', value: '0.95' });
    expect(measuredAt(metric('ts(warm)'), await provider.run(context(metric('ts(warm)'))))).toMatchObject({
      phase: 'Inconclusive',
      value: '0.85',
    });
    const many = metric('ts(many)', { successCondition: 'all(result, {# < 0.8})', failureCondition: undefined });
    expect(measuredAt(many, await provider.run(context(many)))).toEqual({
      phase: 'Successful',
      value: '[0.10,0.20]',
      message: undefined,
      metadata: { timestamps: `[${String(instant)},${String(instant - 2)}]`, drift: '[0,-2]' },
    });
  });

  test('no series, a refused query (400), a wrong token (401), no token for the address, no Secret', async () => {
    expect(await provider.run(context(metric('ts(none)')))).toEqual({
      kind: 'error',
      message: 'No TimeSeries found in response from Wavefront',
    });
    const refused = await provider.run(context(metric('ts(broken')));
    expect(refused).toEqual({
      kind: 'error',
      message: 'server returned 400 Bad Request\n{"status":{"result":"ERROR","message":"Syntax error in query: ts(broken","code":400}}\n',
    });
    const wrong = wavefrontProvider({ scheme: 'http', secrets: secretsWith({ [wavefront.host]: 'wf-wrong-token-000000' }) });
    expect(await wrong.run(context(metric('ts(cpu.usage)')))).toEqual({
      kind: 'error',
      message: 'server returned 401 Unauthorized\n{"status":{"result":"ERROR","message":"Unauthorized","code":401}}\n',
    });
    expect(
      await provider.run(context(metric('ts(x)', { provider: { wavefront: { address: 'elsewhere.example', query: 'ts(x)' } } }))),
    ).toEqual({
      kind: 'error',
      message: 'API token not found',
    });
    expect(await wavefrontProvider({ secrets: secretsWith(undefined) }).run(context(metric('ts(x)')))).toEqual({
      kind: 'error',
      message: 'secrets "wavefront-api-tokens" not found',
    });
  });

  test('unreachable and malformed answers are Errors; an echoed token is masked', async () => {
    const echo = await startLoopbackServer((request, response) => {
      response.statusCode = 403;
      response.end(`token ${String(request.headers.authorization)}`);
    });
    const echoing = wavefrontProvider({ scheme: 'http', secrets: secretsWith({ [echo.host]: token }) });
    const echoMetric = metric('ts(x)', { provider: { wavefront: { address: echo.host, query: 'ts(x)' } } });
    expect(await echoing.run(context(echoMetric))).toEqual({
      kind: 'error',
      message: 'server returned 403 Forbidden\ntoken Bearer *****\n',
    });
    await echo.close();
    const gone = await echoing.run(context(echoMetric));
    expect(gone.kind === 'error' ? gone.message : '').toMatch(/unreachable: ECONNREFUSED/u);
    const garbage = await startLoopbackServer((_request, response) => {
      response.end('{"timeseries": [{"data": "lots"}]}');
    });
    try {
      const malformed = wavefrontProvider({ scheme: 'http', secrets: secretsWith({ [garbage.host]: token }) });
      const answer = await malformed.run(context(metric('ts(x)', { provider: { wavefront: { address: garbage.host, query: 'ts(x)' } } })));
      expect(answer).toEqual({ kind: 'error', message: 'json: cannot unmarshal timeseries data: not a list of [timestamp, value]' });
    } finally {
      await garbage.close();
    }
  });
});
