import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Metric } from '../../api/index.js';
import { compileMetricConditions, evaluateMeasurement } from '../../analysis/evaluate-measurement.js';
import type { StandInServer } from '../../local/metric-vendors/serve-json.js';
import { startSkywalkingStandIn } from '../../local/metric-vendors/skywalking/skywalking-stand-in.js';
import type { MeasurementContext } from '../provider.js';
import { mapSkywalkingResponse, skywalkingProvider } from './skywalking-provider.js';

/** Argo's documented metric (docs/analysis/skywalking.md). */
function metric(address: string, interval = '3m'): Metric {
  return {
    name: 'apdex',
    interval: '5m',
    successCondition: 'all(result.service_apdex.values.values, {asFloat(.value) >= 9900})',
    failureLimit: 3,
    provider: {
      skywalking: {
        interval,
        address,
        query:
          'query queryData($duration: Duration!) { service_apdex: readMetricsValues(condition: { name: "service_apdex", entity: { scope: Service, serviceName: "{{ args.service-name }}", normal: true } }, duration: $duration) { label values { values { value } } } }',
      },
    },
  };
}

function context(measured: Metric): MeasurementContext {
  return {
    metric: measured,
    args: new Map([['service-name', 'checkout']]),
    run: { namespace: 'default', name: 'run', uid: 'u' },
    measurementsTaken: 0,
    now: new Date('2026-12-07T12:00:00Z'),
  };
}

describe('skywalking provider against the OAP GraphQL stand-in', () => {
  let oap: StandInServer;
  let apdex = ['9950', '9990'];
  beforeAll(async () => {
    oap = await startSkywalkingStandIn({
      data: () => ({ service_apdex: { label: null, values: { values: apdex.map((value) => ({ value })) } } }),
    });
  });
  afterAll(async () => {
    await oap.close();
  });

  test.each([
    ['a healthy apdex', ['9950', '9990'], 'Successful'],
    ['a low apdex', ['9950', '8000'], 'Failed'],
  ])('%s: the data is the result, judged by the documented condition (%s)', async (_name, values, phase) => {
    apdex = values;
    const measured = metric(oap.url);
    const answer = await skywalkingProvider().run(context(measured));
    expect(answer.kind).toBe('value');
    if (answer.kind !== 'value') return;
    expect(answer.text).toBe(JSON.stringify({ service_apdex: { label: null, values: { values: values.map((value) => ({ value })) } } }));
    const compiled = compileMetricConditions(measured);
    expect(compiled.ok && evaluateMeasurement(compiled.conditions, answer.value).phase).toBe(phase);
    const sent = JSON.parse(oap.requests.at(-1)?.body ?? '') as { query: string; variables: unknown };
    expect(sent.query).toContain('serviceName: "checkout"');
    expect(sent.variables).toEqual({ duration: { start: '2026-12-07 1157', end: '2026-12-07 1200', step: 'MINUTE' } });
  });

  test('a GraphQL error is Argo\'s "graphql: <message>"', async () => {
    const answer = await skywalkingProvider().run(
      context({ ...metric(oap.url), provider: { skywalking: { address: oap.url, interval: '1m', query: ' ' } } }),
    );
    expect(answer).toEqual({ kind: 'error', message: "graphql: Invalid Syntax : offending token '<EOF>'" });
  });

  test("no interval is Go's duration error; an unreachable server an Error naming it", async () => {
    expect(await skywalkingProvider().run(context(metric(oap.url, '')))).toEqual({ kind: 'error', message: 'time: invalid duration ""' });
    const answer = await skywalkingProvider().run(context(metric('http://127.0.0.1:9')));
    expect(answer.kind === 'error' && answer.message).toMatch(/^POST http:\/\/127\.0\.0\.1:9\/graphql: unreachable: ECONNREFUSED/u);
  });
});

describe('skywalking answers as Argo maps them (pure)', () => {
  test.each([
    ['no data', 200, '{}', { kind: 'error', message: 'no results returned from SkyWalking query' }],
    ['a 401 page', 401, '<html>401</html>', { kind: 'error', message: 'decoding response: the answer (HTTP 401) is not JSON' }],
    ['errors first', 200, '{"errors":[{"message":"boom"},{"message":"x"}]}', { kind: 'error', message: 'graphql: boom' }],
    [
      'too deep',
      200,
      `{"data":${'['.repeat(100)}${']'.repeat(100)}}`,
      { kind: 'error', message: 'decoding response: the answer nests deeper than 64 levels' },
    ],
  ])('%s', (_name, status, body, expected) => {
    expect(mapSkywalkingResponse(status, body)).toEqual(expected);
  });
});
