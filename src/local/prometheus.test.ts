import { mkdtemp, readdir, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SetupError } from './errors.js';
import {
  parsePrometheusVersion,
  prometheusArgs,
  readPrometheusVersion,
  renderPrometheusConfig,
  waitForPrometheusReady,
  writeScrapeTargets,
} from './prometheus.js';

describe('renderPrometheusConfig', () => {
  it.each([
    { seconds: 1, expected: '1s' },
    { seconds: 15, expected: '15s' },
    { seconds: 0.5, expected: '500ms' },
  ])('renders scrape interval $seconds s as $expected, a self job and a file_sd job', ({ seconds, expected }) => {
    const text = renderPrometheusConfig({ targetsDir: '/srv/env/targets', scrapeIntervalSeconds: seconds, selfTarget: '127.0.0.1:9090' });

    expect(parse(text)).toEqual({
      global: { scrape_interval: expected, scrape_timeout: expected, evaluation_interval: expected },
      scrape_configs: [
        { job_name: 'prometheus', static_configs: [{ targets: ['127.0.0.1:9090'] }] },
        { job_name: 'local-targets', file_sd_configs: [{ files: ['/srv/env/targets/*.json'], refresh_interval: '1s' }] },
      ],
    });
  });

  it('quotes a targets folder with YAML-significant characters so it survives the round trip', () => {
    const targetsDir = '/tmp/a: b #c/targets';
    const config: unknown = parse(renderPrometheusConfig({ targetsDir, scrapeIntervalSeconds: 1, selfTarget: 'localhost:9090' }));

    expect(config).toMatchObject({ scrape_configs: [{}, { file_sd_configs: [{ files: [`${targetsDir}/*.json`] }] }] });
  });

  const valid = { targetsDir: '/t', scrapeIntervalSeconds: 1, selfTarget: '127.0.0.1:9090' };
  it.each([
    { name: 'zero interval', change: { scrapeIntervalSeconds: 0 }, message: /scrape interval/ },
    { name: 'negative interval', change: { scrapeIntervalSeconds: -1 }, message: /scrape interval/ },
    { name: 'NaN interval', change: { scrapeIntervalSeconds: Number.NaN }, message: /scrape interval/ },
    { name: 'relative folder', change: { targetsDir: 'targets' }, message: /absolute/ },
    { name: 'glob in folder', change: { targetsDir: '/t/*/x' }, message: /glob/ },
    { name: 'scheme in self target', change: { selfTarget: 'http://127.0.0.1:9090' }, message: /self target/ },
    { name: 'no port in self target', change: { selfTarget: '127.0.0.1' }, message: /self target/ },
    { name: 'port out of range', change: { selfTarget: '127.0.0.1:70000' }, message: /self target/ },
  ])('rejects $name', ({ change, message }) => {
    const options = { ...valid, ...change };
    expect(() => renderPrometheusConfig(options)).toThrow(message);
    expect(() => renderPrometheusConfig(options)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});

describe('prometheusArgs', () => {
  it('points Prometheus at the config, data folder and loopback address', () => {
    const args = prometheusArgs({ configFile: '/env/prometheus.yml', dataDir: '/env/prometheus-data', listenAddress: '127.0.0.1:19090' });

    expect(args).toEqual([
      '--config.file=/env/prometheus.yml',
      '--storage.tsdb.path=/env/prometheus-data',
      '--storage.tsdb.retention.time=1d',
      '--web.listen-address=127.0.0.1:19090',
      '--web.enable-lifecycle',
      '--log.format=json',
    ]);
  });

  it.each(['127.0.0.1:9090', '[::1]:9090', 'localhost:65535'])('accepts loopback address %s', (listenAddress) => {
    expect(prometheusArgs({ configFile: '/c.yml', dataDir: '/d', listenAddress })).toContain(`--web.listen-address=${listenAddress}`);
  });

  it.each([
    { listenAddress: '0.0.0.0:9090', message: /loopback/ },
    { listenAddress: ':9090', message: /loopback/ },
    { listenAddress: '127.0.0.1:0', message: /loopback/ },
    { listenAddress: '127.0.0.1:65536', message: /loopback/ },
    { listenAddress: '127.0.0.1', message: /loopback/ },
    { listenAddress: 'http://127.0.0.1:9090', message: /loopback/ },
  ])('rejects listen address $listenAddress', ({ listenAddress, message }) => {
    expect(() => prometheusArgs({ configFile: '/c.yml', dataDir: '/d', listenAddress })).toThrow(message);
  });

  it.each([
    { configFile: 'prometheus.yml', dataDir: '/d', message: /config file must be an absolute path/ },
    { configFile: '/c.yml', dataDir: 'data', message: /data folder must be an absolute path/ },
  ])('rejects relative paths ($configFile, $dataDir)', ({ configFile, dataDir, message }) => {
    expect(() => prometheusArgs({ configFile, dataDir, listenAddress: '127.0.0.1:9090' })).toThrow(message);
  });
});

describe('writeScrapeTargets', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gradual-prom-targets-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes NAME.json in file_sd format and leaves no temp file behind', async () => {
    const groups = [
      { targets: ['127.0.0.1:8080', '127.0.0.1:8081'], labels: { app: 'demo', track: 'canary' } },
      { targets: ['127.0.0.1:8082'] },
    ];

    const file = await writeScrapeTargets(dir, 'demo-app', groups);

    expect(file).toBe(path.join(dir, 'demo-app.json'));
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(groups);
    expect(await readdir(dir)).toEqual(['demo-app.json']);
  });

  it('replaces an existing file as a whole', async () => {
    await writeScrapeTargets(dir, 'app', [{ targets: ['127.0.0.1:1'], labels: { old: 'yes' } }]);

    const file = await writeScrapeTargets(dir, 'app', [{ targets: ['127.0.0.1:2'] }]);

    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual([{ targets: ['127.0.0.1:2'] }]);
    expect(await readdir(dir)).toEqual(['app.json']);
  });

  it('never exposes a partial file to a concurrent reader of *.json', async () => {
    const big = Array.from({ length: 2000 }, (_, i) => `127.0.0.1:${String(10000 + i)}`);
    const reads: unknown[] = [];
    const stop = new AbortController();
    // Reads what Prometheus's `*.json` glob would see while the writer keeps replacing the file.
    const reader = (async () => {
      while (!stop.signal.aborted) {
        const names = (await readdir(dir)).filter((n) => n.endsWith('.json'));
        for (const n of names) reads.push(JSON.parse(await readFile(path.join(dir, n), 'utf8')));
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();

    for (let round = 0; round < 30; round++) await writeScrapeTargets(dir, 'busy', [{ targets: big, labels: { round: String(round) } }]);
    stop.abort();
    await reader;

    expect(reads.length).toBeGreaterThan(0);
    for (const content of reads) expect(content).toMatchObject([{ targets: big }]);
    expect(await readdir(dir)).toEqual(['busy.json']);
  });

  it.each(['', '../escape', 'a/b', '/abs', '.hidden', 'with space', 'x'.repeat(129)])('rejects file name %j', async (name) => {
    await expect(writeScrapeTargets(dir, name, [{ targets: ['127.0.0.1:1'] }])).rejects.toThrow(/invalid scrape target file name/);
    expect(await readdir(dir)).toEqual([]);
  });

  it.each([
    { what: 'a scheme in a target', groups: [{ targets: ['http://127.0.0.1:1'] }] },
    { what: 'an invalid label name', groups: [{ targets: ['127.0.0.1:1'], labels: { 'bad-label': 'x' } }] },
  ])('rejects $what', async ({ groups }) => {
    await expect(writeScrapeTargets(dir, 'x', groups)).rejects.toThrow(/invalid scrape targets for "x"/);
  });

  it('names the folder when it does not exist', async () => {
    const missing = path.join(dir, 'gone');

    await expect(writeScrapeTargets(missing, 'x', [{ targets: ['127.0.0.1:1'] }])).rejects.toThrow(
      expect.objectContaining({ code: 'ENVIRONMENT_MISSING', message: expect.stringContaining(missing) as unknown }),
    );
  });
});

describe('parsePrometheusVersion', () => {
  it.each([
    { output: 'prometheus, version 2.42.0+ds (branch: debian/sid, revision: 2.42.0+ds-5+deb12u1)\n  build user: x\n', expected: '2.42.0' },
    { output: 'prometheus, version 2.53.1 (branch: HEAD, revision: abc)\n', expected: '2.53.1' },
    { output: 'prometheus, version 3.0.0-rc.0 (branch: HEAD)\n', expected: '3.0.0' },
  ])('reads $expected', ({ output, expected }) => {
    expect(parsePrometheusVersion(output)).toBe(expected);
  });

  it.each(['', 'promtool, version 2.42.0', 'prometheus, version unknown'])('rejects %j', (output) => {
    expect(() => parsePrometheusVersion(output)).toThrow(SetupError);
  });
});

describe('readPrometheusVersion', () => {
  it('names the binary when it is missing', async () => {
    await expect(readPrometheusVersion('/nonexistent/prometheus')).rejects.toThrow(
      expect.objectContaining({ code: 'PACKAGE_UNAVAILABLE', message: expect.stringContaining('/nonexistent/prometheus') as unknown }),
    );
  });

  it('runs the binary with --version', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gradual-prom-bin-'));
    try {
      const fake = path.join(dir, 'prometheus');
      await writeFile(fake, '#!/bin/sh\n[ "$1" = --version ] && echo "prometheus, version 9.8.7+ds (branch: x)"\n');
      await chmod(fake, 0o755);

      expect(await readPrometheusVersion(fake)).toBe('9.8.7');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('waitForPrometheusReady', () => {
  let server: Server | undefined;

  afterEach(async () => {
    const s = server;
    server = undefined;
    if (s)
      await new Promise<void>((resolve) =>
        s.close(() => {
          resolve();
        }),
      );
  });

  async function serve(statusFor: (attempt: number) => number): Promise<string> {
    let attempt = 0;
    const s = createServer((req, res) => {
      const status = req.url === '/-/ready' ? statusFor(attempt++) : 404;
      res.writeHead(status).end(status === 200 ? 'Prometheus Server is Ready.\n' : 'Service Unavailable\n');
    });
    server = s;
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${String((s.address() as AddressInfo).port)}`;
  }

  it('retries 503 until /-/ready answers 200', async () => {
    let calls = 0;
    const url = await serve((attempt) => {
      calls = attempt + 1;
      return attempt < 2 ? 503 : 200;
    });

    await waitForPrometheusReady(`${url}/`, { timeoutMs: 5_000 });

    expect(calls).toBe(3);
  });

  it('times out naming the URL and the last status', async () => {
    const url = await serve(() => 503);

    await expect(waitForPrometheusReady(url, { timeoutMs: 300 })).rejects.toThrow(
      expect.objectContaining({ code: 'NOT_READY', message: expect.stringMatching(new RegExp(`${url}/-/ready .*HTTP 503`)) as unknown }),
    );
  });

  it('times out naming the cause when nothing listens', async () => {
    const url = await serve(() => 200);
    await new Promise<void>((resolve) =>
      server?.close(() => {
        resolve();
      }),
    );
    server = undefined;

    await expect(waitForPrometheusReady(url, { timeoutMs: 300 })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('stops when the caller aborts', async () => {
    const url = await serve(() => 503);
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort(new Error('shutting down'));
    }, 150);

    await expect(waitForPrometheusReady(url, { timeoutMs: 10_000, signal: controller.signal })).rejects.toThrow('shutting down');
  });
});
