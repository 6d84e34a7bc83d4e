import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Metric } from '../../api/index.js';
import { findUnsupportedMetricFields, unsupportedPrometheusSigv4RoleArn } from '../../api/unsupported-metric-fields.js';
import { startAmpStandIn, type AmpStandIn } from '../../local/metric-vendors/amp/amp-stand-in.js';
import { outboundPolicy, systemConnect } from '../outbound/outbound-request.js';
import type { MeasurementContext } from '../provider.js';
import { prometheusProvider } from './prometheus-provider.js';
import type { AwsCredentials } from './sigv4.js';

/*
 * authentication.sigv4 against a loopback Amazon Managed Prometheus stand-in that verifies each
 * signature as AWS documents it. Credentials are test values, from a fake chain or from the real
 * default chain fed by environment variables and a temporary shared credentials file; the
 * instance metadata service is switched off as well, and the socket count proves it was not
 * probed.
 */

const now = new Date('2026-12-07T12:00:00Z');
const key: AwsCredentials = { accessKeyId: 'AKIDGRADUALTEST', secretAccessKey: 'gradual-test-secret-0123456789' };
const region = 'eu-west-1';

function context(prometheus: NonNullable<Metric['provider']['prometheus']>): MeasurementContext {
  return {
    metric: { name: 'success', provider: { prometheus } },
    args: new Map([['service', 'checkout']]),
    run: { namespace: 'ns', name: 'r', uid: 'u' },
    measurementsTaken: 0,
    now,
  };
}

const fixed = (credentials: AwsCredentials) => () => Promise.resolve(credentials);

describe('prometheus authentication.sigv4 against the AMP stand-in', () => {
  let amp: AmpStandIn;
  let temporary: AmpStandIn;
  beforeAll(async () => {
    const answer = (path: string, query: URLSearchParams) => ({
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: { path, query: query.get('query') ?? '' }, value: [1, '0.99'] }] },
    });
    amp = await startAmpStandIn({ ...key, region, workspace: 'ws-1', now: () => now, answer });
    temporary = await startAmpStandIn({
      accessKeyId: 'ASIATEMPORARY',
      secretAccessKey: 'temporary-secret',
      sessionToken: 'session-token-value',
      region,
      workspace: 'ws-2',
      now: () => now,
      answer,
    });
  });
  afterAll(async () => {
    await amp.close();
    await temporary.close();
  });

  test('a signed query verifies and its value is measured; the secret key is never sent', async () => {
    const before = amp.requests.length;
    const answer = await prometheusProvider(outboundPolicy(), { awsCredentials: fixed(key), env: {} }).run(
      context({ address: amp.address, query: 'up{service="{{args.service}}"}', authentication: { sigv4: { region } } }),
    );
    expect(answer).toEqual({ kind: 'value', value: [0.99], text: '[0.99]' });
    expect(amp.verdicts.slice(before)).toEqual([{ ok: true }]);
    const sent = amp.requests[before];
    expect(sent?.url).toMatch(/^\/workspaces\/ws-1\/api\/v1\/query\?query=up%7Bservice%3D%22checkout%22%7D&time=/u);
    expect(String(sent?.headers.authorization)).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDGRADUALTEST\/20261207\/eu-west-1\/aps\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/u,
    );
    expect(sent?.headers['x-amz-date']).toBe('20261207T120000Z');
    expect(JSON.stringify(sent)).not.toContain(key.secretAccessKey);
  });

  test('a rangeQuery and the metric headers are signed too', async () => {
    const before = amp.requests.length;
    const answer = await prometheusProvider(outboundPolicy(), { awsCredentials: fixed(key), env: {} }).run(
      context({
        address: `${amp.address}/`,
        query: 'up',
        headers: [{ key: 'X-Scope', value: 'team a' }],
        rangeQuery: { start: 'now() - duration("1h")', end: 'now()', step: '1m' },
        authentication: { sigv4: { region } },
      }),
    );
    expect(answer.kind).toBe('value');
    expect(amp.verdicts.slice(before)).toEqual([{ ok: true }]);
    expect(amp.requests[before]?.url).toContain('/api/v1/query_range?');
    expect(String(amp.requests[before]?.headers.authorization)).toContain('SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-scope,');
  });

  test("temporary credentials send their session token, signed (an IRSA or profile role's credentials)", async () => {
    const credentials = { accessKeyId: 'ASIATEMPORARY', secretAccessKey: 'temporary-secret', sessionToken: 'session-token-value' };
    const answer = await prometheusProvider(outboundPolicy(), { awsCredentials: fixed(credentials), env: {} }).run(
      context({ address: temporary.address, query: 'up', authentication: { sigv4: { region } } }),
    );
    expect(answer.kind).toBe('value');
    expect(temporary.verdicts.at(-1)).toEqual({ ok: true });
    expect(temporary.requests.at(-1)?.headers['x-amz-security-token']).toBe('session-token-value');
  });

  test("the region comes from the chain's AWS_REGION when the metric names none", async () => {
    const answer = await prometheusProvider(outboundPolicy(), { awsCredentials: fixed(key), env: { AWS_REGION: region } }).run(
      context({ address: amp.address, query: 'up', authentication: { sigv4: { profile: 'default' } } }),
    );
    expect(answer.kind).toBe('value');
    expect(amp.verdicts.at(-1)).toEqual({ ok: true });
  });

  test.each([
    ['a request signed for another region', { sigv4: { region: 'us-east-1' } }, 'wrong-region'],
    ['an unsigned request (no sigv4 block)', undefined, 'missing'],
  ])("%s is refused by AMP with 403, and the measurement is Argo's client error", async (_name, authentication, reason) => {
    const before = amp.requests.length;
    const answer = await prometheusProvider(outboundPolicy(), { awsCredentials: fixed(key), env: {} }).run(
      context({ address: amp.address, query: 'up', ...(authentication === undefined ? {} : { authentication }) }),
    );
    expect(answer).toEqual({ kind: 'error', message: 'client_error: client error: 403' });
    expect(amp.verdicts.slice(before)).toMatchObject([{ ok: false, reason }]);
  });

  test('a wrong secret is refused with 403 (the signature does not match)', async () => {
    const before = amp.requests.length;
    const answer = await prometheusProvider(outboundPolicy(), {
      awsCredentials: fixed({ ...key, secretAccessKey: 'not-the-secret' }),
      env: {},
    }).run(context({ address: amp.address, query: 'up', authentication: { sigv4: { region } } }));
    expect(answer).toEqual({ kind: 'error', message: 'client_error: client error: 403' });
    expect(amp.verdicts.slice(before)).toMatchObject([{ ok: false, reason: 'mismatch' }]);
  });

  test.each([
    [
      'a chain without credentials',
      () => Promise.reject(new Error('Could not load credentials from any providers')),
      { region },
      'could not get SigV4 credentials: Could not load credentials from any providers',
    ],
    [
      'no region in the metric nor the chain',
      fixed(key),
      { profile: 'p' },
      'region not configured in sigv4 or in default credentials chain',
    ],
    ['a roleArn', fixed(key), { region, roleArn: 'arn:aws:iam::123456789012:role/amp' }, unsupportedPrometheusSigv4RoleArn],
  ])("%s is Argo's error and nothing is sent", async (_name, chain, sigv4, message) => {
    const before = amp.requests.length;
    const answer = await prometheusProvider(outboundPolicy(), { awsCredentials: chain, env: {} }).run(
      context({ address: amp.address, query: 'up', authentication: { sigv4 } }),
    );
    expect(answer).toEqual({ kind: 'error', message });
    expect(amp.requests.length).toBe(before);
  });

  test('the plan accepts region and profile and names roleArn at its key', () => {
    const metric = (sigv4: Record<string, string>): Metric => ({
      name: 'm',
      provider: {
        prometheus: { address: 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws', query: 'up', authentication: { sigv4 } },
      },
    });
    expect(findUnsupportedMetricFields({ spec: { metrics: [metric({ region, profile: 'metrics' })] } })).toEqual([]);
    expect(findUnsupportedMetricFields({ spec: { metrics: [metric({ region, roleArn: '' }), metric({ roleArn: 'arn:x' })] } })).toEqual([
      {
        path: ['spec', 'metrics', 1, 'provider', 'prometheus', 'authentication', 'sigv4', 'roleArn'],
        message: unsupportedPrometheusSigv4RoleArn,
        at: 'key',
      },
    ]);
  });

  describe("the AWS default chain, with static test credentials (the SDK's own chain, as CloudWatch's client uses)", () => {
    const names = [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_PROFILE',
      'AWS_REGION',
      'AWS_SHARED_CREDENTIALS_FILE',
      'AWS_CONFIG_FILE',
      'AWS_EC2_METADATA_DISABLED',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
      'AWS_ROLE_ARN',
    ];
    const saved = new Map<string, string | undefined>();
    let directory = '';
    let sockets = 0;
    const onSocket = () => {
      sockets += 1;
    };
    beforeEach(async () => {
      for (const name of names) {
        saved.set(name, process.env[name]);
        Reflect.deleteProperty(process.env, name);
      }
      directory = await mkdtemp(join(tmpdir(), 'gradual-sigv4-'));
      const profileKey = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
      await writeFile(
        join(directory, 'credentials'),
        `[metrics]\naws_access_key_id = ${profileKey.accessKeyId}\naws_secret_access_key = ${profileKey.secretAccessKey}\n`,
      );
      await writeFile(join(directory, 'config'), '');
      // No file of the machine's user is read, and the instance metadata service is off as well:
      // the chain must stop at the test's credentials, and the socket count below proves it did.
      process.env.AWS_SHARED_CREDENTIALS_FILE = join(directory, 'credentials');
      process.env.AWS_CONFIG_FILE = join(directory, 'config');
      process.env.AWS_EC2_METADATA_DISABLED = 'true';
      sockets = 0;
      subscribe('net.client.socket', onSocket);
    });
    afterEach(async () => {
      unsubscribe('net.client.socket', onSocket);
      for (const [name, value] of saved) {
        if (value === undefined) Reflect.deleteProperty(process.env, name);
        else process.env[name] = value;
      }
      await rm(directory, { recursive: true, force: true });
    });

    test.each([
      ['the environment', { region }, true],
      ['a named profile in the shared credentials file', { region, profile: 'metrics' }, false],
    ])(
      'credentials from %s sign the query, and the only socket opened is the one to the stand-in',
      async (_name, sigv4, fromEnvironment) => {
        if (fromEnvironment) {
          process.env.AWS_ACCESS_KEY_ID = key.accessKeyId;
          process.env.AWS_SECRET_ACCESS_KEY = key.secretAccessKey;
        }
        let connects = 0;
        const policy = outboundPolicy({
          connect: (target) => {
            connects += 1;
            expect(target.address).toBe('127.0.0.1');
            return systemConnect(target);
          },
        });
        const before = amp.requests.length;
        const answer = await prometheusProvider(policy).run(context({ address: amp.address, query: 'up', authentication: { sigv4 } }));
        expect(answer).toEqual({ kind: 'value', value: [0.99], text: '[0.99]' });
        expect(amp.verdicts.slice(before)).toEqual([{ ok: true }]);
        expect(connects).toBe(1);
        expect(sockets).toBe(connects);
      },
    );
  });
});
