import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Metric } from '../../api/index.js';
import { startLoopbackServer } from '../../local/metric-vendors/loopback-server.js';
import { startNewRelicStandIn, type NewRelicStandIn } from '../../local/metric-vendors/newrelic/newrelic-stand-in.js';
import type { ProviderAnswer } from '../provider.js';
import { measured, measurementContext, secretsWith } from '../testing/measurement.js';
import { mapNerdGraphResponse, nerdGraphUrl, newRelicProvider, nrqlQueryDocument } from './newrelic-provider.js';

const apiKey = 'NRAK-0123456789ABCDEFGHIJKLMNOP';
const now = new Date('2026-12-07T12:00:00Z');

const context = (metric: Metric) => measurementContext(metric, now, { app: 'checkout' });

/** The stored measurement's phase, value and message (this provider's metadata is checked on the answer). */
function measuredAt(metric: Metric, answer: ProviderAnswer) {
  const { phase, value, message } = measured(metric, answer, now);
  return { phase, value, message };
}

describe('newRelic: regions and answers (pure)', () => {
  test.each([
    [{}, 'https://api.newrelic.com/graphql'],
    [{ region: 'eu' }, 'https://api.eu.newrelic.com/graphql'],
    [{ region: 'EU' }, 'https://api.eu.newrelic.com/graphql'],
    [{ region: 'us', 'base-url-nerdgraph': 'http://127.0.0.1:1/graphql' }, 'http://127.0.0.1:1/graphql'],
    [{ region: 'mars' }, { error: 'invalid region: mars' }],
  ])('nerdGraphUrl(%j)', (data, url) => {
    expect(nerdGraphUrl(data)).toEqual(url);
  });

  test.each([
    [
      'one row is an object',
      200,
      '{"data":{"actor":{"account":{"nrql":{"results":[{"count":3}]}}}}}',
      { kind: 'value', value: { count: 3 }, text: '{"count":3}' },
    ],
    [
      'rows are a list',
      200,
      '{"data":{"actor":{"account":{"nrql":{"results":[{"a":1},{"a":2}]}}}}}',
      { kind: 'value', value: [{ a: 1 }, { a: 2 }], text: '[{"a":1},{"a":2}]' },
    ],
    [
      'no rows',
      200,
      '{"data":{"actor":{"account":{"nrql":{"results":[]}}}}}',
      { kind: 'error', message: 'no results returned from NRQL query' },
    ],
    ['a GraphQL error', 200, '{"errors":[{"message":"NRQL Syntax Error"}]}', { kind: 'error', message: 'NRQL Syntax Error' }],
    [
      'a bad key',
      401,
      '{"errors":[{"message":"Invalid API key","extensions":{"errorCode":"BAD_API_KEY"}}]}',
      {
        kind: 'error',
        message: '401 response returned: Invalid credentials provided. Missing API key or an invalid API key was provided.',
      },
    ],
    ['a 500', 500, 'down', { kind: 'error', message: '500 response returned' }],
  ])('%s', (_name, status, body, expected) => {
    expect(mapNerdGraphResponse(status, body)).toEqual(expected);
  });
});

describe('newRelic against the local NerdGraph on 127.0.0.1', () => {
  let newRelic: NewRelicStandIn;
  let provider: ReturnType<typeof newRelicProvider>;

  beforeAll(async () => {
    newRelic = await startNewRelicStandIn({ apiKey, accountId: 12345 });
    provider = newRelicProvider({
      secrets: secretsWith({
        'argo-rollouts/newrelic': {
          'personal-api-key': apiKey,
          'account-id': '12345',
          region: 'eu',
          'base-url-nerdgraph': `${newRelic.url}/graphql`,
        },
      }),
    });
  });
  afterAll(async () => {
    await newRelic.close();
  });

  const metric = (query: string, fields: Partial<Metric> = {}): Metric => ({
    name: 'success-rate',
    successCondition: 'result.successRate >= 0.95',
    failureCondition: 'result.successRate < 0.90',
    provider: { newRelic: { query } },
    ...fields,
  });
  const rate = "FROM Transaction SELECT percentage(count(*), WHERE error is false) AS successRate WHERE appName = 'checkout'";

  test("success: Argo's query document with the account, the NRQL with its args, the default timeout 5; the row is the value", async () => {
    newRelic.results.set(rate, [{ successRate: 0.99 }]);
    const written = metric(
      "FROM Transaction SELECT percentage(count(*), WHERE error is false) AS successRate WHERE appName = '{{args.app}}'",
    );
    const answer = await provider.run(context(written));
    expect(measuredAt(written, answer)).toEqual({ phase: 'Successful', value: '{"successRate":0.99}', message: undefined });
    expect(answer.kind === 'value' ? answer.metadata : undefined).toEqual({ ResolvedNewRelicQuery: rate });
    const request = newRelic.requests.at(-1);
    expect(request?.headers['api-key']).toBe(apiKey);
    expect(JSON.parse(request?.body ?? '{}')).toEqual({
      query: nrqlQueryDocument,
      variables: { accountId: 12345, query: rate, timeout: 5 },
    });
  });

  test('failure and inconclusive', async () => {
    newRelic.results.set('FROM A SELECT 1', [{ successRate: 0.5 }]);
    newRelic.results.set('FROM B SELECT 1', [{ successRate: 0.92 }]);
    expect(measuredAt(metric('FROM A SELECT 1'), await provider.run(context(metric('FROM A SELECT 1'))))).toMatchObject({
      phase: 'Failed',
    });
    expect(measuredAt(metric('FROM B SELECT 1'), await provider.run(context(metric('FROM B SELECT 1'))))).toMatchObject({
      phase: 'Inconclusive',
    });
  });

  test('NRQL NerdGraph refuses is an Error with its message; no rows is Argo\'s "no results"', async () => {
    expect(await provider.run(context(metric('SELEKT 1')))).toEqual({
      kind: 'error',
      message: "NRQL Syntax Error: Error at line 1 position 0, unexpected 'SELEKT'",
    });
    expect(await provider.run(context(metric('FROM Nothing SELECT 1')))).toEqual({
      kind: 'error',
      message: 'no results returned from NRQL query',
    });
  });

  test("a wrong key is the client's 401 message, without the key", async () => {
    const wrong = newRelicProvider({
      secrets: secretsWith({
        'argo-rollouts/newrelic': {
          'personal-api-key': 'NRAK-wrong-key-000000',
          'account-id': '12345',
          'base-url-nerdgraph': `${newRelic.url}/graphql`,
        },
      }),
    });
    const answer = await wrong.run(context(metric('FROM A SELECT 1')));
    expect(answer).toEqual({
      kind: 'error',
      message: '401 response returned: Invalid credentials provided. Missing API key or an invalid API key was provided.',
    });
  });

  test("a profile Secret that is missing, lacks keys or has a bad account id, and a negative timeout: Argo's messages", async () => {
    expect(await provider.run(context(metric('x', { provider: { newRelic: { query: 'x', profile: 'other' } } })))).toEqual({
      kind: 'error',
      message: 'secrets "other" not found',
    });
    const partial = newRelicProvider({ secrets: secretsWith({ 'argo-rollouts/newrelic': { 'account-id': '1' } }) });
    expect(await partial.run(context(metric('x')))).toEqual({ kind: 'error', message: 'account ID or personal API key not found' });
    const badId = newRelicProvider({
      secrets: secretsWith({ 'argo-rollouts/newrelic': { 'personal-api-key': apiKey, 'account-id': 'abc' } }),
    });
    expect(await badId.run(context(metric('x')))).toEqual({
      kind: 'error',
      message: 'could not parse account ID: strconv.Atoi: parsing "abc": invalid syntax',
    });
    expect(await provider.run(context(metric('x', { provider: { newRelic: { query: 'x', timeout: -1 } } })))).toEqual({
      kind: 'error',
      message: 'timeout value needs to be a positive value',
    });
  });

  test('unreachable, and a malformed answer, are Errors; a server echoing the key has it masked', async () => {
    const echo = await startLoopbackServer((request, response) => {
      response.statusCode = 500;
      response.end(JSON.stringify({ errors: [{ message: `key ${String(request.headers['api-key'])} broke` }] }));
    });
    const echoing = newRelicProvider({
      secrets: secretsWith({ 'argo-rollouts/newrelic': { 'personal-api-key': apiKey, 'account-id': '1', 'base-url-nerdgraph': echo.url } }),
    });
    expect(await echoing.run(context(metric('FROM A SELECT 1')))).toEqual({
      kind: 'error',
      message: '500 response returned: key ***** broke',
    });
    await echo.close();
    const answer = await echoing.run(context(metric('FROM A SELECT 1')));
    expect(answer.kind === 'error' ? answer.message : '').toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/: unreachable: ECONNREFUSED/u);
    const garbage = await startLoopbackServer((_request, response) => {
      response.end('{"data": {"actor": {"account": {"nrql": {"results": "many"}}}}}');
    });
    try {
      const malformed = newRelicProvider({
        secrets: secretsWith({
          'argo-rollouts/newrelic': { 'personal-api-key': apiKey, 'account-id': '1', 'base-url-nerdgraph': garbage.url },
        }),
      });
      const bad = await malformed.run(context(metric('FROM A SELECT 1')));
      expect(bad.kind).toBe('error');
    } finally {
      await garbage.close();
    }
  });
});
