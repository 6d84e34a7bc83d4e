import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoTraffic, type DemoTraffic } from '../../src/demo/index.js';
import { installCrds } from '../../src/local/crds.js';
import { ensureDebianPackages } from '../../src/local/debian-packages.js';
import { createLogger, rootLogger } from '../../src/log/index.js';
import { testCluster } from './support/test-cluster.js';

// The demo app page in the real Chromium, against the whole demo traffic
// (pod runner, gateway) and a VirtualService written by hand at 80/20, as
// Gradual leaves it while the rollout is paused at setWeight 20.
const cluster = testCluster('demo-app');
const { custom, core, namespace } = cluster;
const crdDir = fileURLToPath(new URL('../../src/local/traffic-crds/', import.meta.url));
// docs/demo-app.png comes from the real demo (demo-walkthrough.browser.test.ts); this one is kept for a person to look at.
const screenshot = fileURLToPath(new URL('../../test-artifacts/demo-app.png', import.meta.url));
let demo: DemoTraffic;
let browser: Browser;

beforeAll(async () => {
  await ensureDebianPackages(['chromium'], createLogger({ level: 'warn' }));
  await cluster.setUp();
  await installCrds({ kubeconfig: cluster.kubeconfigPath, dir: crdDir, logger: rootLogger().child({ component: 'demo-app-test' }) });
  // Four stable replicas and one canary, as a 5-replica rollout at setWeight 20 has them.
  const replicas = [...['1', '2', '3', '4'].map((n) => [`rollouts-demo-blue-${n}`, 'blue']), ['rollouts-demo-yellow-1', 'yellow']] as const;
  for (const [name, color] of replicas) {
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name, labels: { app: 'rollouts-demo', color } },
        spec: { containers: [{ name: 'demo', image: `argoproj/rollouts-demo:${color}` }] },
      },
    });
  }
  for (const [name, color] of [
    ['rollouts-demo-stable', 'blue'],
    ['rollouts-demo-canary', 'yellow'],
  ] as const) {
    await core.createNamespacedService({
      namespace,
      body: { metadata: { name }, spec: { selector: { app: 'rollouts-demo', color }, ports: [{ port: 80 }] } },
    });
  }
  await custom.createNamespacedCustomObject({
    group: 'networking.istio.io',
    version: 'v1alpha3',
    namespace,
    plural: 'virtualservices',
    body: {
      apiVersion: 'networking.istio.io/v1alpha3',
      kind: 'VirtualService',
      metadata: { name: 'rollouts-demo' },
      spec: {
        hosts: ['rollouts-demo'],
        http: [
          {
            name: 'primary',
            route: [
              { destination: { host: 'rollouts-demo-stable' }, weight: 80 },
              { destination: { host: 'rollouts-demo-canary' }, weight: 20 },
            ],
          },
        ],
      },
    },
  });
  demo = await startDemoTraffic({
    kubeConfig: cluster.kubeConfig,
    namespace,
    route: { kind: 'VirtualService', name: 'rollouts-demo' },
    errorRates: { yellow: 0.1 },
  });
  // KWOK marks the pods Ready shortly after they are scheduled; the runner starts a backend for each.
  await new Promise<void>((resolve, reject) => {
    const ready = (): boolean =>
      demo.runner
        .colors()
        .map((state) => `${state.color}:${String(state.backends)}`)
        .join() === 'blue:4,yellow:1';
    const timer = setTimeout(() => {
      off();
      reject(new Error(`backends not running within 60 s: ${JSON.stringify(demo.runner.colors())}`));
    }, 60_000);
    const off = demo.runner.onChange(() => {
      if (!ready()) return;
      clearTimeout(timer);
      off();
      resolve();
    });
    if (ready()) {
      clearTimeout(timer);
      off();
      resolve();
    }
  });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
}, 300_000);

afterAll(async () => {
  await browser.close();
  await demo.stop();
  await cluster.tearDown();
});

describe('the demo app page in Chromium', { timeout: 120_000 }, () => {
  it('shows between 12 % and 28 % yellow over 500 requests at 80/20, with errors drawn and a slider per colour', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${demo.gatewayUrl}/?rate=100&count=500`);
    await page.locator('body[data-done="true"]').waitFor({ timeout: 60_000 });

    const total = Number(await page.locator('#total').getAttribute('data-total'));
    const yellow = Number(await page.locator('.bar[data-color="yellow"]').getAttribute('data-count'));
    const blue = Number(await page.locator('.bar[data-color="blue"]').getAttribute('data-count'));
    expect(total).toBe(500);
    expect(blue + yellow).toBe(500);
    expect(yellow / total).toBeGreaterThanOrEqual(0.12);
    expect(yellow / total).toBeLessThanOrEqual(0.28);
    // 10 % of yellow answers are errors: drawn as ringed dots, counted in the header.
    expect(Number(await page.locator('#total').getAttribute('data-errors'))).toBeGreaterThan(0);
    expect(await page.locator('#dots .dot').count()).toBe(500);
    const sliderColors = await Promise.all((await page.locator('.slider').all()).map((row) => row.getAttribute('data-color')));
    expect(sliderColors).toEqual(['blue', 'yellow']);
    expect(await page.getByLabel('error rate of yellow').inputValue()).toBe('10');

    await mkdir(fileURLToPath(new URL('../../test-artifacts/', import.meta.url)), { recursive: true });
    await page.screenshot({ path: screenshot });
    expect(errors).toEqual([]);
  });

  it("moving a colour's slider sets that colour's error rate on its backends", async () => {
    const page = await browser.newPage();
    await page.goto(`${demo.gatewayUrl}/?count=0`);
    const slider = page.getByLabel('error rate of yellow');
    await slider.fill('65');
    await Promise.all([
      page.waitForResponse((response) => response.url().endsWith('/api/error-rate') && response.status() === 200),
      slider.dispatchEvent('change'),
    ]);
    expect(demo.runner.colors().find((state) => state.color === 'yellow')?.errorRate).toBe(0.65);
  });
});

describe('stopping the demo traffic', () => {
  it('stops the backend of a pod that goes', async () => {
    const gone = new Promise<void>((resolve) => {
      const off = demo.runner.onChange(() => {
        if (demo.runner.backendFor(namespace, 'rollouts-demo-blue-4') !== undefined) return;
        off();
        resolve();
      });
    });
    const backend = demo.runner.backendFor(namespace, 'rollouts-demo-blue-4');
    expect(backend?.color).toBe('blue');
    await core.deleteNamespacedPod({ name: 'rollouts-demo-blue-4', namespace, gracePeriodSeconds: 0 });
    await gone;
    await expect(fetch(`${backend?.url ?? ''}/color`)).rejects.toThrow();
    expect(demo.runner.colors().find((state) => state.color === 'blue')?.backends).toBe(3);
  });

  it('stop() closes the gateway and every backend', async () => {
    const backends = ['rollouts-demo-blue-1', 'rollouts-demo-yellow-1'].map((pod) => demo.runner.backendFor(namespace, pod)?.url ?? '');
    await demo.stop();
    for (const url of [demo.gatewayUrl, ...backends]) await expect(fetch(`${url}/color`)).rejects.toThrow();
  });
});
