import { createServer } from 'node:http';
import { connect, createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { analysisRunSchema, type AnalysisRun, type Rollout } from '../../src/api/index.js';
import { createAnalysisRunController, type AnalysisRunController } from '../../src/analysis/controller/analysis-run-controller.js';
import { jobOutcomeLabel } from '../../src/local/kwok-nodes.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { createLogger } from '../../src/log/index.js';
import { startMetricBackend, type MetricBackend } from './support/metric-backend.js';
import { withRolloutController } from './support/rollout-controller.js';
import { testCluster } from './support/test-cluster.js';

// Rollouts that analyse themselves, end to end: the Rollout controller creates AnalysisRuns from
// templates, the AnalysisRun controller measures them against the real Prometheus (scraping a
// backend whose error ratio the test sets) or a local HTTP server, and their verdicts move,
// pause or abort the Rollout. Durations are a second or two; waits are bounded polls.
const cluster = testCluster('rollout-analysis');
const { apps, core, custom, namespace, rolloutApi } = cluster;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const environment = inject('gradualEnv');
const runsApi = { group: 'argoproj.io', version: 'v1alpha1', namespace, plural: 'analysisruns' } as const;
const templatesApi = { group: 'argoproj.io', version: 'v1alpha1', namespace, plural: 'analysistemplates' } as const;
withRolloutController(cluster);
let runController: AnalysisRunController;
let backend: MetricBackend;

// The web provider's target: answers { ok } per path, only with the token from the Secret.
const verdicts: Record<string, boolean> = { '/pre': true, '/post': false };
const webServer = createServer((request, response) => {
  response.setHeader('content-type', 'application/json');
  if (request.headers.authorization !== 'Bearer t0ken') {
    response.statusCode = 401;
    response.end('{}');
    return;
  }
  response.end(JSON.stringify({ ok: verdicts[request.url ?? ''] ?? false }));
});

// A TCP proxy in front of Prometheus: closing it is Prometheus becoming unreachable for one metric, without stopping the shared server.
const sockets = new Set<Socket>();
const prometheusProxy: TcpServer = createTcpServer((client) => {
  const target = new URL(environment.prometheus.url);
  const upstream = connect(Number(target.port), target.hostname);
  sockets.add(client).add(upstream);
  client.pipe(upstream).pipe(client);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close).on('close', close);
  upstream.on('error', close).on('close', close);
});

function listenAddress(server: { address(): string | AddressInfo | null }): string {
  return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
}

beforeAll(async () => {
  backend = await startMetricBackend(environment.prometheus.targetsDir);
  await new Promise<void>((resolve) => webServer.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => prometheusProxy.listen(0, '127.0.0.1', resolve));
  runController = createAnalysisRunController({ kubeConfig: cluster.kubeConfig, namespace, logger: createLogger({ level: 'warn' }) });
  await runController.start();
  await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'web-token' }, stringData: { token: 't0ken' } } });
  // Prometheus picks up new scrape targets on its own schedule; wait until the backend's ratio is queryable.
  await waitUntil(async () => (await queryPrometheus(backend.successRatioQuery('4s'))) === '1', {
    what: 'Prometheus to scrape the test backend',
    timeoutMs: 60_000,
    intervalMs: 250,
  });
}, 90_000);

afterAll(async () => {
  await runController.stop();
  await backend.stop();
  webServer.closeAllConnections();
  await new Promise((resolve) => webServer.close(resolve));
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => prometheusProxy.close(resolve));
});

async function queryPrometheus(promql: string): Promise<string | undefined> {
  const url = new URL('/api/v1/query', environment.prometheus.url);
  url.searchParams.set('query', promql);
  const body = (await (await fetch(url)).json()) as { data?: { result?: { value: [number, string] }[] } };
  return body.data?.result?.[0]?.value[1];
}

function successRateTemplate(name: string, metric: Record<string, unknown>): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name, namespace },
    spec: {
      args: [{ name: 'address' }],
      metrics: [
        {
          name: 'success-rate',
          successCondition: 'result[0] >= 0.90',
          provider: { prometheus: { address: '{{args.address}}', query: backend.successRatioQuery('3s') } },
          ...metric,
        },
      ],
    },
  };
}

function canary(name: string, strategy: Record<string, unknown>): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name, namespace },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: `example.test/${name}:blue` }] } },
      strategy: { canary: strategy },
    },
  };
}

async function setImage(name: string, image: string): Promise<void> {
  await custom.patchNamespacedCustomObject(
    { ...rolloutApi, name, body: { spec: { template: { spec: { containers: [{ name: 'app', image }] } } } } },
    mergePatch,
  );
}

async function readRun(name: string): Promise<AnalysisRun> {
  return analysisRunSchema.parse(await custom.getNamespacedCustomObject({ ...runsApi, name }));
}

async function sizes(name: string): Promise<Record<string, number>> {
  const all = (await apps.listNamespacedReplicaSet({ namespace, labelSelector: `app=${name}` })).items;
  return Object.fromEntries(all.map((rs) => [rs.metadata?.labels?.['rollouts-pod-template-hash'] ?? '', rs.spec?.replicas ?? 0]));
}

async function healthy(name: string): Promise<Rollout> {
  return cluster.untilRollout(
    name,
    `${name} to be Healthy`,
    (r) => r.status?.phase === 'Healthy' && r.status.stableRS === r.status.currentPodHash,
  );
}

describe('Rollouts with analysis, against the real Prometheus', () => {
  it("(a) the seed's template — initialDelay, interval, failureLimit 3 — passes while errors are 0, and the canary completes", async () => {
    backend.setErrorRatio(0);
    await custom.createNamespacedCustomObject({
      ...templatesApi,
      body: successRateTemplate('seed-rate', { initialDelay: '1s', interval: '1s', count: 3, failureLimit: 3 }),
    });
    await custom.createNamespacedCustomObject({
      ...rolloutApi,
      body: canary('seed', {
        steps: [
          { setWeight: 50 },
          { analysis: { templates: [{ templateName: 'seed-rate' }], args: [{ name: 'address', value: environment.prometheus.url }] } },
        ],
      }),
    });
    const first = await healthy('seed');
    await setImage('seed', 'example.test/seed:yellow');
    const done = await cluster.untilRollout(
      'seed',
      'the analysed canary to complete',
      (r) => r.status?.phase === 'Healthy' && r.status.stableRS !== first.status?.stableRS && r.status.stableRS === r.status.currentPodHash,
    );
    const hash = done.status?.currentPodHash ?? '';
    expect(done.status?.currentStepIndex).toBe(2);
    expect(done.status?.canary?.currentStepAnalysisRunStatus).toBeUndefined();

    // Argo's name and labels: <rollout>-<hash>-<revision>-<step index>.
    const run = await readRun(`seed-${hash}-2-1`);
    expect(run.metadata?.labels).toMatchObject({
      'rollout-type': 'Step',
      'step-index': '1',
      'rollouts-pod-template-hash': hash,
      app: 'seed',
    });
    expect(run.metadata?.annotations).toMatchObject({ 'rollout.argoproj.io/revision': '2' });
    expect(run.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Rollout', name: 'seed', controller: true });
    expect(run.status?.phase).toBe('Successful');
    const measurements = run.status?.metricResults?.[0]?.measurements ?? [];
    expect(measurements.map((measurement) => measurement.phase)).toEqual(['Successful', 'Successful', 'Successful']);
    expect(measurements.map((measurement) => measurement.value)).toEqual(['[1]', '[1]', '[1]']);
    const lines = await cluster.untilEventLines('seed', 'the AnalysisRunSuccessful Event', (candidate) =>
      candidate.some((line) => line.startsWith('AnalysisRunSuccessful: ')),
    );
    expect(lines.filter((line) => line.startsWith('AnalysisRun'))).toEqual([
      `AnalysisRunRunning: Step Analysis Run 'seed-${hash}-2-1' Status New: 'Running' Previous: ''`,
      `AnalysisRunSuccessful: Step Analysis Run 'seed-${hash}-2-1' Status New: 'Successful' Previous: 'Running'`,
    ]);
    expect(lines).toContain('RolloutStepCompleted: Rollout step 2/2 completed (analysis)');
  });

  it('(b) errors raised to 65 % mid-canary: the background run fails after failureLimit + 1 bad measurements and the rollout aborts, naming the metric, the value and the condition', async () => {
    backend.setErrorRatio(0);
    await custom.createNamespacedCustomObject({
      ...templatesApi,
      body: successRateTemplate('background-rate', { interval: '1s', failureLimit: 2 }),
    });
    await custom.createNamespacedCustomObject({
      ...rolloutApi,
      body: canary('errors', {
        analysis: { templates: [{ templateName: 'background-rate' }], args: [{ name: 'address', value: environment.prometheus.url }] },
        steps: [{ setWeight: 50 }, { pause: {} }],
      }),
    });
    const first = await healthy('errors');
    const stable = first.status?.stableRS ?? '';
    await setImage('errors', 'example.test/errors:yellow');
    const paused = await cluster.untilRollout(
      'errors',
      'the canary to pause with its background run measuring',
      (r) => r.status?.phase === 'Paused' && r.status.canary?.currentBackgroundAnalysisRunStatus?.status === 'Running',
    );
    const canaryHash = paused.status?.currentPodHash ?? '';
    const runName = paused.status?.canary?.currentBackgroundAnalysisRunStatus?.name ?? '';
    expect(runName).toBe(`errors-${canaryHash}-2`);
    expect((await readRun(runName)).metadata?.labels).toMatchObject({
      'rollout-type': 'Background',
      'rollouts-pod-template-hash': canaryHash,
    });

    backend.setErrorRatio(0.65);
    const aborted = await cluster.untilRollout(
      'errors',
      'the rollout to abort',
      (r) => r.status?.phase === 'Degraded' && r.status.abort === true,
    );
    const run = await readRun(runName);
    expect(run.status?.phase).toBe('Failed');
    expect(run.status?.metricResults?.[0]?.failed).toBe(3);
    expect(aborted.status?.message).toMatch(
      /^RolloutAborted: Rollout aborted update to revision 2: Background analysis phase error\/failed: Metric "success-rate" assessed Failed due to failed \(3\) > failureLimit \(2\) \(success-rate measured \[0\.\d+\]; successCondition: result\[0\] >= 0\.90\)$/u,
    );
    await waitUntil(async () => (await sizes('errors'))[canaryHash] === 0, {
      what: 'the canary ReplicaSet scaled to 0',
      timeoutMs: 30_000,
    });
    expect(await sizes('errors')).toEqual({ [stable]: 2, [canaryHash]: 0 });
    const lines = await cluster.untilEventLines(
      'errors',
      'the AnalysisRunFailed and RolloutAborted Events',
      (candidate) =>
        candidate.some((line) => line.startsWith('AnalysisRunFailed: ')) && candidate.some((line) => line.startsWith('RolloutAborted: ')),
    );
    expect(lines).toContain(`AnalysisRunFailed: Background Analysis Run '${runName}' Status New: 'Failed' Previous: 'Running'`);
    expect(lines.some((line) => line.startsWith('RolloutAborted: '))).toBe(true);
  });

  it('(c) Prometheus unreachable mid-run: Error measurements, the run errs after consecutiveErrorLimit and the rollout aborts saying so', async () => {
    backend.setErrorRatio(0);
    // A constant query: this case is about reaching Prometheus, and the backend's rate window may still hold (b)'s errors.
    const reachability = {
      interval: '1s',
      consecutiveErrorLimit: 1,
      provider: { prometheus: { address: '{{args.address}}', query: 'vector(1)' } },
    };
    await custom.createNamespacedCustomObject({ ...templatesApi, body: successRateTemplate('proxied-rate', reachability) });
    await custom.createNamespacedCustomObject({
      ...rolloutApi,
      body: canary('unreachable', {
        analysis: { templates: [{ templateName: 'proxied-rate' }], args: [{ name: 'address', value: listenAddress(prometheusProxy) }] },
        steps: [{ setWeight: 50 }, { pause: {} }],
      }),
    });
    await healthy('unreachable');
    await setImage('unreachable', 'example.test/unreachable:yellow');
    const paused = await cluster.untilRollout(
      'unreachable',
      'the background run to measure through the proxy',
      (r) => r.status?.phase === 'Paused' && r.status.canary?.currentBackgroundAnalysisRunStatus?.status === 'Running',
    );
    const runName = paused.status?.canary?.currentBackgroundAnalysisRunStatus?.name ?? '';
    await waitUntil(async () => ((await readRun(runName)).status?.metricResults?.[0]?.successful ?? 0) >= 1, {
      what: 'a successful measurement through the proxy',
      timeoutMs: 20_000,
    });
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => prometheusProxy.close(resolve));

    const aborted = await cluster.untilRollout(
      'unreachable',
      'the rollout to abort on the provider error',
      (r) => r.status?.phase === 'Degraded' && r.status.abort === true,
    );
    const run = await readRun(runName);
    expect(run.status?.phase).toBe('Error');
    expect(run.status?.metricResults?.[0]?.consecutiveError).toBe(2);
    expect(aborted.status?.message).toMatch(
      /Background analysis phase error\/failed: Metric "success-rate" assessed Error due to consecutiveErrors \(2\) > consecutiveErrorLimit \(1\): "Error Message: GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query: unreachable: ECONNREFUSED/u,
    );
  });

  it('(e) a job metric whose Job fails: the step analysis fails and the canary aborts back to stable', async () => {
    const podTemplate = {
      metadata: { labels: { [jobOutcomeLabel]: 'failed' } },
      spec: { restartPolicy: 'Never', containers: [{ name: 'smoke', image: 'example.test/smoke:1' }] },
    };
    await custom.createNamespacedCustomObject({
      ...templatesApi,
      body: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AnalysisTemplate',
        metadata: { name: 'smoke-test', namespace },
        spec: { metrics: [{ name: 'smoke', provider: { job: { spec: { backoffLimit: 0, template: podTemplate } } } }] },
      },
    });
    await custom.createNamespacedCustomObject({
      ...rolloutApi,
      body: canary('smoke', {
        steps: [{ setWeight: 50 }, { analysis: { templates: [{ templateName: 'smoke-test' }] } }, { setWeight: 100 }],
      }),
    });
    const first = await healthy('smoke');
    await setImage('smoke', 'example.test/smoke:yellow');
    const aborted = await cluster.untilRollout(
      'smoke',
      'the canary to abort on the failed Job',
      (r) => r.status?.phase === 'Degraded' && r.status.abort === true,
    );
    expect(aborted.status?.message).toBe(
      'RolloutAborted: Rollout aborted update to revision 2: Step-based analysis phase error/failed: Metric "smoke" assessed Failed due to failed (1) > failureLimit (0): "Error Message: Job has reached the specified backoff limit"',
    );
    // The abort's next reconcile drops the step run from the status (Argo's reconcileAnalysisRuns): find it by owner and type.
    const runs = ((await custom.listNamespacedCustomObject({ ...runsApi })) as { items: AnalysisRun[] }).items.filter(
      (run) => run.metadata?.ownerReferences?.[0]?.name === 'smoke' && run.metadata.labels?.['rollout-type'] === 'Step',
    );
    expect(runs.map((run) => run.status?.phase)).toEqual(['Failed']);
    await waitUntil(
      async () => {
        const counts = await sizes('smoke');
        return counts[aborted.status?.currentPodHash ?? ''] === 0 && counts[first.status?.stableRS ?? ''] === 2;
      },
      { what: 'the canary ReplicaSet scaled to 0 and the stable back to 2', timeoutMs: 20_000 },
    );
  });

  it('an analysis naming a template that does not exist is an InvalidSpec naming it; nothing else of the rollout changes', async () => {
    await custom.createNamespacedCustomObject({ ...rolloutApi, body: canary('missing', { steps: [{ setWeight: 50 }] }) });
    const first = await healthy('missing');
    const before = await sizes('missing');
    await custom.patchNamespacedCustomObject(
      {
        ...rolloutApi,
        name: 'missing',
        body: {
          spec: {
            template: { spec: { containers: [{ name: 'app', image: 'example.test/missing:yellow' }] } },
            strategy: { canary: { steps: [{ setWeight: 50 }, { analysis: { templates: [{ templateName: 'nowhere' }] } }] } },
          },
        },
      },
      mergePatch,
    );
    const invalid = await cluster.untilRollout('missing', 'the InvalidSpec condition', (r) =>
      (r.status?.conditions ?? []).some((condition) => condition.type === 'InvalidSpec'),
    );
    expect(invalid.status?.conditions?.find((condition) => condition.type === 'InvalidSpec')?.message).toBe(
      `The Rollout "missing" is invalid: spec.strategy.canary.steps[1].analysis.templates: AnalysisTemplate 'nowhere' not found`,
    );
    expect(invalid.status?.stableRS).toBe(first.status?.stableRS);
    expect(await sizes('missing')).toEqual(before);
    const runs = (await custom.listNamespacedCustomObject({ ...runsApi })) as { items: AnalysisRun[] };
    expect(runs.items.filter((run) => run.metadata?.ownerReferences?.[0]?.name === 'missing')).toEqual([]);
  });
});

describe('blue-green with pre- and post-promotion analysis (web provider, secret header)', () => {
  function webTemplate(name: string, path: string, extra: Record<string, unknown>): object {
    return {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name, namespace },
      spec: {
        args: [{ name: 'token', valueFrom: { secretKeyRef: { name: 'web-token', key: 'token' } } }],
        metrics: [
          {
            name: 'health',
            successCondition: 'result == true',
            provider: {
              web: {
                url: `${listenAddress(webServer)}${path}`,
                headers: [{ key: 'Authorization', value: 'Bearer {{args.token}}' }],
                jsonPath: '{$.ok}',
              },
            },
            ...extra,
          },
        ],
      },
    };
  }

  beforeAll(async () => {
    // The pre-promotion check waits 2 s before its one measurement: long enough to see the switch held back.
    await custom.createNamespacedCustomObject({
      ...templatesApi,
      body: webTemplate('pre-health', '/pre', { initialDelay: '2s', count: 1 }),
    });
    await custom.createNamespacedCustomObject({ ...templatesApi, body: webTemplate('post-health', '/post', { count: 1 }) });
    for (const service of ['bg-active', 'bg-preview']) {
      await core.createNamespacedService({
        namespace,
        body: { metadata: { name: service }, spec: { selector: { app: 'bg' }, ports: [{ port: 80 }] } },
      });
    }
  });

  async function activeSelector(): Promise<string | undefined> {
    return (await core.readNamespacedService({ name: 'bg-active', namespace })).spec?.selector?.['rollouts-pod-template-hash'];
  }

  it('(f) pre-promotion analysis holds the switch until it succeeds; a failed post-promotion analysis switches back', async () => {
    await custom.createNamespacedCustomObject({
      ...rolloutApi,
      body: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: { name: 'bg', namespace },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'bg' } },
          template: { metadata: { labels: { app: 'bg' } }, spec: { containers: [{ name: 'app', image: 'example.test/bg:blue' }] } },
          strategy: {
            blueGreen: {
              activeService: 'bg-active',
              previewService: 'bg-preview',
              prePromotionAnalysis: { templates: [{ templateName: 'pre-health' }] },
              postPromotionAnalysis: { templates: [{ templateName: 'post-health' }] },
            },
          },
        },
      },
    });
    const first = await healthy('bg');
    const blue = first.status?.stableRS ?? '';
    expect(await activeSelector()).toBe(blue);

    await setImage('bg', 'example.test/bg:green');
    const analysing = await cluster.untilRollout(
      'bg',
      'pre-promotion analysis to start',
      (r) => r.status?.blueGreen?.prePromotionAnalysisRunStatus?.status === 'Running',
    );
    const green = analysing.status?.currentPodHash ?? '';
    expect(analysing.status?.blueGreen?.prePromotionAnalysisRunStatus?.name).toBe(`bg-${green}-2-pre`);
    // Measuring (its initial delay): the preview is up, the active Service still selects blue.
    expect(await activeSelector()).toBe(blue);
    expect((await core.readNamespacedService({ name: 'bg-preview', namespace })).spec?.selector?.['rollouts-pod-template-hash']).toBe(
      green,
    );

    const aborted = await cluster.untilRollout(
      'bg',
      'post-promotion analysis to fail and abort',
      (r) => r.status?.abort === true && r.status.phase === 'Degraded',
    );
    const pre = await readRun(`bg-${green}-2-pre`);
    expect(pre.status?.phase).toBe('Successful');
    expect(pre.metadata?.labels).toMatchObject({ 'rollout-type': 'PrePromotion' });
    const post = await readRun(`bg-${green}-2-post`);
    expect(post.status?.phase).toBe('Failed');
    expect(post.metadata?.labels).toMatchObject({ 'rollout-type': 'PostPromotion' });
    expect(aborted.status?.message).toMatch(
      /^RolloutAborted: Rollout aborted update to revision 2: Blue\/green post-promotion analysis phase error\/failed: Metric "health" assessed Failed/u,
    );
    // Switched back: blue is active and stable again, and was never scaled down while the analysis ran.
    await waitUntil(async () => (await activeSelector()) === blue, { what: 'the active Service back on blue', timeoutMs: 30_000 });
    expect(aborted.status?.stableRS).toBe(blue);
    expect((await sizes('bg'))[blue]).toBe(2);
  });
});
