import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Metric } from '../../api/index.js';
import { startCloudWatchStandIn, type CloudWatchStandIn } from '../../local/metric-vendors/cloudwatch/cloudwatch-stand-in.js';
import { outboundPolicy } from '../outbound/outbound-request.js';
import type { MeasurementContext } from '../provider.js';
import { cloudWatchProvider, metricDataQueries } from './cloudwatch-provider.js';

const credentials = { accessKeyId: 'AKIDSTANDIN', secretAccessKey: 'stand-in-secret-key-0123456789' };
const now = new Date('2026-12-07T12:00:00Z');

function context(
  cloudWatch: NonNullable<Metric['provider']['cloudWatch']>,
  args: ReadonlyMap<string, string> = new Map(),
): MeasurementContext {
  return {
    metric: { name: 'errors', provider: { cloudWatch } },
    args,
    run: { namespace: 'default', name: 'run', uid: 'u' },
    measurementsTaken: 0,
    now,
  };
}

/** Argo's documented example (docs/analysis/cloudwatch.md), with {{args.x}} in a dimension. */
const documented = {
  interval: '30m',
  metricDataQueries: [
    {
      id: 'rate',
      expression: 'errors / requests',
    },
    {
      id: 'errors',
      metricStat: {
        metric: { namespace: 'app', metricName: 'errors', dimensions: [{ name: 'service', value: '{{args.service}}' }] },
        period: 300,
        stat: 'Sum',
        unit: 'Count',
      },
      returnData: false,
    },
  ],
};

describe('cloudWatch provider against the GetMetricData stand-in (the SDK speaking AWS JSON 1.0, signed with SigV4)', () => {
  let standIn: CloudWatchStandIn;
  let values: number[] = [0.001, 0.002];
  beforeAll(async () => {
    standIn = await startCloudWatchStandIn({
      ...credentials,
      region: 'eu-west-1',
      answer: () => ({
        MetricDataResults: [{ Id: 'rate', Label: 'rate', Timestamps: [1796644800, 1796644500], Values: values, StatusCode: 'Complete' }],
        Messages: [],
      }),
    });
  });
  afterAll(async () => {
    await standIn.close();
  });
  const provider = (key = credentials) =>
    cloudWatchProvider({ policy: outboundPolicy(), client: { endpoint: standIn.url, region: 'eu-west-1', credentials: key } });

  test('a measurement: the queries as Argo converts them, the last interval, the results as Argo shows them to conditions', async () => {
    values = [0.001, 0.002];
    const answer = await provider().run(context(documented, new Map([['service', 'checkout']])));
    expect(answer).toEqual({
      kind: 'value',
      text: '[[0.001 0.002]]',
      value: [
        {
          Id: 'rate',
          Label: 'rate',
          Messages: [],
          StatusCode: 'Complete',
          Timestamps: ['2026-12-07T12:00:00Z', '2026-12-07T11:55:00Z'],
          Values: [0.001, 0.002],
        },
      ],
    });
    const request = standIn.requests.at(-1);
    expect(request?.target).toBe('GraniteServiceVersion20100801.GetMetricData');
    expect(request?.input).toEqual({
      StartTime: now.getTime() / 1000 - 1800,
      EndTime: now.getTime() / 1000,
      MetricDataQueries: [
        { Id: 'rate', Expression: 'errors / requests' },
        {
          Id: 'errors',
          MetricStat: {
            Metric: { MetricName: 'errors', Namespace: 'app', Dimensions: [{ Name: 'service', Value: 'checkout' }] },
            Period: 300,
            Stat: 'Sum',
            Unit: 'Count',
          },
          ReturnData: false,
        },
      ],
    });
  });

  test('the default interval is 5m', async () => {
    await provider().run(context({ metricDataQueries: documented.metricDataQueries }, new Map([['service', 'x']])));
    expect((standIn.requests.at(-1)?.input as { StartTime: number }).StartTime).toBe(now.getTime() / 1000 - 300);
  });

  test('a key the service does not know is its 403, as an Error measurement', async () => {
    const answer = await provider({ ...credentials, secretAccessKey: 'wrong-secret-key-0123456789' }).run(
      context(documented, new Map([['service', 'x']])),
    );
    expect(answer.kind).toBe('error');
    expect(answer.kind === 'error' && answer.message).toMatch(
      /^operation error CloudWatch: GetMetricData, https response error StatusCode: 403, api error SignatureDoesNotMatch: /u,
    );
    expect(JSON.stringify(answer)).not.toContain('wrong-secret-key');
  });

  test.each([
    ['no id (sent as "", as Argo sends it)', [{ expression: 'x' }], 'The value "" for parameter MetricDataQueries.member.1.Id is invalid.'],
    [
      'a metricStat without its period',
      [{ id: 'a', metricStat: { metric: { metricName: 'm' }, stat: 'Sum' } }],
      'The parameter MetricDataQueries.member.1.MetricStat.Period must be at least 1.',
    ],
  ])('a query the service refuses, %s, is its InvalidParameterValue as an Error measurement', async (_name, queries, message) => {
    expect(await provider().run(context({ metricDataQueries: queries }))).toEqual({
      kind: 'error',
      message: `operation error CloudWatch: GetMetricData, https response error StatusCode: 400, api error InvalidParameterValue: ${message}`,
    });
  });

  test("a bad interval is Go's error", async () => {
    expect(await provider().run(context({ interval: '5 minutes', metricDataQueries: [] }))).toEqual({
      kind: 'error',
      message: 'time: invalid duration "5 minutes"',
    });
  });

  test('an unreachable endpoint is an Error measurement naming it', async () => {
    const closed = cloudWatchProvider({ client: { endpoint: 'http://127.0.0.1:9', region: 'eu-west-1', credentials } });
    const answer = await closed.run(context(documented, new Map([['service', 'x']])));
    expect(answer.kind === 'error' && answer.message).toMatch(
      /operation error CloudWatch: GetMetricData, POST http:\/\/127\.0\.0\.1:9\/: unreachable: ECONNREFUSED/u,
    );
  });

  test("a metadata address is refused before any socket opens (the SDK's HTTP goes through the outbound rules)", async () => {
    let connects = 0;
    const policy = outboundPolicy({
      lookup: () => Promise.resolve([{ address: '169.254.169.254', family: 4 }]),
      connect: () => {
        connects += 1;
        throw new Error('no socket may open');
      },
    });
    const guarded = cloudWatchProvider({ policy, client: { endpoint: 'http://metadata.example', region: 'eu-west-1', credentials } });
    const answer = await guarded.run(context(documented, new Map([['service', 'x']])));
    expect(answer.kind === 'error' && answer.message).toMatch(/refused: metadata\.example resolves to 169\.254\.169\.254/u);
    expect(connects).toBe(0);
  });

  test('metricDataQueries: periods given as strings count as IntOrString.IntValue does', () => {
    expect(metricDataQueries([{ id: 'a', period: '60', metricStat: { metric: {}, period: 'x', stat: 'p99' } }])).toEqual([
      { Id: 'a', Period: 60, MetricStat: { Metric: { MetricName: '' }, Period: 0, Stat: 'p99' } },
    ]);
  });
});
