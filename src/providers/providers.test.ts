import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Metric } from '../api/index.js';
import { argumentValues } from './resolve-args.js';
import { mapQueryResponse, prometheusProvider } from './prometheus/prometheus-provider.js';
import { providerFor, defaultProviders } from './registry.js';
import { mapWebResponse, parseJsonPath, webProvider } from './web/web-provider.js';

describe('mapQueryResponse: Prometheus answers as Argo maps them', () => {
  const vector = (...values: string[]) =>
    JSON.stringify({
      status: 'success',
      data: { resultType: 'vector', result: values.map((value) => ({ metric: {}, value: [1, value] })) },
    });
  test.each([
    [
      'a scalar',
      JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1, '0.97'] } }),
      { kind: 'value', value: 0.97, text: '0.97' },
    ],
    ['a one-sample vector', vector('0.99'), { kind: 'value', value: [0.99], text: '[0.99]' }],
    ['a two-sample vector', vector('0.5', '1'), { kind: 'value', value: [0.5, 1], text: '[0.5,1]' }],
    ['an empty vector', vector(), { kind: 'value', value: [], text: '[]' }],
    ['NaN (0/0 in PromQL)', vector('NaN'), { kind: 'value', value: [Number.NaN], text: '[NaN]' }],
    ['+Inf', vector('+Inf'), { kind: 'value', value: [Number.POSITIVE_INFINITY], text: '[+Inf]' }],
    // Argo's processResponse flattens a matrix (a rangeQuery's answer) into its samples.
    [
      'an empty matrix',
      JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }),
      { kind: 'value', value: [], text: '[]' },
    ],
    [
      'a string',
      JSON.stringify({ status: 'success', data: { resultType: 'string', result: [1, 'x'] } }),
      { kind: 'error', message: 'Prometheus metric type not supported: string' },
    ],
    [
      'a query error',
      JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error at char 5' }),
      { kind: 'error', message: 'Prometheus query failed (400): bad_data: parse error at char 5' },
    ],
    ['not JSON', '<html>', { kind: 'error', message: 'Prometheus answered 400 with a body that is not JSON' }],
  ])('%s', (_name, body, expected) => {
    expect(mapQueryResponse(400, body)).toEqual(expected);
  });
});

describe('web provider: jsonPath and responses', () => {
  test.each([
    ['{$}', []],
    ['{$.data.ok}', ['data', 'ok']],
    ["{$.items[0]['error-rate']}", ['items', 0, 'error-rate']],
    ['$.a', ['a']],
    ['{$.items[*].ok}', undefined],
  ])('parseJsonPath(%s)', (path, steps) => {
    expect(parseJsonPath(path)).toEqual(steps);
  });

  test.each([
    ['the whole document', 200, '{"ok":true}', undefined, { kind: 'value', value: { ok: true }, text: '{"ok":true}' }],
    ['a field', 200, '{"data":{"ratio":0.97}}', '{$.data.ratio}', { kind: 'value', value: 0.97, text: '0.97' }],
    ['a string field, stored as is', 200, '{"state":"ok"}', '{$.state}', { kind: 'value', value: 'ok', text: 'ok' }],
    ['a missing field', 200, '{"data":{}}', '{$.data.ratio}', { kind: 'error', message: 'jsonPath: ratio is not found' }],
    ['a 503', 503, 'down', undefined, { kind: 'error', message: 'received non 2xx response code: 503 from http://h/x' }],
    ['not JSON', 200, 'ok', undefined, { kind: 'error', message: 'the response of http://h/x is not JSON' }],
  ])('%s', (_name, status, body, path, expected) => {
    expect(mapWebResponse(status, body, path, 'http://h/x?token=t')).toEqual(expected);
  });
});

describe('providers against a real HTTP server', () => {
  let server: Server;
  let base = '';
  const requests: { url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  let ratio = '0.99';

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        requests.push({ url: request.url ?? '', headers: request.headers, body });
        if (request.url?.startsWith('/slow') === true) return; // never answers: the timeout must end it
        if (request.url?.startsWith('/api/v1/query') === true) {
          response.setHeader('content-type', 'application/json');
          response.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, ratio] }] } }));
          return;
        }
        if (request.headers.authorization !== 'Bearer s3cr3t') {
          response.statusCode = 401;
          response.end('{}');
          return;
        }
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ data: { ok: true, received: body } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const context = (metric: Metric, args = new Map<string, string>()) => ({
    metric,
    args,
    run: { namespace: 'ns', name: 'run', uid: 'u' },
    measurementsTaken: 0,
    now: new Date('2026-01-01T00:00:00Z'),
  });

  test('prometheus: the query with its args filled in, and the vector result', async () => {
    ratio = '0.93';
    const metric: Metric = {
      name: 'm',
      provider: { prometheus: { address: `${base}/`, query: 'sum(rate(x{service="{{args.service}}"}[1m]))' } },
    };
    const answer = await prometheusProvider().run(context(metric, new Map([['service', 'checkout']])));
    expect(answer).toEqual({ kind: 'value', value: [0.93], text: '[0.93]' });
    const query = new URL(requests.at(-1)?.url ?? '', base).searchParams.get('query');
    expect(query).toBe('sum(rate(x{service="checkout"}[1m]))');
  });

  test('prometheus: a missing argument is an Error measurement naming it, and nothing is sent', async () => {
    const before = requests.length;
    const metric: Metric = { name: 'm', provider: { prometheus: { address: base, query: 'x{s="{{args.nope}}"}' } } };
    expect(await prometheusProvider().run(context(metric))).toEqual({
      kind: 'error',
      message: 'failed to resolve {{args.nope}}: no argument "nope" with a value',
    });
    expect(requests.length).toBe(before);
  });

  test('prometheus: an unreachable server is an Error measurement that says so', async () => {
    // A port that was just free: nothing listens there.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = String((closed.address() as AddressInfo).port);
    await new Promise((resolve) => closed.close(resolve));
    const metric: Metric = { name: 'm', provider: { prometheus: { address: `http://127.0.0.1:${port}`, query: 'up' } } };
    const answer = await prometheusProvider().run(context(metric));
    expect(answer).toEqual({
      kind: 'error',
      message: `GET http://127.0.0.1:${port}/api/v1/query: unreachable: ECONNREFUSED connect ECONNREFUSED 127.0.0.1:${port}`,
    });
  });

  test('web: a secret header from args, a JSON body, the value at jsonPath', async () => {
    const args = argumentValues([{ name: 'token', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }], new Map([['token', 's3cr3t']]));
    const metric: Metric = {
      name: 'm',
      provider: {
        web: {
          url: `${base}/check`,
          method: 'POST',
          headers: [{ key: 'Authorization', value: 'Bearer {{args.token}}' }],
          jsonBody: { a: 1 },
          jsonPath: '{$.data}',
        },
      },
    };
    const answer = await webProvider().run(context(metric, new Map(args)));
    expect(answer).toEqual({ kind: 'value', value: { ok: true, received: '{"a":1}' }, text: '{"ok":true,"received":"{\\"a\\":1}"}' });
    expect(requests.at(-1)?.headers['content-type']).toBe('application/json');
  });

  test('web: a wrong token is an Error measurement with the status, without the token', async () => {
    const metric: Metric = {
      name: 'm',
      provider: { web: { url: `${base}/check?token=leak`, headers: [{ key: 'Authorization', value: 'Bearer wrong' }] } },
    };
    const answer = await webProvider().run(context(metric));
    expect(answer).toEqual({ kind: 'error', message: `received non 2xx response code: 401 from ${base}/check` });
  });

  test('web: timeoutSeconds ends a request that never answers', async () => {
    const metric: Metric = { name: 'm', provider: { web: { url: `${base}/slow`, timeoutSeconds: 1 } } };
    expect(await webProvider().run(context(metric))).toEqual({ kind: 'error', message: `GET ${base}/slow: timed out after 1s` });
  });

  test('the registry refuses a provider Gradual does not have yet, by name', () => {
    const lookup = providerFor({ name: 'pl', provider: { plugin: { 'argoproj-labs/sample': {} } } }, defaultProviders());
    expect(lookup).toEqual({ ok: false, message: 'metric "pl": provider plugin is not supported by Gradual yet' });
  });
});
