import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { createRequire, isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repositoryRoot } from '../../src/local/own-cli.js';
import { allocatePorts } from '../../src/local/ports.js';
import { waitUntil } from '../../src/local/wait-until.js';
import { testCluster } from './support/test-cluster.js';

// Gradual as its image runs it (deploy/Dockerfile): tsc's dist/ beside package.json, deploy/crds and policies,
// started with `node dist/cli/main.js` and NODE_ENV=production. Every other test runs the TypeScript sources
// through tsx, which resolves what plain Node would not (extensionless imports, .ts files, JSON without
// attributes) — a build that only works under tsx would pass them all.
const cluster = testCluster('compiled');
const { custom, namespace, rolloutApi } = cluster;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const run = promisify(execFile);
let root = '';
let controller: ChildProcess | undefined;

/** The image's layout in a folder of its own; node_modules is the work tree's (the image's holds `dependencies` only: checked below). */
async function buildImageLayout(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'gradual-compiled-'));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  await run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', join(folder, 'dist')], { cwd: repositoryRoot });
  await cp(join(repositoryRoot, 'package.json'), join(folder, 'package.json'));
  await cp(join(repositoryRoot, 'deploy', 'crds'), join(folder, 'deploy', 'crds'), { recursive: true });
  await cp(join(repositoryRoot, 'policies'), join(folder, 'policies'), { recursive: true });
  await symlink(join(repositoryRoot, 'node_modules'), join(folder, 'node_modules'), 'dir');
  return folder;
}

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`). */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** Every package the compiled files reachable from `entry` import, statically or with import('…'), with the files that do. */
async function importedPackages(entry: string): Promise<Map<string, Set<string>>> {
  const packages = new Map<string, Set<string>>();
  const seen = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const info = ts.preProcessFile(await readFile(file, 'utf8'), true, true);
    for (const { fileName: specifier } of info.importedFiles) {
      if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier));
      else if (!isBuiltin(specifier)) packages.set(packageOf(specifier), (packages.get(packageOf(specifier)) ?? new Set()).add(file));
    }
  }
  return packages;
}

async function startCompiledController(): Promise<{ child: ChildProcess; metricsPort: number; exited: Promise<number | null> }> {
  const { metrics, healthz } = await allocatePorts({ metrics: undefined, healthz: undefined });
  const child = spawn(
    process.execPath,
    ['dist/cli/main.js', 'controller', '--kubeconfig', cluster.kubeconfigPath, '--namespace', namespace, '--no-leader-elect', '--metrics-port', String(metrics), '--healthz-port', String(healthz)],
    // The image's working directory and environment; the work tree's own variables (tsx's loader) left out.
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production', GRADUAL_LOG_LEVEL: 'warn' } },
  );
  const exited = new Promise<number | null>((done) => {
    child.once('exit', (code) => {
      done(code);
    });
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const early = exited.then((code) => {
    throw new Error(`the compiled controller exited (${String(code)}) before it was ready:\n${stderr}`);
  });
  await Promise.race([waitUntil(async () => (await fetch(`http://127.0.0.1:${String(healthz)}/healthz`)).ok, { what: 'the compiled controller’s /healthz', timeoutMs: 60_000 }), early]);
  early.catch(() => undefined);
  return { child, metricsPort: metrics, exited };
}

beforeAll(async () => {
  root = await buildImageLayout();
  await cluster.setUp();
}, 180_000);

afterAll(async () => {
  controller?.kill('SIGKILL');
  await cluster.tearDown();
  if (root !== '') await rm(root, { recursive: true, force: true });
});

describe('the compiled build, laid out as the image lays it out', () => {
  it('imports no package the image leaves out (npm ci --omit=dev keeps `dependencies` only)', async () => {
    const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const imported = await importedPackages(join(root, 'dist', 'cli', 'main.js'));
    // A smoke check of the walk itself: the CLI does reach the engine's client and the bot.
    expect([...imported.keys()]).toEqual(expect.arrayContaining(['@kubernetes/client-node', 'probot', 'zod']));
    // The dashboard compiles browser/app.ts with typescript only when it runs from sources; dist/ has tsc's app.js.
    const onlyFromSources = new Set(['typescript dist/dashboard/assets.js']);
    await expect(readFile(join(root, 'dist', 'dashboard', 'browser', 'app.js'), 'utf8')).resolves.toContain('export');
    const missing = [...imported]
      .filter(([name]) => !(name in manifest.dependencies))
      .flatMap(([name, files]) => [...files].map((file) => `${name} ${file.slice(root.length + 1)}`))
      .filter((use) => !onlyFromSources.has(use));
    expect(missing).toEqual([]);
  });

  it('prints the package version', async () => {
    const { stdout } = await run(process.execPath, ['dist/cli/main.js', '--version'], { cwd: root, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' } });
    const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(stdout.trim()).toContain(manifest.version);
  });

  it('runs `version`, `completion` and a start-up error the way the sources do', async () => {
    const env = { PATH: process.env.PATH ?? '', NODE_ENV: 'production' };
    const { stdout } = await run(process.execPath, ['dist/cli/main.js', 'version', '--json'], { cwd: root, env });
    const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(JSON.parse(stdout)).toMatchObject({ gradual: manifest.version, node: process.version });
    expect((await run(process.execPath, ['dist/cli/main.js', 'completion', 'zsh'], { cwd: root, env })).stdout).toContain('complete -F _gradual_completion gradual');
    const refused = await run(process.execPath, ['dist/cli/main.js', 'controller', '--controllers=analysis'], { cwd: root, env }).then(() => undefined, (error: unknown) => error as { code: number; stderr: string });
    expect(refused?.code).toBe(2);
    expect(refused?.stderr).toMatch(/^gradual: --controllers=analysis is not supported[^\n]*\n$/u);
  });

  it('runs `controller`: a canary reaches its pause, /metrics reports it, and SIGTERM stops it cleanly', async () => {
    const started = await startCompiledController();
    controller = started.child;
    await custom.createNamespacedCustomObject({
      ...rolloutApi,
      body: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: { name: 'web', namespace },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'example.test/web:blue' }] } },
          strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } },
        },
      },
    });
    await cluster.untilRollout('web', 'the first revision to be Healthy', (r) => r.status?.phase === 'Healthy');
    await custom.patchNamespacedCustomObject({ ...rolloutApi, name: 'web', body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'example.test/web:yellow' }] } } } } }, mergePatch);
    const paused = await cluster.untilRollout('web', 'the pause at step 1', (r) => r.status?.phase === 'Paused' && r.status.currentStepIndex === 1);
    expect(paused.status?.updatedReplicas).toBe(1);
    const metrics = await (await fetch(`http://127.0.0.1:${String(started.metricsPort)}/metrics`)).text();
    const info = metrics.split('\n').filter((line) => line.startsWith('rollout_info{') && line.includes('name="web"') && line.includes(`namespace="${namespace}"`));
    expect(info).toEqual([expect.stringMatching(/phase="Paused".* 1$/)]);
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
    controller = undefined;
  });
});
