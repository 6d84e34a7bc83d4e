import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Metric } from '../../api/index.js';
import {
  findUnsupportedMetricFields,
  unsupportedPrometheusSigv4RoleArn,
  unsupportedWebSigv4,
} from '../../api/unsupported-metric-fields.js';
import { sendJson, startLoopbackServer, type LoopbackServer } from '../../local/metric-vendors/loopback-server.js';
import { webProvider } from '../web/web-provider.js';
import { mapQueryResponse, prometheusProvider } from './prometheus-provider.js';
import { evaluateTimeExpression } from './range-query.js';

const now = new Date('2026-12-07T12:00:00Z');
const nowSeconds = now.getTime() / 1000;
const clientSecret = 'client-secret-0123456789';
const context = (metric: Metric) => ({
  metric,
  args: new Map([['lookback', '1h']]),
  run: { namespace: 'ns', name: 'r', uid: 'u' },
  measurementsTaken: 0,
  now,
});

describe('rangeQuery times (pure)', () => {
  test.each([
    ['now()', nowSeconds],
    ['now() - duration("1h")', nowSeconds - 3600],
    [' now()-duration("90s") + duration("30s")', nowSeconds - 60],
  ])('%s', (text, seconds) => {
    expect(evaluateTimeExpression(text, nowSeconds, 'start')).toEqual({ ok: true, seconds });
  });

  test.each([
    ['', 'failed to parse rangeQuery.end as time: Gradual reads now(), optionally with + or - duration("…") terms; got ""'],
    ['now() - duration("1y")', 'failed to parse rangeQuery.end as time: time: invalid duration "1y"'],
    [
      'date("2026-01-01")',
      'failed to parse rangeQuery.end as time: Gradual reads now(), optionally with + or - duration("…") terms; got "date(\\"2026-01-01\\")"',
    ],
  ])('%j is refused by name', (text, message) => {
    expect(evaluateTimeExpression(text, nowSeconds, 'end')).toEqual({ ok: false, message });
  });

  test("a matrix is every sample of every series, as Argo's processResponse flattens it", () => {
    const body = JSON.stringify({
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          {
            metric: {},
            values: [
              [1, '0.5'],
              [2, '0.75'],
            ],
          },
          { metric: {}, values: [[1, '1']] },
        ],
      },
    });
    expect(mapQueryResponse(200, body)).toEqual({ kind: 'value', value: [0.5, 0.75, 1], text: '[0.5,0.75,1]' });
  });
});

describe('prometheus rangeQuery and oauth2, web oauth2, against loopback servers', () => {
  let server: LoopbackServer;
  let tokenRequests = 0;

  beforeAll(async () => {
    server = await startLoopbackServer((request, response) => {
      const url = new URL(request.url, 'http://x');
      if (url.pathname === '/token') {
        tokenRequests += 1;
        const form = new URLSearchParams(request.body);
        const basic = `Basic ${Buffer.from(`gradual:${clientSecret}`).toString('base64')}`;
        if (form.get('grant_type') !== 'client_credentials' || request.headers.authorization !== basic) {
          // RFC 6749 §5.2, echoing what it was sent (a hostile server would).
          sendJson(response, 401, { error: 'invalid_client', got: request.headers.authorization ?? '' });
          return;
        }
        sendJson(response, 200, { access_token: `token-for-${form.get('scope') ?? ''}`, token_type: 'bearer', expires_in: 3600 });
        return;
      }
      if (request.headers.authorization !== 'Bearer token-for-metrics.read') {
        sendJson(response, 401, { status: 'error', error: 'unauthorized' });
        return;
      }
      if (url.pathname === '/api/v1/query_range') {
        sendJson(response, 200, {
          status: 'success',
          data: {
            resultType: 'matrix',
            result: [
              {
                metric: {},
                values: [
                  [1, '0.99'],
                  [2, '0.98'],
                ],
              },
            ],
          },
        });
        return;
      }
      sendJson(response, 200, { ok: true });
    });
  });
  afterAll(async () => {
    await server.close();
  });

  const oauth2 = (secret = clientSecret) => ({
    tokenUrl: `${server.url}/token`,
    clientId: 'gradual',
    clientSecret: secret,
    scopes: ['metrics.read'],
  });

  test('a range query with a client-credentials token: query_range with start, end and step, the samples as the value', async () => {
    const metric: Metric = {
      name: 'm',
      provider: {
        prometheus: {
          address: server.url,
          query: 'up',
          rangeQuery: { start: 'now() - duration("{{args.lookback}}")', end: 'now()', step: '1m' },
          authentication: { oauth2: oauth2() },
        },
      },
    };
    expect(await prometheusProvider().run(context(metric))).toEqual({ kind: 'value', value: [0.99, 0.98], text: '[0.99,0.98]' });
    const request = server.requests.at(-1);
    const params = Object.fromEntries(new URL(request?.url ?? '', server.url).searchParams);
    expect(params).toEqual({ query: 'up', start: String(nowSeconds - 3600), end: String(nowSeconds), step: '60' });
  });

  test('a token refused is an Error; the client secret is masked even where the server echoes it', async () => {
    const metric: Metric = {
      name: 'm',
      provider: { prometheus: { address: server.url, query: 'up', authentication: { oauth2: oauth2('wrong-secret-99999') } } },
    };
    const answer = await prometheusProvider().run(context(metric));
    expect(answer.kind).toBe('error');
    const message = answer.kind === 'error' ? answer.message : '';
    expect(message).toMatch(/^oauth2: cannot fetch token: 401\nResponse: /u);
    expect(message).not.toContain('wrong-secret-99999');
    expect(message).not.toContain(Buffer.from('gradual:wrong-secret-99999').toString('base64'));
  });

  test("oauth2 without clientId or clientSecret is Argo's message", async () => {
    const metric: Metric = {
      name: 'm',
      provider: { prometheus: { address: server.url, query: 'up', authentication: { oauth2: { tokenUrl: `${server.url}/token` } } } },
    };
    expect(await prometheusProvider().run(context(metric))).toEqual({
      kind: 'error',
      message: 'missing mandatory parameter in metric for OAuth2 setup',
    });
  });

  test('the web provider with oauth2: the token goes in Authorization', async () => {
    const before = tokenRequests;
    const metric: Metric = {
      name: 'w',
      provider: { web: { url: `${server.url}/health`, jsonPath: '{$.ok}', authentication: { oauth2: oauth2() } } },
    };
    expect(await webProvider().run(context(metric))).toEqual({ kind: 'value', value: true, text: 'true' });
    expect(tokenRequests).toBe(before + 1);
  });

  test("sigv4's roleArn (prometheus) and sigv4 (web) are refused by name, by the provider and by the plan at the field", async () => {
    const prometheus: Metric = {
      name: 'p',
      provider: {
        prometheus: {
          address: server.url,
          query: 'up',
          authentication: { sigv4: { region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/amp' } },
        },
      },
    };
    const web: Metric = { name: 'w', provider: { web: { url: server.url, authentication: { sigv4: { region: 'eu-west-1' } } } } };
    const sent = server.requests.length;
    expect(await prometheusProvider().run(context(prometheus))).toEqual({ kind: 'error', message: unsupportedPrometheusSigv4RoleArn });
    expect(await webProvider().run(context(web))).toEqual({ kind: 'error', message: unsupportedWebSigv4 });
    expect(server.requests.length).toBe(sent);
    expect(findUnsupportedMetricFields({ spec: { metrics: [prometheus, web] } })).toEqual([
      {
        path: ['spec', 'metrics', 0, 'provider', 'prometheus', 'authentication', 'sigv4', 'roleArn'],
        message: unsupportedPrometheusSigv4RoleArn,
        at: 'key',
      },
      { path: ['spec', 'metrics', 1, 'provider', 'web', 'authentication', 'sigv4'], message: unsupportedWebSigv4, at: 'key' },
    ]);
  });
});
