import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisRun, Metric } from '../../src/api/index.js';
import { createAnalysisRunController, type AnalysisRunController } from '../../src/analysis/controller/analysis-run-controller.js';
import { startDatadogStandIn, type DatadogStandIn } from '../../src/local/metric-vendors/datadog/datadog-stand-in.js';
import { createLogger } from '../../src/log/index.js';
import { untilAnalysisRunCompleted } from './support/analysis-run-wait.js';
import { testCluster } from './support/test-cluster.js';

// An AnalysisRun measured with the datadog provider end to end: the controller in this process
// reads the `datadog` Secret (api-key, app-key, address) from its own namespace as Argo does,
// and queries the local Datadog on 127.0.0.1. The keys never reach the run or a log line.
const cluster = testCluster('metric-vendors');
const { kubeConfig, core, custom, namespace } = cluster;
const api = { group: 'argoproj.io', version: 'v1alpha1', namespace, plural: 'analysisruns' } as const;
const apiKey = 'dd-integration-api-key-4f1c2b';
const appKey = 'dd-integration-app-key-9e8d7c';
let controller: AnalysisRunController;
let datadog: DatadogStandIn;
const logLines: string[] = [];

async function createRun(name: string, metrics: Metric[]): Promise<void> {
  await custom.createNamespacedCustomObject({
    ...api,
    body: { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', metadata: { name }, spec: { metrics } },
  });
}

function untilCompleted(name: string): Promise<AnalysisRun> {
  return untilAnalysisRunCompleted(custom, namespace, name);
}

beforeAll(async () => {
  await cluster.setUp();
  datadog = await startDatadogStandIn({ apiKey, appKey });
  await core.createNamespacedSecret({
    namespace,
    body: { metadata: { name: 'datadog' }, stringData: { 'api-key': apiKey, 'app-key': appKey, address: datadog.url } },
  });
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  controller = createAnalysisRunController({
    kubeConfig,
    namespace,
    controllerNamespace: namespace,
    logger: createLogger({ level: 'debug', destination, format: 'json' }),
  });
  await controller.start();
});

afterAll(async () => {
  await controller.stop();
  await datadog.close();
  await cluster.tearDown();
});

describe('datadog on a real control plane', () => {
  it('a v2 formula below the threshold: Successful, the value stored as Argo stores it', async () => {
    datadog.values.set('errors/hits', 0.004);
    await createRun('datadog-healthy', [
      {
        name: 'error-ratio',
        interval: '1s',
        count: 2,
        successCondition: 'result < 0.01',
        provider: {
          datadog: {
            apiVersion: 'v2',
            interval: '5m',
            queries: { errors: 'sum:errors{app:shop}.as_count()', hits: 'sum:hits{app:shop}.as_count()' },
            formula: 'errors/hits',
          },
        },
      },
    ]);
    const run = await untilCompleted('datadog-healthy');
    expect(run.status?.phase).toBe('Successful');
    expect(run.status?.metricResults?.[0]?.measurements?.map((measurement) => [measurement.phase, measurement.value])).toEqual([
      ['Successful', '0.004'],
      ['Successful', '0.004'],
    ]);
    expect(datadog.requests.filter((request) => request.url === '/api/v2/query/scalar')).toHaveLength(2);
  });

  it('a v1 query above the failure threshold fails the run', async () => {
    datadog.values.set('avg:latency{app:shop}', 950);
    await createRun('datadog-failing', [
      { name: 'latency', failureCondition: 'result > 500', provider: { datadog: { query: 'avg:latency{app:shop}' } } },
    ]);
    const run = await untilCompleted('datadog-failing');
    expect(run.status).toMatchObject({ phase: 'Failed' });
    expect(run.status?.metricResults?.[0]?.measurements?.[0]).toMatchObject({ phase: 'Failed', value: '950' });
  });

  it("a query Datadog refuses is an Error measurement with Argo's message; the keys are nowhere in the run or the logs", async () => {
    await createRun('datadog-refused', [
      { name: 'broken', consecutiveErrorLimit: 0, provider: { datadog: { query: 'sum:errors{app:shop' } } },
    ]);
    const run = await untilCompleted('datadog-refused');
    expect(run.status?.phase).toBe('Error');
    expect(run.status?.metricResults?.[0]?.measurements?.[0]?.message).toBe(
      'received non 2xx response code: 400 {"errors":["Error parsing query: unbalanced brackets in \\"sum:errors{app:shop\\""]}',
    );
    expect(logLines.length).toBeGreaterThan(0);
    const everything = JSON.stringify(await custom.listNamespacedCustomObject(api)) + logLines.join('');
    expect(everything).not.toContain(apiKey);
    expect(everything).not.toContain(appKey);
  });
});
