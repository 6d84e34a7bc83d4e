import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Metric } from '../../api/index.js';
import { startFluxStandIn, type FluxTable } from '../../local/metric-vendors/influxdb/flux-stand-in.js';
import type { StandInServer } from '../../local/metric-vendors/serve-json.js';
import type { MeasurementContext } from '../provider.js';
import { fluxValues } from './flux-csv.js';
import { fluxErrorMessage, influxdbProvider, mapFluxResponse } from './influxdb-provider.js';
import type { SecretRead } from '../provider-secrets.js';

const token = 'influx-token-s3cr3t-0123456789';

/** Argo's documented metric (docs/analysis/influxdb.md). */
const documented: Metric = {
  name: 'error-rate',
  successCondition: 'result[0] <= 0.01',
  provider: {
    influxdb: {
      profile: 'my-influxdb-secret',
      query:
        'from(bucket: "app_istio")\n  |> range(start: -15m)\n  |> filter(fn: (r) => r["destination_workload"] == "{{ args.application-name }}")',
    },
  },
};

function context(measured: Metric = documented): MeasurementContext {
  return {
    metric: measured,
    args: new Map([['application-name', 'checkout']]),
    run: { namespace: 'default', name: 'run', uid: 'u' },
    measurementsTaken: 0,
    now: new Date('2026-12-07T12:00:00Z'),
  };
}

const rateTable = (...values: string[]): FluxTable => ({
  columns: ['result', 'table', '_time', '_value'],
  datatypes: ['string', 'long', 'dateTime:RFC3339', 'double'],
  rows: values.map((value, index) => ['', '0', `2026-12-07T11:5${String(index)}:00Z`, value]),
});

describe('influxdb provider against the InfluxDB 2 query API stand-in', () => {
  let influx: StandInServer;
  let tables: FluxTable[] | { error: string } = [];
  const secrets = new Map<string, Record<string, string>>();
  const readSecret = (name: string): Promise<SecretRead> => {
    const data = secrets.get(name);
    return Promise.resolve(data === undefined ? { ok: false, message: `secrets "${name}" not found` } : { ok: true, data });
  };
  beforeAll(async () => {
    influx = await startFluxStandIn({ token, org: 'my-org', tables: () => tables });
    secrets.set('my-influxdb-secret', { address: influx.url, authToken: token, org: 'my-org' });
    secrets.set('influxdb', { address: influx.url, authToken: 'wrong-token-0123456789', org: 'my-org' });
  });
  afterAll(async () => {
    await influx.close();
  });

  test("every record's _value, as Argo lists it; the query as influxdb-client-go sends it", async () => {
    tables = [rateTable('0.005', '0.5')];
    expect(await influxdbProvider({ readSecret }).run(context())).toEqual({ kind: 'value', value: [0.005, 0.5], text: '[0.005 0.5]' });
    const request = influx.requests.at(-1);
    expect(request?.url.searchParams.get('org')).toBe('my-org');
    expect(request?.headers.authorization).toBe(`Token ${token}`);
    expect(JSON.parse(request?.body ?? '')).toMatchObject({
      query: expect.stringContaining('== "checkout"') as unknown,
      type: 'flux',
      dialect: { annotations: ['datatype', 'group', 'default'], header: true },
    });
  });

  test('no records is Argo\'s "no results returned from flux query"', async () => {
    tables = [];
    expect(await influxdbProvider({ readSecret }).run(context())).toEqual({
      kind: 'error',
      message: 'no results returned from flux query',
    });
  });

  test('the default profile is the Secret "influxdb"; a token InfluxDB refuses is its 401, the token nowhere in the answer', async () => {
    const measured: Metric = { ...documented, provider: { influxdb: { query: 'from(bucket: "b")' } } };
    const answer = await influxdbProvider({ readSecret }).run(context(measured));
    expect(answer).toEqual({ kind: 'error', message: 'unauthorized: unauthorized access' });
    expect(JSON.stringify(answer)).not.toContain('wrong-token');
  });

  test("a Flux error is InfluxDB's message", async () => {
    tables = { error: 'undefined identifier fromm' };
    expect(await influxdbProvider({ readSecret }).run(context())).toEqual({
      kind: 'error',
      message: 'invalid: compilation failed: undefined identifier fromm',
    });
  });

  test('a missing Secret, or one without a key, is the Error Argo reports', async () => {
    const other: Metric = { ...documented, provider: { influxdb: { profile: 'absent', query: 'x' } } };
    expect(await influxdbProvider({ readSecret }).run(context(other))).toEqual({ kind: 'error', message: 'secrets "absent" not found' });
    secrets.set('partial', { address: influx.url, authToken: token });
    const partial: Metric = { ...documented, provider: { influxdb: { profile: 'partial', query: 'x' } } };
    expect(await influxdbProvider({ readSecret }).run(context(partial))).toEqual({
      kind: 'error',
      message: 'authToken, org, or address not found',
    });
  });

  test('an answer that echoes the token is not stored; an unreachable server is an Error without the token', async () => {
    tables = [{ columns: ['result', 'table', '_value'], datatypes: ['string', 'long', 'string'], rows: [['', '0', token]] }];
    expect(await influxdbProvider({ readSecret }).run(context())).toEqual({
      kind: 'error',
      message: 'the answer carries the InfluxDB token; not stored',
    });
    secrets.set('down', { address: 'http://127.0.0.1:9', authToken: token, org: 'my-org' });
    const answer = await influxdbProvider({ readSecret }).run(
      context({ ...documented, provider: { influxdb: { profile: 'down', query: 'x' } } }),
    );
    expect(answer.kind === 'error' && answer.message).toMatch(/^POST http:\/\/127\.0\.0\.1:9\/api\/v2\/query: unreachable: ECONNREFUSED/u);
    expect(JSON.stringify(answer)).not.toContain(token);
  });
});

describe('annotated CSV as influxdb-client-go reads it (pure)', () => {
  test.each([
    [
      'types',
      '#datatype,string,long,double,boolean,string\n#group,false,false,false,false,false\n#default,_result,,,,\n,result,table,_value,ok,name\n,,0,1.5,true,a\n',
      [1.5],
    ],
    [
      'a default fills an empty value',
      '#datatype,string,long,long\n#group,false,false,false\n#default,_result,,7\n,result,table,_value\n,,0,\n',
      [7],
    ],
    [
      'two tables',
      '#datatype,string,long,long\n#group,false,false,false\n#default,_result,,\n,result,table,_value\n,,0,1\n\n#datatype,string,long,string\n#group,false,false,false\n#default,_result,,\n,result,table,_value\n,,1,"a,b"\n',
      [1, 'a,b'],
    ],
  ])('%s', (_name, csv, values) => {
    expect(fluxValues(csv)).toEqual({ ok: true, values });
  });

  test('an error table ends the reading with its message and reference', () => {
    const csv = '#datatype,string,string\n#group,true,true\n#default,,\n,error,reference\n,failed to execute query: boom,897\n';
    expect(fluxValues(csv)).toEqual({ ok: true, values: [], error: 'failed to execute query: boom,897' });
    expect(mapFluxResponse(200, csv)).toEqual({
      kind: 'error',
      message: 'no results returned from flux query: failed to execute query: boom,897',
    });
  });

  test('a non-2xx answer that is not JSON is the client\'s "<status line>: <body>"', () => {
    // influxdb-client-go v2.14 parseHTTPError: any Content-Type but application/json makes the body the Message and r.Status the Code.
    expect(mapFluxResponse(502, '<html>')).toEqual({ kind: 'error', message: '502 Bad Gateway: <html>' });
  });
});

describe("influxdb-client-go's error words for what InfluxDB answers (pure)", () => {
  const json = { 'content-type': 'application/json' };
  test.each([
    // Recorded from InfluxDB 1.8.10 with flux-enabled (test/integration/influxdb-real.test.ts runs them for real).
    ['1.8, a token it refuses (no X-Influxdb-Error on a 401)', 401, '{"error":"authorization failed"}', json, 'Unexpected status code 401'],
    [
      '1.8, Flux that does not parse: the header carries the error',
      500,
      '{"error":"loc 1:1-1:14: expected RPAREN, got EOF"}',
      { ...json, 'x-influxdb-error': 'loc 1:1-1:14: expected RPAREN, got EOF' },
      '500 Internal Server Error: loc 1:1-1:14: expected RPAREN, got EOF',
    ],
    // InfluxDB 2's documented error body (its OpenAPI Error schema).
    ['2.x, code and message', 400, '{"code":"invalid","message":"compilation failed: x"}', json, 'invalid: compilation failed: x'],
    [
      'keys matched case-insensitively, as encoding/json does',
      404,
      '{"Code":"not found","MESSAGE":"organization name \\"x\\" not found"}',
      json,
      'not found: organization name "x" not found',
    ],
    ['only a message: the code is empty, so the status', 400, '{"message":"m"}', json, 'Unexpected status code 400'],
    ['429 without words', 429, '{}', json, 'too many requests: exceeded rate limit'],
    ['503 without words', 503, '{}', json, 'unavailable: service temporarily unavailable'],
    [
      'a code that is not a string',
      400,
      '{"code":5,"message":"m"}',
      json,
      'json: cannot unmarshal number into Go struct field Error.Code of type string',
    ],
    [
      'JSON by its type that is not JSON',
      400,
      '<html>',
      json,
      'the InfluxDB error body is not JSON: Unexpected token \'<\', "<html>" is not valid JSON',
    ],
    ['text with a charset', 400, 'bad', { 'content-type': 'text/plain; charset=utf-8' }, '400 Bad Request: bad'],
  ])('%s', (_name, status, body, headers, message) => {
    expect(fluxErrorMessage(status, body, headers)).toBe(message);
    expect(mapFluxResponse(status, body, headers)).toEqual({ kind: 'error', message });
  });
});
