import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDebianPackages } from '../../src/local/debian-packages.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { createLogger } from '../../src/log/index.js';
import { demoProcessesAlive, startDemoProcess, untilDemoReady, type DemoProcess, type DemoState } from './support/demo-process.js';

// The demo as a person walks through it, in the real Chromium: `npm run demo` (not --auto) brings everything up and
// opens pull request #1; the test looks at the demo app page, the pull-request page and the dashboard while the
// rollout is paused at setWeight 20, promotes from the dashboard, then presses Ctrl-C. The screenshots in docs/ are
// taken here, at these moments.
const docs = fileURLToPath(new URL('../../docs/', import.meta.url));
const namespace = 'demo';
const name = 'rollouts-demo';
let dir: string;
let demo: DemoProcess;
let state: DemoState;
let browser: Browser;
let custom: CustomObjectsApi;

interface RolloutView {
  status?: { phase?: string; currentStepIndex?: number; canary?: { currentBackgroundAnalysisRunStatus?: { name?: string } } };
}
interface RunView {
  status?: { metricResults?: { name: string; measurements?: unknown[] }[] };
}

async function readRollout(): Promise<RolloutView> {
  return (await custom.getNamespacedCustomObject({
    group: 'argoproj.io',
    version: 'v1alpha1',
    namespace,
    plural: 'rollouts',
    name,
  })) as RolloutView;
}

beforeAll(async () => {
  // The emoji font: the bot's checks and comments mark steps with ✔ ॥ ◷, which Chromium would draw as boxes without it.
  await ensureDebianPackages(['chromium', 'fonts-noto-color-emoji'], createLogger({ level: 'warn' }));
  dir = await mkdtemp(join(tmpdir(), 'gradual-demo-walk-'));
  demo = startDemoProcess(dir, ['--no-auto']);
  state = await untilDemoReady(demo, join(dir, 'demo.json'), 600_000);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(state.kubeconfig);
  custom = kubeConfig.makeApiClient(CustomObjectsApi);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  await mkdir(docs, { recursive: true });
}, 660_000);

afterAll(async () => {
  await browser.close();
  // Only if a test failed before Ctrl-C: never leave a demo running.
  if (demo.child.exitCode === null) {
    demo.child.kill('SIGINT');
    await demo.exited;
  }
});

describe('npm run demo, walked through in Chromium', { timeout: 180_000 }, () => {
  it('pull request #1 pauses the rollout at setWeight 20, and the demo app page shows 12–28 % yellow over 500 requests', async () => {
    await waitUntil(async () => (await readRollout()).status?.currentStepIndex === 1 && (await readRollout()).status?.phase === 'Paused', {
      what: 'the rollout paused at step 2',
      timeoutMs: 120_000,
      intervalMs: 250,
    });
    const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${state.urls.app}/?rate=100&count=500`);
    await page.locator('body[data-done="true"]').waitFor({ timeout: 60_000 });
    const total = Number(await page.locator('#total').getAttribute('data-total'));
    const yellow = Number(await page.locator('.bar[data-color="yellow"]').getAttribute('data-count'));
    const blue = Number(await page.locator('.bar[data-color="blue"]').getAttribute('data-count'));
    expect([total, blue + yellow]).toEqual([500, 500]);
    expect(yellow / total).toBeGreaterThanOrEqual(0.12);
    expect(yellow / total).toBeLessThanOrEqual(0.28);
    await page.screenshot({ path: join(docs, 'demo-app.png') });
    expect(errors).toEqual([]);
  });

  it('the pull-request page shows the rollout check paused for a person, with its tables and buttons, and merge blocked', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    await page.goto(state.urls.pullRequest);
    const check = page.locator('article.check', { hasText: `gradual/rollout ${namespace}/${name}` });
    await check.waitFor();
    expect(await check.locator('header .badge').first().textContent()).toBe('action_required');
    const summary = (await check.locator('.summary').textContent()) ?? '';
    expect(summary).toMatch(/॥ pause until promoted ← current/u);
    expect(summary).toContain('canary 20% · stable 80%');
    const headers = await check.locator('.summary table th').allTextContents();
    expect(headers).toEqual(expect.arrayContaining(['Revision', 'ReplicaSet', 'Role', 'Ready', 'Available', 'Images']));
    expect(await check.locator('button.check-action').allTextContents()).toContain('Promote');
    expect(await page.locator('#merge').isDisabled()).toBe(true);
    await page.screenshot({ path: join(docs, 'pull-request.png'), fullPage: true });
  });

  it('the dashboard shows the rollout at step 2 of 7 with its analysis charted point by point; Promote moves it on', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // The demo prints the dashboard's URL with its action token in the fragment; the rollout's page keeps it.
    const rolloutPage = new URL(state.urls.dashboard);
    expect(rolloutPage.hash).toMatch(/^#token=[\w-]{16,}$/u);
    rolloutPage.pathname = `/rollouts/${namespace}/${name}`;
    await page.goto(rolloutPage.toString());
    await page.locator('article.rollout[data-step="2"]').waitFor();
    // The page took the token out of the address bar (and keeps it in the tab's sessionStorage).
    expect(new URL(page.url()).hash).toBe('');
    expect(await page.locator('.step-position').textContent()).toBe('step 2 of 7');
    expect(await page.locator('.canary-weight').textContent()).toBe('canary 20%');

    // The background analysis started at the pause: two measurements, then one point per measurement on the chart.
    const runName = (await readRollout()).status?.canary?.currentBackgroundAnalysisRunStatus?.name ?? '';
    expect(runName).not.toBe('');
    const measurements = async (): Promise<number> => {
      const run = (await custom.getNamespacedCustomObject({
        group: 'argoproj.io',
        version: 'v1alpha1',
        namespace,
        plural: 'analysisruns',
        name: runName,
      })) as RunView;
      return run.status?.metricResults?.find((metric) => metric.name === 'success-rate')?.measurements?.length ?? 0;
    };
    const chart = page.locator(`.analysis-run[data-run="${runName}"] .metric-chart[data-metric="success-rate"]`);
    let seen = '';
    await waitUntil(
      async () => {
        const count = await measurements();
        seen = `${String(count)} measurements, ${String(await chart.getAttribute('data-points'))} points`;
        return count >= 2 && (await chart.getAttribute('data-points')) === String(count);
      },
      { what: 'two measurements charted, one point each', timeoutMs: 60_000, intervalMs: 250 },
    ).catch((error: unknown) => {
      throw new Error(`${String(error)} (${seen})`);
    });
    await page.screenshot({ path: join(docs, 'dashboard.png'), fullPage: true });

    await page.locator('button[data-action="promote"]').click();
    await page.locator('.action-result.ok').waitFor();
    await waitUntil(async () => ((await page.locator('.step-position').textContent()) ?? '') !== 'step 2 of 7', {
      what: 'the page to move past step 2',
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    expect((await readRollout()).status?.currentStepIndex).toBeGreaterThan(1);
    expect(errors).toEqual([]);
  });

  it('Ctrl-C stops everything the demo started: no process of it is left', async () => {
    demo.child.kill('SIGINT');
    expect(await demo.exited, demo.output()).toBe(0);
    expect(demo.output()).toContain('SIGINT: stopping everything the demo started');
    expect(await demoProcessesAlive(state, dir)).toEqual([]);
  });
});
