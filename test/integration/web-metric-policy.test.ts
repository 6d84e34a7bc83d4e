import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalysisRunController, type AnalysisRunController } from '../../src/analysis/controller/analysis-run-controller.js';
import { analysisRunSchema, type AnalysisRun, type Metric } from '../../src/api/index.js';
import { noticeFor } from '../../src/gitops/report/notice.js';
import { renderRolloutCheck } from '../../src/gitops/report/render-rollout-check.js';
import { renderStickyComment } from '../../src/gitops/report/sticky-comment.js';
import { canaryWeb, input, replicaSets, runName } from '../../src/gitops/report/testing/report-fixtures.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { createLogger } from '../../src/log/index.js';
import { testCluster } from './support/test-cluster.js';

/*
 * The web metric under the outbound policy, on the real control plane: the AnalysisRun
 * controller in this process (its default policy, as `gradual controller` runs it), local
 * HTTP servers on 127.0.0.1 and 127.0.0.2 (loopback only), a Secret read for an argument.
 * A redirect to another host, a 100 MB answer and an echoed Secret, each read back from the
 * stored AnalysisRun, rendered through the report code and looked for in the controller's log.
 */
const cluster = testCluster('web-policy');
const { kubeConfig, core, custom, namespace } = cluster;
const api = { group: 'argoproj.io', version: 'v1alpha1', namespace, plural: 'analysisruns' } as const;

// A space, a non-ASCII letter, "/", "+" and "=": each encodes differently in a path, a form, base64 and JSON.
const secret = 'tök 3f9a/s3cr3t+v=';
const secretForms = [
  secret,
  encodeURIComponent(secret),
  encodeURI(secret),
  new URLSearchParams({ s: secret }).toString().slice(2),
  Buffer.from(secret).toString('base64'),
  Buffer.from(secret).toString('base64url'),
  JSON.stringify(secret).slice(1, -1),
  // The secret's own characters inside "Bearer <secret>" base64-encoded.
  Buffer.from(`Bearer ${secret}`).toString('base64').slice(10, 26),
  's3cr3t',
];

let controller: AnalysisRunController;
const logs: string[] = [];
const logStream = new PassThrough();
logStream.on('data', (chunk: Buffer) => logs.push(chunk.toString('utf8')));

let origin = '';
let elsewhere: Server;
let elsewherePort = 0;
const elsewhereRequests: string[] = [];
const huge = { bytesSent: 0, closedEarly: false, finished: false };

const server = createServer((request, response) => {
  const url = request.url ?? '';
  if (url === '/redirect') {
    response.writeHead(302, { location: `http://127.0.0.2:${String(elsewherePort)}/stolen` });
    response.end();
  } else if (url === '/huge') {
    // 100 MB in 64 KiB chunks, written only as fast as the client's socket takes them.
    const chunk = Buffer.alloc(64 * 1024, 0x31);
    let left = 1600;
    const pump = (): void => {
      while (left > 0) {
        left -= 1;
        huge.bytesSent += chunk.length;
        if (!response.write(chunk)) {
          response.once('drain', pump);
          return;
        }
      }
      huge.finished = true;
      response.end();
    };
    response.once('close', () => {
      huge.closedEarly = left > 0;
    });
    response.setHeader('content-type', 'application/json');
    pump();
  } else if (url.startsWith('/echo/')) {
    // A metric server that echoes what it was sent, in the forms a hostile one would use.
    const authorization = request.headers.authorization ?? '';
    response.setHeader('content-type', 'application/json');
    response.end(
      JSON.stringify({ authorization, path: url, base64: Buffer.from(authorization).toString('base64'), decoded: decodeURIComponent(url) }),
    );
  } else if (url.startsWith('/fail/')) {
    response.statusCode = 500;
    response.end(JSON.stringify({ error: `no such token ${request.headers.authorization ?? ''}` }));
  } else {
    response.statusCode = 404;
    response.end('{}');
  }
});

async function createRun(name: string, metrics: Metric[], spec: Partial<AnalysisRun['spec']> = {}): Promise<void> {
  await custom.createNamespacedCustomObject({
    ...api,
    body: { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun', metadata: { name }, spec: { metrics, ...spec } },
  });
}

async function untilCompleted(name: string): Promise<{ run: AnalysisRun; raw: unknown }> {
  let raw: unknown;
  let run: AnalysisRun | undefined;
  await waitUntil(
    async () => {
      raw = await custom.getNamespacedCustomObject({ ...api, name });
      run = analysisRunSchema.parse(raw);
      return ['Successful', 'Failed', 'Error', 'Inconclusive'].includes(run.status?.phase ?? '');
    },
    { what: `AnalysisRun ${name} to complete`, timeoutMs: 60_000, intervalMs: 100 },
  );
  if (run === undefined) throw new Error(name);
  return { run, raw };
}

const webMetric = (name: string, path: string, fields: Partial<NonNullable<Metric['provider']['web']>> = {}): Metric => ({
  name,
  count: 1,
  consecutiveErrorLimit: 0,
  provider: { web: { url: `${origin}${path}`, ...fields } },
});

beforeAll(async () => {
  await cluster.setUp();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  elsewhere = createServer((request, response) => {
    elsewhereRequests.push(request.url ?? '');
    response.end('{"stolen":true}');
  });
  await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.2', resolve));
  elsewherePort = (elsewhere.address() as AddressInfo).port;
  // The most verbose level the controller logs at, into a stream this test reads.
  controller = createAnalysisRunController({ kubeConfig, namespace, logger: createLogger({ level: 'trace', destination: logStream }) });
  await controller.start();
});

afterAll(async () => {
  await controller.stop();
  for (const each of [server, elsewhere]) {
    each.closeAllConnections();
    await new Promise((resolve) => each.close(resolve));
  }
  await cluster.tearDown();
});

describe('web metrics under the outbound policy, on a real control plane', () => {
  it('a redirect to another loopback host (127.0.0.2) is an Error measurement that says so, and that host gets no request', async () => {
    await createRun('redirect', [webMetric('redirected', '/redirect')]);
    const { run } = await untilCompleted('redirect');
    const measurement = run.status?.metricResults?.[0]?.measurements?.[0];
    expect(run.status?.phase).toBe('Error');
    expect(measurement).toMatchObject({
      phase: 'Error',
      message: `GET ${origin}/redirect: redirected to another host (http://127.0.0.2:${String(elsewherePort)}); metric providers follow redirects only within the same scheme, host and port`,
    });
    expect(elsewhereRequests).toEqual([]);
  });

  it('a 100 MB answer is an Error measurement that names the cap, and the connection is destroyed long before 100 MB were sent', async () => {
    await createRun('huge', [webMetric('huge', '/huge')]);
    const { run } = await untilCompleted('huge');
    expect(run.status?.metricResults?.[0]?.measurements?.[0]).toMatchObject({
      phase: 'Error',
      message: `GET ${origin}/huge: the response is more than the 1048576 bytes a metric may read; stopped reading`,
    });
    await waitUntil(() => Promise.resolve(huge.closedEarly), {
      what: 'the server to see its connection closed',
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    console.log(
      `web metric cap: 1 MiB; the server had written ${String(huge.bytesSent)} of 104857600 bytes when the controller closed the connection`,
    );
    expect(huge.finished).toBe(false);
    // The cap, plus what the two sockets' kernel buffers had taken: far from 100 MB.
    expect(huge.bytesSent).toBeLessThan(32 * 1024 * 1024);
  });

  it('an echoed Secret argument is never stored in the AnalysisRun, rendered in a check run or comment, or logged', async () => {
    await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'metric-token' }, stringData: { token: secret } } });
    const args = [{ name: 'token', valueFrom: { secretKeyRef: { name: 'metric-token', key: 'token' } } }];
    const headers = [{ key: 'Authorization', value: 'Bearer {{args.token}}' }];
    await createRun(
      'echo',
      [
        webMetric('echo', '/echo/{{args.token}}', { headers }),
        webMetric('fails', '/fail/{{args.token}}?token={{args.token}}', { headers }),
      ],
      { args },
    );
    const { run, raw } = await untilCompleted('echo');
    const [echo, fails] = run.status?.metricResults ?? [];
    // The server did get the secret (the request was sent), and answered with it in every form.
    expect(echo?.measurements?.[0]?.phase).toBe('Successful');
    expect(echo?.measurements?.[0]?.value).toContain('*****');
    expect(fails?.measurements?.[0]).toMatchObject({ phase: 'Error' });
    expect(fails?.measurements?.[0]?.message).toContain(`received non 2xx response code: 500 from ${origin}/fail/*****`);

    // The report, rendered from the stored run as the bot renders it for the check run and the sticky comment.
    const rollout = canaryWeb({
      currentStepIndex: 2,
      abort: true,
      abortedAt: '2026-11-24T00:15:22Z',
      phase: 'Degraded',
      message: `RolloutAborted: ${run.status?.message ?? ''}`,
      canary: { currentStepAnalysisRunStatus: { name: runName, status: 'Error' } },
    });
    const stored: AnalysisRun = {
      ...run,
      metadata: {
        ...run.metadata,
        name: runName,
        labels: { 'rollouts-pod-template-hash': '7d9f8c6b4' },
        annotations: { 'rollout.argoproj.io/revision': '2' },
      },
    };
    const report = input(rollout, { analysisRuns: [stored], replicaSets: replicaSets(0, 5) });
    const check = renderRolloutCheck(report);
    const rendered = [
      check.title,
      check.summary,
      check.text ?? '',
      noticeFor(report)?.body ?? '',
      renderStickyComment({ pullRequest: report.pullRequest, rollouts: [report] }),
    ].join('\n');
    // The values made it into the report (so the search below can fail), masked.
    expect(rendered).toContain('*****');

    const places = {
      'the stored AnalysisRun': JSON.stringify(raw),
      'the rendered check run and comment': rendered,
      "the controller's log": logs.join(''),
    };
    for (const [place, text] of Object.entries(places)) {
      for (const form of secretForms) expect({ place, form, found: text.includes(form) }).toEqual({ place, form, found: false });
    }
    expect(logs.join('')).toContain('"analysisRun":"echo"');
  });
});
