// Manifest fetch (issue 9): a 1,000-file manifest repository on the local git server; the first
// clone into the bot's cache, and the incremental fetch + read after a one-file change (the cost of
// a `synchronize` webhook's plan before any parsing), p50 and max over several runs.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { openManifestCache } from '../src/gitops/manifests/index.js';
import { createBareRepository, createGitServer } from '../src/local/git-server.js';
import type { Logger } from '../src/log/index.js';
import { header, note, percentile, row } from './report.js';

const execFileAsync = promisify(execFile);
const gitEnv = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' };

async function cli(cwd: string, ...args: string[]): Promise<string> {
  const identity = ['-c', 'user.name=Gradual Bench', '-c', 'user.email=bench@gradual.invalid', '-c', 'init.defaultBranch=main'];
  const { stdout } = await execFileAsync('git', [...identity, ...args], { cwd, env: gitEnv, timeout: 120_000 });
  return stdout.trim();
}

function configMap(index: number, revision: number): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-${String(index)}\ndata:\n  revision: "${String(revision)}"\n  payload: "${'x'.repeat(200)}"\n`;
}

/** Times the first clone (a fresh cache each run) and the fetch + read after a one-file change (one cache). */
export async function benchGitopsFetch(
  logger: Logger,
  options: { files?: number; cloneRuns?: number; fetchRuns?: number } = {},
): Promise<void> {
  const files = options.files ?? 1000;
  const cloneRuns = options.cloneRuns ?? 5;
  const fetchRuns = options.fetchRuns ?? 10;
  header(`Manifest fetch: a ${files.toLocaleString('en-US')}-file repository on the local git server (isomorphic-git, cached bare clone)`);
  const tmp = await mkdtemp(join(tmpdir(), 'gradual-bench-gitops-'));
  const root = join(tmp, 'repositories');
  await mkdir(root);
  await createBareRepository(root, 'manifests');
  const server = createGitServer({ root, logger });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/manifests.git`;
    const work = join(tmp, 'work');
    await cli(tmp, 'clone', '--quiet', url, work);
    // 10 files per folder, as teams split manifests by application.
    for (let index = 0; index < files; index++) {
      const folder = join(work, 'apps', `app-${String(Math.floor(index / 10))}`);
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, `config-${String(index)}.yaml`), configMap(index, 0));
    }
    await cli(work, 'add', '-A');
    await cli(work, 'commit', '--quiet', '-m', 'seed');
    await cli(work, 'push', '--quiet', 'origin', 'HEAD:main');
    const seed = await cli(work, 'rev-parse', 'HEAD');

    const cloneMs: number[] = [];
    let cloneStats = { objects: 0, bytes: 0 };
    for (let run = 0; run < cloneRuns; run++) {
      const cache = openManifestCache({ dir: join(tmp, `clone-cache-${String(run)}`), logger });
      const started = performance.now();
      const tree = await cache.checkout({ url, ref: 'main', sha: seed });
      await tree.readFile('apps/app-0/config-0.yaml');
      cloneMs.push(performance.now() - started);
      cloneStats = tree.fetch;
    }

    const cache = openManifestCache({ dir: join(tmp, 'fetch-cache'), logger });
    await cache.checkout({ url, ref: 'main', sha: seed });
    const fetchMs: number[] = [];
    const listMs: number[] = [];
    let fetchStats = { objects: 0, bytes: 0 };
    for (let run = 0; run < fetchRuns; run++) {
      const index = (run * 97) % files;
      const path = `apps/app-${String(Math.floor(index / 10))}/config-${String(index)}.yaml`;
      await writeFile(join(work, path), configMap(index, run + 1));
      await cli(work, 'commit', '--quiet', '-am', `change ${path}`);
      await cli(work, 'push', '--quiet', 'origin', 'HEAD:main');
      const sha = await cli(work, 'rev-parse', 'HEAD');
      const started = performance.now();
      const tree = await cache.checkout({ url, ref: 'main', sha });
      const text = await tree.readFile(path);
      fetchMs.push(performance.now() - started);
      if (text?.includes(`revision: "${String(run + 1)}"`) !== true) throw new Error(`bench: ${path} at ${sha} is not the pushed change`);
      fetchStats = tree.fetch;
      const listed = performance.now();
      await tree.listFiles(['apps/**/*.yaml']);
      listMs.push(performance.now() - listed);
    }

    const sorted = (values: number[]): number[] => [...values].sort((a, b) => a - b);
    row(`first clone + read (p50 of ${String(cloneRuns)})`, `${percentile(sorted(cloneMs), 50).toFixed(0)} ms`);
    row('first clone (max)', `${Math.max(...cloneMs).toFixed(0)} ms`);
    row('first clone packfile', `${String(cloneStats.objects)} objects, ${(cloneStats.bytes / 1024).toFixed(0)} KiB`);
    row(
      `incremental fetch + read after a one-file change (p50 of ${String(fetchRuns)})`,
      `${percentile(sorted(fetchMs), 50).toFixed(0)} ms`,
    );
    row('incremental fetch + read (max)', `${Math.max(...fetchMs).toFixed(0)} ms`);
    row('incremental packfile', `${String(fetchStats.objects)} objects, ${(fetchStats.bytes / 1024).toFixed(1)} KiB`);
    row(`list all ${files.toLocaleString('en-US')} files at a commit (p50)`, `${percentile(sorted(listMs), 50).toFixed(0)} ms`);
    note('the git server runs `git http-backend` per request on loopback; the times include its process start');
  } finally {
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
    await rm(tmp, { recursive: true, force: true });
  }
}
