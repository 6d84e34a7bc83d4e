import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisRun, Metric } from '../../src/api/index.js';
import { createAnalysisRunController, type AnalysisRunController } from '../../src/analysis/controller/analysis-run-controller.js';
import { sendToCarbon, startGraphite, type CarbonPoint, type LocalGraphite } from '../../src/local/graphite.js';
import { stopProcess } from '../../src/local/process-supervisor.js';
import type { ManagedProcess } from '../../src/local/types.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { createLogger } from '../../src/log/index.js';
import { graphiteProvider } from '../../src/providers/graphite/graphite-provider.js';
import type { MeasurementContext } from '../../src/providers/provider.js';
import { untilAnalysisRunCompleted } from './support/analysis-run-wait.js';
import { testCluster } from './support/test-cluster.js';

// The graphite provider against Debian's real graphite-web 1.1.8 and carbon-cache 1.1.7 (issue 26:
// "Graphite and InfluxDB run for real"), fed through carbon's plaintext protocol: AnalysisRuns on
// the real control plane end Successful, Failed, Inconclusive and Error as Argo's would, with
// Argo's messages. The stand-in tests (src/providers/graphite) stay; this checks them against the real thing.
const cluster = testCluster('graphite-real');
const { kubeConfig, custom, namespace } = cluster;
const api = { group: 'argoproj.io', version: 'v1alpha1', namespace, plural: 'analysisruns' } as const;
const logger = createLogger({ level: 'warn' });
// A fresh metric tree per run of the file: a reused environment keeps nothing that could answer for us.
const prefix = `gradual.it${randomBytes(4).toString('hex')}`;
const started: ManagedProcess[] = [];
let graphiteDir: string | undefined;
let graphite: LocalGraphite;
let controller: AnalysisRunController | undefined;

/** Whole seconds, a few seconds back: whisper takes no point from the future. */
function secondsAgo(seconds: number): number {
  return Math.floor(Date.now() / 1000) - seconds;
}

/** Feeds the points and waits until graphite-web's render shows every one of them (carbon caches, then writes). */
async function feed(points: CarbonPoint[]): Promise<void> {
  await sendToCarbon(graphite.carbonPlaintextPort, points);
  for (const name of new Set(points.map((point) => point.path))) {
    const want = points.filter((point) => point.path === name).map((point) => [point.value, point.timestamp]);
    await waitUntil(
      async () => {
        const response = await fetch(`${graphite.url}/render?target=${name}&from=-10min&format=json`);
        const series = (await response.json()) as { datapoints: [number | null, number][] }[];
        const seen = (series[0]?.datapoints ?? []).filter(([value]) => value !== null);
        return want.every(([value, at]) => seen.some(([v, t]) => v === value && t === at));
      },
      { what: `graphite-web to render ${name}`, timeoutMs: 60_000, intervalMs: 100 },
    );
  }
}

async function createRun(name: string, metrics: Metric[], args: { name: string; value: string }[] = []): Promise<void> {
  await custom.createNamespacedCustomObject({
    ...api,
    body: { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', metadata: { name }, spec: { metrics, args } },
  });
}

function untilCompleted(name: string): Promise<AnalysisRun> {
  return untilAnalysisRunCompleted(custom, namespace, name);
}

function context(graphiteSettings: NonNullable<Metric['provider']['graphite']>): MeasurementContext {
  return {
    metric: { name: 'direct', provider: { graphite: graphiteSettings } },
    args: new Map(),
    run: { namespace, name: 'direct', uid: 'u' },
    measurementsTaken: 0,
    now: new Date(),
  };
}

beforeAll(async () => {
  graphiteDir = await mkdtemp(join(tmpdir(), 'gradual-graphite-'));
  graphite = await startGraphite({ dir: graphiteDir, logger, started });
  await cluster.setUp();
  controller = createAnalysisRunController({ kubeConfig, namespace, controllerNamespace: namespace, logger });
  await controller.start();
});

afterAll(async () => {
  // Each step on its own: a failed start-up still stops what did start.
  await controller?.stop();
  for (let record = started.pop(); record !== undefined; record = started.pop()) await stopProcess(record);
  if (graphiteDir !== undefined) await rm(graphiteDir, { recursive: true, force: true });
  await cluster.tearDown();
});

describe('graphite provider against Debian graphite-web and carbon', () => {
  it('is graphite-web 1.1.x, on loopback', () => {
    expect(graphite.version).toMatch(/^1\.1\.\d+$/u);
    expect(new URL(graphite.url).hostname).toBe('127.0.0.1');
  });

  it("Argo's documented query shape (whitespace, {{args}}) over real series: Successful, the values as Argo stores them", async () => {
    const [t1, t2] = [secondsAgo(6), secondsAgo(4)];
    await feed([
      { path: `${prefix}.checkout.ok`, value: 995, timestamp: t1 },
      { path: `${prefix}.checkout.total`, value: 1000, timestamp: t1 },
      { path: `${prefix}.checkout.ok`, value: 1000, timestamp: t2 },
      { path: `${prefix}.checkout.total`, value: 1000, timestamp: t2 },
    ]);
    await createRun(
      'graphite-success',
      [
        {
          name: 'success-rate',
          successCondition: 'result[0] >= 99 && result[1] >= 99',
          provider: {
            graphite: {
              address: graphite.url,
              query: `target=asPercent(
  sumSeries(${prefix}.{{args.service-name}}.ok),
  sumSeries(${prefix}.{{args.service-name}}.total)
)&from=-5min`,
            },
          },
        },
      ],
      [{ name: 'service-name', value: 'checkout' }],
    );
    const run = await untilCompleted('graphite-success');
    expect(run.status?.phase).toBe('Successful');
    expect(run.status?.metricResults?.[0]?.measurements?.[0]).toMatchObject({ phase: 'Successful', value: '[99.500000,100.000000]' });
  });

  it('a value past the failure condition: Failed', async () => {
    await feed([{ path: `${prefix}.latency.p99`, value: 870.25, timestamp: secondsAgo(3) }]);
    await createRun('graphite-failure', [
      {
        name: 'latency',
        failureCondition: 'result[0] > 500',
        provider: { graphite: { address: graphite.url, query: `target=${prefix}.latency.p99&from=-5min` } },
      },
    ]);
    const run = await untilCompleted('graphite-failure');
    expect(run.status?.phase).toBe('Failed');
    expect(run.status?.metricResults?.[0]?.measurements?.[0]).toMatchObject({ phase: 'Failed', value: '[870.250000]' });
  });

  it('a value between the success and failure conditions: Inconclusive, as Argo evaluates it', async () => {
    await feed([{ path: `${prefix}.errors.rate`, value: 3, timestamp: secondsAgo(3) }]);
    await createRun('graphite-inconclusive', [
      {
        name: 'error-rate',
        successCondition: 'result[0] < 1',
        failureCondition: 'result[0] > 5',
        provider: { graphite: { address: graphite.url, query: `target=${prefix}.errors.rate&from=-5min` } },
      },
    ]);
    const run = await untilCompleted('graphite-inconclusive');
    expect(run.status?.phase).toBe('Inconclusive');
    expect(run.status?.metricResults?.[0]?.measurements?.[0]).toMatchObject({ phase: 'Inconclusive', value: '[3.000000]' });
  });

  it('a query graphite-web refuses (HTTP 400): an Error measurement with Argo\'s "error response: <body>"', async () => {
    await createRun('graphite-refused', [
      {
        name: 'broken',
        consecutiveErrorLimit: 0,
        provider: { graphite: { address: graphite.url, query: `target=nosuchFunction(${prefix}.latency.p99)` } },
      },
    ]);
    const run = await untilCompleted('graphite-refused');
    expect(run.status?.phase).toBe('Error');
    expect(run.status?.metricResults?.[0]?.measurements?.[0]).toMatchObject({
      phase: 'Error',
      message: `error response: Invalid parameters (Received request for unknown function: nosuchFunction); targets: "nosuchFunction(${prefix}.latency.p99)"`,
    });
  });

  it('a series that does not exist, and a target graphite-web cannot parse, are Argo\'s "no values found" (graphite-web answers 200 [])', async () => {
    for (const query of [`target=${prefix}.never.written&from=-5min`, 'target=sumSeries(', 'from=-5min']) {
      expect(await graphiteProvider().run(context({ address: graphite.url, query })), query).toEqual({
        kind: 'error',
        message: 'no values found',
      });
    }
  });

  it('an address path before /render is kept, and graphite-web at the wrong path is an "error response"', async () => {
    const answer = await graphiteProvider().run(
      context({ address: `${graphite.url}/not-graphite`, query: `target=${prefix}.latency.p99` }),
    );
    expect(answer).toMatchObject({ kind: 'error' });
    expect(answer.kind === 'error' && answer.message).toMatch(/^error response: /u);
  });

  it('graphite-web stopped (the last test): unreachable, an Error answer naming the render URL', async () => {
    const web = started.find((record) => record.name === 'graphite-web');
    if (web === undefined) throw new Error('graphite-web not recorded');
    await stopProcess(web);
    const answer = await graphiteProvider().run(context({ address: graphite.url, query: `target=${prefix}.latency.p99` }));
    // Refused on a new connection; reset when the client had kept one alive to the server that just stopped.
    expect(answer.kind === 'error' && answer.message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/render: unreachable: (ECONNREFUSED|ECONNRESET)/u,
    );
  });
});
