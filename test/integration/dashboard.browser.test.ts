import { mkdir } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analysisRunSchema } from '../../src/api/index.js';
import { createAnalysisRunController, type AnalysisRunController } from '../../src/analysis/controller/analysis-run-controller.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/index.js';
import { createLogger } from '../../src/log/index.js';
import { withRolloutController } from './support/rollout-controller.js';
import { testCluster } from './support/test-cluster.js';

// The dashboard in the real Chromium, on the real control plane with the engine running: a
// canary paused at step 2 of 7 is shown so, Promote moves it on (the page follows by SSE,
// without reloading), and the step analysis's chart has one point per measurement.
const cluster = testCluster('dashboard');
const { custom, namespace, rolloutApi } = cluster;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
// The dashboards' log, kept to sweep for the action token afterwards (and echoed to stderr as before).
const dashboardLog: string[] = [];
const logger = createLogger({
  level: 'info',
  destination: new Writable({
    write(chunk: Buffer, _encoding, done) {
      dashboardLog.push(chunk.toString('utf8'));
      process.stderr.write(chunk, () => {
        done();
      });
    },
  }),
});
withRolloutController(cluster);

/** A GET with a Host header of the test's choosing (fetch would set its own). */
function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const request = httpRequest(url, { headers: { host } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        done({ status: response.statusCode ?? 0, body });
      });
    });
    request.on('error', fail);
    request.end();
  });
}

// The web metric's target: a score that rises by 0.01 per measurement from 0.95.
let served = 0;
const scoreServer = createServer((_request, response) => {
  served += 1;
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify({ score: 0.94 + served / 100 }));
});

let runController: AnalysisRunController;
let withActions: Dashboard;
let readOnly: Dashboard;
let browser: Browser;
let stableHash = '';

const steps = [
  { setWeight: 20 },
  { pause: {} },
  { setWeight: 40 },
  { analysis: { templates: [{ templateName: 'score' }] } },
  { setWeight: 60 },
  { pause: {} },
  { setWeight: 80 },
];

beforeAll(async () => {
  await new Promise<void>((done) => scoreServer.listen(0, '127.0.0.1', done));
  const scoreUrl = `http://127.0.0.1:${String((scoreServer.address() as AddressInfo).port)}/score`;
  runController = createAnalysisRunController({ kubeConfig: cluster.kubeConfig, namespace, logger });
  await runController.start();
  await custom.createNamespacedCustomObject({
    group: 'argoproj.io',
    version: 'v1alpha1',
    namespace,
    plural: 'analysistemplates',
    body: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: 'score', namespace },
      spec: {
        metrics: [
          {
            name: 'score',
            interval: '1s',
            count: 3,
            successCondition: 'result >= 0.90',
            provider: { web: { url: scoreUrl, jsonPath: '{$.score}' } },
          },
        ],
      },
    },
  });
  await custom.createNamespacedCustomObject({
    ...rolloutApi,
    body: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'web', namespace },
      spec: {
        replicas: 5,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'example.test/web:blue' }] } },
        strategy: { canary: { steps } },
      },
    },
  });
  const healthy = await cluster.untilRollout(
    'web',
    'web to be Healthy',
    (r) => r.status?.phase === 'Healthy' && r.status.stableRS === r.status.currentPodHash,
  );
  stableHash = healthy.status?.stableRS ?? '';
  await custom.patchNamespacedCustomObject(
    {
      ...rolloutApi,
      name: 'web',
      body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'example.test/web:yellow' }] } } } },
    },
    mergePatch,
  );
  await cluster.untilRollout('web', 'web to pause at step 2', (r) => r.status?.phase === 'Paused' && r.status.currentStepIndex === 1);
  withActions = await startDashboard({
    kubeConfig: cluster.kubeConfig,
    port: 0,
    host: '127.0.0.1',
    enableActions: true,
    logger,
    namespace,
  });
  readOnly = await startDashboard({ kubeConfig: cluster.kubeConfig, port: 0, host: '127.0.0.1', enableActions: false, logger, namespace });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
}, 300_000);

afterAll(async () => {
  // Each may be missing when beforeAll failed part-way.
  await (browser as Browser | undefined)?.close();
  await (withActions as Dashboard | undefined)?.stop();
  await (readOnly as Dashboard | undefined)?.stop();
  await (runController as AnalysisRunController | undefined)?.stop();
  scoreServer.closeAllConnections();
  await new Promise((done) => scoreServer.close(done));
});

describe('the dashboard in Chromium', { timeout: 120_000 }, () => {
  it('lists the rollout, shows it paused at step 2 of 7, Promote moves it on live, and the analysis chart has one point per measurement', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));

    // The URL the dashboard prints, with the action token in its fragment; the page keeps it for the tab and takes it out of the address bar.
    expect(withActions.openUrl).toBe(`${withActions.url}/#token=${withActions.actionToken ?? 'missing'}`);
    await page.goto(withActions.openUrl);
    await page.waitForURL(`${withActions.url}/`);
    const row = page.locator(`table.rollouts tr[data-rollout="${namespace}/web"]`);
    await row.waitFor();
    expect(await row.locator('td').nth(4).textContent()).toBe('1/7');

    await row.locator('a').click();
    const article = page.locator('article.rollout[data-step="2"]');
    await article.waitFor();
    expect(await page.locator('.step-position').textContent()).toBe('step 2 of 7');
    expect(await page.locator('article.rollout .summary .status').textContent()).toBe('Paused');
    const states: (string | null)[] = [];
    for (const item of await page.locator('ol.steps li').all()) states.push(await item.getAttribute('data-state'));
    expect(states).toEqual(['done', 'current', 'pending', 'pending', 'pending', 'pending', 'pending']);
    expect(await page.locator('ol.steps li.current').textContent()).toContain('pause');
    expect(await page.locator('.canary-weight').textContent()).toBe('canary 20%');
    expect(await page.locator('.replica-set').count()).toBe(2);
    expect(await page.locator('button[data-action]').allTextContents()).toEqual(['Promote', 'Promote full', 'Abort', 'Retry', 'Restart']);

    // A mark on the window: still there afterwards proves the page changed by SSE, not by a reload.
    await page.evaluate(() => {
      (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    await page.locator('button[data-action="promote"]').click();
    await page.locator('.action-result.ok').waitFor();
    const promoted = await cluster.untilRollout(
      'web',
      'web to pass the analysis and pause at step 6',
      (r) => r.status?.phase === 'Paused' && r.status.currentStepIndex === 5,
    );
    expect(promoted.status?.stableRS).toBe(stableHash);
    await page.locator('article.rollout[data-step="6"]').waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await page.locator('ol.steps li.current').textContent()).toContain('pause');
    expect(await page.locator('.canary-weight').textContent()).toBe('canary 60%');

    const runs = (await custom.listNamespacedCustomObject({
      group: 'argoproj.io',
      version: 'v1alpha1',
      namespace,
      plural: 'analysisruns',
    })) as { items: unknown[] };
    const run = analysisRunSchema.parse(runs.items[0]);
    expect(runs.items).toHaveLength(1);
    expect(run.status?.phase).toBe('Successful');
    const measurements = run.status?.metricResults?.[0]?.measurements ?? [];
    expect(measurements).toHaveLength(3);
    const chart = page.locator(
      `.analysis-run[data-run="${run.metadata?.name ?? ''}"][data-phase="Successful"] .metric-chart[data-metric="score"]`,
    );
    await chart.locator('.plot[data-drawn="3"]').waitFor();
    expect(await chart.getAttribute('data-points')).toBe(String(measurements.length));
    expect(await chart.locator('tr.measurement td:nth-child(2)').allTextContents()).toEqual(measurements.map((m) => m.value));
    expect(await chart.locator('figcaption code').textContent()).toBe('result >= 0.90');
    expect(await chart.locator('canvas').count()).toBe(1);

    await mkdir(resolve('docs'), { recursive: true });
    // docs/dashboard.png comes from the real demo (demo-walkthrough.browser.test.ts); this one is kept for a person to look at.
    await mkdir(resolve('test-artifacts'), { recursive: true });
    await page.screenshot({ path: resolve('test-artifacts/dashboard.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('without --enable-actions: no buttons, and the action endpoint answers 403 and changes nothing', async () => {
    const before = await cluster.readRollout('web');
    const page = await browser.newPage();
    await page.goto(`${readOnly.url}/rollouts/${namespace}/web`);
    await page.locator('article.rollout').waitFor();
    expect(await page.locator('button[data-action]').count()).toBe(0);

    for (const action of ['promote', 'promote-full', 'abort', 'retry', 'restart']) {
      const response = await fetch(`${readOnly.url}/api/rollouts/${namespace}/web/actions/${action}`, {
        method: 'POST',
        headers: { 'x-gradual-action': action },
      });
      expect([action, response.status]).toEqual([action, 403]);
      expect(((await response.json()) as { error: string }).error).toMatch(/--enable-actions/u);
    }
    const after = await cluster.readRollout('web');
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    expect(after.status?.currentStepIndex).toBe(5);
  });

  it('with actions, refuses a cross-origin request and one without the header', async () => {
    const before = await cluster.readRollout('web');
    const crossOrigin = await fetch(`${withActions.url}/api/rollouts/${namespace}/web/actions/abort`, {
      method: 'POST',
      headers: { 'x-gradual-action': 'abort', origin: 'http://evil.example' },
    });
    expect(crossOrigin.status).toBe(403);
    const noHeader = await fetch(`${withActions.url}/api/rollouts/${namespace}/web/actions/abort`, { method: 'POST' });
    expect(noHeader.status).toBe(403);
    // The token does not make a cross-origin request acceptable.
    const authorization = `Bearer ${withActions.actionToken ?? ''}`;
    const crossOriginWithToken = await fetch(`${withActions.url}/api/rollouts/${namespace}/web/actions/abort`, {
      method: 'POST',
      headers: { 'x-gradual-action': 'abort', origin: 'http://evil.example', authorization },
    });
    expect(crossOriginWithToken.status).toBe(403);
    expect((await cluster.readRollout('web')).metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
  });

  it('an action without the token answers 401, even from loopback with every CSRF header right; with it, outside the served namespace, 403', async () => {
    const before = await cluster.readRollout('web');
    const sameOrigin = { 'x-gradual-action': 'abort', origin: withActions.url, 'sec-fetch-site': 'same-origin' };
    const withoutToken = await fetch(`${withActions.url}/api/rollouts/${namespace}/web/actions/abort`, {
      method: 'POST',
      headers: sameOrigin,
    });
    expect(withoutToken.status).toBe(401);
    expect(((await withoutToken.json()) as { error: string }).error).toMatch(/token/u);
    const wrongToken = await fetch(`${withActions.url}/api/rollouts/${namespace}/web/actions/abort`, {
      method: 'POST',
      headers: { ...sameOrigin, authorization: 'Bearer not-the-dashboard-token-0000' },
    });
    expect(wrongToken.status).toBe(401);
    const outside = await fetch(`${withActions.url}/api/rollouts/kube-system/web/actions/abort`, {
      method: 'POST',
      headers: { ...sameOrigin, authorization: `Bearer ${withActions.actionToken ?? ''}` },
    });
    expect(outside.status).toBe(403);
    expect(((await outside.json()) as { error: string }).error).toMatch(/not served/u);
    const after = await cluster.readRollout('web');
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    expect(after.status?.abort).not.toBe(true);
  });

  it('refuses a foreign Host on every route, GET included (DNS rebinding), with 421 Misdirected Request', async () => {
    for (const dashboard of [withActions, readOnly]) {
      for (const path of ['/', '/api/rollouts', `/api/rollouts/${namespace}/web`, '/api/events', '/assets/app.js', '/healthz']) {
        const rebound = await getWithHost(`${dashboard.url}${path}`, `attacker.example:${new URL(dashboard.url).port}`);
        expect([path, rebound.status]).toEqual([path, 421]);
        expect(rebound.body).not.toContain(namespace);
        const loopback = await getWithHost(
          `${dashboard.url}${path === '/api/events' ? '/healthz' : path}`,
          `localhost:${new URL(dashboard.url).port}`,
        );
        expect([path, loopback.status]).toEqual([path, 200]);
      }
    }
  });

  it('never wrote the action token to its log, on the refused paths either', () => {
    const log = dashboardLog.join('');
    expect(log).toContain('action refused');
    expect(log).toContain('request for a host not served');
    const token = withActions.actionToken ?? 'missing';
    expect(token.length).toBeGreaterThanOrEqual(16);
    for (const form of [token, encodeURIComponent(token), Buffer.from(token).toString('base64')]) expect(log.includes(form)).toBe(false);
  });
});
