import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analysisRunSchema, type AnalysisRun } from '../../src/api/index.js';
import { createRepositoryFromFolder, openPullRequest, pushBranch, type Person } from '../../src/local/github/person.js';
import { seedInstallation, seedPerson } from '../../src/local/github/seed.js';
import { startTestGithub, type TestGithub } from '../../src/local/github/testing.js';
import { ownCliInvocation } from '../../src/local/own-cli.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { defaultManifestLimits } from '../../src/policies/index.js';
import { testCluster } from './support/test-cluster.js';

/*
 * Hostile input from a pull request, against the real processes: `gradual bot` reading a
 * 20 MB manifest and a 200,000-key manifest (a plan error within seconds, its RSS sampled
 * from /proc throughout), and `gradual controller` evaluating `^(a+)+$` against a long
 * value (the run completes within a second while /healthz answers and the Lease renews).
 */
const cluster = testCluster('hostile-input');
const { namespace, custom, kubeConfig } = cluster;
const owner = 'acme';
const repo = 'hostile';
/** The bot's memory limit in deploy/deployment.yaml. */
const BOT_MEMORY_LIMIT_BYTES = 512 * 1024 * 1024;

let github: TestGithub;
let alice: Person;
let work: string;

function rssOf(pid: number): Promise<number> {
  return readFile(`/proc/${String(pid)}/status`, 'utf8').then((status) => Number(/VmRSS:\s+(\d+) kB/u.exec(status)?.[1] ?? 0) * 1024);
}

/** Samples a process's RSS every 50 ms until stopped; returns the peak. */
function sampleRss(pid: number): { stop(): Promise<number> } {
  let peak = 0;
  const state = { running: true };
  const loop = (async () => {
    while (state.running) {
      peak = Math.max(peak, await rssOf(pid).catch(() => 0));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    async stop() {
      state.running = false;
      await loop;
      return peak;
    },
  };
}

/** Runs `gradual <args>` as its own process, collecting its output; resolves once `ready` matches the output. */
async function startCli(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  logFile: string,
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const cli = ownCliInvocation();
  const child = spawn(cli.command, [...cli.args, ...args], {
    cwd: cli.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const output: string[] = [];
  const found: { match: RegExpExecArray | null } = { match: null };
  const collect = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    output.push(text);
    void appendFile(logFile, text);
    found.match ??= ready.exec(output.join(''));
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  await waitUntil(() => Promise.resolve(found.match !== null || child.exitCode !== null), {
    what: `gradual ${args[0] ?? ''} to start`,
    timeoutMs: 90_000,
    intervalMs: 100,
  });
  const { match } = found;
  if (match === null) throw new Error(`gradual ${args.join(' ')} did not start (exit ${String(child.exitCode)}); its log: ${logFile}`);
  return { child, match };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => {
      resolve();
    });
    child.kill('SIGTERM');
  });
}

beforeAll(async () => {
  await cluster.setUp();
  work = await mkdtemp(join(tmpdir(), 'gradual-hostile-'));
}, 120_000);

afterAll(async () => {
  await cluster.tearDown();
});

describe('oversized manifests in a pull request, through `gradual bot`', { timeout: 240_000 }, () => {
  let bot: ChildProcess;

  beforeAll(async () => {
    github = await startTestGithub({ git: true });
    const configFile = join(work, 'gradual.yaml');
    await writeFile(
      configFile,
      `clusters:\n  local:\n    kubeconfig: ${cluster.kubeconfigPath}\nrepositories:\n  - match: ${owner}/*\n    environments: { '*': local }\ncacheDir: ${join(work, 'clones')}\n`,
    );
    const started = await startCli(
      ['bot', '--no-leader-elect'],
      {
        APP_ID: String(github.appId),
        PRIVATE_KEY: github.privateKey,
        WEBHOOK_SECRET: github.webhookSecret,
        GHE_HOST: new URL(github.server.url).host,
        GHE_PROTOCOL: 'http',
        PORT: '0',
        HOST: '127.0.0.1',
        GRADUAL_CONFIG: configFile,
      },
      /"url":"(http:\/\/127\.0\.0\.1:\d+\/api\/github\/webhooks)"[^\n]*"msg":"bot listening"/u,
      join(work, 'bot.log'),
    );
    bot = started.child;
    github.setWebhookUrl(started.match[1] ?? '');
    const tokens = await github.server.update((state) => {
      const now = new Date();
      seedInstallation(state, owner, now);
      return { alice: seedPerson(state, { login: 'alice', role: 'admin', now }) };
    });
    alice = { login: 'alice', token: tokens.alice, apiUrl: github.server.url };
    const folder = join(work, 'repository');
    await mkdir(join(folder, 'apps'), { recursive: true });
    await writeFile(
      join(folder, '.gradual.yml'),
      `environments:\n  - name: staging\n    paths: ['apps/**/*.yaml']\n    namespace: ${namespace}\n`,
    );
    await writeFile(
      join(folder, 'apps', 'settings.yaml'),
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: calm\n`,
    );
    await createRepositoryFromFolder(alice, { owner, repo, folder });
  }, 240_000);

  afterAll(async () => {
    await stop(bot);
    await github.stop();
  });

  async function planOf(sha: string): Promise<{
    conclusion: string | null;
    title: string;
    summary: string;
    annotations: { path: string; start_line: number; message: string }[];
  }> {
    const octokit = new Octokit({ baseUrl: alice.apiUrl, auth: alice.token });
    let found: { id: number; conclusion: string | null; title: string; summary: string } | undefined;
    await waitUntil(
      async () => {
        const runs = (await octokit.rest.checks.listForRef({ owner, repo, ref: sha, check_name: 'gradual/plan' })).data.check_runs;
        const run = runs[0];
        found =
          run?.status === 'completed'
            ? { id: run.id, conclusion: run.conclusion, title: run.output.title ?? '', summary: run.output.summary ?? '' }
            : undefined;
        return found !== undefined;
      },
      { what: `gradual/plan on ${sha.slice(0, 7)}`, timeoutMs: 120_000, intervalMs: 200 },
    );
    if (found === undefined) throw new Error('no plan');
    const annotations = (await octokit.rest.checks.listAnnotations({ owner, repo, check_run_id: found.id })).data.map((item) => ({
      path: item.path,
      start_line: item.start_line,
      message: item.message ?? '',
    }));
    return { ...found, annotations };
  }

  it.each([
    {
      name: 'a 20 MB manifest',
      file: 'apps/big.yaml',
      content: () => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  blob: "${'x'.repeat(20 * 1024 * 1024)}"\n`,
      message: (text: string) =>
        `the file is ${String(Buffer.byteLength(text))} bytes, more than ${String(defaultManifestLimits.fileBytes)} (manifestLimits.fileBytes of the repository policy); it was not parsed`,
      line: 1,
    },
    {
      name: 'a 200,000-key manifest',
      file: 'apps/keys.yaml',
      // Short keys keep it under the byte cap (1.4 MB): the node cap is what refuses it.
      content: () =>
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keys\ndata:\n${Array.from({ length: 200_000 }, (_, index) => ` ${index.toString(36)}: v`).join('\n')}\n`,
      message: () =>
        `the file has more than ${String(defaultManifestLimits.fileNodes)} YAML nodes (manifestLimits.fileNodes of the repository policy); it was not parsed`,
      // Eight nodes on lines 1-5, then two a line: the node past the cap is the key on line 6 + (cap - 8) / 2.
      line: 6 + (defaultManifestLimits.fileNodes - 8) / 2,
    },
  ])('$name: a plan error at the file within seconds, the bot’s RSS under its limit', async ({ file, content, message, line }) => {
    const branch = file.replace(/\W/gu, '-');
    const text = content();
    const sha = await pushBranch(alice, { owner, repo, branch, files: { [file]: text }, message: `add ${file}` });
    const baseline = await rssOf(bot.pid ?? 0);
    const sampler = sampleRss(bot.pid ?? 0);
    const opened = performance.now();
    await openPullRequest(alice, { owner, repo, head: branch, title: `add ${file}` });
    const plan = await planOf(sha);
    const seconds = (performance.now() - opened) / 1000;
    const peak = await sampler.stop();
    console.log(
      `${file} (${String(Buffer.byteLength(text))} bytes): plan error after ${seconds.toFixed(1)} s (pull request opened → check completed); bot RSS ${(baseline / 2 ** 20).toFixed(0)} MiB before, peak ${(peak / 2 ** 20).toFixed(0)} MiB (limit ${String(BOT_MEMORY_LIMIT_BYTES / 2 ** 20)} MiB)`,
    );
    expect(plan.conclusion).toBe('failure');
    expect(plan.annotations).toEqual([{ path: file, start_line: line, message: expect.stringContaining(message(text)) as unknown }]);
    expect(peak).toBeLessThan(BOT_MEMORY_LIMIT_BYTES);
    expect(bot.exitCode).toBeNull();
  });
});

describe('`matches` on ^(a+)+$ against a long value, through `gradual controller`', { timeout: 180_000 }, () => {
  let controller: ChildProcess;
  let healthz: string;
  let provider: Server;
  let requestedAt = 0;
  const value = `${'a'.repeat(100_000)}b`;

  beforeAll(async () => {
    provider = createServer((_request, response) => {
      requestedAt = performance.now();
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value }));
    });
    await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
    const ports = await Promise.all([0, 0].map(() => freePort()));
    healthz = `http://127.0.0.1:${String(ports[0])}/healthz`;
    const started = await startCli(
      [
        'controller',
        '--kubeconfig',
        cluster.kubeconfigPath,
        '--namespace',
        namespace,
        '--lease-namespace',
        namespace,
        '--healthz-port',
        String(ports[0]),
        '--metrics-port',
        String(ports[1]),
      ],
      {},
      /"msg":"controller starting"/u,
      join(work, 'controller.log'),
    );
    controller = started.child;
    await waitUntil(
      async () => (await coordination().listNamespacedLease({ namespace })).items.some((lease) => lease.spec?.holderIdentity !== undefined),
      { what: 'the controller to lead', timeoutMs: 60_000, intervalMs: 200 },
    );
  }, 120_000);

  afterAll(async () => {
    await stop(controller);
    await new Promise((resolve) => provider.close(resolve));
  });

  function coordination(): CoordinationV1Api {
    return kubeConfig.makeApiClient(CoordinationV1Api);
  }

  it('completes within a second while /healthz answers and the Lease renews', async () => {
    const address = provider.address() as AddressInfo;
    const api = { group: 'argoproj.io', version: 'v1alpha1', namespace, plural: 'analysisruns' } as const;
    // /healthz polled every 20 ms throughout; the slowest answer is the controller's event loop held.
    const latencies: number[] = [];
    const polling = { on: true };
    const poller = (async () => {
      while (polling.on) {
        const sent = performance.now();
        const status = await fetch(healthz).then(
          (response) => response.status,
          () => 0,
        );
        latencies.push(status === 200 ? performance.now() - sent : Number.POSITIVE_INFINITY);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const leaseBefore = (await coordination().listNamespacedLease({ namespace })).items[0]?.spec?.renewTime;

    await custom.createNamespacedCustomObject({
      ...api,
      body: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AnalysisRun',
        metadata: { name: 'redos' },
        spec: {
          metrics: [
            {
              name: 'redos',
              successCondition: 'result matches "^(a+)+$"',
              provider: { web: { url: `http://127.0.0.1:${String(address.port)}/value`, jsonPath: '{$.value}' } },
            },
          ],
        },
      },
    });
    let run: AnalysisRun | undefined;
    let completedAt = 0;
    await waitUntil(
      async () => {
        run = analysisRunSchema.parse(await custom.getNamespacedCustomObject({ ...api, name: 'redos' }));
        completedAt = performance.now();
        return ['Successful', 'Failed', 'Error', 'Inconclusive'].includes(run.status?.phase ?? '');
      },
      { what: 'the AnalysisRun to complete', timeoutMs: 60_000, intervalMs: 20 },
    );
    // The Lease renews every few seconds: keep polling until it has renewed once after the run.
    await waitUntil(
      async () => String((await coordination().listNamespacedLease({ namespace })).items[0]?.spec?.renewTime) !== String(leaseBefore),
      { what: 'the Lease to renew', timeoutMs: 30_000, intervalMs: 200 },
    );
    polling.on = false;
    await poller;

    const runMs = completedAt - requestedAt;
    const slowest = Math.max(...latencies);
    console.log(
      `^(a+)+$ on ${String(value.length)} characters: the provider answered → the run completed, seen ${runMs.toFixed(0)} ms later; /healthz polled ${String(latencies.length)} times, slowest ${slowest.toFixed(0)} ms, median ${median(latencies).toFixed(0)} ms; the Lease renewed`,
    );
    expect(run?.status?.phase).toBe('Failed');
    expect(run?.status?.metricResults?.[0]?.measurements?.[0]?.phase).toBe('Failed');
    expect(runMs).toBeLessThan(1_000);
    expect(latencies.every((latency) => Number.isFinite(latency))).toBe(true);
  });
});

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => {
        resolve(port);
      });
    });
  });
}
