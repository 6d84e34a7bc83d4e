import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisRun, Metric } from '../../src/api/index.js';
import { createAnalysisRunController, type AnalysisRunController } from '../../src/analysis/controller/analysis-run-controller.js';
import { cacheRoot } from '../../src/local/cache-dir.js';
import { startInfluxdb, writeInfluxPoints, type LocalInfluxdb } from '../../src/local/influxdb.js';
import { stopProcess } from '../../src/local/process-supervisor.js';
import type { ManagedProcess } from '../../src/local/types.js';
import { createLogger } from '../../src/log/index.js';
import { untilAnalysisRunCompleted } from './support/analysis-run-wait.js';
import { testCluster } from './support/test-cluster.js';

// The influxdb provider against a real InfluxDB that answers Flux (issue 26: "Graphite and InfluxDB run
// for real"): InfluxDB 1.8.10 built from its Go module (Debian's 1.6.7 has no /api/v2/query; see
// src/local/influxdb.ts), authentication on, the token `user:password` as 1.8's v2 API takes it.
// AnalysisRuns on the real control plane end Successful, Failed, Inconclusive and Error with the
// words influxdb-client-go (and so Argo) gives InfluxDB's answers.
const cluster = testCluster('influxdb-real');
const { kubeConfig, core, custom, namespace } = cluster;
const api = { group: 'argoproj.io', version: 'v1alpha1', namespace, plural: 'analysisruns' } as const;
const logger = createLogger({ level: 'warn' });
const started: ManagedProcess[] = [];
let influxDir: string | undefined;
let influx: LocalInfluxdb;
let controller: AnalysisRunController | undefined;

function secondsAgo(seconds: number): number {
  return Math.floor(Date.now() / 1000) - seconds;
}

async function createRun(name: string, metrics: Metric[]): Promise<void> {
  await custom.createNamespacedCustomObject({
    ...api,
    body: { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', metadata: { name }, spec: { metrics } },
  });
}

function untilCompleted(name: string): Promise<AnalysisRun> {
  return untilAnalysisRunCompleted(custom, namespace, name);
}

/** The database startInfluxdb makes (checked in the first test); queries are built before it starts. */
const database = 'gradual';

/** The mean of one measurement's points over the last ten minutes, one record. */
function meanOf(measurement: string): string {
  return `from(bucket: "${database}/autogen")
  |> range(start: -10m)
  |> filter(fn: (r) => r._measurement == "${measurement}" and r._field == "value")
  |> mean()`;
}

beforeAll(async () => {
  influxDir = await mkdtemp(join(tmpdir(), 'gradual-influxdb-'));
  // The first run on a machine builds influxd from Go modules (minutes on two shared cores); later runs reuse ~/.cache/gradual.
  influx = await startInfluxdb({ dir: influxDir, cacheRoot: cacheRoot(), logger, started });
  await cluster.setUp();
  for (const [name, authToken] of [
    ['influxdb', influx.token],
    ['influxdb-wrong-token', 'gradual:not-the-password'],
  ] as const)
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name }, stringData: { address: influx.url, authToken, org: 'gradual' } },
    });
  const at = secondsAgo(30);
  await writeInfluxPoints(influx, [
    { measurement: 'success_rate', tags: { app: 'shop' }, value: 0.5, timestamp: at },
    { measurement: 'success_rate', tags: { app: 'shop' }, value: 1, timestamp: at + 1 },
    { measurement: 'latency_p99', tags: { app: 'shop' }, value: 870.5, timestamp: at },
    { measurement: 'error_rate', tags: { app: 'shop' }, value: 3, timestamp: at },
  ]);
  controller = createAnalysisRunController({ kubeConfig, namespace, controllerNamespace: namespace, logger });
  await controller.start();
}, 3_600_000);

afterAll(async () => {
  await controller?.stop();
  for (let record = started.pop(); record !== undefined; record = started.pop()) await stopProcess(record);
  if (influxDir !== undefined) await rm(influxDir, { recursive: true, force: true });
  await cluster.tearDown();
});

describe('influxdb provider against a real InfluxDB 1.8 (Flux)', () => {
  it('is 1.8.10 on loopback', () => {
    expect(influx.version).toBe('1.8.10');
    expect(influx.database).toBe(database);
    expect(new URL(influx.url).hostname).toBe('127.0.0.1');
  });

  it("a Flux mean within the success condition: Successful, the value as Argo's fmt.Sprint writes it", async () => {
    await createRun('influx-success', [
      { name: 'success-rate', successCondition: 'result[0] >= 0.7', provider: { influxdb: { query: meanOf('success_rate') } } },
    ]);
    const run = await untilCompleted('influx-success');
    expect(run.status?.phase).toBe('Successful');
    expect(run.status?.metricResults?.[0]?.measurements?.[0]).toMatchObject({ phase: 'Successful', value: '[0.75]' });
  });

  it('past the failure condition: Failed', async () => {
    await createRun('influx-failure', [
      { name: 'latency', failureCondition: 'result[0] > 500', provider: { influxdb: { query: meanOf('latency_p99') } } },
    ]);
    const run = await untilCompleted('influx-failure');
    expect(run.status?.phase).toBe('Failed');
    expect(run.status?.metricResults?.[0]?.measurements?.[0]).toMatchObject({ phase: 'Failed', value: '[870.5]' });
  });

  it('between the success and failure conditions: Inconclusive', async () => {
    await createRun('influx-inconclusive', [
      {
        name: 'errors',
        successCondition: 'result[0] < 1',
        failureCondition: 'result[0] > 5',
        provider: { influxdb: { query: meanOf('error_rate') } },
      },
    ]);
    const run = await untilCompleted('influx-inconclusive');
    expect(run.status?.phase).toBe('Inconclusive');
    expect(run.status?.metricResults?.[0]?.measurements?.[0]).toMatchObject({ phase: 'Inconclusive', value: '[3]' });
  });

  it.each([
    [
      'Flux that does not parse',
      'influx-bad-flux',
      {},
      'from(bucket: ',
      '500 Internal Server Error: loc 1:1-1:14: expected RPAREN, got EOF',
    ],
    [
      'a bucket that does not exist',
      'influx-no-bucket',
      {},
      'from(bucket: "nosuch/autogen") |> range(start: -1m)',
      '500 Internal Server Error: failed to initialize execute state: no database',
    ],
    ['no record', 'influx-no-records', {}, meanOf('never_written'), 'no results returned from flux query'],
    [
      'a token InfluxDB refuses (401)',
      'influx-401',
      { profile: 'influxdb-wrong-token' },
      meanOf('latency_p99'),
      'Unexpected status code 401',
    ],
  ])("%s: an Error measurement with the client's words", async (_name, runName, extra, query, message) => {
    await createRun(runName, [{ name: 'broken', consecutiveErrorLimit: 0, provider: { influxdb: { query, ...extra } } }]);
    const run = await untilCompleted(runName);
    expect(run.status?.phase).toBe('Error');
    expect(run.status?.metricResults?.[0]?.measurements?.[0]).toMatchObject({ phase: 'Error', message });
    expect(JSON.stringify(run)).not.toContain(influx.token);
  });

  it('influxd stopped (the last test): unreachable', async () => {
    const process = started.find((record) => record.name === 'influxd');
    if (process === undefined) throw new Error('influxd not recorded');
    await stopProcess(process);
    await createRun('influx-unreachable', [
      { name: 'gone', consecutiveErrorLimit: 0, provider: { influxdb: { query: meanOf('latency_p99') } } },
    ]);
    const run = await untilCompleted('influx-unreachable');
    expect(run.status?.phase).toBe('Error');
    expect(run.status?.metricResults?.[0]?.measurements?.[0]?.message).toMatch(
      /^POST http:\/\/127\.0\.0\.1:\d+\/api\/v2\/query: unreachable: (ECONNREFUSED|ECONNRESET)/u,
    );
  });
});
