import { createServer } from 'node:http';
import { BatchV1Api } from '@kubernetes/client-node';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { analysisRunSchema, type AnalysisRun, type Metric } from '../../src/api/index.js';
import { Registry } from 'prom-client';
import { createAnalysisMetrics } from '../../src/analysis/controller/analysis-metrics.js';
import { createAnalysisRunController, type AnalysisRunController } from '../../src/analysis/controller/analysis-run-controller.js';
import { jobOutcomeLabel } from '../../src/local/kwok-nodes.js';
import { ownCliInvocation } from '../../src/local/own-cli.js';
import { runCommand } from '../../src/local/run-command.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { createLogger } from '../../src/log/index.js';
import { untilAnalysisRunCompleted } from './support/analysis-run-wait.js';
import { testCluster } from './support/test-cluster.js';

// AnalysisRuns measured for real: the controller in this process, the real local
// Prometheus (PromQL constants stand in for a service's success ratio, so the
// outcome does not depend on what is scraped), a local HTTP server for the web
// provider, and a Secret read for an argument.
const cluster = testCluster('analysis-runs');
const { kubeConfig, core, custom, namespace } = cluster;
const batch = kubeConfig.makeApiClient(BatchV1Api);
const prometheus = inject('gradualEnv').prometheus.url;
const api = { group: 'argoproj.io', version: 'v1alpha1', namespace, plural: 'analysisruns' } as const;
let controller: AnalysisRunController;
const registry = new Registry();
const server = createServer((request, response) => {
  response.setHeader('content-type', 'application/json');
  response.statusCode = request.headers.authorization === 'Bearer s3cr3t' ? 200 : 401;
  response.end(JSON.stringify({ healthy: request.headers.authorization === 'Bearer s3cr3t' }));
});

async function createRun(name: string, metrics: Metric[], spec: Partial<AnalysisRun['spec']> = {}): Promise<void> {
  await custom.createNamespacedCustomObject({
    ...api,
    body: { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', metadata: { name }, spec: { metrics, ...spec } },
  });
}

function untilCompleted(name: string): Promise<AnalysisRun> {
  return untilAnalysisRunCompleted(custom, namespace, name);
}

/** Waits for an Event about the run (Events are recorded just after the status they report). */
async function untilEvent(name: string, line: string): Promise<string[]> {
  let lines: string[] = [];
  await waitUntil(
    async () => {
      const items = (await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` })).items;
      lines = items.map((event) => `${event.reason ?? ''}: ${event.message ?? ''}`);
      return lines.includes(line);
    },
    { what: `the Event "${line}" about ${name}`, timeoutMs: 30_000, intervalMs: 100 },
  );
  return lines;
}

const prometheusMetric = (name: string, query: string, fields: Partial<Metric> = {}): Metric => ({
  name,
  successCondition: 'result[0] >= 0.90',
  provider: { prometheus: { address: prometheus, query } },
  ...fields,
});

beforeAll(async () => {
  await cluster.setUp();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  controller = createAnalysisRunController({
    kubeConfig,
    namespace,
    logger: createLogger({ level: 'warn' }),
    metrics: createAnalysisMetrics(registry),
  });
  await controller.start();
});

afterAll(async () => {
  await controller.stop();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await cluster.tearDown();
});

describe('AnalysisRuns on a real control plane, against the real Prometheus', () => {
  it('a healthy success ratio: every measurement on its interval, then Successful', async () => {
    await createRun('healthy', [prometheusMetric('success-rate', 'vector(0.97)', { interval: '1s', count: 3 })]);
    const run = await untilCompleted('healthy');
    expect(run.status).toMatchObject({
      phase: 'Successful',
      runSummary: { count: 1, successful: 1, failed: 0, inconclusive: 0, error: 0 },
    });
    const measurements = run.status?.metricResults?.[0]?.measurements ?? [];
    expect(measurements.map((measurement) => [measurement.phase, measurement.value])).toEqual([
      ['Successful', '[0.97]'],
      ['Successful', '[0.97]'],
      ['Successful', '[0.97]'],
    ]);
    // Measured on the interval: no two in the same second (times are whole seconds, as Argo stores them).
    const starts = measurements.map((measurement) => Date.parse(measurement.startedAt ?? ''));
    expect(new Set(starts).size).toBe(3);
    expect(await untilEvent('healthy', 'AnalysisRunSuccessful: Analysis Completed. Result: Successful')).toContain(
      "MetricSuccessful: Metric 'success-rate' Completed. Result: Successful",
    );
  });

  it('a 35 % success ratio fails the run after failureLimit is exceeded, with a message naming the metric and the limit', async () => {
    await createRun('failing', [prometheusMetric('success-rate', 'vector(0.35)', { interval: '1s', failureLimit: 1 })]);
    const run = await untilCompleted('failing');
    expect(run.status).toMatchObject({
      phase: 'Failed',
      message: 'Metric "success-rate" assessed Failed due to failed (2) > failureLimit (1)',
    });
    expect(run.status?.metricResults?.[0]).toMatchObject({ phase: 'Failed', count: 2, failed: 2 });
    expect(await untilEvent('failing', 'AnalysisRunFailed: Analysis Completed. Result: Failed')).toContain(
      "MetricFailed: Metric 'success-rate' Completed. Result: Failed",
    );
    const exposition = await registry.metrics();
    expect(exposition).toContain(`analysis_run_info{namespace="${namespace}",name="failing",phase="Failed"} 1`);
    expect(exposition).toContain(
      `analysis_run_metric_phase{namespace="${namespace}",name="failing",metric="success-rate",type="prometheus",phase="Failed"} 1`,
    );
  });

  it('an unreachable Prometheus is an Error run whose message says the provider could not be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = String((closed.address() as AddressInfo).port);
    await new Promise((resolve) => closed.close(resolve));
    await createRun('unreachable', [
      {
        name: 'success-rate',
        successCondition: 'result[0] >= 0.9',
        consecutiveErrorLimit: 0,
        provider: { prometheus: { address: `http://127.0.0.1:${port}`, query: 'up' } },
      },
    ]);
    const run = await untilCompleted('unreachable');
    expect(run.status?.phase).toBe('Error');
    expect(run.status?.message).toMatch(
      /^Metric "success-rate" assessed Error due to consecutiveErrors \(1\) > consecutiveErrorLimit \(0\): "Error Message: GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query: unreachable: ECONNREFUSED/u,
    );
  });

  it('a web metric with a header from a Secret, the Secret value never stored', async () => {
    await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'token' }, stringData: { value: 's3cr3t' } } });
    const url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/health`;
    await createRun(
      'web',
      [
        {
          name: 'health',
          successCondition: 'result.healthy == true',
          provider: { web: { url, headers: [{ key: 'Authorization', value: 'Bearer {{args.token}}' }] } },
        },
      ],
      {
        args: [{ name: 'token', valueFrom: { secretKeyRef: { name: 'token', key: 'value' } } }],
      },
    );
    const run = await untilCompleted('web');
    expect(run.status?.phase).toBe('Successful');
    expect(run.status?.metricResults?.[0]?.measurements?.[0]?.value).toBe('{"healthy":true}');
    expect(JSON.stringify(run)).not.toContain('s3cr3t');
  });

  it('a job metric: a Job owned by the run, Successful when it completes (KWOK completes Job pods)', async () => {
    const jobSpec = {
      backoffLimit: 0,
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'e2e', image: 'example.test/e2e:{{args.version}}' }] } },
    };
    await createRun('job', [{ name: 'e2e', provider: { job: { metadata: { labels: { suite: 'e2e' } }, spec: jobSpec } } }], {
      args: [{ name: 'version', value: '7' }],
    });
    const run = await untilCompleted('job');
    expect(run.status?.phase).toBe('Successful');
    const measurement = run.status?.metricResults?.[0]?.measurements?.[0];
    expect(measurement).toMatchObject({ phase: 'Successful', metadata: { 'job-namespace': namespace } });
    const jobs = (await batch.listNamespacedJob({ namespace })).items;
    expect(jobs.map((job) => job.metadata?.name)).toEqual([measurement?.metadata?.['job-name']]);
    expect(jobs[0]?.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'AnalysisRun', name: 'job', controller: true });
    expect(jobs[0]?.metadata?.labels).toMatchObject({ suite: 'e2e' });
    expect(jobs[0]?.spec?.template.spec?.containers[0]?.image).toBe('example.test/e2e:7');
  });

  it('a job metric whose Job fails: the measurement and the run are Failed (the pod exits 1 through a KWOK stage)', async () => {
    const template = {
      metadata: { labels: { [jobOutcomeLabel]: 'failed' } },
      spec: { restartPolicy: 'Never', containers: [{ name: 'e2e', image: 'example.test/e2e:broken' }] },
    };
    await createRun('job-fails', [{ name: 'e2e', provider: { job: { spec: { backoffLimit: 0, template } } } }]);
    const run = await untilCompleted('job-fails');
    expect(run.status?.phase).toBe('Failed');
    expect(run.status?.message).toBe(
      'Metric "e2e" assessed Failed due to failed (1) > failureLimit (0): "Error Message: Job has reached the specified backoff limit"',
    );
    const result = run.status?.metricResults?.[0];
    expect(result).toMatchObject({ name: 'e2e', phase: 'Failed', failed: 1, count: 1 });
    expect(result?.measurements?.[0]?.phase).toBe('Failed');
    const jobs = (await batch.listNamespacedJob({ namespace })).items.filter(
      (job) => job.metadata?.ownerReferences?.[0]?.name === 'job-fails',
    );
    expect(jobs.map((job) => job.status?.conditions?.find((condition) => condition.type === 'Failed')?.status)).toEqual(['True']);
  });

  it('`gradual terminate analysisrun` stops an endless run: Successful, "Run Terminated", no measurement after it', async () => {
    await createRun('endless', [prometheusMetric('success-rate', 'vector(0.99)', { interval: '1s' })]);
    await waitUntil(
      async () =>
        (analysisRunSchema.parse(await custom.getNamespacedCustomObject({ ...api, name: 'endless' })).status?.metricResults?.[0]?.count ??
          0) >= 1,
      {
        what: 'a first measurement of the endless run',
        timeoutMs: 30_000,
        intervalMs: 100,
      },
    );
    const cli = ownCliInvocation();
    const result = await runCommand(
      cli.command,
      [...cli.args, 'terminate', 'analysisrun', 'endless', '--kubeconfig', inject('gradualEnv').kubernetes.kubeconfig, '-n', namespace],
      { cwd: cli.cwd },
    );
    expect(result.stdout).toContain("analysisrun 'endless' terminated");
    const run = await untilCompleted('endless');
    expect(run.status).toMatchObject({ phase: 'Successful', message: 'Run Terminated' });
    const last = run.status?.metricResults?.[0]?.measurements?.at(-1)?.startedAt ?? '';
    expect(Date.parse(last)).toBeLessThanOrEqual(Date.parse(run.status?.completedAt ?? ''));
  });

  it('a missing Secret is an Error run naming the argument and the Secret, with nothing measured', async () => {
    await createRun('no-secret', [prometheusMetric('success-rate', 'vector(1)')], {
      args: [{ name: 'token', valueFrom: { secretKeyRef: { name: 'absent', key: 'value' } } }],
    });
    const run = await untilCompleted('no-secret');
    expect(run.status).toMatchObject({
      phase: 'Error',
      message: 'Unable to resolve metric arguments: arg "token": secret "absent" not found',
    });
    expect(run.status?.metricResults ?? []).toEqual([]);
  });

  it('an unparsable condition is an Error run naming the metric, the field and the column', async () => {
    await createRun('bad-condition', [prometheusMetric('success-rate', 'vector(1)', { successCondition: 'result[0] >=' })]);
    const run = await untilCompleted('bad-condition');
    expect(run.status).toMatchObject({
      phase: 'Error',
      message: 'Analysis spec invalid: metric "success-rate": successCondition "result[0] >=": column 13: unexpected end of expression',
    });
  });

  it('a controller restarted mid-run takes no measurement twice for one interval and loses none', async () => {
    await createRun('restarted', [prometheusMetric('success-rate', 'vector(0.97)', { interval: '2s', count: 5 })]);
    const measured = async () =>
      analysisRunSchema.parse(await custom.getNamespacedCustomObject({ ...api, name: 'restarted' })).status?.metricResults?.[0]
        ?.measurements ?? [];
    await waitUntil(async () => (await measured()).length >= 2, {
      what: 'two measurements before the restart',
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    await controller.stop();
    const stoppedAt = Date.now();
    // Down across an interval boundary: the measurement due meanwhile must be taken once after the restart, not skipped and not doubled.
    await waitUntil(async () => Promise.resolve(Date.now() - stoppedAt >= 2500), {
      what: 'an interval to pass while the controller is down',
      timeoutMs: 10_000,
      intervalMs: 100,
    });
    controller = createAnalysisRunController({
      kubeConfig,
      namespace,
      logger: createLogger({ level: 'warn' }),
      metrics: createAnalysisMetrics(new Registry()),
    });
    await controller.start();
    const run = await untilCompleted('restarted');
    expect(run.status?.phase).toBe('Successful');
    const starts = (run.status?.metricResults?.[0]?.measurements ?? []).map((measurement) => Date.parse(measurement.startedAt ?? ''));
    expect(starts).toHaveLength(5);
    // Whole-second timestamps: a 2 s interval leaves at least 1 s between two measurements, and a double would share its second.
    for (let i = 1; i < starts.length; i++) expect((starts[i] ?? 0) - (starts[i - 1] ?? 0)).toBeGreaterThanOrEqual(1000);
  });
});
